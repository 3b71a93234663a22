package browsertest

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// TestJourneyLiveReply: a reader has a thread open while a participant, in another
// browser, replies to a reply; the new post appears in the reader's tree, under its
// parent and at its depth, without a reload.
func TestJourneyLiveReply(t *testing.T) {
	s := newSite(t)
	s.seed()
	s.user("writer_wen", forum.RoleMember)
	author := s.user("author_ada", forum.RoleMember)
	th, _ := s.thread(author, "reopening", "Watching a thread grow live", "Does the **marathon** change anything?")
	top := s.reply(author, th, nil, "mixed", "A first reply to answer")
	path := "/t/" + strconv.FormatInt(th.ID, 10)

	reader := newBrowser(t, s)
	reader.open(path)
	// The page's script marks the tree once its event stream is open.
	reader.do("wait for the live stream", chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="open"]`)))
	// A marker on window: it survives only if the page is never reloaded.
	reader.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__noReload = true`))

	writer := newBrowser(t, s)
	writer.login("writer_wen")
	writer.open(path)
	text := "Arrived without a reload"
	id := writer.replyTo(top.ID, text)

	sel := fmt.Sprintf("#p%d", id)
	reader.do("wait for the live reply", chromedp.WaitVisible(chromedp.CSS(sel)))
	if got := reader.attr(sel, "data-depth"); got != "2" {
		t.Fatalf("live reply has depth %q, want 2", got)
	}
	nested := eval[bool](reader, fmt.Sprintf(`!!document.querySelector('#p%d').closest('li.node')
		.querySelector(':scope > details.subtree > ol.replies > li.node > #p%d')`, top.ID, id))
	if !nested {
		t.Fatalf("live reply %d is not inside the replies of post %d", id, top.ID)
	}
	if !strings.Contains(reader.text(sel+" .post-body"), text) {
		t.Fatalf("live reply does not show its text")
	}
	if !eval[bool](reader, `window.__noReload === true`) {
		t.Fatal("the reader's page was reloaded")
	}
	if !eval[bool](reader, fmt.Sprintf(`document.querySelector('#p%d').closest('li.node').classList.contains('new')`, id)) {
		t.Fatal("the live reply is not marked new")
	}
}
