package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"forum/internal/forum"
)

// UserChannel is the NOTIFY channel that tells every instance whose unread count moved:
// {"users":[ids]}, or {"all":true} when the list would not fit in a notification.
const UserChannel = "user_events"

// notifyAllAbove is the recipient count past which the payload says "all" instead of
// listing ids (a NOTIFY payload holds under 8,000 bytes).
const notifyAllAbove = 400

// newPost is what a post's fan-out needs to know.
type newPost struct {
	ThreadID   int64
	PostID     int64
	AuthorID   int64
	RepliedTo  int64    // the parent post's author; 0 for an opening post
	Mentions   []string // forum.MentionsToNotify of the post's known mentions
	CategoryID int      // the category of a new thread; 0 for a reply
	Edit       bool     // an edit: only newly mentioned people, and nobody already notified of the post
}

// notifyNewPost writes the notifications of a new post in the writing transaction, in
// one statement whatever the number of watchers: forum.NotifyFor in SQL (the candidates
// ranked by forum.PostReasons, the strongest reason per person kept, mutes and the author
// left out), each recipient's kept unread count moved, and a NOTIFY naming them. The
// counters are taken in user id order, so two fan-outs never wait on each other crosswise.
func notifyNewPost(ctx context.Context, tx *sqlxTx, n newPost) error {
	q, args := fanOutSQL(n)
	if _, err := tx.ExecContext(ctx, q+`
		SELECT pg_notify('`+UserChannel+`', `+sqlUsersPayload()+`) FROM counted HAVING count(*) > 0`, args...); err != nil {
		return fmt.Errorf("notify of post %d: %w", n.PostID, err)
	}
	return nil
}

// sqlUsersPayload is the UserChannel payload naming the users of a "counted" CTE.
func sqlUsersPayload() string {
	return `CASE WHEN count(*) <= ` + fmt.Sprint(notifyAllAbove) + `
		THEN json_build_object('users', array_agg(user_id))::text ELSE '{"all":true}' END`
}

// fanOutSQL is notifyNewPost's statement up to its last CTE, "counted" (the recipients
// whose unread counts moved), with its arguments; the caller adds the final SELECT.
func fanOutSQL(n newPost) (string, []any) {
	reasons := make([]string, len(forum.PostReasons))
	for i, r := range forum.PostReasons {
		reasons[i] = string(r)
	}
	return `
		WITH cand AS (
			SELECT u.id AS user_id, 1 AS rank FROM users u WHERE u.id = $4 AND u.deleted_at IS NULL -- deleted accounts are told nothing
			UNION ALL SELECT u.id, 2 FROM users u WHERE u.username = ANY($5) AND u.deleted_at IS NULL
			UNION ALL SELECT w.user_id, 3 FROM thread_watches w WHERE w.thread_id = $1 AND w.level = 'watch' AND NOT $8
			UNION ALL SELECT cw.user_id, 4 FROM category_watches cw WHERE cw.category_id = $6
		), best AS (
			SELECT DISTINCT ON (user_id) user_id, rank FROM cand WHERE user_id <> $3 ORDER BY user_id, rank
		), ins AS (
			INSERT INTO notifications (user_id, post_id, thread_id, actor_id, reason)
			SELECT b.user_id, $2, $1, $3, ($7::text[])[b.rank] FROM best b
			WHERE NOT EXISTS (SELECT 1 FROM thread_watches w WHERE w.user_id = b.user_id AND w.thread_id = $1 AND w.level = 'mute')
				AND NOT EXISTS (SELECT 1 FROM user_mutes m WHERE m.user_id = b.user_id AND m.muted_id = $3)
				AND (NOT $8 OR NOT EXISTS (SELECT 1 FROM notifications x WHERE x.user_id = b.user_id AND x.post_id = $2
					AND x.reason = ANY($7)))
			ORDER BY b.user_id
			ON CONFLICT DO NOTHING
			RETURNING user_id
		), counted AS (
			INSERT INTO unread_counts (user_id, notifications)
			SELECT user_id, 1 FROM ins ORDER BY user_id
			ON CONFLICT (user_id) DO UPDATE SET notifications = unread_counts.notifications + 1
			RETURNING user_id
		)`, []any{n.ThreadID, n.PostID, n.AuthorID, n.RepliedTo, pq.StringArray(n.Mentions), n.CategoryID,
			pq.StringArray(reasons), n.Edit}
}

// autoWatch watches a thread for a user who starts or replies to it, unless they turned
// that off or already chose a level for it.
func autoWatch(ctx context.Context, tx *sqlxTx, userID, threadID int64) error {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO thread_watches (user_id, thread_id, level)
		SELECT id, $2, 'watch' FROM users WHERE id = $1 AND auto_watch
		ON CONFLICT DO NOTHING`, userID, threadID); err != nil {
		return fmt.Errorf("watch thread %d: %w", threadID, err)
	}
	return nil
}

// notifyDecision tells a post's author and the people whose flags were resolved what a
// moderator decided. A later decision on the same post replaces the earlier notice (as
// a new, unread one). The caller recounts the recipients (recountUnread).
func notifyDecision(ctx context.Context, tx *sqlxTx, p *forum.Post, moderatorID int64, decision string, flaggers []int64) ([]int64, error) {
	type notice struct {
		user   int64
		reason forum.NotifyReason
	}
	var notices []notice
	if p.AuthorID != moderatorID {
		notices = append(notices, notice{p.AuthorID, forum.ReasonModeration})
	}
	for _, f := range flaggers {
		if f != moderatorID && f != p.AuthorID {
			notices = append(notices, notice{f, forum.ReasonFlag})
		}
	}
	users := make([]int64, 0, len(notices))
	for _, nt := range notices {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO notifications (user_id, post_id, thread_id, actor_id, reason, detail)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (post_id, user_id, reason) WHERE reason <> 'insightful' DO UPDATE SET -- a new id: it lists as the newest
				id = nextval(pg_get_serial_sequence('notifications', 'id')), actor_id = EXCLUDED.actor_id,
				detail = EXCLUDED.detail, created_at = now(), read_at = NULL`, nt.user, p.ID, p.ThreadID, moderatorID, nt.reason, decision); err != nil {
			return nil, fmt.Errorf("notify %d of decision on post %d: %w", nt.user, p.ID, err)
		}
		users = append(users, nt.user)
	}
	return users, nil
}

// sqlShownNotification is forum.NotificationShown in SQL, for a notification n joined to
// its post p and thread t: the store's tests hold the two equal.
const sqlShownNotification = `(n.reason IN ('moderation', 'flag') OR (
	p.status = 'visible' AND t.visible
	AND NOT EXISTS (SELECT 1 FROM user_mutes m WHERE m.user_id = n.user_id AND m.muted_id = n.actor_id)
	AND NOT EXISTS (SELECT 1 FROM thread_watches w WHERE w.user_id = n.user_id AND w.thread_id = n.thread_id AND w.level = 'mute')))`

// recountUnread sets each user's kept unread count to the unread notifications they are
// shown (after a hide, a restore, a mute, a reading), in user id order, and tells every
// instance. Each user's recount reads only their unread rows (notifications_unread_idx).
func recountUnread(ctx context.Context, tx *sqlxTx, users []int64) error {
	if len(users) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `
		WITH counted AS (
			INSERT INTO unread_counts (user_id, notifications)
			SELECT r.id, (SELECT count(*) FROM notifications n
				JOIN posts p ON p.id = n.post_id JOIN threads t ON t.id = n.thread_id
				WHERE n.user_id = r.id AND n.read_at IS NULL AND `+sqlShownNotification+`)
			FROM (SELECT DISTINCT id FROM unnest($1::bigint[]) AS r(id)) r
			ORDER BY r.id
			ON CONFLICT (user_id) DO UPDATE SET notifications = EXCLUDED.notifications
			RETURNING user_id
		)
		SELECT pg_notify('`+UserChannel+`', CASE WHEN count(*) <= `+fmt.Sprint(notifyAllAbove)+`
			THEN json_build_object('users', array_agg(user_id))::text ELSE '{"all":true}' END)
		FROM counted HAVING count(*) > 0`, pq.Int64Array(users)); err != nil {
		return fmt.Errorf("recount unread notifications: %w", err)
	}
	return nil
}

// notifiedOf lists the people notified of a post (or, for an opening post, of anything
// in its thread: the thread's listing decides them all).
func notifiedOf(ctx context.Context, tx *sqlxTx, p *forum.Post) ([]int64, error) {
	var users []int64
	q := `SELECT DISTINCT user_id FROM notifications WHERE post_id = $1`
	arg := p.ID
	if p.Depth == 0 { // through the thread's posts (posts_thread_id_idx), then each post's
		q, arg = `SELECT DISTINCT n.user_id FROM posts p JOIN notifications n ON n.post_id = p.id WHERE p.thread_id = $1`, p.ThreadID
	}
	if err := tx.SelectContext(ctx, &users, q, arg); err != nil {
		return nil, fmt.Errorf("people notified of post %d: %w", p.ID, err)
	}
	return users, nil
}

// Notification is one entry of a person's list, with its post as it is now.
type Notification struct {
	ID             int64              `db:"notification_id"`
	Reason         forum.NotifyReason `db:"reason"`
	Detail         string             `db:"detail"`
	NotifiedAt     time.Time          `db:"notified_at"`
	ReadAt         *time.Time         `db:"read_at"`
	ActorName      string             `db:"actor_name"`
	ThreadTitle    string             `db:"thread_title"`
	ThreadSlug     string             `db:"thread_slug"`
	ThreadAuthorID int64              `db:"thread_author_id"`
	ThreadStatus   forum.PostStatus   `db:"thread_status"`
	ThreadListed   bool               `db:"thread_listed"`
	forum.Post
}

// Thread is the notification's thread as far as forum.ThreadTitle needs it.
func (n *Notification) Thread() *forum.Thread {
	return &forum.Thread{ID: n.ThreadID, Title: n.ThreadTitle, Slug: n.ThreadSlug, AuthorID: n.ThreadAuthorID,
		OpeningStatus: n.ThreadStatus, Visible: n.ThreadListed}
}

// NotificationPage is one page of a person's notifications, newest first.
type NotificationPage struct {
	Notifications []Notification
	Next          string // cursor for the following page; "" on the last page
}

// Notifications lists the notifications userID is shown (sqlShownNotification), newest
// first, after a cursor from a previous page's Next.
func (s *Store) Notifications(ctx context.Context, userID int64, before string, limit int) (*NotificationPage, error) {
	keyset, args, err := beforeID(before, "n.id", userID, limit+1)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Notification
		PathArray pq.Int64Array `db:"path"`
	}
	err = s.db.SelectContext(ctx, &rows, `
		SELECT n.id AS notification_id, n.reason, n.detail, n.created_at AS notified_at, n.read_at,
			`+sqlDisplayName("a")+` AS actor_name, t.title AS thread_title, t.slug AS thread_slug, t.author_id AS thread_author_id,
			t.opening_status AS thread_status, t.visible AS thread_listed, `+postColumns+`
		FROM notifications n
			JOIN users a ON a.id = n.actor_id
			JOIN threads t ON t.id = n.thread_id
			JOIN posts p ON p.id = n.post_id JOIN users u ON u.id = p.author_id
		WHERE n.user_id = $1 AND `+sqlShownNotification+` `+keyset+`
		ORDER BY n.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications of user %d: %w", userID, err)
	}
	list := make([]Notification, len(rows))
	for i, r := range rows {
		list[i] = r.Notification
		list[i].Path = []int64(r.PathArray)
	}
	page := &NotificationPage{}
	page.Notifications, page.Next = forum.Paginate(list, limit, func(n Notification) forum.Cursor {
		return forum.NewCursor(n.ID)
	})
	return page, nil
}

// MarkNotificationsRead marks the listed notifications of userID read (those a page
// showed), or all of them when ids is nil, and recounts the unread count.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID int64, ids []int64) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		q, args := `UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL`, []any{userID}
		if ids != nil {
			q += ` AND id = ANY($2)`
			args = append(args, pq.Int64Array(ids))
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("mark notifications of user %d read: %w", userID, err)
		}
		return recountUnread(ctx, tx, []int64{userID})
	})
}

// UnreadCount is a user's kept unread count.
func (s *Store) UnreadCount(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COALESCE((SELECT notifications FROM unread_counts WHERE user_id = $1), 0)`, userID); err != nil {
		return 0, fmt.Errorf("unread count of user %d: %w", userID, err)
	}
	return n, nil
}
