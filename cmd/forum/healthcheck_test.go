package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestHealthcheckCommand runs `forum healthcheck` (the image's HEALTHCHECK and
// compose.yaml's) against a stand-in server on FORUM_ADDR: it succeeds only when
// /healthz answers 200, fails on any other status or when nothing listens, and reaches a
// server listening on every interface (0.0.0.0, the image's FORUM_ADDR) through loopback.
func TestHealthcheckCommand(t *testing.T) {
	var mu sync.Mutex // the handler runs on the server's goroutines
	status := http.StatusOK
	var paths []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		paths = append(paths, r.URL.Path)
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer ts.Close()
	addr := ts.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	check := func(addr string) error {
		t.Setenv("FORUM_ADDR", addr)
		return run([]string{"healthcheck"}, strings.NewReader(""))
	}

	if err := check(addr); err != nil {
		t.Errorf("healthy server: %v", err)
	}
	mu.Lock()
	if len(paths) != 1 || paths[0] != "/healthz" {
		t.Errorf("healthcheck asked for %q, want [/healthz]", paths)
	}
	mu.Unlock()
	if err := check("0.0.0.0:" + port); err != nil {
		t.Errorf("FORUM_ADDR on every interface: %v", err)
	}
	mu.Lock()
	status = http.StatusServiceUnavailable
	mu.Unlock()
	if err := check(addr); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("server answering 503: err = %v, want a failure naming the status", err)
	}
	// Nothing listens on a port just released.
	if err := check(freeAddr(t)); err == nil {
		t.Error("nothing listening: healthcheck succeeded")
	}
}
