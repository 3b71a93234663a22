package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// Categories lists every category in display order.
func (s *Store) Categories(ctx context.Context) ([]forum.Category, error) {
	var cs []forum.Category
	err := s.db.SelectContext(ctx, &cs, `
		SELECT id, slug, name, description, position, thread_count
		FROM categories ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	return cs, nil
}

// CategoryBySlug loads one category.
func (s *Store) CategoryBySlug(ctx context.Context, slug string) (*forum.Category, error) {
	c := &forum.Category{}
	err := s.db.GetContext(ctx, c, `
		SELECT id, slug, name, description, position, thread_count
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
		INSERT INTO categories (slug, name, description, position) VALUES ($1, $2, $3, $4)
		ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description,
			position = EXCLUDED.position
		RETURNING id, slug, name, description, position, thread_count`,
		c.Slug, c.Name, c.Description, c.Position)
	if err != nil {
		return nil, fmt.Errorf("upsert category %q: %w", c.Slug, err)
	}
	return out, nil
}
