package browsertest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// TestJourneyLiveUnreadCount: alice has the home page open; bob replies to her thread
// and the count in her header rises without a reload, then again. While her tab is
// hidden (another tab in front) it holds no stream; shown again, it opens one and
// catches up with the reply written meanwhile.
func TestJourneyLiveUnreadCount(t *testing.T) {
	s := newSite(t)
	alice := s.user("alice_unread", forum.RoleMember)
	bob := s.user("bob_unread", forum.RoleMember)
	th, _ := s.thread(alice, "reopening", "Who runs the marathon this year?", "Asking for a friend.")

	b := newBrowser(t, s)
	streams := watchStreams(t, b, "/notifications/events")
	b.login("alice_unread")
	streams.wait(t, 1)
	if !eval[bool](b, `getComputedStyle(document.getElementById('unread-count')).display === 'none'`) {
		t.Fatal("the header shows an unread badge with nothing unread")
	}
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))

	wantCount := func(n string) {
		t.Helper()
		b.do("wait for the count "+n, chromedp.WaitVisible(chromedp.CSS(`a.notifications-link[data-unread="`+n+`"] #unread-count`)))
		if got := b.text("#unread-count"); got != n {
			t.Fatalf("badge says %q, want %s", got, n)
		}
		if got := b.attr("#unread-count", "aria-label"); got != n+" unread" {
			t.Fatalf("badge's aria-label %q", got)
		}
		if title := eval[string](b, `document.title`); !strings.HasPrefix(title, "("+n+") ") {
			t.Fatalf("title %q lacks the prefix (%s)", title, n)
		}
	}
	s.reply(bob, th, nil, "", "The usual crowd, and a few more.")
	wantCount("1")
	s.reply(bob, th, nil, "", "And some first-timers.")
	wantCount("2")

	// Another tab in front hides alice's: its stream closes.
	other, closeOther := chromedp.NewContext(b.tab, chromedp.WithNewWindow(false))
	defer closeOther()
	if _, err := chromedp.Run(other, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	if v := eval[string](b, `document.visibilityState`); v != "hidden" {
		t.Fatalf("alice's tab is %s behind another tab, want hidden", v)
	}
	streams.wait(t, 0)
	s.reply(bob, th, nil, "", "Written while alice looked elsewhere.")

	// Back in front: one stream again, starting with the count as it is now.
	aliceTab := chromedp.FromContext(b.tab).Target.TargetID
	b.do("bring alice's tab to the front", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, target.ActivateTarget, target.ActivateTargetParams{TargetID: aliceTab})
		return err
	}))
	streams.wait(t, 1)
	wantCount("3")
	if !eval[bool](b, `window.__noReload === true`) {
		t.Fatal("alice's page was reloaded")
	}
}

// streamWatch counts a tab's open EventSource requests to one path, from the browser's
// own network events: what the tab holds, whatever its script believes.
type streamWatch struct {
	mu      sync.Mutex
	open    map[network.RequestID]bool
	changed chan struct{}
}

func watchStreams(t *testing.T, b *browser, path string) *streamWatch {
	t.Helper()
	w := &streamWatch{open: map[network.RequestID]bool{}, changed: make(chan struct{}, 1)}
	err := chromedp.Listen(b.tab, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if ev.Type == network.ResourceTypeEventSource && strings.Contains(ev.Request.URL, path) {
				w.open[ev.RequestID] = true
			}
		case *network.EventLoadingFailed:
			delete(w.open, ev.RequestID)
		case *network.EventLoadingFinished:
			delete(w.open, ev.RequestID)
		default:
			return
		}
		select {
		case w.changed <- struct{}{}:
		default:
		}
	})
	if err != nil {
		t.Fatalf("listen to the tab's network: %v", err)
	}
	return w
}

// wait waits until the tab holds exactly n streams.
func (w *streamWatch) wait(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		w.mu.Lock()
		got := len(w.open)
		w.mu.Unlock()
		if got == n {
			return
		}
		select {
		case <-w.changed:
		case <-deadline:
			t.Fatalf("the tab holds %d event streams, want %d", got, n)
		}
	}
}
