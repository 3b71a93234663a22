// Package store is the forum's PostgreSQL access: every SQL statement lives here, beside
// the Go function that runs it. It returns domain types and never renders HTML.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	db  *sqlx.DB
	now func() time.Time
}

// New wraps an open database handle.
func New(db *sqlx.DB) *Store {
	return &Store{db: db, now: time.Now}
}

// Open connects to PostgreSQL and checks the connection.
func Open(ctx context.Context, url string) (*sqlx.DB, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database: %w", err)
	}
	return db, nil
}

// DB exposes the handle for wiring (metrics, health checks).
func (s *Store) DB() *sqlx.DB { return s.db }

// Ping checks the database answers; /readyz uses it.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	var one int
	if err := s.db.GetContext(ctx, &one, `SELECT 1`); err != nil {
		return fmt.Errorf("query database: %w", err)
	}
	return nil
}

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

// inTx runs fn in one transaction: the shape every multi-statement write takes.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlxTx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// notFound turns sql.ErrNoRows into the domain's not-found error.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return forum.Errorf(forum.ENotFound, "%s not found.", what)
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
