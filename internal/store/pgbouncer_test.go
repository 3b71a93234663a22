package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

// TestPgBouncerMode: with Options.PgBouncer (FORUM_DB_PGBOUNCER) no connection carries
// state of its own — the timeouts are no startup parameters and nothing a transaction
// set outlives it — yet a write queued behind a locked row still gives up after the lock
// timeout, and the store's statements run in lib/pq's one-round-trip mode. (Through a
// real PgBouncer: internal/multitest.)
func TestPgBouncerMode(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	// One connection, so every statement below runs on the connection the write used.
	opts := store.Options{MaxConns: 1, StatementTimeout: 3 * time.Second, LockTimeout: 300 * time.Millisecond,
		PoolWait: 5 * time.Second, PgBouncer: true}
	pool, err := store.Open(t.Context(), db.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	st := store.NewBounded(pool, opts)
	fx := fixture.New(t, st, nil) // users, a thread and a reply: []byte and text arguments, binary mode
	author := fx.User("author", forum.RoleMember)
	th, _ := fx.Thread(author, "A thread", "Opening post.")
	fx.Reply(th, author, nil, "A first reply.", forum.StanceNone)

	settings := func() (stmt, lock string) {
		t.Helper()
		if err := pool.QueryRowContext(t.Context(), `SELECT current_setting('statement_timeout'), current_setting('lock_timeout')`).
			Scan(&stmt, &lock); err != nil {
			t.Fatal(err)
		}
		return stmt, lock
	}
	var serverStmt, serverLock string
	if err := db.QueryRowContext(t.Context(), `SELECT current_setting('statement_timeout'), current_setting('lock_timeout')`).
		Scan(&serverStmt, &serverLock); err != nil {
		t.Fatal(err)
	}
	if s, l := settings(); s != serverStmt || l != serverLock {
		t.Fatalf("pooled connection has statement_timeout %s, lock_timeout %s; want the server's %s, %s (no startup parameters)",
			s, l, serverStmt, serverLock)
	}

	// Someone holds the thread's row: the reply gives up after the lock timeout.
	locker, err := sql.Open("postgres", db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	tx, err := locker.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	if _, err := tx.Exec(`SELECT id FROM threads WHERE id = $1 FOR UPDATE`, th.ID); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err = st.CreateReply(ctx, store.NewReply{ThreadID: th.ID, AuthorID: author.ID, BodySource: "Queued.", BodyHTML: "<p>Queued.</p>"})
	if ctx.Err() != nil {
		t.Fatal("a write behind a locked row waited without end: no lock timeout in the transaction")
	}
	if !errors.Is(err, store.ErrRowBusy) {
		t.Fatalf("a write behind a locked row: %v; want ErrRowBusy (a 503 with Retry-After)", err)
	}
	_ = tx.Rollback()

	// The transaction's SET LOCAL ended with it: the connection is as it came.
	if s, l := settings(); s != serverStmt || l != serverLock {
		t.Fatalf("after a write the connection keeps statement_timeout %s, lock_timeout %s; want %s, %s", s, l, serverStmt, serverLock)
	}
	fx.Reply(th, author, nil, "Written once the row is free.", forum.StanceNone)
}
