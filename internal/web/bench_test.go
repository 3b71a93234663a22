package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"forum/internal/forum"
)

// benchThread builds a thread of 200 replies three levels deep.
func benchThread(b *testing.B) (*env, string) {
	e := newEnv(b)
	u := e.user("benchuser", forum.RoleMember)
	f := e.thread(u, "A thread for benchmarks")
	for i := range 66 {
		top := e.reply(f, u, 0, "Top-level reply number "+strconv.Itoa(i)+" with *some* Markdown and a [link](https://example.org).")
		child := e.reply(f, u, top.ID, "An answer to "+strconv.Itoa(i))
		e.reply(f, u, child.ID, "And an answer to that answer.")
	}
	return e, "/t/" + strconv.FormatInt(f.thread.ID, 10)
}

func serveOnce(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d", rec.Code)
	}
}

// BenchmarkThreadPage compares a visitor's thread page with serving the same bytes from
// memory: the ratio of the two is the figure to watch (DESIGN.md: near static speed).
func BenchmarkThreadPage(b *testing.B) {
	e, path := benchThread(b)
	h := e.server.Handler()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	page := rec.Body.Bytes()
	static := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	b.Run("dynamic", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			serveOnce(b, h, path)
		}
	})
	b.Run("static-bytes", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		for b.Loop() {
			serveOnce(b, static, path)
		}
	})
	b.Run("json-tree", func(b *testing.B) {
		for b.Loop() {
			serveOnce(b, h, "/api/v1/threads/"+path[len("/t/"):])
		}
	})
}

// BenchmarkLoadThreadPage is the load run: concurrent clients over loopback against a
// real listening server, bounded by -benchtime.
func BenchmarkLoadThreadPage(b *testing.B) {
	e, path := benchThread(b)
	url := e.http.URL + path
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		client := &http.Client{}
		for pb.Next() {
			resp, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
}

func BenchmarkSearch(b *testing.B) {
	e, _ := benchThread(b)
	h := e.server.Handler()
	for b.Loop() {
		serveOnce(b, h, "/search?q=answer+-link")
	}
}
