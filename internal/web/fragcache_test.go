package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
)

// TestFragmentsCarryNoViewer: with the fragment cache warmed by one reader, every other
// reader's thread page shows their own controls only (Edit on their own posts, Moderate
// for a moderator), their own form tokens, and a hidden post as they may see it:
// its author's notice, the moderator's, a member's placeholder.
func TestFragmentsCarryNoViewer(t *testing.T) {
	e := newEnv(t)
	ana, ben := e.user("frag_ana", forum.RoleMember), e.user("frag_ben", forum.RoleMember)
	e.user("frag_mia", forum.RoleModerator)
	th, op := e.fx.Thread(ana, "Fragments and who sees what", "The opening post, by ana.")
	anas := e.fx.Reply(th, ana, op, "A reply by ana.", forum.StanceNone)
	bens := e.fx.Reply(th, ben, op, "A reply by ben.", forum.StanceNone)
	hidden := e.fx.Reply(th, ana, op, "Words by ana that a moderator hid.", forum.StanceNone)
	if _, err := e.db.Exec(`UPDATE posts SET status = 'hidden' WHERE id = $1`, hidden.ID); err != nil {
		t.Fatal(err)
	}
	path := "/t/" + strconv.FormatInt(th.ID, 10)
	page := func(c *client) string {
		t.Helper()
		resp, body := c.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		return body
	}
	edit := func(p *forum.Post) string { return `href="/p/` + id(p) + `/edit"` }
	modGroup := `<details class="action mod-action">`

	benC, anaC, miaC := e.login("frag_ben"), e.login("frag_ana"), e.login("frag_mia")
	warm := page(benC) // fills the fragment cache as ben sees the posts
	anaPage, miaPage, benPage := page(anaC), page(miaC), page(benC)

	for _, tok := range csrfRE.FindAllStringSubmatch(warm, -1) {
		for name, other := range map[string]string{"ana": anaPage, "mia": miaPage} {
			if strings.Contains(other, tok[1]) {
				t.Fatalf("%s's page carries a form token of ben's page", name)
			}
		}
	}
	wantContains(t, anaPage, edit(anas), "Words by ana that a moderator hid.", "only you can see this")
	wantContains(t, miaPage, modGroup, "Words by ana that a moderator hid.", "only you and moderators can see this")
	wantContains(t, benPage, edit(bens))
	for name, c := range map[string]struct {
		body string
		not  []string
	}{
		"ana": {anaPage, []string{edit(bens), modGroup, "only you and moderators"}},
		"ben": {benPage, []string{edit(anas), modGroup, "Words by ana", "only you can see"}},
		"mia": {miaPage, []string{"only you can see this"}}, // moderators edit anyone's posts
	} {
		for _, s := range c.not {
			if strings.Contains(c.body, s) {
				t.Errorf("%s's page shows %q", name, s)
			}
		}
	}
}

// TestEditShownAtOnceToMembers: a member's thread page shows a post's new text right
// after its author edits it, though the old text's fragment is cached.
func TestEditShownAtOnceToMembers(t *testing.T) {
	e := newEnv(t)
	ana := e.user("edit_ana", forum.RoleMember)
	e.user("edit_ben", forum.RoleMember)
	th, op := e.fx.Thread(ana, "Edits and fragments", "The opening post.")
	r := e.fx.Reply(th, ana, op, "The first wording.", forum.StanceNone)
	path := "/t/" + strconv.FormatInt(th.ID, 10)
	ben := e.login("edit_ben")
	resp, body := ben.get(path)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "The first wording.")

	resp, body = e.login("edit_ana").post("/p/"+id(r)+"/edit", url.Values{"body": {"The second wording."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = ben.get(path)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "The second wording.")
	if strings.Contains(body, "The first wording.") {
		t.Fatal("the member's page still shows the text before the edit")
	}
}

// TestReplyAndFlagWithoutScript: a post's Reply and Flag lead, without JavaScript, to
// pages whose forms post: the post's own page's reply box answers that post, and
// /p/ID/flag flags it.
func TestReplyAndFlagWithoutScript(t *testing.T) {
	e := newEnv(t)
	ana := e.user("nojs_ana", forum.RoleMember)
	e.user("nojs_ben", forum.RoleMember)
	th, op := e.fx.Thread(ana, "Replying without script", "The opening post.")
	r := e.fx.Reply(th, ana, op, "A reply to answer.", forum.StanceNone)
	ben := e.login("nojs_ben")
	resp, body := ben.get("/t/" + strconv.FormatInt(th.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `href="/p/`+id(r)+`#reply"`, `href="/p/`+id(r)+`/flag"`)

	resp, body = ben.get("/p/" + id(r))
	wantStatus(t, resp, body, http.StatusOK)
	form := parseForm(t, body, "/t/"+strconv.FormatInt(th.ID, 10)+"/reply")
	if form.fields.Get("parent_id") != id(r) {
		t.Fatalf("the post's page's reply form answers %q, want %s", form.fields.Get("parent_id"), id(r))
	}
	form.fields.Set("body", "An answer written without script.")
	resp, body = ben.postRaw(form.action, form.fields)
	wantStatus(t, resp, body, http.StatusSeeOther)
	if n := e.count(t, `SELECT count(*) FROM posts WHERE parent_id = $1 AND body_source = 'An answer written without script.'`, r.ID); n != 1 {
		t.Fatalf("%d replies to post %d, want 1", n, r.ID)
	}

	resp, body = ben.get("/p/" + id(r) + "/flag")
	wantStatus(t, resp, body, http.StatusOK)
	flag := parseForm(t, body, "/p/"+id(r)+"/flag")
	flag.fields.Set("reason", "off_topic")
	resp, body = ben.postRaw(flag.action, flag.fields)
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		t.Fatalf("flag from its page: status %d:\n%.1500s", resp.StatusCode, body)
	}
	if n := e.count(t, `SELECT count(*) FROM flags WHERE post_id = $1`, r.ID); n != 1 {
		t.Fatalf("%d flags on post %d, want 1", n, r.ID)
	}
}
