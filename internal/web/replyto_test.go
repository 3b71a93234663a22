package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/store"
)

// articleOf is post p's own <article> in a page: its header and body, not its replies.
func articleOf(t *testing.T, body string, p *forum.Post) string {
	t.Helper()
	start := strings.Index(body, `id="p`+id(p)+`"`)
	if start < 0 {
		t.Fatalf("no article for post %d in the page", p.ID)
	}
	end := strings.Index(body[start:], "</article>")
	if end < 0 {
		t.Fatalf("article of post %d does not end", p.ID)
	}
	return body[start : start+end]
}

// replyLink is the "in reply to" link as the node renders it.
func replyLink(href, name string) string {
	return `<a class="reply-to" href="` + href + `">in reply to ` + name + `</a>`
}

// TestInReplyTo: a reply beyond the first level names the post it answers, as the
// reader may see that post's author, and links to it.
func TestInReplyTo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	carol := e.user("carol", forum.RoleMember)
	leaver := e.user("leaver", forum.RoleMember)
	secretive := e.user("secretive", forum.RoleMember)
	mod := e.user("moddy", forum.RoleModerator)
	f := e.thread(alice, "Who answers whom?")
	a := e.reply(f, bob, 0, "a first-level reply")
	a1 := e.reply(f, carol, a.ID, "an answer to bob")
	a11 := e.reply(f, alice, a1.ID, "an answer to carol")
	gone := e.reply(f, leaver, 0, "written by someone who left")
	toGone := e.reply(f, carol, gone.ID, "an answer to the one who left")
	hidden := e.reply(f, secretive, 0, "soon hidden")
	toHidden := e.reply(f, carol, hidden.ID, "an answer to the hidden post")
	if err := e.store.DeleteAccount(ctx, leaver.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Decide(ctx, store.Decision{PostID: hidden.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
		t.Fatal(err)
	}
	path := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	resp, page := e.client().get(path)
	wantStatus(t, resp, page, http.StatusOK)

	t.Run("DepthTwoNamesItsParentAndLinksToIt", func(t *testing.T) {
		wantContains(t, articleOf(t, page, a1), replyLink("#p"+id(a), "bob"))
		wantContains(t, articleOf(t, page, a11), replyLink("#p"+id(a1), "carol"))
	})

	t.Run("FirstLevelRepliesDoNot", func(t *testing.T) {
		for _, p := range []*forum.Post{a, gone, hidden} {
			if art := articleOf(t, page, p); strings.Contains(art, "in reply to") {
				t.Errorf("first-level reply %d says whom it answers:\n%s", p.ID, art)
			}
		}
	})

	t.Run("DeletedAccountReadsDeleted", func(t *testing.T) {
		wantContains(t, articleOf(t, page, toGone), replyLink("#p"+id(gone), forum.DeletedName))
		if i := strings.Index(page, "leaver"); i >= 0 {
			t.Errorf("the deleted account's old name is on the page: …%s…", page[max(0, i-200):min(len(page), i+100)])
		}
	})

	t.Run("HiddenParentKeepsItsAuthorFromVisitors", func(t *testing.T) {
		wantContains(t, articleOf(t, page, toHidden), replyLink("#p"+id(hidden), "a hidden post"))
		if i := strings.Index(page, "secretive"); i >= 0 {
			t.Errorf("a visitor's page names the hidden post's author: …%s…", page[max(0, i-200):min(len(page), i+100)])
		}
	})

	t.Run("ModeratorSeesHiddenParentsAuthor", func(t *testing.T) {
		resp, body := e.login("moddy").get(path)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, articleOf(t, body, toHidden), replyLink("#p"+id(hidden), "secretive"))
	})

	t.Run("PostPageLinksFocusToItsParentsPage", func(t *testing.T) {
		resp, body := e.client().get("/p/" + id(a1))
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, articleOf(t, body, a1), replyLink("/p/"+id(a), "bob"))
		wantContains(t, articleOf(t, body, a11), replyLink("#p"+id(a1), "carol"))
	})
}

// TestInReplyToLive: a reply that arrives on the event stream names its parent too, as
// a visitor may see it, without a query per post on the page.
func TestInReplyToLive(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	secretive := e.user("secretive", forum.RoleMember)
	mod := e.user("moddy", forum.RoleModerator)
	f := e.thread(alice, "Live answers")
	a := e.reply(f, bob, 0, "a first-level reply")
	hidden := e.reply(f, secretive, 0, "soon hidden")
	toHidden := e.reply(f, alice, hidden.ID, "an answer to the hidden post")

	ch, resp, stop := openStream(t, e, f.thread.ID, "")
	defer stop()
	wantStatus(t, resp, "", http.StatusOK)

	live := e.reply(f, alice, a.ID, "a live answer to bob")
	ev := next(t, ch, 2*time.Second)
	if ev.data.PostID != live.ID {
		t.Fatalf("got event for post %d, want %d", ev.data.PostID, live.ID)
	}
	wantContains(t, ev.data.Node, replyLink("/p/"+id(a), "bob"))

	first := e.reply(f, bob, 0, "a live first-level reply")
	if ev = next(t, ch, 2*time.Second); ev.data.PostID != first.ID || strings.Contains(ev.data.Node, "in reply to") {
		t.Fatalf("first-level live reply %d says whom it answers: %+v", first.ID, ev)
	}

	// A reply whose parent was hidden since, edited: its node must not name the author.
	if err := e.store.Decide(ctx, store.Decision{PostID: hidden.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.EditPost(ctx, toHidden.ID, alice.ID, "revised", "<p>revised</p>", nil); err != nil {
		t.Fatal(err)
	}
	if ev = next(t, ch, 2*time.Second); ev.data.PostID != toHidden.ID {
		t.Fatalf("got event for post %d, want the edit of %d", ev.data.PostID, toHidden.ID)
	}
	wantContains(t, ev.data.Node, replyLink("/p/"+id(hidden), "a hidden post"))
	if strings.Contains(ev.data.Node, "secretive") {
		t.Errorf("the live node names the hidden post's author:\n%s", ev.data.Node)
	}
}
