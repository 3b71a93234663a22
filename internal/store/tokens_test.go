package store_test

import (
	"bytes"
	"errors"
	"testing"

	"forum/internal/forum"
	"forum/internal/secret"
)

// TestTokens: a token finds its owner by its hash alone, a new token replaces the old at
// once, the two kinds never stand in for each other, and the clear token is never stored.
func TestTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	alice := w.fx.User("alice", forum.RoleMember)
	bob := w.fx.User("bob", forum.RoleMember)

	wantOwner := func(t *testing.T, what string, got *forum.User, err error, want *forum.User) {
		t.Helper()
		switch {
		case want == nil && !errors.Is(err, forum.ErrNotFound):
			t.Fatalf("%s: want not found, got %v, %v", what, got, err)
		case want != nil && (err != nil || got.ID != want.ID):
			t.Fatalf("%s: want %s, got %v, %v", what, want.Username, got, err)
		}
	}

	feed1, api1, bobs := secret.New(), secret.New(), secret.New()
	for _, err := range []error{
		w.st.SetFeedToken(ctx, alice.ID, secret.Hash(feed1)),
		w.st.SetAPIToken(ctx, alice.ID, secret.Hash(api1)),
		w.st.SetFeedToken(ctx, bob.ID, secret.Hash(bobs)),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	u, err := w.st.UserByFeedToken(ctx, secret.Hash(feed1))
	wantOwner(t, "alice's feed token", u, err, alice)
	u, err = w.st.UserByAPIToken(ctx, secret.Hash(api1))
	wantOwner(t, "alice's API token", u, err, alice)
	u, err = w.st.UserByFeedToken(ctx, secret.Hash(bobs))
	wantOwner(t, "bob's feed token", u, err, bob)
	u, err = w.st.UserByAPIToken(ctx, secret.Hash(feed1))
	wantOwner(t, "a feed token as an API token", u, err, nil)
	u, err = w.st.UserByFeedToken(ctx, nil)
	wantOwner(t, "no token", u, err, nil)

	feed2 := secret.New()
	if err := w.st.SetFeedToken(ctx, alice.ID, secret.Hash(feed2)); err != nil {
		t.Fatal(err)
	}
	u, err = w.st.UserByFeedToken(ctx, secret.Hash(feed1))
	wantOwner(t, "the replaced feed token", u, err, nil)
	u, err = w.st.UserByFeedToken(ctx, secret.Hash(feed2))
	wantOwner(t, "the new feed token", u, err, alice)
	u, err = w.st.UserByAPIToken(ctx, secret.Hash(api1))
	wantOwner(t, "the API token after a new feed token", u, err, alice)

	if st, err := w.st.Tokens(ctx, alice.ID); err != nil || !st.Feed || !st.API {
		t.Fatalf("alice's tokens: %+v, %v", st, err)
	}
	carol := w.fx.User("carol", forum.RoleMember)
	if st, err := w.st.Tokens(ctx, carol.ID); err != nil || st.Feed || st.API {
		t.Fatalf("carol's tokens: %+v, %v", st, err)
	}

	var stored [][]byte
	if err := w.db.Select(&stored, `SELECT feed_token_hash FROM users WHERE feed_token_hash IS NOT NULL
		UNION ALL SELECT api_token_hash FROM users WHERE api_token_hash IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	for _, b := range stored {
		for _, clear := range []string{feed1, feed2, api1, bobs} {
			if bytes.Contains(b, []byte(clear)) {
				t.Fatal("a token is stored in clear")
			}
		}
	}
}
