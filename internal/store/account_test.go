package store_test

import (
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/secret"
	"forum/internal/store"
)

// TestMailedLinksAreCheckedUnderTheLock: the store itself refuses a used or expired link,
// whatever a caller checked before (two tabs both past the page's check), and a refused
// use changes nothing.
func TestMailedLinksAreCheckedUnderTheLock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	alice := w.fx.User("alice", forum.RoleMember)
	mail := store.OutMail{Kind: "password_reset", To: "alice@example.org", Subject: "s", Text: "t", HTML: "h"}
	wantRefused := func(t *testing.T, err error, why string) {
		t.Helper()
		if forum.ErrorCode(err) != forum.ENotFound || !strings.Contains(err.Error(), why) {
			t.Fatalf("got %v, want a refusal saying %q", err, why)
		}
	}

	t.Run("ResetOnce", func(t *testing.T) {
		tok := secret.Hash(secret.New())
		if err := w.st.RequestPasswordReset(ctx, alice.ID, tok, time.Now().Add(time.Hour), mail, true); err != nil {
			t.Fatal(err)
		}
		if _, err := w.st.ResetPassword(ctx, tok, "first-hash"); err != nil {
			t.Fatal(err)
		}
		_, err := w.st.ResetPassword(ctx, tok, "second-hash")
		wantRefused(t, err, "already been used")
		if u, _ := w.st.UserByID(ctx, alice.ID); u.PasswordHash != "first-hash" {
			t.Fatalf("the second use set the password hash to %q", u.PasswordHash)
		}
	})

	t.Run("ResetExpired", func(t *testing.T) {
		tok := secret.Hash(secret.New())
		if err := w.st.RequestPasswordReset(ctx, alice.ID, tok, time.Now().Add(-time.Second), mail, true); err != nil {
			t.Fatal(err)
		}
		_, err := w.st.ResetPassword(ctx, tok, "late-hash")
		wantRefused(t, err, "expired")
	})

	t.Run("ConfirmOnce", func(t *testing.T) {
		tok := secret.Hash(secret.New())
		if err := w.st.RequestEmailChange(ctx, store.EmailChange{UserID: alice.ID, Email: "alice@example.org", TokenHash: tok,
			ExpiresAt: time.Now().Add(time.Hour), Confirm: mail, InUse: mail}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.st.ConfirmEmail(ctx, tok, mail); err != nil {
			t.Fatal(err)
		}
		_, err := w.st.ConfirmEmail(ctx, tok, mail)
		wantRefused(t, err, "already been used")
	})

	t.Run("ADryRunWritesNothing", func(t *testing.T) {
		tok := secret.Hash(secret.New())
		if err := w.st.RequestPasswordReset(ctx, 0, tok, time.Now().Add(time.Hour), mail, false); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := w.db.Get(&n, `SELECT (SELECT count(*) FROM email_tokens WHERE hash = $1) + (SELECT count(*) FROM mail_outbox WHERE user_id IS NULL)`, tok); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("a dry run left %d rows", n)
		}
		_, err := w.st.ResetPassword(ctx, tok, "x")
		wantRefused(t, err, "does not work")
	})

	t.Run("UnknownLink", func(t *testing.T) {
		_, err := w.st.ResetPassword(ctx, secret.Hash(secret.New()), "x")
		wantRefused(t, err, "does not work")
	})
}
