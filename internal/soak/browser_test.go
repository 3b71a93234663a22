package soak

import (
	"strings"
	"testing"
	"time"
)

// The driver must send the thread's own reply box, not the reply form of some post on
// the page, and read error messages the way a person would see them.
func TestFormFieldsAndMessages(t *testing.T) {
	page := `<html><body>
		<form action="/logout" method="post"><input type="hidden" name="csrf_token" value="tok&#43;1"></form>
		<form class="reply-form" action="/t/7/reply" method="post">
			<input type="hidden" name="csrf_token" value="tok&#43;1"><input type="hidden" name="parent_id" value="9">
			<input type="hidden" name="idem" value="node-key"></form>
		<section class="reply-box" id="reply"><p class="form-error" role="alert">Too many replies.</p>
		<form action="/t/7/reply" method="post"><input type="hidden" name="csrf_token" value="tok&#43;1">
			<input type="hidden" name="idem" value="box-key"><input type="radio" name="stance" value="helps">
			<textarea name="body"></textarea></form></section></body></html>`
	f, err := formFields([]byte(page), "/t/7/reply", "parent_id")
	if err != nil {
		t.Fatal(err)
	}
	if f.Get("idem") != "box-key" || f.Get("csrf_token") != "tok+1" || f.Has("stance") {
		t.Errorf("reply box fields = %v, want idem box-key, csrf_token tok+1 and no radio", f)
	}
	if _, err := formFields([]byte(page), "/t/8/reply", ""); err == nil {
		t.Error("found a form for a thread the page does not show")
	}

	for _, tc := range []struct{ body, want string }{
		{page, "Too many replies."},
		{`{"error":"The forum is busy right now.","status":503}`, "The forum is busy right now."},
		{`<p class="error-message" role="alert">No database.</p>`, "No database."},
		{`<html><head><title>Something went wrong</title></head><body><h1>x</h1></body></html>`, "Something went wrong"},
	} {
		if got := message([]byte(tc.body)); got != tc.want {
			t.Errorf("message(%.40q) = %q, want %q", tc.body, got, tc.want)
		}
	}

	if id, err := postID("/t/7#p123"); err != nil || id != 123 {
		t.Errorf(`postID("/t/7#p123") = %d, %v`, id, err)
	}
	if _, err := postID("/t/7"); err == nil {
		t.Error("a redirect without #p<ID> was taken for an acknowledgement")
	}
}

// A stream remembers the last event id for its reconnection, counts reply events only,
// and takes the server's retry advice.
func TestStreamRead(t *testing.T) {
	s := &Stream{seen: map[int64]bool{}}
	retry := time.Second
	connected := 0
	body := "retry: 3000\n: connected\n\n" +
		"id: 5\nevent: reply\ndata: {\"post_id\":42}\n\n" +
		": ping\n\n" +
		"id: 6\nevent: edit\ndata: {\"post_id\":43}\n\n"
	s.read(strings.NewReader(body), func() {}, &retry, func() { connected++ })
	if connected != 1 {
		t.Errorf("connected called %d times, want once", connected)
	}
	if !s.Seen(42) || s.Seen(43) {
		t.Errorf("seen = %v, want only the reply 42", s.seen)
	}
	if s.lastID != "6" {
		t.Errorf("Last-Event-ID for the next connection = %q, want 6", s.lastID)
	}
	if retry != 3*time.Second {
		t.Errorf("retry = %s, want the server's 3s", retry)
	}
}
