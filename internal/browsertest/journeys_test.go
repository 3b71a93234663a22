package browsertest

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// The journeys run one after another (no t.Parallel): each starts its own Chromium,
// and CI machines have two cores.

var (
	postFragment = regexp.MustCompile(`#p(\d+)$`)
	threadPath   = regexp.MustCompile(`/t/(\d+)(?:/[^/?#]*)?$`)
)

// landedOnPost returns the post id in the URL fragment the forum redirects to after a
// reply or an edit (/t/ID#pPOST).
func (b *browser) landedOnPost() int64 {
	b.t.Helper()
	loc := b.location()
	m := postFragment.FindStringSubmatch(loc)
	if m == nil {
		b.t.Fatalf("expected to land on a post (#pID), got %s", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// replyTo opens the Reply disclosure under a post, writes body and posts it; it returns
// the new post's id.
func (b *browser) replyTo(parent int64, body string) int64 {
	b.t.Helper()
	post := fmt.Sprintf("#p%d", parent)
	b.do(fmt.Sprintf("open the reply form under post %d", parent),
		chromedp.Click(chromedp.CSS(post+" details.reply-action > summary")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#body-%d", parent))),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#body-%d", parent)), body),
	)
	b.submit(fmt.Sprintf("reply to post %d", parent), post+" form.reply-form button[type=submit]")
	id := b.landedOnPost()
	if got := b.attr(fmt.Sprintf("#p%d", id), "data-parent-id"); got != strconv.FormatInt(parent, 10) {
		b.t.Fatalf("reply %d has data-parent-id %q, want %d", id, got, parent)
	}
	if !strings.Contains(b.text(fmt.Sprintf("#p%d .post-body", id)), body) {
		b.t.Fatalf("reply %d does not show its text %q", id, body)
	}
	return id
}

// flag opens the Flag disclosure under a post, picks a reason, writes a note and sends it.
func (b *browser) flag(post int64, reason, note string) {
	b.t.Helper()
	p := fmt.Sprintf("#p%d", post)
	b.do(fmt.Sprintf("fill the flag form of post %d", post),
		chromedp.Click(chromedp.CSS(p+" details.flag-action > summary")),
		chromedp.WaitVisible(chromedp.CSS(p+" form.flag-form")),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`%s input[name=reason][value=%s]`, p, reason))),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#flag-note-%d", post)), note),
	)
	b.submit(fmt.Sprintf("flag post %d", post), p+" form.flag-form button[type=submit]")
	if got := b.text("main"); !strings.Contains(got, fmt.Sprintf("your flag on post %d was received", post)) {
		b.t.Fatalf("no confirmation after flagging post %d; the page says:\n%s", post, got)
	}
}

// TestJourneyParticipant: a participant registers, starts a thread in a category,
// replies to the opening post, replies to that reply, edits it, and sees the tree
// nested and "edited" shown.
func TestJourneyParticipant(t *testing.T) {
	journeyParticipant(t, newSite(t))
}

// journeyParticipant is that journey on s (proxy_journey_test.go runs it through Caddy
// in front of two instances).
func journeyParticipant(t *testing.T, s *site) {
	s.seed()
	b := newBrowser(t, s)

	// Register.
	b.open("/")
	b.submit("follow the Join link", `.account a[href="/register"]`)
	b.do("fill the registration form",
		chromedp.SendKeys(chromedp.ID("username"), "ri_jong_ok"),
		chromedp.SendKeys(chromedp.ID("password"), "a long enough passphrase"),
	)
	b.submit("register", `form[action="/register"] button[type=submit]`)
	b.wantSignedIn("ri_jong_ok")

	// Start a thread in a chosen category.
	const title = "Did the amateur field change how the city looked at visitors?"
	const opening = "Several runners wrote that people lined the streets and waved. Was that staged, or a real change?"
	b.submit("open the new-thread form", `.site-nav a[href="/new"]`)
	b.do("fill the new-thread form",
		chromedp.SetValue(chromedp.ID("category"), "reopening"),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), opening),
	)
	b.submit("start the thread", `form[action="/t"] button[type=submit]`)
	if m := threadPath.FindStringSubmatch(b.location()); m == nil {
		t.Fatalf("starting a thread did not land on its page: %s", b.location())
	}
	if got := b.text("h1.thread-heading"); got != title {
		t.Fatalf("thread heading %q, want %q", got, title)
	}
	if got := b.text("nav.crumbs"); !strings.Contains(got, s.category("reopening").Name) {
		t.Fatalf("breadcrumb %q does not name the chosen category", got)
	}
	op, err := strconv.ParseInt(b.attr(`article.post[data-depth="0"]`, "data-post-id"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.text(fmt.Sprintf("#p%d .post-body", op)), opening) {
		t.Fatal("the opening post does not show its text")
	}

	// Reply to the opening post, then to that reply.
	r1 := b.replyTo(op, "From the photos, the crowds near Kim Il Sung Square looked organised.")
	r2 := b.replyTo(r1, "Organised does not mean insincere; several runners were handed flowers.")

	// Edit the second reply.
	const edited = "Organised does not mean insincere: runners were handed flowers by people who stayed to talk."
	b.submit("open the edit form", fmt.Sprintf(`#p%d a[href="/p/%d/edit"]`, r2, r2))
	b.do("rewrite the reply",
		chromedp.Clear(chromedp.ID("body")),
		chromedp.SendKeys(chromedp.ID("body"), edited),
	)
	b.submit("save the edit", fmt.Sprintf(`form[action="/p/%d/edit"] button[type=submit]`, r2))
	if got := b.landedOnPost(); got != r2 {
		t.Fatalf("saving the edit landed on post %d, want %d", got, r2)
	}

	// The tree is nested: each reply sits in its parent's list of replies, one level
	// deeper.
	type placed struct {
		Depth    string  `json:"depth"`
		ParentLi string  `json:"parentLi"` // the post of the enclosing tree node
		Left     float64 `json:"left"`
	}
	where := func(id int64) placed {
		return eval[placed](b, fmt.Sprintf(`(() => {
			const a = document.getElementById('p%d');
			const outer = a.closest('li.node').parentElement.closest('li.node');
			return {depth: a.dataset.depth, left: a.getBoundingClientRect().left,
				parentLi: outer ? outer.querySelector(':scope > article.post').id : ''};
		})()`, id))
	}
	pOp, p1, p2 := where(op), where(r1), where(r2)
	if pOp.Depth != "0" || p1.Depth != "1" || p2.Depth != "2" {
		t.Errorf("depths %s/%s/%s, want 0/1/2", pOp.Depth, p1.Depth, p2.Depth)
	}
	if p1.ParentLi != fmt.Sprintf("p%d", op) || p2.ParentLi != fmt.Sprintf("p%d", r1) {
		t.Errorf("tree nodes: reply %d inside %q, reply %d inside %q; want p%d and p%d",
			r1, p1.ParentLi, r2, p2.ParentLi, op, r1)
	}
	// Replies to the opening post start flush under it (the design sets the opening post
	// apart with a rule instead); every level below is indented further.
	if !(pOp.Left <= p1.Left && p1.Left < p2.Left) {
		t.Errorf("replies are not indented: left edges %.0f, %.0f, %.0f", pOp.Left, p1.Left, p2.Left)
	}

	// The edit shows, marked "edited" with a link to the history; the other reply is not.
	if got := b.text(fmt.Sprintf("#p%d .post-body", r2)); !strings.Contains(got, edited) {
		t.Errorf("edited reply shows %q, want the new text", got)
	}
	if got := b.text(fmt.Sprintf("#p%d a.edited", r2)); got != "edited" {
		t.Errorf(`edited marker reads %q, want "edited"`, got)
	}
	if got := b.attr(fmt.Sprintf("#p%d a.edited", r2), "href"); got != fmt.Sprintf("/p/%d/history", r2) {
		t.Errorf("edited marker links to %q", got)
	}
	if n := b.count(fmt.Sprintf("#p%d > header a.edited", r1)); n != 0 {
		t.Errorf("the unedited reply %d is marked edited", r1)
	}
}

// TestJourneyModeration: three participants flag one post, it disappears for a reader,
// a moderator finds it first in the queue, hides it, restores it, and the moderation
// log shows both acts.
func TestJourneyModeration(t *testing.T) {
	s := newSite(t)
	s.seed()
	author := s.user("hot_take", forum.RoleMember)
	other := s.user("steady_hand", forum.RoleMember)
	flaggers := []string{"flagger_one", "flagger_two", "flagger_three"}
	for _, f := range flaggers {
		s.fx.Established(f, forum.RoleMember) // trusted: three flags hide (forum.TrustedFlagger)
	}
	s.user("mod_mira", forum.RoleModerator)
	th, _ := s.thread(other, "relations", "Sports diplomacy after the marathon",
		"Does a race change anything between governments, or only between people?")
	s.reply(other, th, nil, "mixed", "Between people, a little. Governments were not in the field.")
	const offending = "Everyone who ran is a propaganda prop and should be ashamed."
	bad := s.reply(author, th, nil, "hinders", offending)
	// An older flagged post, so "first in the queue" means something.
	older := s.reply(other, th, nil, "", "A link to my travel agency, cheap tours!")
	if _, err := s.store.FlagPost(t.Context(), older.ID, author.ID, "spam", "", 3); err != nil {
		t.Fatal(err)
	}
	threadURL := fmt.Sprintf("/t/%d", th.ID)

	b := newBrowser(t, s)

	// Three participants flag the post.
	for i, name := range flaggers {
		b.login(name)
		b.open(threadURL)
		b.flag(bad.ID, []string{"abuse", "abuse", "other"}[i], "Insults everyone who took part.")
		b.logout()
	}

	// A reader no longer sees it.
	b.open(threadURL)
	if got := b.text(fmt.Sprintf("#p%d", bad.ID)); strings.Contains(got, offending) || !strings.Contains(got, "[hidden pending review]") {
		t.Fatalf("after three flags a reader sees post %d as %q", bad.ID, got)
	}
	if strings.Contains(b.text("main"), offending) {
		t.Fatal("the flagged text is still on the reader's page")
	}

	// The moderator finds it first in the queue and hides it.
	b.login("mod_mira")
	b.submit("open the review queue", `.site-nav a[href="/mod/flags"]`)
	if first := b.attr("li.queue-item", "id"); first != fmt.Sprintf("q%d", bad.ID) {
		t.Fatalf("first in the queue is %s, want q%d", first, bad.ID)
	}
	q := fmt.Sprintf("#q%d", bad.ID)
	// Text is what is rendered, so CSS capitals count: compare without case.
	if got := strings.ToLower(b.text(q)); !strings.Contains(got, "auto-hidden") || !strings.Contains(got, "3 flags") ||
		!strings.Contains(got, strings.ToLower(offending)) {
		t.Fatalf("queue item for post %d reads:\n%s", bad.ID, got)
	}
	b.do("note the decision", chromedp.SendKeys(chromedp.ID(fmt.Sprintf("note-%d", bad.ID)), "Insults, not argument."))
	b.submit("hide the post", q+` button[name=action][value=hide]`)
	if b.count(q) != 0 {
		t.Fatalf("post %d is still in the queue after hiding it", bad.ID)
	}

	// ... and restores it.
	b.open(fmt.Sprintf("/p/%d", bad.ID))
	if got := b.text(fmt.Sprintf("#p%d", bad.ID)); !strings.Contains(got, "hidden by a moderator") {
		t.Fatalf("after hiding, the moderator sees post %d as %q", bad.ID, got)
	}
	restore := fmt.Sprintf(`#p%d form[action="/mod/posts/%d/decide"] button[name=action][value=restore]`, bad.ID, bad.ID)
	if b.count(restore) == 0 {
		t.Fatalf("no Restore control for hidden post %d on /p/%d", bad.ID, bad.ID)
	}
	// The moderator's controls sit behind a "Moderate" disclosure, like Reply and Flag.
	b.do("open the moderator controls", chromedp.Click(chromedp.CSS(fmt.Sprintf("#p%d details.mod-action > summary", bad.ID))))
	b.submit("restore the post", restore)

	// Everyone can read it again.
	b.logout()
	b.open(threadURL)
	if got := b.text(fmt.Sprintf("#p%d .post-body", bad.ID)); !strings.Contains(got, offending) {
		t.Fatalf("after restoring, a reader sees post %d as %q", bad.ID, got)
	}

	// The public log shows both acts, newest first.
	b.submit("open the moderation log", `.site-nav a[href="/modlog"]`)
	type row struct {
		Action, Target, Moderator, Note string
	}
	// Each entry is a sentence: moderator, verb, the target (linked), the note below.
	rows := eval[[]row](b, `[...document.querySelectorAll('ol.modlog li.modlog-item')].map(li => ({
		action: li.querySelector('.modlog-verb').textContent.trim(),
		target: li.querySelector('a.modlog-target')?.getAttribute('href') ?? '',
		moderator: li.querySelector('.modlog-mod').textContent.trim(),
		note: li.querySelector('.modlog-note')?.textContent.trim() ?? ''}))`)
	var acts []string
	for _, r := range rows {
		if r.Target == fmt.Sprintf("/p/%d", bad.ID) {
			if r.Moderator != "mod_mira" {
				t.Errorf("log row %+v names the wrong moderator", r)
			}
			acts = append(acts, r.Action)
		}
	}
	if strings.Join(acts, ",") != "restored,hid" {
		t.Fatalf("log entries for post %d: %v, want restored then hid; all entries: %+v", bad.ID, acts, rows)
	}
	if !strings.Contains(b.text("ol.modlog"), "Insults, not argument.") {
		t.Error("the hide's note is not in the log")
	}
}

// rssDoc and atomDoc hold what a feed reader needs from RSS 2.0 and Atom 1.0.
type rssDoc struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		Title string    `xml:"title"`
		Link  string    `xml:"link"`
		Items []feedRow `xml:"item"`
	} `xml:"channel"`
}

type feedRow struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        string `xml:"guid"`
	Description string `xml:"description"`
	Content     string `xml:"encoded"`
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	Entries []struct {
		Title string `xml:"title"`
		ID    string `xml:"id"`
		Links []struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

// TestJourneyFeedReader: a reader with no account opens a thread, finds its feed link,
// and the feed it points to parses and lists the thread's replies.
func TestJourneyFeedReader(t *testing.T) {
	s := newSite(t)
	s.seed()
	a := s.user("tour_guide_kim", forum.RoleMember)
	c := s.user("sceptic_sam", forum.RoleMember)
	th, _ := s.thread(a, "the-race", "Splits and finishing times from the amateur race",
		"Post your splits here; no official results were published.")
	r1 := s.reply(c, th, nil, "", "Reply marker ALPHA: 1:52 for the half, the course was flat.")
	r2 := s.reply(a, th, r1, "helps", "Reply marker BRAVO: the 10 km loop passed the stadium twice.")
	r3 := s.reply(c, th, nil, "mixed", "Reply marker CHARLIE: water stations every 5 km.")
	replies := map[int64]string{r1.ID: "ALPHA", r2.ID: "BRAVO", r3.ID: "CHARLIE"}

	b := newBrowser(t, s)
	b.open("/")
	b.submit("open the thread from the home page", fmt.Sprintf(`a.thread-title[href^="/t/%d/"]`, th.ID))
	if got := b.text("h1.thread-heading"); got != th.Title {
		t.Fatalf("thread heading %q", got)
	}

	// The page advertises its feeds in <head> and shows a feed link.
	rssHead := b.attr(`head link[rel=alternate][type="application/rss+xml"]`, "href")
	atomHead := b.attr(`head link[rel=alternate][type="application/atom+xml"]`, "href")
	visible := b.attr(`a.feed-link[href$=".rss"]`, "href")
	if visible != rssHead {
		t.Errorf("the visible feed link %q and the <head> link %q differ", visible, rssHead)
	}
	wantRSS, wantAtom := fmt.Sprintf("/t/%d/feed.rss", th.ID), fmt.Sprintf("/t/%d/feed.atom", th.ID)
	if rssHead != wantRSS || atomHead != wantAtom {
		t.Errorf("feed links %q and %q, want %q and %q", rssHead, atomHead, wantRSS, wantAtom)
	}
	page, _ := url.Parse(b.location())

	// RSS: what a feed reader fetches from the visible link.
	rssURL := page.ResolveReference(mustURL(t, visible)).String()
	resp, body := httpGet(t, rssURL)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s (the thread's RSS link): status %d — the feed is missing", rssURL, resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "xml") {
		t.Errorf("RSS served as %q", ct)
	}
	var rss rssDoc
	if err := xml.Unmarshal(body, &rss); err != nil {
		t.Fatalf("RSS does not parse: %v\n%s", err, clip(body))
	}
	if rss.Version != "2.0" {
		t.Errorf("RSS version %q", rss.Version)
	}
	for _, it := range rss.Channel.Items {
		// A feed reader resolves nothing: links must be absolute, on the configured base URL.
		if !strings.HasPrefix(it.Link, s.URL+"/") {
			t.Errorf("RSS item %q links to %q, not an absolute URL under %s", it.Title, it.Link, s.URL)
		}
	}
	for id, marker := range replies {
		if !slicesAny(rss.Channel.Items, func(it feedRow) bool {
			return mentionsPost(id, it.Link, it.GUID) || strings.Contains(it.Description+it.Content+it.Title, marker)
		}) {
			t.Errorf("RSS lists no item for reply %d (%s):\n%s", id, marker, clip(body))
		}
	}

	// Atom, from the <head> link.
	atomURL := page.ResolveReference(mustURL(t, atomHead)).String()
	resp, body = httpGet(t, atomURL)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s (the thread's Atom link): status %d — the feed is missing", atomURL, resp.StatusCode)
	}
	var atom atomDoc
	if err := xml.Unmarshal(body, &atom); err != nil {
		t.Fatalf("Atom does not parse: %v\n%s", err, clip(body))
	}
	for id, marker := range replies {
		found := false
		for _, e := range atom.Entries {
			links := []string{e.ID}
			for _, l := range e.Links {
				links = append(links, l.Href)
			}
			if mentionsPost(id, links...) || strings.Contains(e.Summary+e.Content+e.Title, marker) {
				found = true
			}
		}
		if !found {
			t.Errorf("Atom lists no entry for reply %d (%s):\n%s", id, marker, clip(body))
		}
	}
}

// TestJourneyWithoutJavaScript: with script execution off, a participant can still log
// in, reply (to the thread and under a post) and flag.
func TestJourneyWithoutJavaScript(t *testing.T) {
	s := newSite(t)
	s.seed()
	s.user("no_script_nam", forum.RoleMember)
	other := s.user("loud_voice", forum.RoleMember)
	th, _ := s.thread(other, "reopening", "Will group tours resume for western visitors this year?",
		"The marathon let a few hundred in. Is that the start of something?")
	target := s.reply(other, th, nil, "helps", "Tours will be back in full by summer, guaranteed.")

	b := newBrowser(t, s)
	b.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))

	b.login("no_script_nam")
	b.open(fmt.Sprintf("/t/%d", th.ID))
	// Prove scripting is off for the page: the HTML parser treats <noscript> content as
	// markup only then, and the forum's own live.js has not marked the tree.
	if !eval[bool](b, `(() => { const d = document.createElement('div');
		d.innerHTML = '<noscript><p>x</p></noscript>'; return d.querySelector('noscript p') !== null; })()`) {
		t.Fatal("scripting is still enabled for the page: JavaScript is not off")
	}
	if live := eval[bool](b, `document.querySelector('ol.tree').hasAttribute('data-live')`); live {
		t.Fatal("live.js ran: JavaScript is not off")
	}

	// Reply to the thread with the form at the bottom.
	const text = "Only if the marathon goes well again next year, I think."
	b.do("write a reply", chromedp.SendKeys(chromedp.ID("reply-body"), text))
	b.submit("post the reply", `#reply form button[type=submit]`)
	top := b.landedOnPost()
	if !strings.Contains(b.text(fmt.Sprintf("#p%d .post-body", top)), text) {
		t.Fatal("the reply posted without JavaScript is not on the page")
	}

	// Reply under a post: <details> opens without script, to the post's own page.
	nested := b.replyToWithoutScript(target.ID, "Guaranteed by whom? Nothing has been announced.")
	if got := b.attr(fmt.Sprintf("#p%d", nested), "data-depth"); got != "2" {
		t.Errorf("nested reply at depth %s, want 2", got)
	}

	// Flag a post.
	b.open(fmt.Sprintf("/t/%d", th.ID))
	b.flagWithoutScript(target.ID, "misinformation", "No such guarantee exists.")
	if got := b.text(".my-flag .outcome"); !strings.EqualFold(got, "awaiting review") { // the tag is styled in capitals
		t.Errorf("my flags shows outcome %q", got)
	}
}

var postRef = regexp.MustCompile(`(?:/p/|#p)(\d+)`)

// mentionsPost reports whether any of the links points at post id (/p/ID or #pID).
func mentionsPost(id int64, links ...string) bool {
	for _, l := range links {
		for _, m := range postRef.FindAllStringSubmatch(l, -1) {
			if m[1] == strconv.FormatInt(id, 10) {
				return true
			}
		}
	}
	return false
}

func slicesAny[T any](s []T, f func(T) bool) bool {
	for _, v := range s {
		if f(v) {
			return true
		}
	}
	return false
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return u
}

func clip(b []byte) string {
	if len(b) > 3000 {
		return string(b[:3000]) + "…"
	}
	return string(b)
}
