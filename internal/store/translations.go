package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// LinkTranslations records that threads a and b are the same thread in two languages,
// both ways, and moves both threads' versions so their cached pages show the link.
// Linking twice changes nothing.
func (s *Store) LinkTranslations(ctx context.Context, a, b int64) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO thread_translations (thread_id, translation_id)
			VALUES ($1, $2), ($2, $1) ON CONFLICT DO NOTHING`, a, b)
		if err != nil {
			return fmt.Errorf("link translations %d and %d: %w", a, b, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		for _, id := range []int64{min(a, b), max(a, b)} { // in id order, as every writer locks
			if err := bumpThread(ctx, tx, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Translations are the visible threads that translate thread id, by language.
func (s *Store) Translations(ctx context.Context, id int64) ([]forum.ThreadTranslation, error) {
	var out []forum.ThreadTranslation
	err := s.reader(ctx).SelectContext(ctx, &out, `
		SELECT t.id, t.slug, t.title, COALESCE(p.lang, '') AS lang
		FROM thread_translations x
		JOIN threads t ON t.id = x.translation_id AND t.visible
		JOIN posts p ON p.thread_id = t.id AND p.depth = 0
		WHERE x.thread_id = $1
		ORDER BY p.lang, t.id`, id)
	if err != nil {
		return nil, fmt.Errorf("translations of thread %d: %w", id, err)
	}
	return out, nil
}
