package forum

import (
	"strings"
	"time"
)

// SearchQuery is what a person typed, split into its filters and its words.
type SearchQuery struct {
	Text     string // for websearch_to_tsquery: quotes, -word and "or" work
	Author   string // author:name
	Category string // in:category-slug
}

// ParseSearch pulls the author: and in: filters out of a query; the rest is the text.
func ParseSearch(raw string) SearchQuery {
	var q SearchQuery
	var words []string
	for _, w := range strings.Fields(raw) {
		lw := strings.ToLower(w)
		switch {
		case strings.HasPrefix(lw, "author:") && len(lw) > len("author:"):
			q.Author = strings.TrimPrefix(lw, "author:")
		case strings.HasPrefix(lw, "in:") && len(lw) > len("in:"):
			q.Category = strings.TrimPrefix(lw, "in:")
		default:
			words = append(words, w)
		}
	}
	q.Text = strings.Join(words, " ")
	return q
}

// Empty reports a query with nothing to search for.
func (q SearchQuery) Empty() bool { return q.Text == "" && q.Author == "" && q.Category == "" }

// SearchHit is one matching post.
type SearchHit struct {
	PostID       int64     `db:"id" json:"post_id"`
	ThreadID     int64     `db:"thread_id" json:"thread_id"`
	Depth        int       `db:"depth" json:"-"`
	ThreadTitle  string    `db:"thread_title" json:"thread_title"`
	ThreadSlug   string    `db:"thread_slug" json:"-"`
	CategorySlug string    `db:"category_slug" json:"category"`
	Author       string    `db:"author_name" json:"author"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
	Rank         float32   `db:"rank" json:"rank"`
	Headline     string    `db:"headline" json:"-"` // raw; the web layer escapes and sanitises it
}
