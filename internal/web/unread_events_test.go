package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

// openUnread opens the unread-count stream as c's user and delivers each count it sends.
func openUnread(t *testing.T, c *client) (<-chan int, *http.Response, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.e.http.URL+"/notifications/events", nil)
	resp, err := c.http.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ch := make(chan int, 16)
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		close(ch)
		return ch, resp, cancel
	}
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		name := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && name == "unread":
				var d struct {
					Unread *int `json:"unread"`
				}
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d); err != nil || d.Unread == nil {
					t.Errorf("bad unread event data %q", line)
					return
				}
				ch <- *d.Unread
			case line == "":
				name = ""
			}
		}
	}()
	return ch, resp, cancel
}

func nextUnread(t *testing.T, ch <-chan int, within time.Duration) int {
	t.Helper()
	return receive(t, ch, within)
}

func TestUnreadEvents(t *testing.T) {
	t.Parallel()
	a := newEnv(t)
	b := newEnvOn(t, a.db) // a second instance on the same database
	alice := a.user("unread_alice", forum.RoleMember)
	a.user("unread_bob", forum.RoleMember)
	f := a.thread(alice, "Alice asks about the route")

	t.Run("VisitorsGet401", func(t *testing.T) {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			req, _ := http.NewRequest(method, a.http.URL+"/notifications/events", nil)
			resp, body := a.client().do(req)
			wantStatus(t, resp, body, http.StatusUnauthorized)
			if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/event-stream") {
				t.Fatalf("%s: a visitor got a stream (%s)", method, ct)
			}
		}
	})

	t.Run("HeadProbesWithoutAStream", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodHead, a.http.URL+"/notifications/events", nil)
		resp, body := a.login("unread_alice").do(req)
		wantStatus(t, resp, body, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("HEAD opened a stream (%s)", ct)
		}
	})

	t.Run("CurrentCountFirstThenRepliesFromAnotherInstance", func(t *testing.T) {
		a.reply(f, a.mustUser("unread_bob"), 0, "an answer before the stream opens")
		ch, resp, stop := openUnread(t, a.login("unread_alice"))
		defer stop()
		wantStatus(t, resp, "", http.StatusOK)
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("a person's stream has Cache-Control %q, want no-store", cc)
		}
		if n := nextUnread(t, ch, time.Second); n != 1 {
			t.Fatalf("first event: unread %d, want 1", n)
		}
		bob := b.login("unread_bob")
		resp, body := bob.post("/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply",
			url.Values{"body": {"a reply through instance B"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if n := nextUnread(t, ch, 2*time.Second); n != 2 {
			t.Fatalf("after a reply: unread %d, want 2", n)
		}
		// Reading them (on instance B) brings every open header down to 0.
		resp, body = b.login("unread_alice").post("/notifications/read", url.Values{})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if n := nextUnread(t, ch, 2*time.Second); n != 0 {
			t.Fatalf("after marking all read: unread %d, want 0", n)
		}
	})

	t.Run("SharesThePerAddressCap", func(t *testing.T) {
		c := newEnvOn(t, a.db) // an instance of its own: earlier streams may still be closing
		alice := c.login("unread_alice")
		var stops []func()
		defer func() {
			for _, s := range stops {
				s()
			}
		}()
		for range 2 {
			_, resp, stop := openStream(t, c, f.thread.ID, "")
			stops = append(stops, stop)
			wantStatus(t, resp, "", http.StatusOK)
		}
		ch, resp, stop := openUnread(t, alice)
		stops = append(stops, stop)
		wantStatus(t, resp, "", http.StatusOK)
		nextUnread(t, ch, time.Second)
		_, resp, stop = openUnread(t, alice)
		stops = append(stops, stop)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("fourth stream: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})

	t.Run("ShutdownClosesStreams", func(t *testing.T) {
		c := newEnvOn(t, a.db)
		ch, _, stop := openUnread(t, c.login("unread_alice"))
		defer stop()
		nextUnread(t, ch, time.Second)
		c.server.Shutdown()
		select {
		case n, ok := <-ch:
			if ok {
				t.Fatalf("unexpected event %d", n)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("stream still open after shutdown")
		}
	})
}
