package browsertest

import (
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// TestInsightfulButton: with JavaScript, pressing a post's "Insightful · 0" marks it in
// place — aria-pressed and the count change, the page does not reload — and pressing
// again takes the mark back. The pressed button passes axe-core in light and dark.
func TestInsightfulButton(t *testing.T) {
	s := newSite(t)
	s.category("general")
	author := s.user("insight_author", forum.RoleMember)
	s.user("insight_reader", forum.RoleMember)
	th, _ := s.thread(author, "general", "Did the race change anything?", "Beyond the race itself.")
	reply := s.reply(author, th, nil, "", "Foreign runners met people on the course.")
	b := newBrowser(t, s)
	b.login("insight_reader")
	b.open("/t/" + strconv.FormatInt(th.ID, 10))

	button := "#p" + strconv.FormatInt(reply.ID, 10) + " .insightful-button"
	b.do("mark the page, press the button",
		chromedp.Evaluate[chromedp.Void](`window.stayedOnPage = true`),
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS(button+`[aria-pressed="true"]`)),
	)
	if got := b.text(button + " .insightful-count"); got != "1" {
		t.Errorf("count after pressing: %q, want 1", got)
	}
	if !eval[bool](b, `window.stayedOnPage === true`) {
		t.Errorf("pressing the button loaded another page")
	}
	for _, scheme := range []string{"light", "dark"} {
		b.do("emulate "+scheme, b.colorScheme(scheme))
		for _, v := range b.axe() {
			t.Errorf("%s: %s", scheme, v)
		}
	}
	b.do("press it again", b.colorScheme("light"),
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS(button+`[aria-pressed="false"]`)),
	)
	if got := b.text(button + " .insightful-count"); got != "0" {
		t.Errorf("count after taking it back: %q, want 0", got)
	}
}
