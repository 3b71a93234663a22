package store_test

import (
	"fmt"
	"slices"
	"testing"

	"forum/internal/forum"
	"forum/internal/store"
)

// TestPinScopesOrderListings: a site-wide pin comes first on the front page and in its
// category, a category pin only in its category, and paging two at a time through each
// listing crosses the pins' boundary without losing or repeating a thread.
func TestPinScopesOrderListings(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	alice := w.fx.User("alice", forum.RoleMember)
	mod := w.fx.User("mod", forum.RoleModerator)
	// Oldest first: t[0] is the least recently active.
	var th []*forum.Thread
	for i, cat := range []string{"alpha", "alpha", "beta", "alpha", "beta", "alpha"} {
		x, _ := w.fx.ThreadIn(cat, alice, fmt.Sprintf("Thread number %d", i), "Opening")
		th = append(th, x)
	}
	if err := w.st.PinThread(ctx, th[0].ID, mod.ID, forum.PinSite, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.st.PinThread(ctx, th[1].ID, mod.ID, forum.PinCategory, ""); err != nil {
		t.Fatal(err)
	}
	// A category pin through the scope-less switch, then taken site-wide and back.
	if err := w.st.SetThread(ctx, th[2].ID, mod.ID, forum.SettingPin, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.st.PinThread(ctx, th[2].ID, mod.ID, forum.PinSite, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.st.PinThread(ctx, th[2].ID, mod.ID, forum.PinCategory, ""); err != nil {
		t.Fatal(err)
	}
	ids := func(idx ...int) []int64 {
		out := make([]int64, len(idx))
		for i, j := range idx {
			out[i] = th[j].ID
		}
		return out
	}
	walk := func(f store.ThreadFilter) []int64 {
		t.Helper()
		var out []int64
		for page := 0; ; page++ {
			p, err := w.st.FindThreads(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range p.Threads {
				out = append(out, x.ID)
			}
			if p.Next == "" || page > 10 {
				return out
			}
			f.Before = p.Next
		}
	}
	for _, tc := range []struct {
		name string
		f    store.ThreadFilter
		want []int64
	}{
		{"FrontPageSitePinsFirst", store.ThreadFilter{}, ids(0, 5, 4, 3, 2, 1)},
		{"CategoryEveryPinFirst", store.ThreadFilter{CategoryID: w.fx.Category("alpha").ID}, ids(1, 0, 5, 3)},
		{"OtherCategoryItsCategoryPin", store.ThreadFilter{CategoryID: w.fx.Category("beta").ID}, ids(2, 4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			whole := tc.f
			whole.Limit = 100
			if got := walk(whole); !slices.Equal(got, tc.want) {
				t.Fatalf("listing %v, want %v", got, tc.want)
			}
			paged := tc.f
			paged.Limit = 2
			if got := walk(paged); !slices.Equal(got, tc.want) {
				t.Fatalf("paged two at a time %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("LogSaysWhich", func(t *testing.T) {
		var actions []forum.LogAction
		if err := w.db.Select(&actions, `SELECT action FROM mod_log WHERE target_id = $1 ORDER BY id`, th[2].ID); err != nil {
			t.Fatal(err)
		}
		want := []forum.LogAction{forum.LogPinThread, forum.LogPinThreadSite, forum.LogPinThread}
		if !slices.Equal(actions, want) {
			t.Fatalf("logged %v, want %v", actions, want)
		}
	})
	t.Run("MembersMayNotPin", func(t *testing.T) {
		err := w.st.PinThread(ctx, th[3].ID, alice.ID, forum.PinSite, "")
		if forum.ErrorCode(err) != forum.EForbidden {
			t.Fatalf("a member's site-wide pin: %v, want forbidden", err)
		}
	})
}
