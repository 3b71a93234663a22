package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"forum/internal/forum"
	"forum/internal/store"
)

// ancestorLinks are a permalink page's one-line ancestor summaries, in page order:
// each link's href and text.
func ancestorLinks(doc *html.Node) (hrefs, texts []string) {
	for _, li := range findAll(doc, func(n *html.Node) bool { return n.Data == "li" && hasClass(n, "ancestor") }) {
		for _, a := range findAll(li, func(n *html.Node) bool { return n.Data == "a" }) {
			hrefs = append(hrefs, attr(a, "href"))
			texts = append(texts, squashText(a))
		}
	}
	return hrefs, texts
}

// TestPermalinkStartsWithThePost: /p/:id of a reply three levels down shows its
// ancestors as one-line links (opening post first) above it, then the post in full with
// its replies; the page's title and heading name its author and the thread; an ancestor
// a visitor may not read shows its placeholder; a post the reader may not read is a 404.
func TestPermalinkStartsWithThePost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	carol := e.user("carol", forum.RoleMember)
	mod := e.user("moddy", forum.RoleModerator)
	f := e.thread(alice, "Marathon permalinks")
	a := e.reply(f, bob, 0, "bob opens the first level")
	b := e.reply(f, carol, a.ID, "carol answers on the second level")
	focus := e.reply(f, alice, b.ID, "alice writes the focused third level")
	below := e.reply(f, bob, focus.ID, "bob replies below the focus")
	root := strconv.FormatInt(f.root, 10)

	t.Run("AncestorsAsLinesThenThePostThenReplies", func(t *testing.T) {
		resp, body := e.client().get("/p/" + id(focus))
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "<title>alice’s post in “Marathon permalinks” · ")
		doc := parsePage(t, body)
		h1 := findAll(doc, func(n *html.Node) bool { return n.Data == "h1" })
		if len(h1) != 1 || squashText(h1[0]) != "alice’s post in “Marathon permalinks”" {
			t.Errorf("the page's h1 is not the post's: %d h1", len(h1))
		}
		hrefs, texts := ancestorLinks(doc)
		if want := []string{"/p/" + root, "/p/" + id(a), "/p/" + id(b)}; strings.Join(hrefs, " ") != strings.Join(want, " ") {
			t.Fatalf("ancestor links %v, want %v", hrefs, want)
		}
		for i, want := range []string{"alice", "bob", "carol"} {
			if !strings.HasPrefix(texts[i], want+" · ") {
				t.Errorf("ancestor %d reads %q; want it to start with its author %s", i, texts[i], want)
			}
		}
		if !strings.Contains(texts[2], "carol answers on the second level") || !strings.Contains(texts[0], "Opening post of Marathon permalinks") {
			t.Errorf("ancestors carry no excerpt: %q", texts)
		}
		// The ancestors are summaries, not posts: the page's articles are the focus and
		// what answers it, in that order, after the summaries.
		got := articles(body)
		if len(got) != 2 || got[0].id != id(focus) || got[1].id != id(below) || got[1].parent != id(focus) {
			t.Fatalf("articles %v; want the focus %d then its reply %d", got, focus.ID, below.ID)
		}
		if strings.Index(body, `class="ancestor`) > strings.Index(body, `id="p`+id(focus)+`"`) {
			t.Error("the ancestors come after the post")
		}
		wantContains(t, articleOf(t, body, focus), "alice writes the focused third level")
	})

	if err := e.store.Decide(t.Context(), store.Decision{PostID: b.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
		t.Fatal(err)
	}

	t.Run("HiddenAncestorShowsItsPlaceholder", func(t *testing.T) {
		resp, body := e.client().get("/p/" + id(focus))
		wantStatus(t, resp, body, http.StatusOK)
		hrefs, texts := ancestorLinks(parsePage(t, body))
		if len(texts) != 3 || hrefs[2] != "/p/"+id(b) || texts[2] != forum.StatusHidden.Placeholder() {
			t.Fatalf("the hidden ancestor reads %q (links %v); want its placeholder %q", texts, hrefs, forum.StatusHidden.Placeholder())
		}
		wantAbsent(t, "a visitor's permalink", body, "carol answers on the second level")
	})

	t.Run("ModeratorReadsTheHiddenAncestor", func(t *testing.T) {
		resp, body := e.login("moddy").get("/p/" + id(focus))
		wantStatus(t, resp, body, http.StatusOK)
		_, texts := ancestorLinks(parsePage(t, body))
		if len(texts) != 3 || !strings.Contains(texts[2], "carol answers on the second level") {
			t.Fatalf("a moderator's ancestors read %q", texts)
		}
	})

	t.Run("UnreadablePostIsNotFound", func(t *testing.T) {
		resp, body := e.client().get("/p/" + id(b))
		wantStatus(t, resp, body, http.StatusNotFound)
		wantAbsent(t, "a hidden post's permalink", body, "carol answers on the second level")
	})
}

// TestPermalinkQueryCountIsConstant: the ancestors come with the post in one query, so
// a post eight levels down costs what one two levels down does.
func TestPermalinkQueryCountIsConstant(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	u := e.user("digger", forum.RoleMember)
	f := e.thread(u, "A deep conversation")
	chain := []*forum.Post{}
	parent := int64(0)
	for i := range 8 {
		p := e.reply(f, u, parent, "level "+strconv.Itoa(i+1))
		chain, parent = append(chain, p), p.ID
	}
	count := func(p *forum.Post) int64 {
		c := e.client()
		c.get("/login") // the CSRF cookie, so the measured request is an ordinary one
		before := e.db.Queries()
		resp, body := c.get("/p/" + id(p))
		wantStatus(t, resp, body, http.StatusOK)
		if _, texts := ancestorLinks(parsePage(t, body)); len(texts) != p.Depth {
			t.Fatalf("post at depth %d shows %d ancestors", p.Depth, len(texts))
		}
		return e.db.Queries() - before
	}
	shallow, deep := count(chain[1]), count(chain[7])
	if shallow != deep {
		t.Fatalf("permalink queries: %d at depth 2, %d at depth 8; want the same", shallow, deep)
	}
	t.Logf("permalink page: %d queries at depth 2 and 8", deep)
}
