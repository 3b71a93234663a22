package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"
)

// VersionChannel is the NOTIFY channel that names a thread whose pages changed (its
// version moved) by a write that sends no thread_events NOTIFY: moderation, pins,
// locks, deletions, marks, a new thread. Every instance's page cache keeps thread
// versions and the listing generation in memory and moves them on these and on
// thread_events (replies, edits), so a cache hit needs no query (internal/web
// pagecache.go). Sent inside the writing transaction: delivered exactly when it commits.
// These writes are rare next to replies, whose NOTIFY goes out after commit
// (announce.go) to keep replies from committing one at a time. live.VersionChannel
// listens on the same name.
const VersionChannel = "thread_versions"

// notifyVersions tells every instance that the threads' pages changed.
func notifyVersions(ctx context.Context, tx *sqlxTx, threadIDs ...int64) error {
	if len(threadIDs) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify('`+VersionChannel+`', x::text) FROM unnest($1::bigint[]) x`,
		pq.Int64Array(threadIDs)); err != nil {
		return fmt.Errorf("notify version of threads %v: %w", threadIDs, err)
	}
	return nil
}

// OnThreadsChanged registers f to hear, right after commit, of every write through this
// Store that may have changed threads' pages: the threads' ids, or none when the write
// cannot name them (every thread may have changed). The page cache evicts on it, so a
// visitor of this instance sees a write made through it at once, before its NOTIFY comes
// back. Register it once, before the Store is used.
func (s *Store) OnThreadsChanged(f func(threadIDs []int64)) { s.changed.Store(&f) }

// threadsChanged tells the registered hook that a committed write changed the threads.
func (s *Store) threadsChanged(threadIDs ...int64) {
	if f := s.changed.Load(); f != nil {
		(*f)(threadIDs)
	}
}
