package forum

import "time"

// FeedPost is a visible post as a feed shows it: with its author's name and its thread's
// title, and the thread's version, which every write to the thread bumps. The version is
// what lets a feed tell that an item changed without reading the item's body.
type FeedPost struct {
	ID            int64      `db:"id"`
	ThreadID      int64      `db:"thread_id"`
	ThreadVersion int64      `db:"thread_version"`
	ThreadTitle   string     `db:"thread_title"`
	ThreadSlug    string     `db:"thread_slug"`
	Depth         int        `db:"depth"`
	AuthorName    string     `db:"author_name"`
	BodyHTML      string     `db:"body_html"`
	CreatedAt     time.Time  `db:"created_at"`
	EditedAt      *time.Time `db:"edited_at"`
	Lang          string     `db:"lang"` // the post's language (Post.Lang); "" unknown
}

// Opening reports whether the post opens its thread.
func (p *FeedPost) Opening() bool { return p.Depth == 0 }

// Modified is when the post last changed: its edit, or its publication.
func (p *FeedPost) Modified() time.Time {
	if p.EditedAt != nil && p.EditedAt.After(p.CreatedAt) {
		return *p.EditedAt
	}
	return p.CreatedAt
}
