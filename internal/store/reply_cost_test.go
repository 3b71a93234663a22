package store_test

import (
	"testing"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

// maxReplyStatements is what one reply may cost in statements, BEGIN and COMMIT aside:
// under load on a small machine every statement is two round trips, each a wait to be
// scheduled, so the reply's writes are combined (its counts into its INSERT, the
// writer's watch into its event) and this bound keeps them so.
const maxReplyStatements = 8

// TestReplyStatements: a reply with notifications and an idempotency key runs at most
// maxReplyStatements statements, announcement and the post read back included.
func TestReplyStatements(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	st := store.New(db.DB)
	fx := fixture.New(t, st, nil)
	writer := fx.User("writer", forum.RoleMember)
	watcher := fx.User("watcher", forum.RoleMember)
	th, op := fx.Thread(watcher, "A watched thread", "opening")
	before := db.Queries()
	p, err := st.CreateReply(t.Context(), store.NewReply{ThreadID: th.ID, ParentID: op.ID, AuthorID: writer.ID,
		BodySource: "news", BodyHTML: "<p>news</p>", IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := db.Queries() - before; n > maxReplyStatements {
		t.Fatalf("a reply ran %d statements; at most %d", n, maxReplyStatements)
	}
	// The combined statement still did all it replaced.
	var counts struct {
		Replies     int   `db:"reply_count"`
		LastPost    int64 `db:"last_post_id"`
		Children    int   `db:"child_count"`
		Descendants int   `db:"descendant_count"`
		Posts       int   `db:"post_count"`
		Watching    bool  `db:"watching"`
	}
	if err := db.Get(&counts, `SELECT t.reply_count, t.last_post_id, p.child_count, p.descendant_count, u.post_count,
			EXISTS (SELECT 1 FROM thread_watches w WHERE w.user_id = u.id AND w.thread_id = t.id AND w.level = 'watch') AS watching
		FROM threads t, posts p, users u WHERE t.id = $1 AND p.id = $2 AND u.id = $3`, th.ID, op.ID, writer.ID); err != nil {
		t.Fatal(err)
	}
	if counts.Replies != 1 || counts.LastPost != p.ID || counts.Children != 1 || counts.Descendants != 1 ||
		counts.Posts != 1 || !counts.Watching {
		t.Fatalf("after one reply: %+v", counts)
	}
}
