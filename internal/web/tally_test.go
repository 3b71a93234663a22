package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
)

// TestTallyOnlyWhereTheQuestionIsDebated: a thread row shows its stance tally in one
// line once someone took a stance; a thread in a meta category shows no tally, offers no
// stance in its reply box, and refuses one sent anyway (400, the text kept).
func TestTallyOnlyWhereTheQuestionIsDebated(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if _, err := e.store.UpsertCategory(ctx, forum.Category{Slug: "meta", Name: "Meta", Meta: true}); err != nil {
		t.Fatal(err)
	}
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	debated, op := e.fx.Thread(alice, "Does the race help relations", "well?")
	e.fx.Reply(debated, alice, op, "It helps.", forum.StanceHelps)
	meta, _ := e.fx.ThreadIn("meta", alice, "How do stances work here", "a question about the forum")

	resp, body := e.client().get("/")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<span class="stance-helps">helps 1</span>`)
	if n := strings.Count(body, `class="thread-tally"`); n != 1 {
		t.Errorf("%d thread rows show a tally, want 1 (the debated thread's)", n)
	}

	bob := e.login("bob")
	mpath := "/t/" + strconv.FormatInt(meta.ID, 10)
	resp, body = bob.get(mpath)
	wantStatus(t, resp, body, http.StatusOK)
	if strings.Contains(body, `class="tally"`) || strings.Contains(body, `class="stance-field"`) {
		t.Errorf("a meta thread shows a tally or offers a stance in a reply form")
	}
	resp, body = bob.post(mpath+"/reply", url.Values{"body": {"my words about the forum"}, "stance": {"helps"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	wantContains(t, body, "take no stance", "my words about the forum")

	resp, body = bob.get("/t/" + strconv.FormatInt(debated.ID, 10))
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `class="tally"`, `class="stance-field"`)
}
