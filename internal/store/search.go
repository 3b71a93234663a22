package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// Headline markers: ts_headline wraps matches in these instead of HTML, so its output
// can be escaped as text first and the markers turned into <b> afterwards.
const (
	HighlightStart = "\uE000"
	HighlightStop  = "\uE001"
)

// SearchPage is one page of results.
type SearchPage struct {
	Hits []forum.SearchHit
	Next string
}

// Search finds public posts matching q, best first, through the GIN index on
// posts.search; the cursor is the last hit's (rank, id), the rank as its float32 bits.
func (s *Store) Search(ctx context.Context, q forum.SearchQuery, before string, limit int) (*SearchPage, error) {
	args := []any{q.Text, q.Author, q.Category, limit + 1}
	keyset := ""
	if before != "" {
		c, err := forum.ParseCursor(before, 2)
		if err != nil {
			return nil, err
		}
		rank, err := c.Float32(0)
		if err != nil {
			return nil, err
		}
		keyset = "AND (CASE WHEN $1 = '' THEN 0 ELSE ts_rank(p.search, q.q) END, p.id) < ($5::real, $6::bigint)"
		args = append(args, rank, c.Int(1))
	}
	page := &SearchPage{}
	err := s.db.SelectContext(ctx, &page.Hits, `
		WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q)
		SELECT p.id, p.thread_id, p.depth, t.title AS thread_title, t.slug AS thread_slug,
			c.slug AS category_slug, `+sqlAuthorName+` AS author_name, p.created_at,
			CASE WHEN $1 = '' THEN 0 ELSE ts_rank(p.search, q.q) END AS rank,
			CASE WHEN $1 = '' THEN left(p.body_source, 240)
			     ELSE ts_headline('english', p.body_source, q.q,
			          'StartSel=`+HighlightStart+`, StopSel=`+HighlightStop+`, MaxFragments=2, MaxWords=30, MinWords=12')
			END AS headline
		FROM q, posts p JOIN threads t ON t.id = p.thread_id JOIN categories c ON c.id = t.category_id
			JOIN users u ON u.id = p.author_id
		WHERE ($1 = '' OR p.search @@ q.q) AND `+sqlPublicPost+` AND t.visible
			AND ($2 = '' OR u.username = $2) AND ($3 = '' OR c.slug = $3)
			`+keyset+`
		ORDER BY rank DESC, p.id DESC
		LIMIT $4`, args...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	page.Hits, page.Next = forum.Paginate(page.Hits, limit, func(h forum.SearchHit) forum.Cursor {
		return forum.NewCursor(forum.Float32Field(h.Rank), h.PostID)
	})
	return page, nil
}
