package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/store"
)

// TestCategoriesPage: /c lists every category in order with its description, its thread
// count and its most recently active listed thread (a hidden one never shows), and the
// header links to it.
func TestCategoriesPage(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	alice := e.user("alice", forum.RoleMember)
	for i, c := range []forum.Category{
		{Slug: "relations", Name: "Relations", Description: "Does the reopening help or hinder?", Position: 1},
		{Slug: "the-race", Name: "The race", Description: "Routes, times and runners.", Position: 2},
		{Slug: "meta", Name: "Meta", Description: "About this forum.", Position: 3},
	} {
		if _, err := e.store.UpsertCategory(ctx, c); err != nil {
			t.Fatalf("category %d: %v", i, err)
		}
	}
	e.fx.ThreadIn("relations", alice, "An older thread in relations", "old")
	newer, _ := e.fx.ThreadIn("relations", alice, "The newest thread in relations", "new")
	secret, secretOp := e.fx.ThreadIn("the-race", alice, "A hidden thread about the race", "hidden")
	mod := e.user("moderator", forum.RoleModerator)
	if err := e.store.Decide(ctx, store.Decision{PostID: secretOp.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
		t.Fatal(err)
	}

	resp, body := e.client().get("/c")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<li><a href="/c">Categories</a></li>`, "Does the reopening help or hinder?",
		"2 threads", "The newest thread in relations", `href="/c/the-race"`, "About this forum.")
	if strings.Contains(body, "An older thread in relations") {
		t.Errorf("a category shows a thread that is not its latest")
	}
	if strings.Contains(body, secret.Title) {
		t.Errorf("a hidden thread's title is on /c")
	}
	if i, j, k := strings.Index(body, "Relations"), strings.Index(body, "The race"), strings.Index(body, "About this forum."); !(i < j && j < k) {
		t.Errorf("categories out of their order: %d %d %d", i, j, k)
	}
	if link := `href="/t/` + strconv.FormatInt(newer.ID, 10) + "/" + newer.Slug + `"`; !strings.Contains(body, link) {
		t.Errorf("the latest thread is not linked as %s", link)
	}
}
