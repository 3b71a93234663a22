package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"forum/internal/forum"
	"forum/internal/store"
)

// axeViolation is one failed axe-core rule with the elements that fail it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s — %s", v.ID, v.Impact, v.Help, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&b, "\n    %s\n      %s\n      %s", n.Target, n.HTML,
			strings.ReplaceAll(n.Summary, "\n", "\n      "))
	}
	return b.String()
}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript is the vendored axe.min.js (see testdata/axe/README.md).
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() {
		var b []byte
		b, axeErr = os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
		axeSource = string(b)
	})
	if axeErr != nil {
		t.Fatalf("read axe-core: %v", axeErr)
	}
	return axeSource
}

// axe runs axe-core on the current page and returns its violations. The library is
// injected with Runtime.evaluate, which the page's Content-Security-Policy does not
// govern, so the forum's CSP stays as strict as in production.
func (b *browser) axe() []axeViolation {
	b.t.Helper()
	b.do("inject axe-core", chromedp.Evaluate[chromedp.Void](axeScript(b.t)))
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html, summary: n.failureSummary || ''}))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("run axe-core: %v (at %s)", err, b.location())
	}
	return v
}

// TestAccessibility runs axe-core on the home page, a thread, the login form, the
// settings page, the moderation queue and the moderation log, in light and dark colour
// schemes, and fails on any violation of impact "serious" or "critical". Lesser findings
// are logged.
func TestAccessibility(t *testing.T) {
	s := newSite(t)
	s.seed()
	f := newFixture(s)
	b := newBrowserBudget(t, s, 2*journeyBudget)

	// check runs axe on a page as it loads and again with every <details> open, so the
	// reply, flag and moderation forms folded inside them are checked too.
	check := func(who, path string) {
		t.Helper()
		b.open(path)
		for _, state := range []string{"", "details open, "} {
			if state != "" {
				b.do("open every disclosure", chromedp.Evaluate[chromedp.Void](
					`document.querySelectorAll('details').forEach(d => { d.open = true; })`))
			}
			for _, scheme := range []string{"light", "dark"} {
				b.do("emulate "+scheme, b.colorScheme(scheme))
				for _, v := range b.axe() {
					switch v.Impact {
					case "serious", "critical":
						t.Errorf("%s %s (%s%s): %s", who, path, state, scheme, v)
					default:
						t.Logf("%s %s (%s%s), not failing: %s", who, path, state, scheme, v)
					}
				}
			}
		}
		b.do("back to light", b.colorScheme("light"))
	}

	check("reader", "/")
	check("reader", f.threadPath)
	check("reader", "/login")
	check("reader", "/forgot")
	check("reader", "/modlog")

	if b.count("ol.modlog li.modlog-item") == 0 {
		t.Error("the moderation log was empty: the check saw only its empty state")
	}
	check("reader", "/c")
	check("reader", f.postPath)
	check("reader", "/search?q=margins")
	if b.count("mark") == 0 {
		t.Error("the search marked nothing: the check saw no results")
	}
	check("reader", "/search?q=unfindableword")
	check("reader", "/u/ana_reyes")

	b.login(f.participant)
	check("participant", f.threadPath)
	check("participant", f.postPath+"/delete") // the confirmation page of their own post
	check("participant", "/new")
	check("participant", "/settings")
	check("participant", "/notifications")
	// A phone: the header's menu and the compact layout.
	b.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	check("participant on a phone", "/")
	check("participant on a phone", f.threadPath)
	b.do("desktop width", chromedp.EmulateViewport(1280, 900))

	b.logout()
	b.login(f.moderator)
	check("moderator", f.threadPath)
	check("moderator", "/mod/flags")
	if b.count("li.queue-item") == 0 {
		t.Error("the moderation queue was empty: the check saw only its empty state")
	}
}

// fixture is a lived-in forum for the accessibility checks and screenshots: a thread
// with a reply tree four levels deep, stances, an edit, flagged posts (one auto-hidden)
// and a moderation log with entries.
type fixture struct {
	threadPath  string
	postPath    string // a reply four levels down: its permalink shows its ancestors
	participant string // takes part in the thread
	moderator   string
}

func newFixture(s *site) *fixture {
	s.t.Helper()
	// The people who argue.
	jae := s.user("jae_runs_far", forum.RoleMember)
	// Established members: their three flags hide a post (forum.TrustedFlagger).
	lena := s.fx.Established("lena_k", forum.RoleMember)
	tom := s.fx.Established("tom_in_dandong", forum.RoleMember)
	ana := s.fx.Established("ana_reyes", forum.RoleMember)
	noisy := s.user("hot_take", forum.RoleMember)
	mod := s.user("mod_mira", forum.RoleModerator)

	th, _ := s.thread(jae, "relations",
		"Does a marathon open a door, or just a window for the cameras?",
		"I ran the half in April. The crowds were real people, but every route was fixed "+
			"in advance. **Does an event like this help relations, or is it a show?**")
	r1 := s.reply(lena, th, nil, "helps",
		"It helps at the margins. Every runner who goes home and talks about the people they met "+
			"chips at the idea that the country is sealed.")
	r2 := s.reply(tom, th, r1, "mixed",
		"At the margins, yes — but the margins were chosen. Visitors saw what the guides planned.")
	r3 := s.reply(lena, th, r2, "",
		"Planned, sure. Still, a planned contact is more contact than none. The first tourism "+
			"reopening in 2019 started the same way.")
	r4 := s.reply(ana, th, r3, "hinders",
		"> a planned contact is more contact than none\n\n"+ // a quote, styled apart from the tree's lines
			"The 2019 opening closed again within a year, and nothing changed in between. I would "+
			"want to see *independent* travel before calling it a door.")
	s.reply(tom, th, r4, "", "Fair. Let us see whether next year's race allows more than one tour operator.")
	s.reply(ana, th, nil, "hinders",
		"Events like this lend legitimacy without any concession in return. That hinders.")
	s.reply(jae, th, r1, "", "That matches what the other runners in my group said on the flight home.")
	bad := s.reply(noisy, th, nil, "", "Anyone who went is a useful idiot. Shame on all of you.")
	spam := s.reply(noisy, th, r1, "", "Cheap tours to Pyongyang!!! Message me for prices.")

	// An edit, so "edited" shows.
	edited := "At the margins, yes — but the margins were chosen: visitors saw what the guides planned, " +
		"and the route passed the same squares as the 2017 race."
	html, err := s.md.Render(edited)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.store.EditPost(s.t.Context(), r2.ID, tom.ID, edited, html, nil); err != nil {
		s.t.Fatalf("edit: %v", err)
	}

	// Flags: three on one post (auto-hidden), one on another; and a decided one, so the
	// log has entries.
	ctx := s.t.Context()
	for _, u := range []*forum.User{lena, tom, ana} {
		if _, err := s.store.FlagPost(ctx, bad.ID, u.ID, "abuse", "Insults, not argument.", 3); err != nil {
			s.t.Fatal(err)
		}
	}
	if _, err := s.store.FlagPost(ctx, spam.ID, jae.ID, "spam", "", 3); err != nil {
		s.t.Fatal(err)
	}
	other, _ := s.thread(tom, "meta", "Please keep tour advertising out of the threads",
		"A few posts this week were adverts. Flag them; the moderators act on flags.")
	ad := s.reply(noisy, other, nil, "", "Best tours, message me.")
	if _, err := s.store.FlagPost(ctx, ad.ID, tom.ID, "spam", "", 3); err != nil {
		s.t.Fatal(err)
	}
	if err := s.store.Decide(ctx, store.Decision{PostID: ad.ID, ModeratorID: mod.ID, Action: forum.DecideHide, Note: "Advertising."}); err != nil {
		s.t.Fatalf("decide: %v", err)
	}
	return &fixture{threadPath: fmt.Sprintf("/t/%d/%s", th.ID, th.Slug), postPath: fmt.Sprintf("/p/%d", r4.ID), participant: ana.Username,
		moderator: mod.Username}
}
