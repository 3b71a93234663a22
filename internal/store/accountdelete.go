package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"forum/internal/forum"
)

// sqlDisplayName is forum.DisplayName in SQL for the users row under alias a: every name
// the store reads for display goes through it, so a deleted account reads "[deleted]"
// on every page, feed and API answer. The store's tests hold the two equal.
func sqlDisplayName(a string) string {
	return `CASE WHEN ` + a + `.deleted_at IS NULL THEN ` + a + `.username ELSE '` + forum.DeletedName + `' END`
}

// sqlAuthorName is sqlDisplayName("u") as a constant, for the column lists.
const sqlAuthorName = `CASE WHEN u.deleted_at IS NULL THEN u.username ELSE '` + forum.DeletedName + `' END`

// sqlNameHeld is true while the username or skeleton in the given parameters is held
// for a deleted account at the time in the third (forum.NameHold).
func sqlNameHeld(name, skeleton, now string) string {
	return `(EXISTS (SELECT 1 FROM released_names r WHERE (r.username = ` + name + ` OR r.skeleton = ` + skeleton +
		`) AND r.until > ` + now + `))`
}

// WithClock returns a store that reads the time from now: a test of a rule measured in
// days (forum.NameHold) deletes an account "days ago" instead of waiting.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// DeleteAccount deletes userID's account in one transaction. Its posts stay where they
// are, attributed to forum.DeletedName: the users row stays under a placeholder name
// with no password, address, bio or tokens. The name it had is held for forum.NameHold.
// Everything else that was the person's own — sessions, mailed links, queued mail,
// watches, mutes (both ways), read positions, notifications and their count — goes. Every
// thread they wrote in gets a new version (its pages and feeds now show another name),
// and the act is logged in the moderation log, without the address.
func (s *Store) DeleteAccount(ctx context.Context, userID int64) error {
	defer s.threadsChanged() // which threads is known inside only; rare: all of them (versionnotify.go)
	return s.inTx(ctx, func(tx *sqlxTx) error {
		// The threads first, in id order, then the user: a reply locks its thread, then
		// its author's row, so the two orders agree and never wait on each other crosswise.
		var threads []int64
		if err := tx.SelectContext(ctx, &threads, `
			SELECT id FROM threads WHERE id IN (SELECT DISTINCT thread_id FROM posts WHERE author_id = $1)
			ORDER BY id FOR UPDATE`, userID); err != nil {
			return fmt.Errorf("lock threads of user %d: %w", userID, err)
		}
		var u struct {
			Username string     `db:"username"`
			Deleted  *time.Time `db:"deleted_at"`
		}
		if err := tx.GetContext(ctx, &u, `SELECT username, deleted_at FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return notFound(err, "User")
		}
		if u.Deleted != nil {
			return forum.ErrAccountDeleted
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO released_names (username, skeleton, until) VALUES ($1, $2, $3)
			ON CONFLICT (username) DO UPDATE SET skeleton = EXCLUDED.skeleton, until = EXCLUDED.until`,
			u.Username, forum.Skeleton(u.Username), now.Add(forum.NameHold)); err != nil {
			return fmt.Errorf("hold the name of user %d: %w", userID, err)
		}
		// The skeleton goes too (NULLs never collide): the hold above refuses look-alikes.
		// "!deleted" is no hash any password matches.
		if _, err := tx.ExecContext(ctx, `
			UPDATE users SET username = $2, skeleton = NULL, deleted_at = $3, password_hash = '!deleted',
				email = NULL, bio_source = '', bio_html = '', feed_token_hash = NULL, api_token_hash = NULL,
				mail_mode = 'none', auto_watch = false
			WHERE id = $1`, userID, forum.DeletedUsername(userID), now); err != nil {
			return fmt.Errorf("delete account %d: %w", userID, err)
		}
		for _, q := range []string{
			`DELETE FROM sessions WHERE user_id = $1`,
			`DELETE FROM email_tokens WHERE user_id = $1`,
			`DELETE FROM mail_outbox WHERE user_id = $1`, // every row holds the address
			`DELETE FROM thread_watches WHERE user_id = $1`,
			`DELETE FROM category_watches WHERE user_id = $1`,
			`DELETE FROM user_mutes WHERE user_id = $1 OR muted_id = $1`,
			`DELETE FROM read_positions WHERE user_id = $1`,
			`DELETE FROM notifications WHERE user_id = $1`,
			`DELETE FROM unread_counts WHERE user_id = $1`,
		} {
			if _, err := tx.ExecContext(ctx, q, userID); err != nil {
				return fmt.Errorf("delete account %d: %s: %w", userID, q, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE threads SET version = version + 1 WHERE id = ANY($1)`,
			pq.Int64Array(threads)); err != nil {
			return fmt.Errorf("bump threads of user %d: %w", userID, err)
		}
		if err := notifyVersions(ctx, tx, threads...); err != nil { // versionnotify.go
			return err
		}
		return logAct(ctx, tx, userID, forum.LogDeleteAccount, "user", userID, "", "")
	})
}
