package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"forum/internal/forum"
	"forum/internal/i18n"
)

// The journeys once in Korean (issue 18). The English journeys (journeys_test.go,
// live_test.go) stay as they are; this file walks the same road — register, start a
// thread, reply, a reply arriving live, flag, moderate — in one test with a Korean
// browser, and checks a mixed Korean/English thread and the footer's switch. Expected
// words come from the catalogs (internal/i18n), never copies, and every page it visits
// must show no English outside what users wrote (koreanOnly).

// catalogs are the embedded catalogs, loaded once for the package.
var catalogs = sync.OnceValues(i18n.New)

func localizer(t *testing.T, lang string) *i18n.Localizer {
	t.Helper()
	b, err := catalogs()
	if err != nil {
		t.Fatalf("load the catalogs: %v", err)
	}
	return b.For(lang)
}

// acceptLanguage makes the tab ask for languages as a browser set up in them does: the
// Accept-Language header of every request it sends (pages, forms, the event stream) and
// navigator.languages. list is languages only ("ko-KR,ko"): Chromium adds the q-values.
func (b *browser) acceptLanguage(list string) {
	b.t.Helper()
	b.do("ask for "+list, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		v, err := chromedp.Call(ctx, cdpbrowser.GetVersion, cdp.Empty{})
		if err != nil {
			return fmt.Errorf("browser version: %w", err)
		}
		_, err = chromedp.Call(ctx, emulation.SetUserAgentOverride,
			emulation.SetUserAgentOverrideParams{UserAgent: v.UserAgent, AcceptLanguage: list})
		return err
	}))
}

// wantPageLang requires <html lang> to be lang on the current page.
func (b *browser) wantPageLang(lang string) {
	b.t.Helper()
	if got := eval[string](b, `document.documentElement.lang`); got != lang {
		b.t.Fatalf(`<html lang=%q>, want %q (at %s)`, got, lang, b.location())
	}
}

// wantText requires the visible text of sel to be want (both trimmed).
func (b *browser) wantText(sel, want string) {
	b.t.Helper()
	if got := strings.TrimSpace(b.text(sel)); got != strings.TrimSpace(want) {
		b.t.Errorf("%s reads %q, want %q (at %s)", sel, got, want, b.location())
	}
}

// englishLeft lists the English a Korean reader would meet on the page, screen-reader
// text and tooltips included: runs of Latin letters in the body's text and in its
// aria-label, title, placeholder and alt attributes, outside what users wrote (post
// bodies, names, thread titles are user text; a word with "_" is taken for a username,
// as every username here has one), whatever is marked as another language (the switch's
// "English", a post's language choices) and the few names the same in every language.
// <template> contents are not in the document: the inline forms are checked where a
// copy is shown.
const englishLeft = `(() => {
	const userText = '.post-body, .brand, .author, a[href^="/u/"], .modlog-mod, h1.thread-heading, ' +
		'a.thread-title, [lang]:not([lang="ko"]), .excerpt, .modlog-note, .queue-item h2, code, pre';
	// Meta is a seeded category's name, which the catalogs quote.
	const allowed = new Set(['RSS', 'Atom', 'UTC', 'Meta']);
	const found = [];
	const look = (where, text) => {
		for (const m of (text || '').matchAll(/[A-Za-z][\w'’-]*(?:\s+[A-Za-z][\w'’-]*)*/g)) {
			const words = m[0].split(/\s+/).filter(w => w.length > 1 && !w.includes('_') && !allowed.has(w));
			if (words.length) found.push(where + ': ' + m[0]);
		}
	};
	const body = document.body.cloneNode(true);
	body.querySelectorAll(userText + ', script, style, noscript').forEach(e => e.remove());
	const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		const el = n.parentElement;
		look('text in <' + el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '') + '>', n.data);
	}
	for (const el of body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
		for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
			if (el.hasAttribute(a)) look(a + ' of <' + el.tagName.toLowerCase() + '>', el.getAttribute(a));
		}
	}
	return [...new Set(found)];
})()`

// koreanOnly requires the current page to be in Korean: <html lang="ko"> and no English
// words left in the interface (errors, not fatal, so one run lists every page's gaps).
func (b *browser) koreanOnly(page string) {
	b.t.Helper()
	b.wantPageLang("ko")
	if left := eval[[]string](b, englishLeft); len(left) > 0 {
		b.t.Errorf("%s (%s) still shows English to a Korean reader:\n  %s", page, b.location(), strings.Join(left, "\n  "))
	}
}

// TestJourneyInKorean: browsers set to Korean get the whole interface in Korean. A
// participant registers, starts a thread and replies; a moderator watching the thread sees the replies arrive live, worded in the moderator's language, flags one and
// hides it from the queue; the moderation log says so in Korean. Then the same participant
// adds an English reply, and on the mixed thread every post carries its own lang while
// the footer's switch, followed with JavaScript off, flips the interface to English and
// back.
func TestJourneyInKorean(t *testing.T) {
	ko := localizer(t, "ko")
	en := localizer(t, "en")
	s := newSite(t)
	// A category with a Korean name, as an admin of a Korean forum would make it.
	if _, err := s.store.UpsertCategory(t.Context(), forum.Category{Slug: "reopening", Name: "개방과 교류"}); err != nil {
		t.Fatal(err)
	}
	s.user("mod_min", forum.RoleModerator)

	// Two journeys' worth of pages in one browser: twice one journey's bound.
	k := newBrowserBudget(t, s, 2*journeyBudget)
	k.acceptLanguage("ko-KR,ko")

	// Register, from the header's Join link.
	k.open("/")
	k.koreanOnly("the home page")
	k.wantText(`.account a[href="/register"]`, ko.T("layout.join"))
	k.submit("follow the Join link", `.account a[href="/register"]`)
	k.koreanOnly("the registration page")
	k.do("fill the registration form",
		chromedp.SendKeys(chromedp.ID("username"), "kim_sora"),
		chromedp.SendKeys(chromedp.ID("password"), "충분히 긴 비밀번호입니다"),
	)
	k.submit("register", `form[action="/register"] button[type=submit]`)
	k.wantSignedIn("kim_sora")

	// Start a thread.
	const title = "평양 마라톤 재개에 대한 생각"
	const opening = "외국인 주자들이 참가했습니다. 거리의 환영은 진심이었을까요, 연출이었을까요?"
	k.wantText(`.site-nav a[href="/new"]`, ko.T("nav.new"))
	k.submit("open the new-thread form", `.site-nav a[href="/new"]`)
	k.koreanOnly("the new-thread form")
	k.do("fill the new-thread form",
		chromedp.SetValue(chromedp.ID("category"), "reopening"),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), opening),
	)
	k.submit("start the thread", `form[action="/t"] button[type=submit]`)
	if threadPath.FindStringSubmatch(k.location()) == nil {
		t.Fatalf("starting a thread did not land on its page: %s", k.location())
	}
	threadURL, _ := url.Parse(k.location())
	k.wantText("h1.thread-heading", title)
	if got := k.text("nav.crumbs"); !strings.Contains(got, "개방과 교류") || !strings.Contains(got, ko.T("nav.latest")) {
		t.Errorf("breadcrumb %q, want %q and the category", got, ko.T("nav.latest"))
	}
	op := k.attr(`article.post[data-depth="0"]`, "data-post-id")
	k.koreanOnly("the new thread")
	k.wantText(fmt.Sprintf("#p%s details.reply-action > summary", op), ko.T("node.reply"))

	// A moderator has the thread open, in Korean too. (One login for the flag and the
	// decision: a moderator's flag reaches the queue like any member's, and a browser's
	// login costs more than anything else here.)
	r := newBrowser(t, s)
	r.acceptLanguage("ko")
	r.login("mod_min")
	r.koreanOnly("the page after logging in")
	r.open(threadURL.Path)
	r.do("wait for the live stream", chromedp.WaitVisible(chromedp.CSS(`ol.tree[data-live="open"]`)))

	// Replies: to the opening post, then to that reply; both arrive at the reader live.
	opID := mustID(t, op)
	r1 := k.replyTo(opID, "거리의 환영은 조직된 것처럼 보였지만, 주자들과 나눈 대화는 진짜였습니다.")
	r2 := k.replyTo(r1, "조직되었다고 해서 진심이 아닌 것은 아니지요. 꽃을 건넨 사람들도 있었습니다.")
	for _, id := range []int64{r1, r2} {
		r.do(fmt.Sprintf("wait for reply %d to arrive live", id), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#p%d", id))))
	}
	// The live nodes are worded for their reader: "in reply to", the controls, the counts.
	r.wantText(fmt.Sprintf("#p%d a.reply-to", r2), ko.T("node.in_reply_to", map[string]any{"Name": "kim_sora"}))
	r.koreanOnly("the reader's page after two live replies")

	// The moderator flags the first reply.
	p1 := fmt.Sprintf("#p%d", r1)
	r.wantText(p1+" details.flag-action > summary", ko.T("flagform.summary"))
	r.do("fill the flag form",
		chromedp.Click(chromedp.CSS(p1+" details.flag-action > summary")),
		chromedp.WaitVisible(chromedp.CSS(p1+" form.flag-form")),
		chromedp.Click(chromedp.CSS(p1+` input[name=reason][value=off_topic]`)),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#flag-note-%d", r1)), "마라톤 이야기가 아닙니다."),
	)
	if got := r.text(p1 + ` label:has(input[name=reason][value=off_topic])`); !strings.Contains(got, ko.T("misc.flag.off_topic")) {
		t.Errorf("the off-topic reason reads %q, want %q", got, ko.T("misc.flag.off_topic"))
	}
	r.koreanOnly("the thread with the flag form open")
	r.submit("flag the reply", p1+" form.flag-form button[type=submit]")
	if got := r.text("main"); !strings.Contains(got, ko.T("myflags.thanks")) || !strings.Contains(got, ko.T("myflags.received")) {
		t.Errorf("after flagging, the page says %q; want %q … %q", got, ko.T("myflags.thanks"), ko.T("myflags.received"))
	}
	r.koreanOnly("my flags")

	// ... and hides it from the queue.
	r.submit("open the review queue", `.site-nav a[href="/mod/flags"]`)
	q := fmt.Sprintf("#q%d", r1)
	if r.count(q) != 1 {
		t.Fatalf("reply %d is not in the review queue", r1)
	}
	r.wantText(q+` button[name=action][value=hide]`, ko.T("misc.decision.hide"))
	r.koreanOnly("the review queue")
	r.do("note the decision", chromedp.SendKeys(chromedp.ID(fmt.Sprintf("note-%d", r1)), "주제에서 벗어남."))
	r.submit("hide the reply", q+` button[name=action][value=hide]`)
	r.submit("open the moderation log", `.site-nav a[href="/modlog"]`)
	row := fmt.Sprintf(`li.modlog-item:has(a.modlog-target[href="/p/%d"])`, r1)
	if r.count(row) == 0 {
		t.Fatalf("the moderation log has no entry for reply %d", r1)
	}
	hid := strings.TrimSpace(ko.T("misc.modlog.hide_post", map[string]any{"Object": ""}))
	if got := r.text(row); !strings.Contains(got, hid) || !strings.Contains(got, "mod_min") {
		t.Errorf("the log's entry for reply %d reads %q, want mod_min and %q", r1, got, hid)
	}
	r.koreanOnly("the moderation log")

	// A mixed thread: the participant answers in English too. Each post keeps the
	// language it was written in, whatever the interface's.
	r3 := k.replyTo(opID, "For English readers: the crowds were organised, but the conversations felt real.")
	k.logout()
	k.open(threadURL.Path)
	wantPostLangs := func(b *browser) {
		t.Helper()
		for id, lang := range map[int64]string{opID: "ko", r2: "ko", r3: "en"} {
			if got := b.attr(fmt.Sprintf("#p%d .post-body", id), "lang"); got != lang {
				t.Errorf("post %d has lang %q, want %q (interface %s)", id, got, lang, eval[string](b, `document.documentElement.lang`))
			}
		}
	}
	k.wantPageLang("ko")
	wantPostLangs(k)

	// The footer's switch is a plain link: with JavaScript off, a click on "English"
	// brings the same thread back in English, and "한국어" back to Korean, over the
	// browser's own Accept-Language.
	k.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	for _, to := range []struct {
		lang string
		loc  *i18n.Localizer
	}{{"en", en}, {"ko", ko}} {
		k.submit("switch to "+to.lang, fmt.Sprintf(`footer .lang-switch a[hreflang=%q]`, to.lang))
		if got, _ := url.Parse(k.location()); got == nil || got.Path != threadURL.Path {
			t.Errorf("switching to %s landed on %s, want the thread %s", to.lang, k.location(), threadURL.Path)
		}
		k.wantPageLang(to.lang)
		k.wantText(`.account a[href="/register"]`, to.loc.T("layout.join"))
		if n := k.count(fmt.Sprintf(`footer .lang-switch [aria-current][lang=%q]`, to.lang)); n != 1 {
			t.Errorf("after switching to %s the footer does not mark it current", to.lang)
		}
		wantPostLangs(k)
	}
	k.koreanOnly("the mixed thread after switching back")
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatalf("post id %q: %v", s, err)
	}
	return id
}
