package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/config"
	"forum/internal/forum"
	"forum/internal/webtest"
)

// TestLiveNodesForTheListener: a live reply arrives with the controls its listener would
// see on a reload (Reply, Flag, and Edit/Delete on their own posts), which the page's forms
// with a CSRF token their session accepts serve; a visitor's copy of the same reply has none. Every event carries the
// thread's reply count and stance tally as of that event.
func TestLiveNodesForTheListener(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("live_author", forum.RoleMember)
	e.user("live_reader", forum.RoleMember)
	f := e.thread(author, "Controls on live replies")
	threadURL := e.http.URL + "/t/" + strconv.FormatInt(f.thread.ID, 10) + "/events"

	reader := e.login("live_reader")
	resp, body := reader.get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	mine, _, stopMine := openStreamAs(t, reader.http, threadURL, "")
	defer stopMine()
	visitor, _, stopVisitor := openStream(t, e, f.thread.ID, "")
	defer stopVisitor()

	p := e.fx.Reply(f.thread, author, nil, "a reply with a stance", forum.StanceHelps)
	ev := next(t, mine, 2*time.Second)
	if ev.data.PostID != p.ID {
		t.Fatalf("listener got %+v, want post %d", ev.data, p.ID)
	}

	t.Run("CountsAndTallyAsOfTheEvent", func(t *testing.T) {
		c := ev.data.Counts
		if c == nil || c.Replies != 1 || c.RepliesHTML != "1 reply" {
			t.Fatalf("counts %+v, want 1 reply", c)
		}
		if c.Tally == nil || c.Tally.Helps != 1 || c.Tally.Total != 1 || c.Tally.Hinders != 0 ||
			!strings.Contains(c.Tally.HTML, "data-live-tally") || !strings.Contains(c.Tally.HTML, "Helps: 1 (100%)") {
			t.Fatalf("tally %+v, want helps 1 of 1 rendered as the page's tally", c.Tally)
		}
	})

	t.Run("VisitorGetsNoControls", func(t *testing.T) {
		v := next(t, visitor, 2*time.Second)
		if v.data.PostID != p.ID {
			t.Fatalf("visitor got %+v", v.data)
		}
		for _, leak := range []string{"<form", "csrf_token", "post-actions"} {
			if strings.Contains(v.data.Node, leak) {
				t.Fatalf("a visitor's live node carries %q:\n%s", leak, v.data.Node)
			}
		}
		if v.data.Counts == nil || v.data.Counts.Replies != 1 {
			t.Fatalf("visitor's counts %+v", v.data.Counts)
		}
	})

	// A live node's Reply and Flag take the page's one form of each (inlineforms.js copies
	// it under the post, as here), or link to the post's pages without JavaScript.
	resp, page := reader.get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	wantStatus(t, resp, page, http.StatusOK)

	t.Run("ReplyFormTokenIsAccepted", func(t *testing.T) {
		wantContains(t, ev.data.Node, `data-reply="`+id(p)+`"`, `href="/p/`+id(p)+`#reply"`)
		form := parseForm(t, page, "/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply")
		if form.fields.Get("csrf_token") == "" {
			t.Fatalf("reply form fields %v", form.fields)
		}
		form.fields.Set("parent_id", id(p))
		form.fields.Set("body", "answered from a live reply's own form")
		resp, body := reader.postRaw(form.action, form.fields)
		wantStatus(t, resp, body, http.StatusSeeOther)
		// Its own reply comes back on the listener's stream with Edit and Delete.
		own := next(t, mine, 2*time.Second)
		if !strings.Contains(own.data.Node, `href="/p/`+strconv.FormatInt(own.data.PostID, 10)+`/edit"`) ||
			!strings.Contains(own.data.Node, `"/p/`+strconv.FormatInt(own.data.PostID, 10)+`/delete"`) {
			t.Fatalf("the listener's own live reply has no Edit/Delete:\n%s", own.data.Node)
		}
		if own.data.Counts == nil || own.data.Counts.Replies != 2 || own.data.Counts.RepliesHTML != "2 replies" {
			t.Fatalf("counts after the second reply %+v", own.data.Counts)
		}
	})

	t.Run("FlagFormTokenIsAccepted", func(t *testing.T) {
		wantContains(t, ev.data.Node, `data-flag="`+id(p)+`"`, `href="/p/`+id(p)+`/flag"`)
		form := parseForm(t, page, "/p/0/flag")
		form.fields.Set("reason", "off_topic")
		resp, body := reader.postRaw("/p/"+id(p)+"/flag", form.fields)
		if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
			t.Fatalf("flag with the live node's token: status %d:\n%.1500s", resp.StatusCode, body)
		}
		if n := e.count(t, `SELECT count(*) FROM flags WHERE post_id = $1`, p.ID); n != 1 {
			t.Fatalf("%d flags on the post, want 1", n)
		}
	})
}

// TestStreamCapSetting: FORUM_MAX_STREAMS_PER_ADDRESS reaches the server: with 2, a
// logged-in reader's thread stream and unread-count stream fill it, and a third stream
// from the same address is refused with 429 and Retry-After.
func TestStreamCapSetting(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, webtest.Options{Heartbeat: 100 * time.Millisecond, Config: func(c *config.Config) {
		webtest.Roomy(c)
		c.MaxStreamsPerAddress = 2
	}})
	u := e.user("cap_reader", forum.RoleMember)
	f := e.thread(u, "Two streams at most")
	c := e.login("cap_reader")
	_, resp, stop := openStreamAs(t, c.http, e.http.URL+"/t/"+strconv.FormatInt(f.thread.ID, 10)+"/events", "")
	defer stop()
	wantStatus(t, resp, "", http.StatusOK)
	_, resp, stop = openStreamAs(t, c.http, e.http.URL+"/notifications/events", "")
	defer stop()
	wantStatus(t, resp, "", http.StatusOK)

	_, resp, stop = openStream(t, e, f.thread.ID, "")
	defer stop()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third stream: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
