package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct {
	id, name string
	data     struct {
		PostID   int64  `json:"post_id"`
		ParentID *int64 `json:"parent_id"`
		HTML     string `json:"html"`
		Node     string `json:"node"`
		Counts   *struct {
			Replies     int    `json:"replies"`
			RepliesHTML string `json:"replies_html"`
			Tally       *struct {
				Helps, Hinders, Mixed, Total int
				HTML                         string
			} `json:"tally"`
		} `json:"counts"`
	}
}

// stream opens an event stream and delivers its events on a channel.
func openStream(t *testing.T, e *env, threadID int64, lastEventID string) (<-chan sseEvent, *http.Response, func()) {
	t.Helper()
	return openStreamURL(t, e.http.URL+"/t/"+strconv.FormatInt(threadID, 10)+"/events", lastEventID)
}

// openStreamURL opens the event stream at rawURL (which may carry ?last_event_id=).
func openStreamURL(t *testing.T, rawURL, lastEventID string) (<-chan sseEvent, *http.Response, func()) {
	t.Helper()
	return openStreamAs(t, http.DefaultClient, rawURL, lastEventID)
}

// openStreamAs opens the event stream at rawURL as the client's user.
func openStreamAs(t *testing.T, client *http.Client, rawURL, lastEventID string) (<-chan sseEvent, *http.Response, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ch := make(chan sseEvent, 16)
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		close(ch)
		return ch, resp, cancel
	}
	ready := make(chan struct{})
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == ": connected":
				close(ready)
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev.data)
			case line == "" && ev.name != "":
				ch <- ev
				ev = sseEvent{}
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("stream did not open")
	}
	return ch, resp, func() { cancel() }
}

func next(t *testing.T, ch <-chan sseEvent, within time.Duration) sseEvent {
	t.Helper()
	return receive(t, ch, within)
}

// receive waits for the next value a stream reader delivers; a closed stream or none
// within the time fails the test.
func receive[T any](t *testing.T, ch <-chan T, within time.Duration) T {
	t.Helper()
	select {
	case v, ok := <-ch:
		if !ok {
			t.Fatal("stream closed")
		}
		return v
	case <-time.After(within):
		t.Fatalf("no event within %s", within)
	}
	var zero T
	return zero
}

func TestLiveEvents(t *testing.T) {
	t.Parallel()
	a := newEnv(t)
	b := newEnvOn(t, a.db) // a second instance on the same database
	u := a.user("livewriter", forum.RoleMember)
	f := a.thread(u, "A thread that grows live")
	parent := a.reply(f, u, 0, "the parent")

	t.Run("ReplyThroughOtherInstanceArrivesWithinASecond", func(t *testing.T) {
		ch, _, stop := openStream(t, a, f.thread.ID, "")
		defer stop()
		c := b.login("livewriter")
		start := time.Now()
		resp, body := c.post("/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply",
			url.Values{"body": {"hello from **instance B**"}, "parent_id": {id(parent)}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		ev := next(t, ch, time.Second)
		t.Logf("event after %s", time.Since(start))
		if ev.name != "reply" || ev.data.ParentID == nil || *ev.data.ParentID != parent.ID ||
			!strings.Contains(ev.data.HTML, "<strong>instance B</strong>") ||
			!strings.Contains(ev.data.Node, `data-parent-id="`+id(parent)+`" data-depth="2"`) {
			t.Fatalf("unexpected event %+v", ev)
		}
	})

	t.Run("EditsAreSent", func(t *testing.T) {
		ch, _, stop := openStream(t, a, f.thread.ID, "")
		defer stop()
		if err := b.store.EditPost(t.Context(), parent.ID, u.ID, "the parent, revised", "<p>the parent, revised</p>", nil); err != nil {
			t.Fatal(err)
		}
		ev := next(t, ch, time.Second)
		if ev.name != "edit" || ev.data.PostID != parent.ID || !strings.Contains(ev.data.HTML, "revised") {
			t.Fatalf("unexpected event %+v", ev)
		}
	})

	t.Run("ReconnectCatchesUpFromLastEventID", func(t *testing.T) {
		ch, _, stop := openStream(t, a, f.thread.ID, "")
		first := b.reply(f, u, 0, "seen live")
		ev := next(t, ch, time.Second)
		if ev.data.PostID != first.ID {
			t.Fatalf("got %+v", ev)
		}
		stop()
		missed1 := b.reply(f, u, 0, "missed one")
		missed2 := b.reply(f, u, first.ID, "missed two")
		ch2, _, stop2 := openStream(t, a, f.thread.ID, ev.id)
		defer stop2()
		got := []int64{next(t, ch2, time.Second).data.PostID, next(t, ch2, time.Second).data.PostID}
		if got[0] != missed1.ID || got[1] != missed2.ID {
			t.Fatalf("caught up %v, want [%d %d]", got, missed1.ID, missed2.ID)
		}
	})

	t.Run("HiddenPostsAreNotSent", func(t *testing.T) {
		ch, _, stop := openStream(t, a, f.thread.ID, "")
		defer stop()
		hidden := b.reply(f, u, 0, "to be hidden")
		ev := next(t, ch, time.Second)
		if ev.data.PostID != hidden.ID {
			t.Fatalf("got %+v", ev)
		}
		if _, err := a.db.Exec(`UPDATE posts SET status = 'hidden' WHERE id = $1`, hidden.ID); err != nil {
			t.Fatal(err)
		}
		if err := b.store.EditPost(t.Context(), hidden.ID, u.ID, "secret edit", "<p>secret edit</p>", nil); err != nil {
			t.Fatal(err)
		}
		visible := b.reply(f, u, 0, "visible afterwards")
		ev = next(t, ch, time.Second)
		if ev.data.PostID != visible.ID || strings.Contains(ev.data.HTML, "secret") {
			t.Fatalf("a hidden post's edit was sent: %+v", ev)
		}
	})

	t.Run("PerIPCapReturns429", func(t *testing.T) {
		a := newEnvOn(t, a.db) // an instance of its own: earlier streams may still be closing
		var stops []func()
		defer func() {
			for _, s := range stops {
				s()
			}
		}()
		for range 3 {
			_, resp, stop := openStream(t, a, f.thread.ID, "")
			stops = append(stops, stop)
			wantStatus(t, resp, "", http.StatusOK)
		}
		_, resp, stop := openStream(t, a, f.thread.ID, "")
		stops = append(stops, stop)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("fourth stream: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})

	t.Run("HeartbeatsKeepIdleStreamsAlive", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, a.http.URL+"/t/"+strconv.FormatInt(f.thread.ID, 10)+"/events", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		deadline := time.After(3 * time.Second)
		got := make(chan bool, 1)
		go func() {
			for sc.Scan() {
				if sc.Text() == ": ping" {
					got <- true
					return
				}
			}
		}()
		select {
		case <-got:
		case <-deadline:
			t.Fatal("no heartbeat on an idle stream")
		}
	})

	t.Run("WriteTimeoutDoesNotCutStreams", func(t *testing.T) {
		ts := httptest.NewUnstartedServer(a.server.Handler())
		ts.Config.WriteTimeout = 150 * time.Millisecond
		ts.Start()
		defer ts.Close()
		resp, err := http.Get(ts.URL + "/t/" + strconv.FormatInt(f.thread.ID, 10) + "/events")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		pings := 0
		start := time.Now()
		for pings < 5 && sc.Scan() {
			if sc.Text() == ": ping" {
				pings++
			}
		}
		if pings < 5 {
			t.Fatalf("stream cut after %s and %d heartbeats", time.Since(start), pings)
		}
	})

	t.Run("ShutdownClosesStreams", func(t *testing.T) {
		c := newEnvOn(t, a.db)
		ch, _, stop := openStream(t, c, f.thread.ID, "")
		defer stop()
		c.server.Shutdown()
		select {
		case _, ok := <-ch:
			if ok {
				t.Fatal("unexpected event")
			}
		case <-time.After(2 * time.Second):
			t.Fatal("stream still open after shutdown")
		}
	})
}
