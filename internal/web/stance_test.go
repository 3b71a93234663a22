package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
)

// postHTML is one post's own article on a page (its replies follow the article).
func postHTML(t *testing.T, body string, id int64) string {
	t.Helper()
	i := strings.Index(body, `id="p`+strconv.FormatInt(id, 10)+`"`)
	if i < 0 {
		t.Fatalf("post %d is not on the page", id)
	}
	j := strings.Index(body[i:], "</article>")
	if j < 0 {
		t.Fatalf("post %d's article does not end", id)
	}
	return body[i : i+j]
}

// tallyLabel is the thread page's tally as a screen reader hears it.
func tallyLabel(helps, hinders, mixed int) string {
	return `aria-label="Helps ` + strconv.Itoa(helps) + `, hinders ` + strconv.Itoa(hinders) + `, mixed ` + strconv.Itoa(mixed) + `"`
}

// TestStanceKeepChangeWithdraw: a participant's reply forms (the page-bottom box and the
// inline one) say their counted stance in the thread; replying without a choice keeps
// it; choosing another moves the tally and marks the earlier post "was: ..."; withdrawing
// takes it out of the tally, marks the earlier post too, and the forms say no stance.
func TestStanceKeepChangeWithdraw(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	th, op := e.fx.Thread(alice, "Does the marathon help relations", "well?")
	first := e.fx.Reply(th, bob, op, "It hinders, I think.", forum.StanceHinders)
	path := "/t/" + strconv.FormatInt(th.ID, 10)
	c := e.login("bob")

	resp, body := c.get(path)
	wantStatus(t, resp, body, http.StatusOK)
	// The box and the page's one inline form (copied under a post by inlineforms.js).
	if n := strings.Count(body, "Your stance here: <strong>hinders</strong>"); n != 2 {
		t.Errorf("the current stance shows in %d reply forms, want 2 (the box and the inline one)", n)
	}
	wantContains(t, body, `value="" checked> keep hinders`, `value="withdraw"> withdraw my stance`, tallyLabel(0, 1, 0))
	resp, body = e.login("alice").get(path)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "You have not taken a stance here")
	if strings.Contains(body, `value="withdraw"`) {
		t.Errorf("someone without a stance is offered to withdraw one")
	}

	reply := func(stance string) {
		t.Helper()
		resp, body := c.post(path+"/reply", url.Values{"body": {"More words with stance " + stance}, "stance": {stance}})
		wantStatus(t, resp, body, http.StatusSeeOther)
	}
	page := func() string {
		t.Helper()
		resp, body := c.get(path)
		wantStatus(t, resp, body, http.StatusOK)
		return body
	}

	t.Log("keep: no choice leaves the stance, the tally and the label")
	reply("")
	body = page()
	wantContains(t, body, tallyLabel(0, 1, 0), "Your stance here: <strong>hinders</strong>")
	if got := postHTML(t, body, first.ID); !strings.Contains(got, `>hinders</span>`) || strings.Contains(got, "was:") {
		t.Errorf("after keeping, the first post's label is not the plain current one:\n%s", got)
	}

	t.Log("change: the tally moves, the first post reads was: hinders")
	reply("helps")
	body = page()
	wantContains(t, body, tallyLabel(1, 0, 0), "Your stance here: <strong>helps</strong>")
	wantContains(t, postHTML(t, body, first.ID), "was: hinders")
	if n := strings.Count(body, ">helps</span>"); n != 1 {
		t.Errorf("%d posts carry the plain helps label, want 1 (the changing reply)", n)
	}
	resp, body = c.get("/p/" + strconv.FormatInt(first.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, postHTML(t, body, first.ID), "was: hinders")

	t.Log("withdraw: the tally drops, both stances read as earlier, the box says none")
	reply(forum.StanceWithdraw)
	body = page()
	wantContains(t, body, tallyLabel(0, 0, 0), "You have not taken a stance here", "was: helps")
	wantContains(t, postHTML(t, body, first.ID), "was: hinders")
	if strings.Contains(body, ">helps</span>") || strings.Contains(body, ">hinders</span>") || strings.Contains(body, ">withdraw") {
		t.Errorf("a post still carries a plain (current) stance label, or the withdrawing reply carries one")
	}
	got, err := e.store.ThreadByID(t.Context(), th.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.StanceTotal() != 0 {
		t.Errorf("thread tally after withdrawing: %d stances, want 0", got.StanceTotal())
	}
}

// TestOpeningPostStance: the new-thread form takes a stance that the opening post carries
// and the tally counts; in a category that takes none it is refused (400) with the form kept.
func TestOpeningPostStance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.store.UpsertCategory(t.Context(), forum.Category{Slug: "meta", Name: "Meta", Meta: true}); err != nil {
		t.Fatal(err)
	}
	e.fx.Category("general")
	e.user("carol", forum.RoleMember)
	c := e.login("carol")
	resp, body := c.get("/new")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `name="stance" value="hinders"`)

	resp, body = c.post("/t", url.Values{"category": {"general"}, "title": {"Opening with a stance"},
		"body": {"It hinders."}, "stance": {"hinders"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	loc := resp.Header.Get("Location")
	resp, body = c.get(loc)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, tallyLabel(0, 1, 0), `<span class="stance stance-hinders">hinders</span>`,
		"Your stance here: <strong>hinders</strong>")

	resp, body = c.post("/t", url.Values{"category": {"meta"}, "title": {"A question about the forum"},
		"body": {"How do stances work here?"}, "stance": {"helps"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	wantContains(t, body, "take no stance", "A question about the forum", "How do stances work here?",
		`value="helps" checked`)
}

// TestRepeatedStanceIsNotEarlier: saying the same stance again does not mark the first
// post "was": the author's stance has not changed.
func TestRepeatedStanceIsNotEarlier(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	bob := e.user("bob", forum.RoleMember)
	th, op := e.fx.Thread(alice, "Saying it twice", "well?")
	first := e.fx.Reply(th, bob, op, "It hinders.", forum.StanceHinders)
	e.fx.Reply(th, bob, op, "Still hinders.", forum.StanceHinders)
	resp, body := e.client().get("/t/" + strconv.FormatInt(th.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, "was: hinders") {
		t.Errorf("post %d reads \"was: hinders\" though bob still holds hinders", first.ID)
	}
}
