package browsertest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// TestLiveStreamOnlyWhileVisible: a thread page holds its event stream only while its tab
// is visible. Hidden behind another tab it closes it (and says so in data-live); shown
// again it reopens it and catches up with a reply written meanwhile, without a reload.
// Seven tabs of the thread, one after another, leave only the front one streaming, so a
// reply still arrives live there: the browser's six connections per host are not spent
// on tabs nobody looks at.
func TestLiveStreamOnlyWhileVisible(t *testing.T) {
	s := newSite(t)
	alice := s.user("alice_tabs", forum.RoleMember)
	bob := s.user("bob_tabs", forum.RoleMember)
	th, _ := s.thread(alice, "reopening", "Seven tabs on one thread", "Open me many times.")
	tpath := "/t/" + strconv.FormatInt(th.ID, 10)

	b := newBrowser(t, s)
	streams := watchStreams(t, b, tpath+"/events")
	b.open(tpath)
	streams.wait(t, 1)
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))

	// Another tab in front: this one's stream closes.
	other, closeOther := chromedp.NewContext(b.tab, chromedp.WithNewWindow(false))
	defer closeOther()
	if err := chromedp.Do(other, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	streams.wait(t, 0)
	if got := b.attr("ol.tree", "data-live"); got != "paused" {
		t.Errorf("a hidden tab's data-live is %q, want paused", got)
	}
	hidden := s.reply(bob, th, nil, "", "Written while the tab was hidden.")

	// Back in front: one stream, and the reply written meanwhile is in the tree.
	first := chromedp.FromContext(b.tab).Target.TargetID
	b.do("bring the first tab back", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, target.ActivateTarget, target.ActivateTargetParams{TargetID: first})
		return err
	}))
	streams.wait(t, 1)
	b.do("wait for the reply written while hidden", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#p%d", hidden.ID))))
	if !eval[bool](b, `window.__noReload === true`) {
		t.Fatal("the page was reloaded")
	}

	// Seven tabs of the thread, each opened in front of the last.
	var front context.Context
	for i := range 7 {
		tab, cancel := chromedp.NewContext(b.tab, chromedp.WithNewWindow(false))
		defer cancel()
		if err := chromedp.Do(tab, chromedp.Navigate(s.URL+tpath),
			chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="open"]`))); err != nil {
			t.Fatalf("tab %d: the thread's stream did not open: %v", i+1, err)
		}
		front = tab
	}
	live := s.reply(bob, th, nil, "", "Arrives live in the seventh tab.")
	ctx, cancel := context.WithTimeout(front, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#p%d", live.ID)))); err != nil {
		t.Fatalf("the seventh tab did not get the reply live: %v", err)
	}
}
