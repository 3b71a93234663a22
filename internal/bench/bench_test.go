package bench_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"forum/internal/bench"
)

// The baseline answers each recorded path with exactly the recorded status, headers and
// bytes, and the load run counts what it got: the two numbers a ratio is made of.
func TestBaselineServesRecordedBytesAndRunCountsThem(t *testing.T) {
	t.Parallel()
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("ETag", `"v7"`)
		if r.URL.Path == "/missing" {
			w.WriteHeader(http.StatusNotFound)
		}
		_, _ = w.Write([]byte("<p>page " + r.URL.Path + "</p>"))
	}))
	defer origin.Close()
	c := bench.Client(4, nil)
	var recs []bench.Recorded
	for _, p := range []string{"/t/1", "/missing"} {
		rec, err := bench.Record(c, p, origin.URL+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	base := httptest.NewServer(bench.Baseline(recs))
	defer base.Close()
	resp, err := c.Get(base.URL + "/t/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != `"v7"` || resp.ContentLength != int64(len("<p>page /t/1</p>")) {
		t.Fatalf("baseline answered %d, ETag %q, %d bytes; want the recorded 200, \"v7\", 16 bytes",
			resp.StatusCode, resp.Header.Get("ETag"), resp.ContentLength)
	}

	res := bench.Run(t.Context(), "page", "baseline", 4, 300*time.Millisecond, c, func(w, i int) bench.Request {
		return bench.Request{URL: base.URL + "/t/1"}
	})
	if res.Requests == 0 || res.Errors != 0 || res.Bytes != int64(res.Requests*16) || res.P50 <= 0 || res.P99 < res.P50 {
		t.Fatalf("run: %+v; want requests, no errors, 16 bytes each, 0 < p50 <= p99", res)
	}
	// An answer with the wrong status is an error, not a success.
	res = bench.Run(t.Context(), "missing", "baseline", 2, 200*time.Millisecond, c, func(w, i int) bench.Request {
		return bench.Request{URL: base.URL + "/missing"}
	})
	if res.Requests == 0 || res.Errors != res.Requests {
		t.Fatalf("run of a 404: %d requests, %d errors; want every one an error", res.Requests, res.Errors)
	}
}
