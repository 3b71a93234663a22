package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"forum/internal/forum"
)

const userColumns = `u.id, u.username, u.password_hash, u.role, u.created_at, u.suspended_until,
	u.suspension_reason, u.post_count, u.hidden_count, u.suspension_count, u.auto_watch, u.lang,
	COALESCE((SELECT n.notifications FROM unread_counts n WHERE n.user_id = u.id), 0) AS unread`

// CreateUser inserts a user with its skeleton (forum.Skeleton). A taken name, or one whose
// skeleton another user's name has, is a conflict error: the unique constraints decide,
// so two look-alikes registering at once cannot both succeed.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash string, role forum.Role) (*forum.User, error) {
	u, err := insertUser(ctx, s.db, username, passwordHash, role)
	if isUniqueViolation(err) {
		return nil, s.nameConflict(ctx, username, forum.Skeleton(username))
	}
	if err != nil {
		return nil, fmt.Errorf("create user %q: %w", username, err)
	}
	return u, nil
}

// insertUser is CreateUser's statement, on the pool or inside a transaction
// (CreateUserWithEmail); the caller turns a unique violation into nameConflict.
func insertUser(ctx context.Context, q interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}, username, passwordHash string, role forum.Role) (*forum.User, error) {
	u := &forum.User{}
	err := q.GetContext(ctx, u, `
		INSERT INTO users AS u (username, password_hash, role, skeleton)
		SELECT $1, $2, $3, $4 WHERE NOT `+sqlNameHeld("$1", "$4", "now()")+` -- a deleted account's, for a while
		RETURNING `+userColumns, username, passwordHash, role, forum.Skeleton(username))
	if isNoRows(err) {
		return nil, forum.NameHeld(username)
	}
	return u, err
}

// nameConflict says which name a refused username collided with: itself, or the user
// holding its skeleton (only that public name is told).
func (s *Store) nameConflict(ctx context.Context, username, skeleton string) error {
	var holder string
	err := s.db.GetContext(ctx, &holder, `
		SELECT username FROM users WHERE username = $1 OR skeleton = $2
		ORDER BY username = $1 DESC, id LIMIT 1`, username, skeleton)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("find the name %q collided with: %w", username, err)
	}
	if holder == "" || holder == username {
		return forum.NameTaken(username)
	}
	return forum.NameTooClose(holder)
}

// SetUserPassword replaces a user's password hash and role (for `forum user add` re-runs).
func (s *Store) SetUserPassword(ctx context.Context, username, passwordHash string, role forum.Role) error {
	res, err := s.db.ExecContext(ctx,
		`UPDATE users SET password_hash = $2, role = $3 WHERE username = $1`, username, passwordHash, role)
	if err != nil {
		return fmt.Errorf("set password of %q: %w", username, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.Errorf(forum.ENotFound, "User %q not found.", username).T("error.not_found.user_named", "Name", username)
	}
	return nil
}

// UserByName loads a user by username.
func (s *Store) UserByName(ctx context.Context, username string) (*forum.User, error) {
	u := &forum.User{}
	err := s.db.GetContext(ctx, u, `SELECT `+userColumns+` FROM users u WHERE u.username = $1 AND u.deleted_at IS NULL`, username)
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
		return forum.Errorf(forum.ENotFound, "User not found.").T("error.not_found.user")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("revoke sessions of user %d: %w", userID, err)
	}
	return nil
}

// KnownUsernames is the part of names that belong to someone, as a set (a post's
// mention candidates: one query, however many).
func (s *Store) KnownUsernames(ctx context.Context, names []string) (map[string]bool, error) {
	known := map[string]bool{}
	if len(names) == 0 {
		return known, nil
	}
	var found []string
	if err := s.db.SelectContext(ctx, &found, `SELECT username FROM users WHERE username = ANY($1) AND deleted_at IS NULL`, pq.StringArray(names)); err != nil {
		return nil, fmt.Errorf("look up mentioned names: %w", err)
	}
	for _, n := range found {
		known[n] = true
	}
	return known, nil
}
