package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// Headline markers: ts_headline wraps matches in these instead of HTML, so its output
// can be escaped as text first and the markers turned into <mark> afterwards. The text
// they wrap never holds them itself: post_plain_text (migration 00012) removes them.
const (
	HighlightStart = "\uE000"
	HighlightStop  = "\uE001"
)

// SearchPage is one page of results.
type SearchPage struct {
	Hits []forum.SearchHit
	Next string
	// Offset is how many hits came before this page (carried in the cursor: a label
	// for "results 21–40", never an OFFSET in SQL).
	Offset int64
	// Total counts the matches, at most the count cap; TotalCapped says there are more.
	Total       int
	TotalCapped bool
}

// searchFrom is the FROM and WHERE that the hits and the count share, so the count can
// never disagree with the list: $1 the text, $2 the author, $3 the category slug. The
// match is one GIN lookup on posts.search; a second matching method joins here.
const searchFrom = `
	FROM q, posts p JOIN threads t ON t.id = p.thread_id JOIN categories c ON c.id = t.category_id
		JOIN users u ON u.id = p.author_id
	WHERE ($1 = '' OR p.search @@ q.q) AND ` + sqlPublicPost + ` AND t.visible
		AND ($2 = '' OR u.username = $2) AND ($3 = '' OR c.slug = $3)`

const (
	// NOT MATERIALIZED: the hits query names q twice, and a materialised q would hide
	// the constant tsquery from the planner: no parallel scan, 4.8–5.3 s against 1.7–3.3 s
	// for a word in 37,500 of 300,000 posts on a busy 2-core machine.
	searchQueryCTE = `WITH q AS NOT MATERIALIZED (SELECT websearch_to_tsquery('english', $1) AS q)`
	searchRank     = `CASE WHEN $1 = '' THEN 0 ELSE ts_rank(p.search, q.q) END`
)

// Search finds public posts matching q, best first, through the GIN index on
// posts.search; the cursor is the last hit's (rank, id, hits shown so far), the rank as
// its float32 bits. It counts up to countCap matches with the same WHERE.
//
// Only the newest rankMax (+1) matches are ranked: a common word would otherwise compute
// ts_rank for a third of a million posts before showing twenty. A search matching
// fewer posts than that ranks them all, so its results are what they always were.
//
// The headline is computed in an outer query over the LIMITed hits, so ts_headline and
// post_plain_text run for one page's rows, not for every match the sort has to see.
func (s *Store) Search(ctx context.Context, q forum.SearchQuery, before string, limit, countCap, rankMax int) (*SearchPage, error) {
	terms := koreanTerms(q.Text)
	q.Text = koreanQuery(q.Text)
	// One candidate past the bound says there are more matches than were ranked.
	args := []any{q.Text, q.Author, q.Category, limit + 1, rankMax + 1}
	page := &SearchPage{}
	keyset := ""
	if before != "" {
		c, err := parseSearchCursor(before)
		if err != nil {
			return nil, err
		}
		rank, err := c.Float32(0)
		if err != nil {
			return nil, err
		}
		keyset = "WHERE (" + searchRank + ", p.id) < ($6::real, $7::bigint)"
		args = append(args, rank, c.Int(1))
		if c.Len() == 3 {
			if page.Offset = c.Int(2); page.Offset > maxSearchOffset {
				return nil, forum.ErrBadCursor
			}
		}
	}
	// Each row also carries how many candidates there were: up to rankMax that is every
	// match, and past it, with the count capped at or below rankMax, the count is capped:
	// either way no second query walks the matches again.
	var rows []struct {
		forum.SearchHit
		Candidates int `db:"candidates"`
	}
	err := s.reader(ctx).SelectContext(ctx, &rows, searchQueryCTE+`,
		-- The newest matches in the primary key's order, before any ranking.
		cand AS (SELECT p.id `+searchFrom+` ORDER BY p.id DESC LIMIT $5)
		SELECT h.*,
			CASE WHEN $1 = '' THEN left(post_plain_text(p.body_html), 240)
			     ELSE ts_headline('english', post_plain_text(p.body_html), q.q,
			          'StartSel=`+HighlightStart+`, StopSel=`+HighlightStop+`, MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … "')
			END AS headline,
			(SELECT count(*) FROM cand) AS candidates
		FROM (
			SELECT p.id, p.thread_id, p.depth, t.title AS thread_title, t.slug AS thread_slug,
				c.slug AS category_slug, `+sqlAuthorName+` AS author_name, p.created_at,
				`+searchRank+` AS rank
			FROM q, cand JOIN posts p ON p.id = cand.id JOIN threads t ON t.id = p.thread_id
				JOIN categories c ON c.id = t.category_id JOIN users u ON u.id = p.author_id
			`+keyset+`
			ORDER BY rank DESC, p.id DESC
			LIMIT $4
		) h JOIN posts p ON p.id = h.id, q
		ORDER BY h.rank DESC, h.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.Text, err)
	}
	candidates := -1
	for i, r := range rows {
		r.Headline = markTerms(r.Headline, terms)
		page.Hits = append(page.Hits, r.SearchHit)
		if i == 0 {
			candidates = r.Candidates
		}
	}
	offset := page.Offset
	page.Hits, page.Next = forum.Paginate(page.Hits, limit, func(h forum.SearchHit) forum.Cursor {
		return forum.NewCursor(forum.Float32Field(h.Rank), h.PostID, offset+int64(limit))
	})
	switch {
	case countCap <= 0:
	case before == "" && page.Next == "": // one page holds them all: no second query
		page.Total = len(page.Hits)
	case candidates >= 0 && candidates <= rankMax: // every match was a candidate
		page.Total = candidates
	case candidates > rankMax && countCap <= rankMax: // more than the cap
		page.Total = countCap + 1
	default:
		if err := s.reader(ctx).GetContext(ctx, &page.Total, searchQueryCTE+`
			SELECT count(*) FROM (SELECT 1 `+searchFrom+` LIMIT $4) m`,
			q.Text, q.Author, q.Category, countCap+1); err != nil {
			return nil, fmt.Errorf("search count %q: %w", q.Text, err)
		}
	}
	if page.Total > countCap && countCap > 0 {
		page.Total, page.TotalCapped = countCap, true
	}
	return page, nil
}

// maxSearchOffset bounds the shown-so-far label a cursor may carry, far above any real
// paging, so adding a page to it cannot overflow.
const maxSearchOffset = 1 << 40

// parseSearchCursor reads (rank, id, shown), or the (rank, id) of links made before the
// count was carried, which then page on labelled from the start.
func parseSearchCursor(s string) (forum.Cursor, error) {
	if c, err := forum.ParseCursor(s, 3); err == nil {
		return c, nil
	}
	return forum.ParseCursor(s, 2)
}
