package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// A person's secret tokens: the private feed's and the API's. Only their SHA-256 is kept
// (package secret), in a UNIQUE column whose index serves the look-up; setting a new one
// replaces the old in the same row, so the old one stops working at once.
const (
	feedTokenColumn = "feed_token_hash"
	apiTokenColumn  = "api_token_hash"
)

// SetFeedToken makes hash (the SHA-256 of a new token) userID's private feed token.
func (s *Store) SetFeedToken(ctx context.Context, userID int64, hash []byte) error {
	return s.setToken(ctx, feedTokenColumn, userID, hash)
}

// UserByFeedToken is the owner of the private feed token hashed; not found for a token
// nobody holds (never issued, or replaced).
func (s *Store) UserByFeedToken(ctx context.Context, hash []byte) (*forum.User, error) {
	return s.userByToken(ctx, feedTokenColumn, hash)
}

// SetAPIToken makes hash (the SHA-256 of a new token) userID's API token.
func (s *Store) SetAPIToken(ctx context.Context, userID int64, hash []byte) error {
	return s.setToken(ctx, apiTokenColumn, userID, hash)
}

// UserByAPIToken is the owner of the API token hashed; not found for a token nobody
// holds (never issued, or replaced).
func (s *Store) UserByAPIToken(ctx context.Context, hash []byte) (*forum.User, error) {
	return s.userByToken(ctx, apiTokenColumn, hash)
}

// TokenState says which tokens a person has, without them.
type TokenState struct {
	Feed bool `db:"feed"`
	API  bool `db:"api"`
}

// Tokens says which of the tokens userID has set.
func (s *Store) Tokens(ctx context.Context, userID int64) (TokenState, error) {
	var st TokenState
	err := s.db.GetContext(ctx, &st, `SELECT `+feedTokenColumn+` IS NOT NULL AS feed, `+apiTokenColumn+` IS NOT NULL AS api
		FROM users WHERE id = $1`, userID)
	if isNoRows(err) {
		return st, forum.Errorf(forum.ENotFound, "User not found.").T("error.not_found.user")
	}
	if err != nil {
		return st, fmt.Errorf("tokens of user %d: %w", userID, err)
	}
	return st, nil
}

// setToken writes a token hash; column is one of the constants above, never input.
func (s *Store) setToken(ctx context.Context, column string, userID int64, hash []byte) error {
	if len(hash) == 0 {
		return fmt.Errorf("set %s of user %d: empty hash", column, userID)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE users SET `+column+` = $2 WHERE id = $1`, userID, hash)
	if err != nil {
		return fmt.Errorf("set %s of user %d: %w", column, userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.Errorf(forum.ENotFound, "User not found.").T("error.not_found.user")
	}
	return nil
}

func (s *Store) userByToken(ctx context.Context, column string, hash []byte) (*forum.User, error) {
	if len(hash) == 0 {
		return nil, forum.Errorf(forum.ENotFound, "No such token.").T("error.not_found.token")
	}
	u := &forum.User{}
	err := s.db.GetContext(ctx, u, `SELECT `+userColumns+` FROM users u WHERE u.`+column+` = $1`, hash)
	if isNoRows(err) {
		return nil, forum.Errorf(forum.ENotFound, "No such token.").T("error.not_found.token")
	}
	if err != nil {
		return nil, fmt.Errorf("user by %s: %w", column, err)
	}
	return u, nil
}
