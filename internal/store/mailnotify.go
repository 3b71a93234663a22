package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"forum/internal/forum"
)

// Notification mail. A person's pending notifications are those mail has not yet
// considered (id > users.mail_through) that they have not read on the site and are
// shown (sqlShownNotification): a hidden post or a muted person never reaches a mail.
// Any instance's job claims a person whose mail is due (forum.MailDue) and, in one short
// transaction holding their users row, lists their pending notifications, queues one mail
// holding them and moves mail_through and mail_sent_at past them, so each notification
// is considered for mail once.

// MailPrefs is a person's notification mail setting, for their settings page and the
// unsubscribe page.
type MailPrefs struct {
	Username   string         `db:"username"`
	Mode       forum.MailMode `db:"mail_mode"`
	HasAddress bool           `db:"has_address"` // a confirmed address: the mode applies
}

// MailPrefs loads userID's mail setting; a deleted account is not found.
func (s *Store) MailPrefs(ctx context.Context, userID int64) (*MailPrefs, error) {
	p := &MailPrefs{}
	err := s.db.GetContext(ctx, p, `
		SELECT username, mail_mode, email IS NOT NULL AS has_address FROM users WHERE id = $1 AND deleted_at IS NULL`, userID)
	if err != nil {
		return nil, notFound(err, "User")
	}
	return p, nil
}

// SetMailMode sets userID's notification mail. Turning it off also counts every
// notification so far as considered, so turning it on again later does not mail a
// backlog. A deleted account is not found.
func (s *Store) SetMailMode(ctx context.Context, userID int64, mode forum.MailMode) error {
	res, err := s.db.ExecContext(ctx, `
		UPDATE users SET mail_mode = $2, mail_through = CASE WHEN $2 = 'none' THEN GREATEST(mail_through,
			COALESCE((SELECT max(id) FROM notifications WHERE user_id = $1), 0)) ELSE mail_through END
		WHERE id = $1 AND deleted_at IS NULL`, userID, mode)
	if err != nil {
		return fmt.Errorf("set mail mode of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.Errorf(forum.ENotFound, "User not found.").T("error.not_found.user")
	}
	return nil
}

// MailRound bounds one round of the notification mail job.
type MailRound struct {
	Batch   time.Duration // least time between two immediate mails (FORUM_MAIL_BATCH_INTERVAL)
	PerMail int           // notifications listed in one mail; the rest are counted
	Users   int           // people mailed in one round
}

// MailBatch is one person's mail about to be composed: their pending notifications,
// newest first, at most MailRound.PerMail of them, and how many more there are.
type MailBatch struct {
	User          forum.User // for the read rules (forum.CanRead, forum.ThreadTitle)
	Email         string
	Mode          forum.MailMode
	Notifications []Notification
	More          int
}

// sqlPending is a pending notification n of user u, joined to its post p and thread t
// (MailNotifications lists the same rows with the user's mail_through as a parameter).
var sqlPending = `n.user_id = u.id AND n.id > u.mail_through AND n.read_at IS NULL
	AND n.reason IN (` + sqlMailedReasons + `) AND ` + sqlShownNotification

// sqlMailedReasons is forum.MailedReasons as an SQL list (the fixed vocabulary, never input).
var sqlMailedReasons = func() string {
	q := make([]string, len(forum.MailedReasons))
	for i, r := range forum.MailedReasons {
		q[i] = "'" + string(r) + "'"
	}
	return strings.Join(q, ", ")
}()

// sqlMailDue is forum.MailDue in SQL for users row u at time $1, with the batch and
// forum.DigestPeriod in milliseconds in $2 and $3: the store's tests hold the two equal.
var sqlMailDue = `u.email IS NOT NULL AND u.deleted_at IS NULL
	AND (u.mail_mode = 'daily' OR (u.mail_mode = 'immediate'
		AND (u.mail_sent_at IS NULL OR u.mail_sent_at <= $1::timestamptz - $2 * interval '1 millisecond')))
	AND EXISTS (SELECT 1 FROM notifications n JOIN posts p ON p.id = n.post_id JOIN threads t ON t.id = n.thread_id
		WHERE ` + sqlPending + `
			AND (u.mail_mode <> 'daily' OR n.created_at <= $1::timestamptz - $3 * interval '1 millisecond'))`

// MailDueUsers lists up to limit people whose notification mail is due at now, those
// who have waited longest first. users_mail_idx narrows the scan to people with an
// address and mail on; each one's pending check is a range of notifications_user_idx.
func (s *Store) MailDueUsers(ctx context.Context, batch time.Duration, limit int) ([]int64, error) {
	var ids []int64
	err := s.db.SelectContext(ctx, &ids, `
		SELECT u.id FROM users u WHERE u.mail_mode <> 'none' AND `+sqlMailDue+`
		ORDER BY u.mail_sent_at NULLS FIRST, u.id LIMIT $4`, s.now(), batch.Milliseconds(), forum.DigestPeriod.Milliseconds(), limit)
	if err != nil {
		return nil, fmt.Errorf("find people due a notification mail: %w", err)
	}
	return ids, nil
}

// MailNotifications claims userID if their mail is still due, composes their one mail
// with compose and queues it, all in one transaction. It reports whether a mail was
// queued: not when another instance holds the person (SKIP LOCKED) or mailed them since
// they were listed.
func (s *Store) MailNotifications(ctx context.Context, userID int64, r MailRound, compose func(*MailBatch) (OutMail, error)) (bool, error) {
	queued := false
	err := s.inTx(ctx, func(tx *sqlxTx) error {
		now := s.now()
		var claim struct {
			forum.User
			Email    string         `db:"email"`
			Mode     forum.MailMode `db:"mail_mode"`
			LastSent *time.Time     `db:"mail_sent_at"`
			Through  int64          `db:"mail_through"`
		}
		err := tx.GetContext(ctx, &claim, `
			SELECT `+userColumns+`, u.email, u.mail_mode, u.mail_sent_at, u.mail_through FROM users u
			WHERE u.id = $4 AND u.mail_mode <> 'none' AND `+sqlMailDue+`
			FOR UPDATE OF u SKIP LOCKED`, now, r.Batch.Milliseconds(), forum.DigestPeriod.Milliseconds(), userID)
		if isNoRows(err) {
			return nil // held by another instance, or no longer due
		}
		if err != nil {
			return fmt.Errorf("claim notification mail of user %d: %w", userID, err)
		}
		var rows []struct {
			Notification
			PathArray pq.Int64Array `db:"path"`
			Total     int           `db:"total"`
			Oldest    time.Time     `db:"oldest"`
		}
		// The window functions run before the LIMIT: the count and the oldest are the
		// whole pending set's, the rows its newest.
		err = tx.SelectContext(ctx, &rows, `
			SELECT n.id AS notification_id, n.reason, n.detail, n.created_at AS notified_at, n.read_at,
				`+sqlDisplayName("a")+` AS actor_name, t.title AS thread_title, t.slug AS thread_slug,
				t.author_id AS thread_author_id, t.opening_status AS thread_status, t.visible AS thread_listed,
				`+postColumns+`, count(*) OVER () AS total, min(n.created_at) OVER () AS oldest
			FROM notifications n
				JOIN users a ON a.id = n.actor_id
				JOIN threads t ON t.id = n.thread_id
				JOIN posts p ON p.id = n.post_id JOIN users u ON u.id = p.author_id
			WHERE n.user_id = $1 AND n.id > $2 AND n.read_at IS NULL AND n.reason IN (`+sqlMailedReasons+`)
				AND `+sqlShownNotification+`
			ORDER BY n.id DESC LIMIT $3`, userID, claim.Through, r.PerMail)
		if err != nil {
			return fmt.Errorf("list pending notifications of user %d: %w", userID, err)
		}
		if len(rows) == 0 {
			return nil
		}
		oldest := rows[0].Oldest
		if !forum.MailDue(forum.MailState{Mode: claim.Mode, HasAddress: true, LastSent: claim.LastSent,
			OldestPending: &oldest}, r.Batch, now) {
			return nil // sqlMailDue said yes: the two disagree only if one of them is wrong
		}
		b := &MailBatch{User: claim.User, Email: claim.Email, Mode: claim.Mode,
			Notifications: make([]Notification, len(rows)), More: rows[0].Total - len(rows)}
		for i, row := range rows {
			b.Notifications[i] = row.Notification
			b.Notifications[i].Path = []int64(row.PathArray)
		}
		m, err := compose(b)
		if err != nil {
			return err
		}
		m.UserID, m.To = userID, claim.Email
		if err := enqueueMail(ctx, tx, m); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET mail_through = $2, mail_sent_at = $3 WHERE id = $1`,
			userID, rows[0].ID, now); err != nil {
			return fmt.Errorf("mark notifications of user %d mailed: %w", userID, err)
		}
		queued = true
		return nil
	})
	return queued, err
}
