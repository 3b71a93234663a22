package store_test

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/lib/pq"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

// TestOutOfResourcesIsUnavailable: PostgreSQL out of disk, memory or connection slots
// (SQLSTATE class 53) is a 503 with Retry-After that says what happened, not a 500.
func TestOutOfResourcesIsUnavailable(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	st := store.New(db.DB)
	fx := fixture.New(t, st, nil)
	author := fx.User("author", forum.RoleMember)
	th, _ := fx.Thread(author, "A thread", "Opening post.")

	wantUnavailable := func(t *testing.T, err, want error, sqlstate pq.ErrorCode, retryAfter time.Duration) {
		t.Helper()
		var de *forum.Error
		var pqErr *pq.Error
		if !errors.Is(err, want) || !errors.As(err, &de) || de.Code != forum.EUnavailable || de.RetryAfter != retryAfter {
			t.Fatalf("got %v; want %v: a 503 with Retry-After %s", err, want, retryAfter)
		}
		if !errors.As(err, &pqErr) || pqErr.Code != sqlstate {
			t.Fatalf("got %v; want PostgreSQL's SQLSTATE %s kept in the chain for the log", err, sqlstate)
		}
	}

	// A write that PostgreSQL refuses for want of room: a trigger raises the very error a
	// full disk gives (ERROR: could not extend file ..., SQLSTATE 53100) in the reply's
	// transaction, as does running out of memory.
	for _, code := range []pq.ErrorCode{"53100", "53200", "53000"} {
		t.Run(string(code), func(t *testing.T) {
			if _, err := db.Exec(fmt.Sprintf(`
				CREATE OR REPLACE FUNCTION no_room() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '%s'; END $$;
				CREATE OR REPLACE TRIGGER no_room BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION no_room();`, code)); err != nil {
				t.Fatal(err)
			}
			_, err := st.CreateReply(t.Context(), store.NewReply{ThreadID: th.ID, AuthorID: author.ID,
				BodySource: "A reply.", BodyHTML: "<p>A reply.</p>"})
			wantUnavailable(t, err, store.ErrDatabaseFull, code, time.Minute)
		})
	}
	if _, err := db.Exec(`DROP TRIGGER no_room ON posts`); err != nil {
		t.Fatal(err)
	}

	// Every connection slot taken: a role allowed one connection, which another client
	// holds (superusers are exempt from connection limits, so the role is an ordinary one).
	t.Run("53300", func(t *testing.T) {
		role := fmt.Sprintf("limited_%d", time.Now().UnixNano())
		if _, err := db.Exec(`CREATE ROLE ` + pq.QuoteIdentifier(role) + ` LOGIN CONNECTION LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = db.Exec(`DROP ROLE ` + pq.QuoteIdentifier(role)) }) // after the pools close
		u, err := url.Parse(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.User(role)
		holder, err := sql.Open("postgres", u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { holder.Close() })
		if err := holder.PingContext(t.Context()); err != nil {
			t.Fatal(err)
		}
		pool, err := store.Open(t.Context(), u.String(), store.Options{MaxConns: 2, PoolWait: time.Second, Lazy: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pool.Close() })
		limited := store.NewBounded(pool, store.Options{MaxConns: 2, PoolWait: time.Second})
		wantUnavailable(t, limited.Ping(t.Context()), store.ErrNoDatabase, "53300", 2*time.Second)
		_, err = limited.ThreadByID(t.Context(), th.ID)
		wantUnavailable(t, err, store.ErrNoDatabase, "53300", 2*time.Second)
	})
}
