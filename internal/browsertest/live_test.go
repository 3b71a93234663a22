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
// parent and at its depth, without a reload. It arrives on screen, so no "new reply"
// pill announces it.
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
	// It arrived on screen, under the first reply: it just appears, no pill.
	if reader.count(".live-pill-button:not([hidden])") != 0 {
		t.Fatal("a reply that arrived on screen is announced by the pill")
	}
}

// TestLiveNewReplyPill: on a phone, a reader at the top of a long thread is not moved
// when a reply arrives below: a "1 new reply" pill appears, fully on screen and 44 px
// tall, while the page's reply count and tally take the reply in. Clicking the pill
// brings the reply into view and focuses it, and the pill goes away.
func TestLiveNewReplyPill(t *testing.T) {
	s := newSite(t)
	s.seed()
	author := s.user("long_lin", forum.RoleMember)
	th, _ := s.thread(author, "reopening", "A long thread read from the top", "Where does the marathon lead?")
	for i := range 12 { // enough to fill a phone's screen several times over
		s.reply(author, th, nil, "", fmt.Sprintf("Reply %d, long enough to take some room on a phone: the route, the runners, the city, the cameras.", i+1))
	}
	b := newBrowser(t, s)
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844))
	b.open("/t/" + strconv.FormatInt(th.ID, 10))
	b.do("wait for the live stream", chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="open"]`)))
	before := b.text("[data-live-replies]")
	p := s.reply(author, th, nil, "helps", "Arrived while the reader was at the top.")
	b.do("wait for the pill", chromedp.WaitVisible(chromedp.CSS(".live-pill-button")))
	if got := b.text(".live-pill-button"); got != "1 new reply" {
		t.Fatalf("pill says %q, want 1 new reply", got)
	}
	if y := eval[float64](b, `window.scrollY`); y != 0 {
		t.Fatalf("the page moved to %v when the reply arrived", y)
	}
	fits := eval[bool](b, `(() => { const r = document.querySelector('.live-pill-button').getBoundingClientRect();
		return r.height >= 44 && r.left >= 0 && r.right <= innerWidth && r.bottom <= innerHeight &&
			document.documentElement.scrollWidth <= innerWidth; })()`)
	if !fits {
		t.Fatal("the pill is not a 44 px target fully on a 390 px screen, or the page scrolls sideways")
	}
	for _, scheme := range []string{"dark", "light"} { // the pill in both colour schemes
		b.do("emulate "+scheme, b.colorScheme(scheme))
		for _, v := range b.axe() {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("axe-core, %s, with the pill shown: %s", scheme, v)
			}
		}
	}
	if n, _ := strconv.Atoi(strings.Fields(before)[0]); b.text("[data-live-replies]") != strconv.Itoa(n+1)+" replies" {
		t.Errorf("reply count %q after the reply, was %q", b.text("[data-live-replies]"), before)
	}
	if got := b.text("[data-live-tally] .tally-legend"); !strings.Contains(got, "Helps: 1") {
		t.Errorf("tally %q after a reply that helps", got)
	}

	b.do("click the pill", chromedp.Click(chromedp.CSS(".live-pill-button")))
	sel := fmt.Sprintf("#p%d", p.ID)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](fmt.Sprintf(`(() => {
		const r = document.querySelector(%q).getBoundingClientRect();
		return document.querySelector('.live-pill-button').hidden && document.activeElement.id === %q &&
			r.top >= 0 && r.top < innerHeight; })()`, sel, sel[1:]))); err != nil {
		t.Fatalf("after the click the reply is not in view and focused, or the pill stayed: %v", err)
	}
}
