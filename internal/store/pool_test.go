package store_test

import (
	"database/sql"
	"errors"
	"sync"
	"testing"
	"time"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

// TestBoundedPool: a stuck row or a full pool costs a request a 503 that says to try
// again, soon, instead of a wait without end.
func TestBoundedPool(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	opts := store.Options{MaxConns: 4, StatementTimeout: 3 * time.Second, LockTimeout: 500 * time.Millisecond,
		PoolWait: 300 * time.Millisecond, WritersPerThread: 2}
	pool, err := store.Open(t.Context(), db.URL, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	st := store.NewBounded(pool, opts)
	fx := fixture.New(t, st, nil)
	author := fx.User("author", forum.RoleMember)
	th, _ := fx.Thread(author, "A thread", "Opening post.")

	// lockThread holds the thread's row lock from outside the pool until the subtest ends.
	lockThread := func(t *testing.T) {
		t.Helper()
		locker, err := sql.Open("postgres", db.URL)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := locker.BeginTx(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = tx.Rollback(); locker.Close() })
		if _, err := tx.Exec(`SELECT id FROM threads WHERE id = $1 FOR UPDATE`, th.ID); err != nil {
			t.Fatal(err)
		}
	}
	reply := func(t *testing.T) (time.Duration, error) {
		start := time.Now()
		_, err := st.CreateReply(t.Context(), store.NewReply{ThreadID: th.ID, AuthorID: author.ID,
			BodySource: "A reply.", BodyHTML: "<p>A reply.</p>"})
		return time.Since(start), err
	}
	wantBusy := func(t *testing.T, err, want error) {
		t.Helper()
		var de *forum.Error
		if !errors.Is(err, want) || !errors.As(err, &de) || de.Code != forum.EUnavailable || de.RetryAfter <= 0 {
			t.Fatalf("got %v; want %v: a 503 with Retry-After", err, want)
		}
	}

	t.Run("EveryConnectionCarriesTheTimeouts", func(t *testing.T) {
		for setting, want := range map[string]string{"statement_timeout": "3s", "lock_timeout": "500ms"} {
			var got string
			if err := st.DB().GetContext(t.Context(), &got, `SELECT current_setting($1)`, setting); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s = %q, want %q", setting, got, want)
			}
		}
	})

	t.Run("WriteBehindALockedRowGivesUpAtTheLockTimeout", func(t *testing.T) {
		lockThread(t)
		took, err := reply(t)
		wantBusy(t, err, store.ErrRowBusy)
		if took < opts.LockTimeout || took > opts.LockTimeout+time.Second {
			t.Fatalf("refused after %s; want about the lock timeout, %s", took, opts.LockTimeout)
		}
	})

	t.Run("StatementTimeoutEndsAWaitTheLockTimeoutDoesNot", func(t *testing.T) {
		// Without a lock timeout (say the role has none), the statement timeout still
		// ends the wait, and says so.
		o := store.Options{MaxConns: 2, StatementTimeout: 300 * time.Millisecond, PoolWait: time.Second}
		pool, err := store.Open(t.Context(), db.URL, o)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		lockThread(t)
		start := time.Now()
		_, err = store.NewBounded(pool, o).CreateReply(t.Context(), store.NewReply{ThreadID: th.ID,
			AuthorID: author.ID, BodySource: "A reply.", BodyHTML: "<p>A reply.</p>"})
		wantBusy(t, err, store.ErrSlow)
		if took := time.Since(start); took > o.StatementTimeout+time.Second {
			t.Fatalf("refused after %s; want about the statement timeout, %s", took, o.StatementTimeout)
		}
	})

	t.Run("WritersBeyondTheThreadsSlotsWaitWithoutAConnection", func(t *testing.T) {
		lockThread(t)
		const n = 5
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = reply(t) })
		}
		// While they wait, the pool still serves reads at once.
		readStart := time.Now()
		if _, err := st.ThreadByID(t.Context(), th.ID); err != nil {
			t.Errorf("read while writers wait: %v", err)
		}
		if took := time.Since(readStart); took > opts.PoolWait {
			t.Errorf("read while writers wait took %s", took)
		}
		wg.Wait()
		var rowBusy, threadBusy int
		for _, err := range errs {
			switch {
			case errors.Is(err, store.ErrRowBusy):
				rowBusy++
			case errors.Is(err, store.ErrThreadBusy):
				threadBusy++
				wantBusy(t, err, store.ErrThreadBusy)
			default:
				t.Errorf("got %v; want a busy error", err)
			}
		}
		if rowBusy != opts.WritersPerThread || threadBusy != n-opts.WritersPerThread {
			t.Fatalf("%d waited on the row, %d for a slot; want %d and %d", rowBusy, threadBusy,
				opts.WritersPerThread, n-opts.WritersPerThread)
		}
	})

	t.Run("WaitForAConnectionIsBounded", func(t *testing.T) {
		for range opts.MaxConns { // every connection taken, as by slow requests
			c, err := st.DB().Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
		}
		start := time.Now()
		_, err := st.Categories(t.Context())
		wantBusy(t, err, store.ErrPoolBusy)
		if took := time.Since(start); took > opts.PoolWait+time.Second {
			t.Fatalf("refused after %s; want about the pool wait, %s", took, opts.PoolWait)
		}
		_, err = reply(t)
		wantBusy(t, err, store.ErrPoolBusy)
		// /readyz tells a full pool from a database that does not answer.
		if err := st.Ping(t.Context()); !errors.Is(err, store.ErrPoolBusy) {
			t.Fatalf("Ping on a full pool: %v; want ErrPoolBusy", err)
		}
	})
}
