// Package store is the forum's PostgreSQL access: every SQL statement lives here, beside
// the Go function that runs it. It returns domain types and never renders HTML.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"forum/internal/forum"
	"forum/migrations"
)

// Store wraps the database handle. It is safe for concurrent use.
type Store struct {
	db  *pool // the handle with bounded waits and write slots (pool.go)
	now func() time.Time
	// replica serves the reads that tolerate lag, when set (replica.go).
	replica *replica
	// changed hears of committed writes to threads (versionnotify.go); shared by copies.
	changed *atomic.Pointer[func(threadIDs []int64)]
}

// New wraps an open database handle with no bounds of its own (tools and tests).
func New(db *sqlx.DB) *Store { return NewBounded(db, Options{}) }

// NewBounded wraps db with o's pool wait and write slots; `forum serve` uses it with the
// same Options it gave Open.
func NewBounded(db *sqlx.DB, o Options) *Store {
	return &Store{db: newPool(db, o), now: time.Now, changed: new(atomic.Pointer[func(threadIDs []int64)])}
}

// DB exposes the handle for wiring (metrics, health checks).
func (s *Store) DB() *sqlx.DB { return s.db.DB }

// Migrate applies every pending migration. A PostgreSQL advisory lock held for the whole
// run means two instances starting at once apply each migration exactly once.
func Migrate(ctx context.Context, db *sql.DB) ([]*goose.MigrationResult, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return res, fmt.Errorf("apply migrations: %w", err)
	}
	return res, nil
}

// The public read rule in SQL, for the listings, feeds and search that an index serves:
// forum.CanRead(nil, p) is this condition on posts p, and forum.Listed is kept in
// threads.visible by every write that changes an opening post's status.
const sqlPublicPost = `p.status = '` + string(forum.StatusVisible) + `'`

// inTx runs fn in one transaction: the shape every multi-statement write takes. It holds
// one of the pool's write slots; a busy database's errors come back as 503s (pool.go).
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlxTx) error) error {
	return s.db.tx(ctx, 0, fn)
}

// inThreadTx is inTx for a write to one thread: it also holds one of that thread's
// slots, so writers queued behind the thread's lock cannot take every write slot.
func (s *Store) inThreadTx(ctx context.Context, threadID int64, fn func(tx *sqlxTx) error) error {
	if err := s.db.tx(ctx, threadID, fn); err != nil {
		return err
	}
	s.threadsChanged(threadID) // versionnotify.go
	return nil
}

// inPostTx is inThreadTx for a write to a post, whose thread is looked up first (a
// post never moves). An unknown post runs without a thread slot; fn reports it.
func (s *Store) inPostTx(ctx context.Context, postID int64, fn func(tx *sqlxTx) error) error {
	var threadID int64
	if err := s.db.GetContext(ctx, &threadID, `SELECT thread_id FROM posts WHERE id = $1`, postID); err != nil && !isNoRows(err) {
		return fmt.Errorf("find thread of post %d: %w", postID, err)
	}
	if err := s.db.tx(ctx, threadID, fn); err != nil {
		return err
	}
	if threadID != 0 {
		s.threadsChanged(threadID) // versionnotify.go
	}
	return nil
}

// notFound turns sql.ErrNoRows into the domain's not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFoundWords(forum.Errorf(forum.ENotFound, "%s not found.", what), what)
	}
	return err
}

// isUniqueViolation reports a UNIQUE constraint failure (SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23505"
}

// sqlxTx is the transaction type the helpers take.
type sqlxTx = sqlx.Tx

// isForeignKeyViolation reports a REFERENCES failure (SQLSTATE 23503).
func isForeignKeyViolation(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "23503"
}

// isNoRows reports sql.ErrNoRows.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// beforeID reads a listing's one-id keyset cursor (a previous page's Next; "" for the
// first page) into the condition "AND col < $n" on the argument after args, which it
// returns with that argument appended. A cursor that is not ours is forum.ErrBadCursor.
func beforeID(before, col string, args ...any) (string, []any, error) {
	if before == "" {
		return "", args, nil
	}
	c, err := forum.ParseCursor(before, 1)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("AND %s < $%d", col, len(args)+1), append(args, c.Int(0)), nil
}
