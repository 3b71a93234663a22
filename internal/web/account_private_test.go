package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	build "forum/internal/fixture"

	"forum/internal/forum"
	"forum/internal/web"
)

// TestEmailIsNeverShown walks an address through everything that touches it —
// registration with it, its confirmation link, a reset asked for by it and used — and
// then looks for it, in any case, on every public view of its owner: their page (as a
// visitor and as another member), their posts in the API, the feeds, and every log
// line the server wrote meanwhile; and for the mailed tokens in the logs. It swaps the
// process's logger, so it does not run in parallel.
func TestEmailIsNeverShown(t *testing.T) {
	var logs build.LogBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(old) })

	const addr = "Private.Person@Example.org"
	e := newEnv(t)
	visitor := e.client()
	resp, body := visitor.post(web.RouteRegister, url.Values{"username": {"private"},
		"password": {"a long and unguessable passphrase"}, "email": {addr}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	confirm := mailLink(t, e.lastMail(t, "confirm_email", addr))
	resp, body = visitor.post(confirm, url.Values{})
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = e.forgot(t, e.client(), strings.ToLower(addr))
	wantStatus(t, resp, body, http.StatusOK)
	reset := mailLink(t, e.lastMail(t, "password_reset", addr))
	resp, body = e.client().get(reset)
	wantStatus(t, resp, body, http.StatusOK)
	resp, body = e.client().post(reset, url.Values{"password": {"another long and unguessable phrase"}})
	wantStatus(t, resp, body, http.StatusSeeOther)

	owner := e.mustUser("private")
	e.user("other", forum.RoleMember)
	f := e.thread(owner, "A thread by the private person")
	p := e.reply(f, owner, 0, "A reply by the private person.")
	member := e.login("other")
	pages := map[string]string{}
	for _, path := range []string{"/u/private", "/t/" + strconv.FormatInt(f.thread.ID, 10),
		"/api/v1/threads/" + strconv.FormatInt(f.thread.ID, 10), "/api/v1/posts/" + strconv.FormatInt(p.ID, 10),
		"/api/v1/threads", "/feed.rss", "/u/private/feed.rss", "/u/private/feed.atom"} {
		for who, c := range map[string]*client{"a visitor": e.client(), "another member": member} {
			resp, body := c.get(path)
			wantStatus(t, resp, body, http.StatusOK)
			pages[who+" at "+path] = body
		}
	}
	if !strings.Contains(pages["a visitor at /u/private"], "private") {
		t.Fatal("the person's page does not name them")
	}
	// The server logs a request after answering it: wait for the last request's line.
	resp, body = e.client().get("/about")
	wantStatus(t, resp, body, http.StatusOK)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for !strings.Contains(logs.String(), "path=/about status=200") {
		if ctx.Err() != nil {
			t.Fatalf("the request log never showed the last request:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	pages["the log"] = logs.String()

	anyCase := regexp.MustCompile(`(?i)` + regexp.QuoteMeta(addr) + `|private\.person`)
	for where, body := range pages {
		if m := anyCase.FindString(body); m != "" {
			wantAbsent(t, where, body, m)
		}
	}
	tokens := []string{strings.TrimPrefix(confirm, "/settings/email/confirm/"), strings.TrimPrefix(reset, "/reset/")}
	wantAbsent(t, "the log", pages["the log"], tokens...)
	wantContains(t, pages["the log"], "path=/reset/…", "path=/settings/email/confirm/…")
}
