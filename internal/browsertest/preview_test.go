package browsertest

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// TestLivePreview: typing in the reply box shows the draft as it will be posted, from
// the server's own pipeline, under the text box: a table, a task list whose checkboxes
// are labelled by their tasks, a mention linked, an image kept as a link. The preview
// passes axe-core in light and dark, keeps the page within a 390 px screen, and the
// reply posted from the same box shows what the preview did.
func TestLivePreview(t *testing.T) {
	s := newSite(t)
	s.category("general")
	author := s.user("preview_author", forum.RoleMember)
	s.user("carol_k", forum.RoleMember)
	th, _ := s.thread(author, "general", "Kit list for the April race", "What are you bringing?")
	b := newBrowser(t, s)
	b.login("preview_author")
	b.open("/t/" + strconv.FormatInt(th.ID, 10))

	const draft = "**Packed**, thanks @carol_k\n\n" +
		"| item | grams |\n|:--|--:|\n| electrolyte_tablets_for_the_second_half_of_the_course | 120 |\n\n" +
		"- [x] race bib\n- [ ] rain jacket\n\n![the course map](https://example.org/map.png)"
	b.do("type a draft",
		chromedp.SendKeys(chromedp.ID("reply-body"), draft),
		chromedp.WaitVisible(chromedp.CSS(`.reply-box .live-preview [data-preview-output] table`)),
		chromedp.WaitVisible(chromedp.CSS(`.reply-box .live-preview [data-preview-output] a[href="https://example.org/map.png"]`)),
	)
	out := `.reply-box [data-preview-output] `
	if got := b.text(out + "strong"); got != "Packed" {
		t.Errorf("preview's <strong> reads %q", got)
	}
	if got := b.attr(out+"a.mention", "href"); got != "/u/carol_k" {
		t.Errorf("mention links to %q", got)
	}
	if n := b.count(out + "li > label > input[type=checkbox][disabled]"); n != 2 {
		t.Errorf("%d labelled, disabled task checkboxes in the preview, want 2", n)
	}
	if got := b.attr(out+"td:last-child", "align"); got != "right" {
		t.Errorf("the second column's align is %q", got)
	}

	for _, scheme := range []string{"light", "dark"} {
		b.do("emulate "+scheme, b.colorScheme(scheme))
		for _, v := range b.axe() {
			if v.Impact == "serious" || v.Impact == "critical" {
				t.Errorf("%s: %s", scheme, v)
			}
		}
	}
	b.do("emulate a phone", b.colorScheme("light"), chromedp.EmulateViewport(390, 844))
	if wide := eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Errorf("with the preview's table the page is %d px wide at 390 px",
			eval[int](b, `document.documentElement.scrollWidth`))
	}
	b.do("back to the desktop", chromedp.EmulateViewport(1280, 900))

	b.submit("post the reply", `.reply-box form button.primary`)
	id := b.landedOnPost()
	post := "#p" + strconv.FormatInt(id, 10) + " .post-body"
	if got := b.text(post + " strong"); got != "Packed" {
		t.Errorf("the posted reply's <strong> reads %q", got)
	}
	if !strings.Contains(b.text(post+" table"), "electrolyte_tablets") || b.count(post+" label > input[checked]") != 1 {
		t.Errorf("the posted reply lacks the preview's table or checked task")
	}
}
