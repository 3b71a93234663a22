package store

import (
	"context"
	"fmt"
)

// SetUserLang stores the interface language a user chose ("" for none); the caller
// checked it with forum.CheckInterfaceLang, and users.lang's CHECK holds it anyway.
func (s *Store) SetUserLang(ctx context.Context, userID int64, lang string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET lang = $2 WHERE id = $1`, userID, lang); err != nil {
		return fmt.Errorf("set language of user %d: %w", userID, err)
	}
	return nil
}
