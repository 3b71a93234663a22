package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"forum/internal/forum"
)

// BenchmarkReaderThreadPage is what a logged-in reader's thread page adds to a
// visitor's: the visit recorded (one write), the watch level and the muted set, on the
// 200-post thread of BenchmarkThreadPage with one of its authors muted. Compare
// "member" with "visitor".
func BenchmarkReaderThreadPage(b *testing.B) {
	e, path := benchThread(b)
	e.user("benchreader", forum.RoleMember)
	reader := e.login("benchreader")
	if resp, body := reader.post("/u/benchuser/mute", nil); resp.StatusCode != http.StatusSeeOther {
		b.Fatalf("mute: status %d: %.300s", resp.StatusCode, body)
	}
	base, _ := url.Parse(e.http.URL)
	cookies := reader.http.Jar.Cookies(base)
	h := e.server.Handler()
	serve := func(b *testing.B, withSession bool) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if withSession {
			for _, c := range cookies {
				req.AddCookie(c)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
	b.Run("visitor", func(b *testing.B) {
		for b.Loop() {
			serve(b, false)
		}
	})
	b.Run("member", func(b *testing.B) {
		for b.Loop() {
			serve(b, true)
		}
	})
}
