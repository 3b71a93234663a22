package live

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
)

// syncPrefix marks Sync's barrier on VersionChannel; other instances ignore it.
const syncPrefix = "sync:"

// Sync returns once this hub has handled every notification committed before the call:
// it sends a NOTIFY of its own through db and waits to hear it, and PostgreSQL delivers
// notifications in commit order. A write made through another instance is then known
// to this instance's page cache; tests use it instead of waiting on a clock.
func (h *Hub) Sync(ctx context.Context, db *sql.DB) error {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	ch := make(chan struct{})
	h.mu.Lock()
	if h.syncs == nil {
		h.syncs = map[string]chan struct{}{}
	}
	h.syncs[token] = ch
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.syncs, token)
		h.mu.Unlock()
	}()
	if _, err := db.ExecContext(ctx, `SELECT pg_notify($1, $2)`, VersionChannel, syncPrefix+token); err != nil {
		return fmt.Errorf("live sync: %w", err)
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("live sync: %w", ctx.Err())
	}
}
