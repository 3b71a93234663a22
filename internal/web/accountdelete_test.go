package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/lib/pq"

	"forum/internal/forum"
	"forum/internal/secret"
	"forum/internal/store"
	"forum/internal/web"
)

// postShape is what a thread's tree is made of: every post's place, text and status.
type postShape struct {
	ID       int64  `db:"id"`
	ThreadID int64  `db:"thread_id"`
	ParentID *int64 `db:"parent_id"`
	Depth    int    `db:"depth"`
	Path     string `db:"path"`
	Source   string `db:"body_source"`
	HTML     string `db:"body_html"`
	Status   string `db:"status"`
}

func (e *env) threadShapes(t *testing.T, threads ...int64) []postShape {
	t.Helper()
	var out []postShape
	if err := e.db.Select(&out, `SELECT id, thread_id, parent_id, depth, path::text AS path, body_source, body_html, status
		FROM posts WHERE thread_id = ANY($1) ORDER BY id`, pq.Int64Array(threads)); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeleteAccount: deleting an account keeps every thread it wrote in whole — the
// same posts in the same tree with the same words — shown as by "[deleted]"; the
// password no longer logs in, the name is refused at registration, everything that was
// the person's own is gone, and the moderation log says so without their address.
func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	leaver, bob := e.user("leaver", forum.RoleMember), e.user("bob", forum.RoleMember)
	carol := e.user("carol", forum.RoleMember)
	e.setEmail(t, leaver, "leaver@example.org")

	own, op1 := e.fx.Thread(leaver, "A thread that must stay whole", "The opening words stay.")
	b1 := e.fx.Reply(own, bob, op1, "Bob answers the opening post.", forum.StanceHelps)
	l1 := e.fx.Reply(own, leaver, b1, "An answer to bob.", forum.StanceMixed)
	e.fx.Reply(own, bob, l1, "Bob answers that answer.", forum.StanceNone)
	theirs, op2 := e.fx.Thread(bob, "Bob's thread with a guest", "Bob opens.")
	l2 := e.fx.Reply(theirs, leaver, op2, "A guest post here.", forum.StanceHinders)
	e.fx.Reply(theirs, carol, l2, "Carol answers the guest.", forum.StanceNone)
	before := e.threadShapes(t, own.ID, theirs.ID)

	// Everything that is the person's own, beyond their posts.
	leaverWeb := e.login("leaver")
	otherSession := e.login("leaver")
	aliveThere := e.login("bob")
	resp, body := leaverWeb.get(threadPath(own.ID)) // a read position
	wantStatus(t, resp, body, http.StatusOK)
	if err := e.store.SetMute(ctx, leaver.ID, carol, true); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetMute(ctx, carol.ID, leaver, true); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetFeedToken(ctx, leaver.ID, secret.Hash(secret.New())); err != nil {
		t.Fatal(err)
	}
	e.db.MustExec(`INSERT INTO category_watches (user_id, category_id) SELECT $1, id FROM categories LIMIT 1`, leaver.ID)
	e.db.MustExec(`INSERT INTO email_tokens (hash, user_id, purpose, email, expires_at)
		VALUES ($1, $2, 'confirm', 'next@example.org', now() + interval '1 day')`, secret.Hash(secret.New()), leaver.ID)
	if err := e.store.EnqueueMail(ctx, store.OutMail{UserID: leaver.ID, Kind: "test", To: "leaver@example.org",
		Subject: "s", Text: "t", HTML: "h"}); err != nil {
		t.Fatal(err)
	}

	t.Run("WrongPasswordDeletesNothing", func(t *testing.T) {
		resp, body := leaverWeb.post(web.RouteSettingsDelete, url.Values{"password": {"not the password"}})
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, `id="delete-error"`, "your account was not deleted")
		signedIn(t, leaverWeb, "after a refused deletion")
	})

	resp, body = leaverWeb.post(web.RouteSettingsDelete, url.Values{"password": {"leaver-password"}})
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `id="account-deleted"`)
	signedOut(t, leaverWeb, "the deleting browser")
	signedOut(t, otherSession, "another session of the deleted account")
	signedIn(t, aliveThere, "someone else")

	t.Run("ThreadsStayWhole", func(t *testing.T) {
		if after := e.threadShapes(t, own.ID, theirs.ID); !reflect.DeepEqual(after, before) {
			t.Fatalf("the threads changed:\nbefore %+v\nafter  %+v", before, after)
		}
		for _, th := range []int64{own.ID, theirs.ID} {
			resp, body := e.client().get(threadPath(th))
			wantStatus(t, resp, body, http.StatusOK)
			for _, p := range before {
				if p.ThreadID == th {
					wantContains(t, body, fmt.Sprintf(`id="p%d"`, p.ID), p.Source)
				}
			}
			wantContains(t, body, forum.DeletedName)
			if strings.Contains(body, "leaver") {
				t.Fatalf("thread %d still names the deleted account", th)
			}
			resp, body = e.client().get(fmt.Sprintf("/api/v1/threads/%d", th))
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, `"author":"[deleted]"`)
			resp, body = e.client().get(fmt.Sprintf("/t/%d/feed.rss", th))
			wantStatus(t, resp, body, http.StatusOK)
			if !strings.Contains(body, forum.DeletedName) || strings.Contains(body, "leaver") {
				t.Fatalf("thread %d's feed:\n%s", th, body)
			}
		}
	})

	t.Run("NameAndPasswordGone", func(t *testing.T) {
		resp, body := e.client().get("/u/leaver")
		wantStatus(t, resp, body, http.StatusNotFound)
		resp, body = e.client().get("/u/" + forum.DeletedUsername(leaver.ID))
		wantStatus(t, resp, body, http.StatusNotFound)
		resp, body = e.client().post(web.RouteLogin, url.Values{"username": {"leaver"}, "password": {"leaver-password"}})
		wantStatus(t, resp, body, http.StatusUnauthorized)
		for _, name := range []string{"leaver", "1eaver"} { // the name, and one that reads like it
			resp, body = e.client().post(web.RouteRegister, url.Values{"username": {name}, "password": {"a long and unguessable passphrase"}})
			wantStatus(t, resp, body, http.StatusConflict)
			wantContains(t, body, "held for 30 days")
		}
	})

	t.Run("OwnDataGone", func(t *testing.T) {
		for _, q := range []string{
			`SELECT count(*) FROM users WHERE id = $1 AND (email IS NOT NULL OR feed_token_hash IS NOT NULL OR deleted_at IS NULL)`,
			`SELECT count(*) FROM sessions WHERE user_id = $1`,
			`SELECT count(*) FROM email_tokens WHERE user_id = $1`,
			`SELECT count(*) FROM mail_outbox WHERE user_id = $1`,
			`SELECT count(*) FROM thread_watches WHERE user_id = $1`,
			`SELECT count(*) FROM category_watches WHERE user_id = $1`,
			`SELECT count(*) FROM user_mutes WHERE user_id = $1 OR muted_id = $1`,
			`SELECT count(*) FROM read_positions WHERE user_id = $1`,
			`SELECT count(*) FROM notifications WHERE user_id = $1`,
			`SELECT count(*) FROM unread_counts WHERE user_id = $1`,
		} {
			if n := e.count(t, q, leaver.ID); n != 0 {
				t.Errorf("%d rows left: %s", n, q)
			}
		}
	})

	t.Run("LoggedWithoutAddress", func(t *testing.T) {
		var entries []struct {
			Action string `db:"action"`
			Note   string `db:"note"`
			Reason string `db:"reason"`
		}
		if err := e.db.Select(&entries, `SELECT action, note, reason FROM mod_log
			WHERE target_type = 'user' AND target_id = $1 AND moderator_id = $1`, leaver.ID); err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Action != string(forum.LogDeleteAccount) {
			t.Fatalf("log entries %+v, want one delete_account", entries)
		}
		resp, body := e.client().get(web.RouteModLog)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "delete_account", forum.DeletedName)
		if strings.Contains(body, "example.org") || strings.Contains(entries[0].Note+entries[0].Reason, "@") {
			t.Fatal("the moderation log shows the address")
		}
	})
}

func threadPath(id int64) string { return fmt.Sprintf("/t/%d", id) }
