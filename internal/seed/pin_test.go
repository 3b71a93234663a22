package seed_test

import (
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/markup"
	"forum/internal/seed"
	"forum/internal/store"
	"forum/internal/testdb"
)

// TestSeedPinsTheQuestionSiteWide: the central question is first on the front page after
// seeding; seeding again logs no second pin, and a moderator's unpin survives a re-seed.
func TestSeedPinsTheQuestionSiteWide(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	st := store.New(db.DB)
	md := markup.New()
	ctx := t.Context()
	if _, err := seed.Run(ctx, st, md); err != nil {
		t.Fatal(err)
	}
	front, err := st.FindThreads(ctx, store.ThreadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	first := front.Threads[0]
	if !strings.Contains(first.Title, "help or hinder") || !first.PinnedSite || !first.Pinned {
		t.Fatalf("front page starts with %q (pinned %v, site-wide %v), want the central question pinned site-wide",
			first.Title, first.Pinned, first.PinnedSite)
	}
	pins := func() int {
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM mod_log WHERE action = $1`, forum.LogPinThreadSite); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := pins(); n != 1 {
		t.Fatalf("%d site-wide pins logged after seeding, want 1", n)
	}
	if _, err := seed.Run(ctx, st, md); err != nil {
		t.Fatal(err)
	}
	if n := pins(); n != 1 {
		t.Fatalf("%d site-wide pins logged after seeding twice, want 1", n)
	}

	mod, err := st.CreateUser(ctx, "mod", "!locked", forum.RoleModerator)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetThread(ctx, first.ID, mod.ID, forum.SettingUnpin, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, st, md); err != nil {
		t.Fatal(err)
	}
	if th, err := st.ThreadByID(ctx, first.ID); err != nil || th.Pinned {
		t.Fatalf("after a moderator's unpin and a re-seed: pinned %v, %v; want it left unpinned", th != nil && th.Pinned, err)
	}
}
