package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// Every write takes its locks in one order — the thread row, then its posts, then user
// rows for their counters — so two writes to one thread queue up instead of deadlocking,
// and a rule checked under the lock (forum.CanReply, CanEdit, ...) still holds when the
// write commits.

// actor loads the acting user inside the transaction, so a suspension or a role change
// committed before the write is seen. It takes no lock: the user row is updated later in
// many writes (post counts), and a shared lock there would deadlock two of them.
func actor(ctx context.Context, tx *sqlxTx, userID int64) (*forum.User, error) {
	u := &forum.User{}
	if err := tx.GetContext(ctx, u, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, userID); err != nil {
		if isNoRows(err) {
			return nil, forum.ErrLoginRequired
		}
		return nil, fmt.Errorf("load acting user %d: %w", userID, err)
	}
	return u, nil
}

// lockThread loads a thread FOR UPDATE with what the rules need to know of it.
func lockThread(ctx context.Context, tx *sqlxTx, threadID int64) (*forum.Thread, error) {
	t := &forum.Thread{}
	err := tx.GetContext(ctx, t, `SELECT `+threadColumns+threadFrom+`WHERE t.id = $1 FOR UPDATE OF t`, threadID)
	if err != nil {
		return nil, notFound(err, "Thread")
	}
	return t, nil
}

// lockPost locks a post's thread and then the post, and returns both. The thread id is
// read first without a lock (a post never moves), so the thread's lock comes first.
func lockPost(ctx context.Context, tx *sqlxTx, postID int64) (*forum.Thread, *forum.Post, error) {
	var threadID int64
	if err := tx.GetContext(ctx, &threadID, `SELECT thread_id FROM posts WHERE id = $1`, postID); err != nil {
		return nil, nil, notFound(err, "Post")
	}
	t, err := lockThread(ctx, tx, threadID)
	if err != nil {
		return nil, nil, err
	}
	var r postRow
	if err := tx.GetContext(ctx, &r, `SELECT `+postColumns+` FROM posts p JOIN users u ON u.id = p.author_id
		WHERE p.id = $1 FOR UPDATE OF p`, postID); err != nil {
		return nil, nil, notFound(err, "Post")
	}
	p := r.post()
	return t, &p, nil
}

// lockIdempotencyKey serialises the writes that carry one author's idempotency key, so
// the same form sent twice at once is looked up after the first write commits and never
// reaches the unique index as a second insert. Transaction-scoped: released at commit.
func lockIdempotencyKey(ctx context.Context, tx *sqlxTx, authorID int64, key string) error {
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, $2))`,
		key, authorID); err != nil {
		return fmt.Errorf("lock idempotency key: %w", err)
	}
	return nil
}
