package browsertest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// phoneCheck measures the page at a phone's width: does it fit, how tall is the site
// header, and which controls a finger uses are smaller than 44×44 CSS px. Exempt, as
// WCAG 2.5.8 allows: what people wrote (.post-body and the draft preview) and a link
// inside a sentence (its parent has words of its own beside it). A radio or checkbox is
// measured by its label, which is what a finger taps.
const phoneCheck = `(() => {
  const header = document.querySelector('.site-header');
  // The root box's width, not only innerWidth: a phone widens its layout viewport to
  // fit a page too wide for it, so innerWidth grows with the fault.
  const out = {scrollWidth: document.documentElement.scrollWidth,
    innerWidth: Math.min(window.innerWidth, Math.round(document.documentElement.getBoundingClientRect().width)),
    header: header ? Math.round(header.getBoundingClientRect().height) : 0, small: []};
  const inSentence = (el) => {
    if (el.tagName !== 'A' || !el.parentElement) return false;
    for (const n of el.parentElement.childNodes) {
      if (n.nodeType === 3 && /[\p{L}\p{N}]/u.test(n.textContent)) return true;
      // In a paragraph, words wrapped in a span (a sentence put together from catalog
      // parts) are words too; in a nav or list they are not.
      if (el.parentElement.tagName === 'P' && n.nodeType === 1 && n !== el && !n.matches(controls) && !n.querySelector(controls) &&
          /[\p{L}\p{N}]/u.test(n.textContent)) return true;
    }
    return false;
  };
  const controls = 'a[href], button, summary, input:not([type=hidden]), select, textarea';
  for (const el of document.querySelectorAll(controls)) {
    if (el.closest('.post-body, [data-preview], .visually-hidden, .skip-link')) continue;
    if (inSentence(el)) continue;
    let target = el;
    if ((el.type === 'radio' || el.type === 'checkbox') && el.labels && el.labels.length) target = el.labels[0];
    // Not rendered: display none, inside a closed <details>.
    if (!target.getClientRects().length || !target.checkVisibility({visibilityProperty: true})) continue;
    const r = target.getBoundingClientRect();
    if (r.width < 44 || r.height < 44) {
      const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
      const text = (el.textContent || el.value || el.name || '').trim().replace(/\s+/g, ' ').slice(0, 30);
      out.small.push(el.tagName.toLowerCase() + cls + ' "' + text + '" ' + Math.round(r.width) + '×' + Math.round(r.height));
    }
  }
  return out;
})()`

type phoneResult struct {
	ScrollWidth, InnerWidth, Header int
	Small                           []string
}

// TestPhoneLayout visits every page a person can reach at 390×844, as a phone: each
// fits the screen without sideways scrolling (long words, URLs, tables, code and a deep
// reply chain included), keeps the site header within 100 px, and offers controls of at
// least 44×44 px.
func TestPhoneLayout(t *testing.T) {
	s := newSite(t)
	s.seed()
	writer := s.user("writer", forum.RoleMember)
	mod := s.user("phone_mod", forum.RoleModerator)
	longWord := strings.Repeat("Pyongyang", 34)[:300]
	th, _ := s.thread(writer, "relations", "A thread with "+strings.Repeat("unbrokenwords", 8)+" in its title",
		"The opening post of a thread read on a phone.")
	s.reply(writer, th, nil, "helps", "A long word: "+longWord)
	s.reply(writer, th, nil, "", "A long address: https://example.org/"+strings.Repeat("path-segment/", 20)+"?q="+strings.Repeat("x", 80))
	s.reply(writer, th, nil, "mixed", "| year | runners | route | notes | more notes | even more |\n|---|---|---|---|---|---|\n"+
		"| 2025 | "+strings.Repeat("many ", 5)+"| Kim Il Sung Stadium to the Arch of Triumph | "+strings.Repeat("wide ", 12)+"| x | y |")
	s.reply(writer, th, nil, "", "```\n"+strings.Repeat("a_very_long_line_of_code(", 12)+"\n```")
	parent := (*forum.Post)(nil)
	var deepest *forum.Post
	for i := range 8 {
		deepest = s.reply(writer, th, parent, "", "Depth "+strconv.Itoa(i+1)+" of a chain of replies that goes deep.")
		parent = deepest
	}
	mine := s.reply(mod, th, nil, "hinders", "A moderator's reply, then edited.")
	edited := "A moderator's reply, edited so it has a history."
	html, err := s.md.Render(edited)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.store.EditPost(t.Context(), mine.ID, mod.ID, edited, html, nil); err != nil {
		t.Fatalf("edit: %v", err)
	}
	if _, err := s.store.FlagPost(t.Context(), deepest.ID, mod.ID, "spam", "", 3); err != nil {
		t.Fatal(err)
	}
	tpath := "/t/" + strconv.FormatInt(th.ID, 10)

	b := newBrowserBudget(t, s, journeyBudget)
	b.do("emulate a phone", b.colorScheme("light"), chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))

	var failures []string
	check := func(page string) {
		t.Helper()
		r := eval[phoneResult](b, phoneCheck)
		if r.ScrollWidth > r.InnerWidth {
			failures = append(failures, fmt.Sprintf("%s: %d px wide in a %d px window", page, r.ScrollWidth, r.InnerWidth))
		}
		if r.Header > 100 {
			failures = append(failures, fmt.Sprintf("%s: the site header is %d px tall, want at most 100", page, r.Header))
		}
		if len(r.Small) > 0 {
			failures = append(failures, fmt.Sprintf("%s: tap targets under 44×44 px:\n\t\t%s", page, strings.Join(r.Small, "\n\t\t")))
		}
	}
	visit := func(path string) {
		t.Helper()
		b.open(path)
		check(path)
	}

	// A visitor.
	for _, p := range []string{"/", "/c", "/c/relations", tpath, "/p/" + strconv.FormatInt(deepest.ID, 10),
		"/search?q=Pyongyang", "/search?q=nothingmatchesthis", "/u/writer", "/login", "/register", "/about"} {
		visit(p)
	}
	// A page that is not there: its 404 page is laid out like the rest.
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(s.URL+"/t/999999999"))
	if err != nil || resp == nil || resp.Status != 404 {
		t.Fatalf("a missing thread: %v %v", resp, err)
	}
	b.forgive(regexp.MustCompile(`status of 404`)) // the page's own answer, expected
	check("/t/999999999 (404)")

	// A moderator, who has every control.
	b.login(mod.Username)
	id := strconv.FormatInt(mine.ID, 10)
	for _, p := range []string{"/", tpath, "/new", "/settings", "/notifications", "/mod/flags", "/modlog",
		"/me/flags", "/p/" + id + "/edit", "/p/" + id + "/history", "/u/" + mod.Username} {
		visit(p)
	}
	if len(failures) > 0 {
		t.Errorf("at 390×844:\n\t%s", strings.Join(failures, "\n\t"))
	}
}
