package store

import (
	"context"
	"fmt"
	"time"

	"forum/internal/forum"
)

// SessionRow is one server-side session: the hash of its id, its owner and its payload.
type SessionRow struct {
	IDHash    []byte    `db:"id_hash"`
	UserID    int64     `db:"user_id"`
	Data      []byte    `db:"data"`
	ExpiresAt time.Time `db:"expires_at"`
	// Where and when it was last used (TouchSession); SaveSession leaves them alone.
	LastSeen  time.Time `db:"last_seen_at"`
	IP        string    `db:"ip"`
	UserAgent string    `db:"user_agent"`
}

// SaveSession inserts or updates a session.
func (s *Store) SaveSession(ctx context.Context, row SessionRow) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sessions (id_hash, user_id, data, expires_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id_hash) DO UPDATE SET user_id = EXCLUDED.user_id, data = EXCLUDED.data,
			expires_at = EXCLUDED.expires_at`,
		row.IDHash, row.UserID, row.Data, row.ExpiresAt)
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// SessionWithUser loads an unexpired session and its user in one query: the one query
// every logged-in request pays.
func (s *Store) SessionWithUser(ctx context.Context, idHash []byte) (*SessionRow, *forum.User, error) {
	var row struct {
		SessionRow
		forum.User
	}
	err := s.db.GetContext(ctx, &row, `
		SELECT s.id_hash, s.user_id, s.data, s.expires_at, s.last_seen_at, s.ip, s.user_agent, `+userColumns+`
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND s.expires_at > now()`, idHash)
	if err != nil {
		return nil, nil, notFound(err, "Session")
	}
	return &row.SessionRow, &row.User, nil
}

// DeleteSession revokes one session.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions past their end; serve runs it periodically.
func (s *Store) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= now()`)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
