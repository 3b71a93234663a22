package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"forum/internal/forum"
	"forum/internal/store"
)

// delArticle is the <article> of post id on a page, or nil when the page has none.
func delArticle(t *testing.T, body string, id int64) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	want := "p" + strconv.FormatInt(id, 10)
	var found *html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "article" && attr(n, "id") == want {
			found = n
		}
		for c := n.FirstChild; c != nil && found == nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// modButtons are the labels of a post's Moderate buttons, in order; "!" marks one set
// apart as destructive.
func modButtons(article *html.Node) []string {
	var out []string
	for _, f := range findAll(article, func(n *html.Node) bool {
		return n.Data == "form" && strings.HasSuffix(attr(n, "action"), "/decide")
	}) {
		for _, b := range findAll(f, func(n *html.Node) bool { return n.Data == "button" }) {
			label := squashText(b)
			if strings.Contains(" "+attr(b, "class")+" ", " danger ") {
				label += "!"
			}
			out = append(out, label)
		}
	}
	return out
}

// deleteLinks counts the controls in article that delete it (a link or a form to /delete).
func deleteLinks(article *html.Node) int {
	return len(findAll(article, func(n *html.Node) bool {
		return (n.Data == "a" && strings.HasSuffix(attr(n, "href"), "/delete")) ||
			(n.Data == "form" && strings.HasSuffix(attr(n, "action"), "/delete"))
	}))
}

func undoForm(article *html.Node) bool {
	return len(findAll(article, func(n *html.Node) bool {
		return n.Data == "form" && strings.HasSuffix(attr(n, "action"), "/undelete")
	})) == 1
}

func TestDeleteAsksForConfirmation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice, bob := e.user("alice", forum.RoleMember), e.user("bob", forum.RoleMember)
	f := e.thread(bob, "Confirm before deleting")
	r := e.reply(f, alice, 0, "Words worth keeping, maybe")
	path := "/p/" + id(r) + "/delete"

	a := e.login("alice")
	resp, body := a.get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	art := delArticle(t, body, r.ID)
	if art == nil || len(findAll(art, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == path })) != 1 {
		t.Fatalf("the author's Delete is not a link to the confirmation page")
	}

	resp, body = a.get(path)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Delete this post? You can undo it for 10 minutes.", "Words worth keeping, maybe",
		`<form class="confirm-delete-form" action="`+path+`" method="post">`, `name="csrf_token"`,
		`href="/t/`+strconv.FormatInt(f.thread.ID, 10)+`#p`+id(r)+`">Cancel</a>`)
	if e.rulePostStatus(t, r.ID) != "visible" {
		t.Fatal("opening the confirmation page deleted the post")
	}

	// Someone else's post: no confirmation page, and no Delete control on the thread.
	b := e.login("bob")
	resp, body = b.get(path)
	wantStatus(t, resp, body, http.StatusForbidden)
	wantContains(t, body, "You can only change your own posts.")
	_, body = b.get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	if n := deleteLinks(delArticle(t, body, r.ID)); n != 0 {
		t.Fatalf("bob sees %d Delete controls on alice's post", n)
	}
	// A visitor is sent to log in.
	if resp, _ := e.client().get(path); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("visitor: status %d", resp.StatusCode)
	}
}

func TestUndoDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice, bob := e.user("alice", forum.RoleMember), e.user("bob", forum.RoleMember)
	e.user("carol", forum.RoleMember)
	f := e.thread(bob, "Second thoughts")
	r := e.reply(f, alice, 0, "Something said in haste")
	threadPath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	unread := func() int {
		return e.count(t, `SELECT COALESCE((SELECT notifications FROM unread_counts WHERE user_id = $1), 0)`, bob.ID)
	}
	before := unread()
	if before == 0 {
		t.Fatal("precondition: bob was not notified of the reply")
	}

	a := e.login("alice")
	a.get(threadPath)
	resp, body := a.post("/p/"+id(r)+"/delete", nil) // the contract's POST, no confirmation needed
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != threadPath+"#p"+id(r) {
		t.Fatalf("after deleting: Location %q", loc)
	}
	if got := unread(); got != before-1 {
		t.Fatalf("bob's unread after the delete: %d, want %d", got, before-1)
	}

	resp, body = a.get(threadPath)
	wantStatus(t, resp, body, http.StatusOK)
	art := delArticle(t, body, r.ID)
	if art == nil || !undoForm(art) || !strings.Contains(squashText(art), "Post deleted. Undo") ||
		strings.Contains(body, "Something said in haste") {
		t.Fatalf("the author's page lacks the placeholder with Undo:\n%s", body)
	}
	// Nobody else gets the Undo, nor may use it.
	c := e.login("carol")
	resp, body = c.get(threadPath)
	wantStatus(t, resp, body, http.StatusOK)
	if undoForm(delArticle(t, body, r.ID)) {
		t.Fatal("carol sees alice's Undo")
	}
	resp, body = c.post("/p/"+id(r)+"/undelete", nil)
	wantStatus(t, resp, body, http.StatusForbidden)

	resp, body = a.post("/p/"+id(r)+"/undelete", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = e.client().get(threadPath)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "Something said in haste")
	if got := unread(); got != before {
		t.Fatalf("bob's unread after the undo: %d, want %d as before", got, before)
	}
	var authorDeleted bool
	if err := e.db.Get(&authorDeleted, `SELECT author_deleted FROM posts WHERE id = $1`, r.ID); err != nil || authorDeleted {
		t.Fatalf("after the undo author_deleted = %v (%v)", authorDeleted, err)
	}

	t.Run("RefusedAfterTheWindow", func(t *testing.T) {
		a.get(threadPath)
		resp, body := a.post("/p/"+id(r)+"/delete", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		// Eleven minutes later, as far as the rule can tell.
		e.db.MustExec(`UPDATE posts SET deleted_at = deleted_at - interval '11 minutes' WHERE id = $1`, r.ID)
		resp, body = a.get(threadPath)
		wantStatus(t, resp, body, http.StatusOK)
		if undoForm(delArticle(t, body, r.ID)) {
			t.Fatal("the Undo is still offered after the window")
		}
		resp, body = a.post("/p/"+id(r)+"/undelete", nil)
		wantStatus(t, resp, body, http.StatusConflict)
		wantContains(t, body, "The 10 minutes to undo this deletion have passed")
		if e.rulePostStatus(t, r.ID) != "deleted" {
			t.Fatal("a refused undo changed the post")
		}
	})
}

func TestUndoKeepsAPendingPostPending(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice, bob := e.user("alice", forum.RoleMember), e.user("bob", forum.RoleMember)
	mod := e.user("mia", forum.RoleModerator)
	f := e.thread(bob, "Flagged then withdrawn")
	r := e.reply(f, alice, 0, "A post flags hid")
	if _, err := e.store.FlagPost(t.Context(), r.ID, mod.ID, forum.ReasonSpam, "", 1); err != nil {
		t.Fatal(err)
	}
	if s := e.rulePostStatus(t, r.ID); s != "pending" {
		t.Fatalf("precondition: status %s", s)
	}
	a := e.login("alice")
	a.get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	resp, body := a.post("/p/"+id(r)+"/delete", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = a.post("/p/"+id(r)+"/undelete", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	if s := e.rulePostStatus(t, r.ID); s != "pending" {
		t.Fatalf("after the undo the post is %s, want still pending review", s)
	}
	resp, body = e.client().get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "A post flags hid") {
		t.Fatal("undoing the delete made a pending post public")
	}

	t.Run("NotAfterAModeratorActed", func(t *testing.T) {
		resp, body := a.post("/p/"+id(r)+"/delete", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		if err := e.store.Decide(t.Context(), store.Decision{PostID: r.ID, ModeratorID: mod.ID, Action: forum.DecideRestore}); err != nil {
			t.Fatal(err)
		}
		resp, body = a.post("/p/"+id(r)+"/undelete", nil)
		wantStatus(t, resp, body, http.StatusConflict)
		wantContains(t, body, "A moderator has acted on this post since you deleted it")
	})
}

func TestModeratorActionsFollowThePostsState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bob, mod := e.user("bob", forum.RoleMember), e.user("mia", forum.RoleModerator)
	e.user("carol", forum.RoleMember)
	f := e.thread(bob, "Posts in every state")
	visible := e.reply(f, bob, 0, "visible post")
	pending := e.reply(f, bob, 0, "pending post")
	hidden := e.reply(f, bob, 0, "hidden post")
	removed := e.reply(f, bob, 0, "removed post")
	deleted := e.reply(f, bob, 0, "deleted post")
	own := e.reply(f, mod, 0, "the moderator's own post")
	ctx := t.Context()
	if _, err := e.store.FlagPost(ctx, pending.ID, mod.ID, forum.ReasonSpam, "", 1); err != nil {
		t.Fatal(err)
	}
	for p, d := range map[*forum.Post]forum.Decision{hidden: forum.DecideHide, removed: forum.DecideDelete} {
		if err := e.store.Decide(ctx, store.Decision{PostID: p.ID, ModeratorID: mod.ID, Action: d}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.store.DeletePost(ctx, deleted.ID, bob.ID, ""); err != nil {
		t.Fatal(err)
	}

	m := e.login("mia")
	resp, body := m.get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	for _, tc := range []struct {
		name string
		post *forum.Post
		want string
	}{
		{"Visible", visible, "Hide post,Delete post!"},
		{"Pending", pending, "Restore post,Hide post,Delete post!"},
		{"Hidden", hidden, "Restore post,Delete post!"},
		{"Removed", removed, "Restore post"},
		{"DeletedByAuthor", deleted, ""},
		{"Own", own, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			art := delArticle(t, body, tc.post.ID)
			if art == nil {
				t.Fatal("post not on the moderator's page")
			}
			if got := strings.Join(modButtons(art), ","); got != tc.want {
				t.Errorf("Moderate buttons %q, want %q", got, tc.want)
			}
			want := 0
			if tc.post == own {
				want = 1 // the owner's Delete, once
			}
			if n := deleteLinks(art); n != want {
				t.Errorf("%d Delete controls besides the Moderate group, want %d", n, want)
			}
		})
	}
	// A member has no Moderate group at all.
	_, body = e.login("carol").get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	if got := modButtons(delArticle(t, body, visible.ID)); len(got) != 0 {
		t.Fatalf("a member sees Moderate buttons %v", got)
	}
}

func TestRoleBadge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bob, mod, admin := e.user("bob", forum.RoleMember), e.user("mia", forum.RoleModerator), e.user("ada", forum.RoleAdmin)
	f := e.thread(bob, "Who speaks for the forum")
	byMod := e.reply(f, mod, 0, "a moderator speaks")
	byAdmin := e.reply(f, admin, 0, "an admin speaks")
	byBob := e.reply(f, bob, 0, "a member speaks")
	badge := func(body string, p *forum.Post) string {
		art := delArticle(t, body, p.ID)
		if art == nil {
			t.Fatalf("post %d not on the page", p.ID)
		}
		var out []string
		for _, n := range findAll(art, func(n *html.Node) bool { return strings.Contains(attr(n, "class"), "role-badge") }) {
			out = append(out, squashText(n))
		}
		return strings.Join(out, ",")
	}
	for _, path := range []string{"/t/" + strconv.FormatInt(f.thread.ID, 10), "/p/" + id(byMod), "/p/" + id(byAdmin), "/p/" + id(byBob)} {
		resp, body := e.client().get(path)
		wantStatus(t, resp, body, http.StatusOK)
		for p, want := range map[*forum.Post]string{byMod: "moderator", byAdmin: "admin", byBob: ""} {
			if !strings.Contains(body, `id="p`+id(p)+`"`) {
				continue // a permalink shows its own post
			}
			if got := badge(body, p); got != want {
				t.Errorf("%s: %s's badge %q, want %q", path, p.AuthorName, got, want)
			}
		}
	}
}

func TestLockShowsItsReason(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bob := e.user("bob", forum.RoleMember)
	e.user("mia", forum.RoleModerator)
	f := e.thread(bob, "A thread that ran its course")
	threadPath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	replyForm := `action="/t/` + strconv.FormatInt(f.thread.ID, 10) + `/reply"`
	m, b := e.login("mia"), e.login("bob")
	m.get(threadPath)

	resp, body := m.post("/mod/threads/"+strconv.FormatInt(f.thread.ID, 10)+"/lock", url.Values{"reason": {strings.Repeat("x", 301)}})
	wantStatus(t, resp, body, http.StatusBadRequest)

	resp, body = m.post("/mod/threads/"+strconv.FormatInt(f.thread.ID, 10)+"/lock", url.Values{"reason": {"Answered; see the FAQ."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = b.get(threadPath)
	wantStatus(t, resp, body, http.StatusOK)
	notice := strings.Index(body, `<p class="notice lock-notice">Locked by moderators: Answered; see the FAQ.</p>`)
	if notice < 0 || notice > strings.Index(body, `<article class="post`) {
		t.Fatalf("the lock's reason is not shown above the posts:\n%s", body)
	}
	if strings.Contains(body, replyForm) {
		t.Fatal("a locked thread still offers its reply box")
	}
	if n := e.count(t, `SELECT count(*) FROM mod_log WHERE action = 'lock_thread' AND target_id = $1 AND note = 'Answered; see the FAQ.'`, f.thread.ID); n != 1 {
		t.Fatalf("%d log entries carry the reason", n)
	}

	resp, body = m.post("/mod/threads/"+strconv.FormatInt(f.thread.ID, 10)+"/unlock", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = b.get(threadPath)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "lock-notice") || strings.Contains(body, "Answered; see the FAQ.") {
		t.Fatal("unlocking left the lock's reason on the thread")
	}
	wantContains(t, body, replyForm)

	// Without a reason, the plain notice.
	resp, body = m.post("/mod/threads/"+strconv.FormatInt(f.thread.ID, 10)+"/lock", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	_, body = b.get(threadPath)
	wantContains(t, body, `<p class="notice lock-notice">Locked: no new replies.</p>`)
}
