package synth

import (
	"context"
	"database/sql"
	"fmt"
)

// analyze refreshes the planner's statistics after the load. Like the load, it runs
// without the server's statement bound (a connection setting meant for requests): at a
// million posts ANALYZE takes longer than a request may.
func analyze(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("synthetic: analyze: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return fmt.Errorf("synthetic: analyze: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("synthetic: analyze: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("synthetic: analyze: %w", err)
	}
	return nil
}
