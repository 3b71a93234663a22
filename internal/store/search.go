package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

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
// posts.search; the cursor is the last hit's (rank, id).
func (s *Store) Search(ctx context.Context, q forum.SearchQuery, before string, limit int) (*SearchPage, error) {
	rank, id := float32(0), int64(0)
	if before != "" {
		r, i, ok := strings.Cut(before, "_")
		rf, err1 := strconv.ParseFloat(r, 32)
		n, err2 := strconv.ParseInt(i, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, forum.Errorf(forum.EInvalid, "That page link is not valid; search again.")
		}
		rank, id = float32(rf), n
	}
	page := &SearchPage{}
	err := s.db.SelectContext(ctx, &page.Hits, `
		WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q)
		SELECT p.id, p.thread_id, p.depth, t.title AS thread_title, t.slug AS thread_slug,
			c.slug AS category_slug, u.username AS author_name, p.created_at,
			CASE WHEN $1 = '' THEN 0 ELSE ts_rank(p.search, q.q) END AS rank,
			CASE WHEN $1 = '' THEN left(p.body_source, 240)
			     ELSE ts_headline('english', p.body_source, q.q,
			          'StartSel=`+HighlightStart+`, StopSel=`+HighlightStop+`, MaxFragments=2, MaxWords=30, MinWords=12')
			END AS headline
		FROM q, posts p JOIN threads t ON t.id = p.thread_id JOIN categories c ON c.id = t.category_id
			JOIN users u ON u.id = p.author_id
		WHERE ($1 = '' OR p.search @@ q.q) AND p.status = 'visible' AND t.visible
			AND ($2 = '' OR u.username = $2) AND ($3 = '' OR c.slug = $3)
			AND ($5 = 0 OR (CASE WHEN $1 = '' THEN 0 ELSE ts_rank(p.search, q.q) END, p.id) < ($4::real, $5))
		ORDER BY rank DESC, p.id DESC
		LIMIT $6`, q.Text, q.Author, q.Category, rank, id, limit+1)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	if len(page.Hits) > limit {
		page.Hits = page.Hits[:limit]
		last := page.Hits[limit-1]
		page.Next = strconv.FormatFloat(float64(last.Rank), 'g', -1, 32) + "_" + strconv.FormatInt(last.PostID, 10)
	}
	return page, nil
}
