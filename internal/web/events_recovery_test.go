package web_test

import (
	"bufio"
	"database/sql"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"forum/internal/forum"
	"forum/internal/testdb"
)

// TestLiveStreamRecovery covers what the page's script relies on to reopen a stream: the
// starting point it is told, ?last_event_id= for catch-up, HEAD to learn why a stream
// was refused, and a 503 with Retry-After while the instance cannot listen.
func TestLiveStreamRecovery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("recoverer", forum.RoleMember)
	f := e.thread(u, "A thread whose readers reconnect")
	events := e.http.URL + "/t/" + strconv.FormatInt(f.thread.ID, 10) + "/events"

	t.Run("FirstEventSaysWhereTheStreamStarts", func(t *testing.T) {
		seen := e.reply(f, u, 0, "before the stream opened")
		last, err := e.store.LastEventID(t.Context(), f.thread.ID)
		if err != nil || last == 0 {
			t.Fatalf("last event id %d, %v (reply %d)", last, err, seen.ID)
		}
		resp, err := http.Get(events)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		wantStatus(t, resp, "", http.StatusOK)
		sc := bufio.NewScanner(resp.Body)
		var got []string
		for sc.Scan() && sc.Text() != "" {
			got = append(got, sc.Text())
		}
		want := []string{"retry: 3000", ": connected", "id: " + strconv.FormatInt(last, 10), "data: start"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("stream begins %q, want %q", got, want)
		}
	})

	t.Run("LastEventIDParameterCatchesUp", func(t *testing.T) {
		ch, _, stop := openStream(t, e, f.thread.ID, "")
		first := e.reply(f, u, 0, "seen live")
		ev := next(t, ch, time.Second)
		if ev.data.PostID != first.ID {
			t.Fatalf("got %+v", ev)
		}
		stop()
		missed1 := e.reply(f, u, 0, "missed one")
		missed2 := e.reply(f, u, first.ID, "missed two")
		ch2, _, stop2 := openStreamURL(t, events+"?last_event_id="+ev.id, "")
		defer stop2()
		got := []int64{next(t, ch2, time.Second).data.PostID, next(t, ch2, time.Second).data.PostID}
		if got[0] != missed1.ID || got[1] != missed2.ID {
			t.Fatalf("caught up %v, want [%d %d]", got, missed1.ID, missed2.ID)
		}
	})

	t.Run("ZeroMeansFromTheThreadsFirstEvent", func(t *testing.T) {
		// A page that opened before the thread had any event was told "id: 0"; what came
		// since must reach it when it reopens.
		g := e.thread(u, "A thread with no events yet")
		r := e.reply(g, u, 0, "the first event of this thread")
		ch, _, stop := openStreamURL(t, e.http.URL+"/t/"+strconv.FormatInt(g.thread.ID, 10)+"/events?last_event_id=0", "")
		defer stop()
		if ev := next(t, ch, time.Second); ev.data.PostID != r.ID {
			t.Fatalf("got %+v, want reply %d", ev, r.ID)
		}
	})

	t.Run("UnreadableLastEventIDIs400", func(t *testing.T) {
		// Status only, never the body: a wrongly accepted stream would not end.
		status := func(url, header string) int {
			t.Helper()
			req, _ := http.NewRequest(http.MethodGet, url, nil)
			if header != "" {
				req.Header.Set("Last-Event-ID", header)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		for _, raw := range []string{"abc", "-1", "007", "1.2", "99999999999999999999"} {
			if got := status(events+"?last_event_id="+raw, ""); got != http.StatusBadRequest {
				t.Errorf("?last_event_id=%s: status %d, want 400", raw, got)
			}
			if got := status(events, raw); got != http.StatusBadRequest {
				t.Errorf("Last-Event-ID: %s: status %d, want 400", raw, got)
			}
		}
	})

	t.Run("HeadAnswersWhatAGetWould", func(t *testing.T) {
		c := newEnvOn(t, e.db) // an instance of its own: the cap is per instance (3 here)
		url := c.http.URL + "/t/" + strconv.FormatInt(f.thread.ID, 10) + "/events"
		head := func(url string) *http.Response {
			t.Helper()
			resp, err := http.Head(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		wantStatus(t, head(url), "HEAD with room", http.StatusOK)
		wantStatus(t, head(c.http.URL+"/t/999999999/events"), "HEAD of a missing thread", http.StatusNotFound)
		for range 3 {
			_, resp, stop := openStream(t, c, f.thread.ID, "")
			defer stop()
			wantStatus(t, resp, "", http.StatusOK)
		}
		resp := head(url)
		wantStatus(t, resp, "HEAD at the cap", http.StatusTooManyRequests)
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 10 {
			t.Fatalf("Retry-After %q at the cap, want a few seconds", resp.Header.Get("Retry-After"))
		}
	})

	t.Run("LostListenerEndsStreamsAndRefusesWith503UntilBack", func(t *testing.T) {
		d := newEnv(t) // its own database: this subtest cuts connections
		w := d.user("outage_writer", forum.RoleMember)
		g := d.thread(w, "A thread through an outage")
		url := d.http.URL + "/t/" + strconv.FormatInt(g.thread.ID, 10) + "/events"
		ch, _, stop := openStream(t, d, g.thread.ID, "")
		defer stop()
		seen := d.reply(g, w, 0, "before the outage")
		ev := next(t, ch, time.Second)

		// New connections are refused (even a superuser's) and the hub's is cut; the
		// server's pooled connections stay, so only the listener is down.
		setAllowConnections(t, d, false)
		if _, err := d.db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`); err != nil {
			t.Fatal(err)
		}
		select {
		case _, ok := <-ch:
			if ok {
				t.Fatal("unexpected event after the listener was cut")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the stream stayed open, claiming to be live, after its instance stopped listening")
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		wantStatus(t, resp, "stream while not listening", http.StatusServiceUnavailable)
		if resp.Header.Get("Retry-After") == "" {
			t.Fatal("503 without Retry-After")
		}
		missed := d.reply(g, w, seen.ID, "written while the listener was down")

		setAllowConnections(t, d, true)
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp, err := http.Head(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the events endpoint did not recover: status %d", resp.StatusCode)
			}
			time.Sleep(50 * time.Millisecond)
		}
		ch2, _, stop2 := openStreamURL(t, url+"?last_event_id="+ev.id, "")
		defer stop2()
		if got := next(t, ch2, 2*time.Second); got.data.PostID != missed.ID {
			t.Fatalf("caught up %+v, want the reply %d written while down", got, missed.ID)
		}
		live := d.reply(g, w, 0, "after the outage")
		if got := next(t, ch2, 2*time.Second); got.data.PostID != live.ID {
			t.Fatalf("got %+v, want the live reply %d: the listener did not resume", got, live.ID)
		}
	})
}

// setAllowConnections opens or closes e's database to new connections (a superuser's
// too); closed, it is reopened when the test ends. A database cannot close itself, so
// this goes through a connection to the server's default database.
func setAllowConnections(t *testing.T, e *env, allow bool) {
	t.Helper()
	var name string
	if err := e.db.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	q := `ALTER DATABASE ` + pq.QuoteIdentifier(name) + ` ALLOW_CONNECTIONS `
	if _, err := admin.Exec(q + strconv.FormatBool(allow)); err != nil {
		t.Fatalf("%s%t: %v", q, allow, err)
	}
	if !allow {
		t.Cleanup(func() {
			if admin, err := sql.Open("postgres", testdb.URL(t)); err == nil {
				_, _ = admin.Exec(q + "true")
				admin.Close()
			}
		})
	}
}

// TestStreamStartsWhereThePageWasRendered: a reply written after the thread page was
// rendered but before its script opened the stream still reaches the page, because the
// page says where its stream starts.
func TestStreamStartsWhereThePageWasRendered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("latecomer", forum.RoleMember)
	f := e.thread(u, "A thread read on a slow connection")
	e.reply(f, u, 0, "a reply the page shows")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	resp, body := e.client().get(tpath)
	wantStatus(t, resp, body, http.StatusOK)
	m := regexp.MustCompile(`data-events-from="(\d+)"`).FindStringSubmatch(body)
	if m == nil || m[1] == "0" {
		t.Fatalf("the page does not say where its stream starts (%v)", m)
	}
	missed := e.reply(f, u, 0, "written while the page's script was loading")
	ch, resp, stop := openStreamURL(t, e.http.URL+tpath+"/events?last_event_id="+m[1], "")
	defer stop()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: status %d", resp.StatusCode)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if ev := next(t, ch, time.Until(deadline)); ev.name == "reply" {
			if ev.data.PostID != missed.ID {
				t.Fatalf("first reply event is post %d, want %d (the one written after the render)", ev.data.PostID, missed.ID)
			}
			return
		}
	}
	t.Fatal("the reply written after the render never reached the stream")
}
