package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestProfilesOnlyOnTheMetricsListener: the operator profiles a busy server through the
// separate metrics listener (FORUM_METRICS_ADDR); the public address does not serve the
// profiles, which show the code's paths and cost CPU to take.
func TestProfilesOnlyOnTheMetricsListener(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	t.Run("MetricsListener", func(t *testing.T) {
		ts := httptest.NewServer(e.server.MetricsHandler())
		defer ts.Close()
		for path, want := range map[string]string{"/debug/pprof/": "goroutine", "/debug/pprof/heap?debug=1": "heap profile"} {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s: status %d", path, resp.StatusCode)
			}
			if !strings.Contains(string(body), want) {
				t.Fatalf("%s does not mention %q", path, want)
			}
		}
	})
	t.Run("PublicListener", func(t *testing.T) {
		resp, body := e.client().get("/debug/pprof/")
		wantStatus(t, resp, body, http.StatusNotFound)
		if strings.Contains(body, "goroutine") {
			t.Fatal("the public address lists the profiles")
		}
	})
}
