package store

import (
	"context"
	"fmt"
	"time"

	"forum/internal/forum"
)

const userColumns = `u.id, u.username, u.password_hash, u.role, u.created_at, u.suspended_until,
	u.suspension_reason, u.post_count, u.hidden_count, u.suspension_count`

// CreateUser inserts a user; a taken name is a conflict error.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash string, role forum.Role) (*forum.User, error) {
	u := &forum.User{}
	err := s.db.GetContext(ctx, u, `
		INSERT INTO users AS u (username, password_hash, role) VALUES ($1, $2, $3)
		RETURNING `+userColumns, username, passwordHash, role)
	if isUniqueViolation(err) {
		return nil, forum.Errorf(forum.EConflict, "The username %q is taken. Please choose another.", username)
	}
	if err != nil {
		return nil, fmt.Errorf("create user %q: %w", username, err)
	}
	return u, nil
}

// SetUserPassword replaces a user's password hash and role (for `forum user add` re-runs).
func (s *Store) SetUserPassword(ctx context.Context, username, passwordHash string, role forum.Role) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE users SET password_hash = $2, role = $3 WHERE username = $1`, username, passwordHash, role)
	if err != nil {
		return fmt.Errorf("set password of %q: %w", username, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.Errorf(forum.ENotFound, "User %q not found.", username)
	}
	return nil
}

// UserByName loads a user by username.
func (s *Store) UserByName(ctx context.Context, username string) (*forum.User, error) {
	u := &forum.User{}
	err := s.db.GetContext(ctx, u, `SELECT `+userColumns+` FROM users u WHERE u.username = $1`, username)
	if err != nil {
		return nil, notFound(err, "User")
	}
	return u, nil
}

// UserByID loads a user by id.
func (s *Store) UserByID(ctx context.Context, id int64) (*forum.User, error) {
	u := &forum.User{}
	err := s.db.GetContext(ctx, u, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id)
	if err != nil {
		return nil, notFound(err, "User")
	}
	return u, nil
}

// suspendTx bars a user from writing until `until` and revokes every session of theirs,
// so the suspension takes effect at once on every instance.
func suspendTx(ctx context.Context, tx *sqlxTx, userID int64, until time.Time, reason string) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE users SET suspended_until = $2, suspension_reason = $3,
			suspension_count = suspension_count + 1
		WHERE id = $1`, userID, until, reason)
	if err != nil {
		return fmt.Errorf("suspend user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.Errorf(forum.ENotFound, "User not found.")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("revoke sessions of user %d: %w", userID, err)
	}
	return nil
}
