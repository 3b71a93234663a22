package store

import (
	"context"
	"fmt"
	"time"

	"forum/internal/forum"
)

// Categories lists every category in display order.
func (s *Store) Categories(ctx context.Context) ([]forum.Category, error) {
	var cs []forum.Category
	err := s.reader(ctx).SelectContext(ctx, &cs, `
		SELECT id, slug, name, description, position, thread_count, meta
		FROM categories ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return cs, nil
}

// CategoryBySlug loads one category.
func (s *Store) CategoryBySlug(ctx context.Context, slug string) (*forum.Category, error) {
	c := &forum.Category{}
	err := s.reader(ctx).GetContext(ctx, c, `
		SELECT id, slug, name, description, position, thread_count, meta
		FROM categories WHERE slug = $1`, slug)
	if err != nil {
		return nil, notFound(err, "Category")
	}
	return c, nil
}

// UpsertCategory creates a category or updates its name, description and position.
func (s *Store) UpsertCategory(ctx context.Context, c forum.Category) (*forum.Category, error) {
	out := &forum.Category{}
	err := s.db.GetContext(ctx, out, `
		INSERT INTO categories (slug, name, description, position, meta) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
			position = EXCLUDED.position, meta = EXCLUDED.meta
		RETURNING id, slug, name, description, position, thread_count, meta`,
		c.Slug, c.Name, c.Description, c.Position, c.Meta)
	if err != nil {
		return nil, fmt.Errorf("upsert category %q: %w", c.Slug, err)
	}
	return out, nil
}

// CategorySummary is a category with its latest listed thread, for /c.
type CategorySummary struct {
	forum.Category
	LatestID    *int64     `db:"latest_id"` // nil: no listed thread yet
	LatestTitle string     `db:"latest_title"`
	LatestSlug  string     `db:"latest_slug"`
	LatestAt    *time.Time `db:"latest_at"`
}

// CategorySummaries lists every category in display order with its most recently active
// listed thread. Each category costs two probes of threads_category_idx (its pinned and
// its other threads, newest activity first), however many threads it holds; nothing is
// kept on the category row, which every reply would otherwise have to lock.
func (s *Store) CategorySummaries(ctx context.Context) ([]CategorySummary, error) {
	var out []CategorySummary
	err := s.reader(ctx).SelectContext(ctx, &out, `
		SELECT c.id, c.slug, c.name, c.description, c.position, c.thread_count, c.meta,
			l.id AS latest_id, COALESCE(l.title, '') AS latest_title, COALESCE(l.slug, '') AS latest_slug,
			l.last_activity_at AS latest_at
		FROM categories c
		LEFT JOIN LATERAL (
			SELECT * FROM (
				(SELECT t.id, t.title, t.slug, t.last_activity_at FROM threads t
				 WHERE t.category_id = c.id AND t.pinned AND t.visible
				 ORDER BY t.last_activity_at DESC, t.id DESC LIMIT 1)
				UNION ALL
				(SELECT t.id, t.title, t.slug, t.last_activity_at FROM threads t
				 WHERE t.category_id = c.id AND NOT t.pinned AND t.visible
				 ORDER BY t.last_activity_at DESC, t.id DESC LIMIT 1)
			) both_kinds ORDER BY last_activity_at DESC, id DESC LIMIT 1
		) l ON true
		ORDER BY c.position, c.id`)
	if err != nil {
		return nil, fmt.Errorf("summarise categories: %w", err)
	}
	return out, nil
}
