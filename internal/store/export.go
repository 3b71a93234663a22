package store

import (
	"context"
	"fmt"
	"time"

	"forum/internal/forum"
)

// ExportedPost is one of a person's posts as their export lists it: whatever its status,
// with its Markdown source and stored HTML, and its thread as forum.ThreadTitle needs it.
type ExportedPost struct {
	ID           int64            `db:"id"`
	ThreadID     int64            `db:"thread_id"`
	ParentID     *int64           `db:"parent_id"`
	Depth        int              `db:"depth"`
	Stance       forum.Stance     `db:"stance"`
	Status       forum.PostStatus `db:"status"`
	BodySource   string           `db:"body_source"`
	BodyHTML     string           `db:"body_html"`
	CreatedAt    time.Time        `db:"created_at"`
	EditedAt     *time.Time       `db:"edited_at"`
	ThreadTitle  string           `db:"thread_title"`
	ThreadSlug   string           `db:"thread_slug"`
	ThreadAuthor int64            `db:"thread_author_id"`
	ThreadStatus forum.PostStatus `db:"thread_status"`
	ThreadListed bool             `db:"thread_listed"`
}

// Thread is the post's thread as far as forum.ThreadTitle needs it.
func (p *ExportedPost) Thread() *forum.Thread {
	return &forum.Thread{ID: p.ThreadID, Title: p.ThreadTitle, Slug: p.ThreadSlug, AuthorID: p.ThreadAuthor,
		OpeningStatus: p.ThreadStatus, Visible: p.ThreadListed}
}

// ExportPosts lists up to limit of userID's posts after the post id after, oldest
// first: one keyset batch of an export, read backwards along posts_author_idx.
func (s *Store) ExportPosts(ctx context.Context, userID, after int64, limit int) ([]ExportedPost, error) {
	var out []ExportedPost
	err := s.db.SelectContext(ctx, &out, `
		SELECT p.id, p.thread_id, p.parent_id, p.depth, COALESCE(p.stance, '') AS stance, p.status,
			p.body_source, p.body_html, p.created_at, p.edited_at, t.title AS thread_title, t.slug AS thread_slug,
			t.author_id AS thread_author_id, t.opening_status AS thread_status, t.visible AS thread_listed
		FROM posts p JOIN threads t ON t.id = p.thread_id
		WHERE p.author_id = $1 AND p.id > $2
		ORDER BY p.id LIMIT $3`, userID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("export posts of user %d: %w", userID, err)
	}
	return out, nil
}
