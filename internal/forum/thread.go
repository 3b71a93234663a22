package forum

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Category groups threads.
type Category struct {
	ID          int    `db:"id"`
	Slug        string `db:"slug"`
	Name        string `db:"name"`
	Description string `db:"description"`
	Position    int    `db:"position"`
	ThreadCount int    `db:"thread_count"`
	Meta        bool   `db:"meta"` // about the forum itself: its threads take no stances
}

// Thread is a titled discussion whose opening post is the root of its reply tree.
type Thread struct {
	ID               int64      `db:"id"`
	CategoryID       int        `db:"category_id"`
	CategorySlug     string     `db:"category_slug"`
	CategoryName     string     `db:"category_name"`
	AuthorID         int64      `db:"author_id"`
	AuthorName       string     `db:"author_name"`
	Title            string     `db:"title"`
	Slug             string     `db:"slug"`
	CreatedAt        time.Time  `db:"created_at"`
	LastActivityAt   time.Time  `db:"last_activity_at"`
	ReplyCount       int        `db:"reply_count"`        // every reply ever written (moderators' count)
	PublicReplyCount int        `db:"public_reply_count"` // replies anyone may read (ReplyCountFor)
	Pinned           bool       `db:"pinned"`
	PinnedSite       bool       `db:"pinned_site"` // pinned on the front page too (Pinned is then true)
	Locked           bool       `db:"locked"`
	Version          int64      `db:"version"`
	StanceHelps      int        `db:"stance_helps"`
	StanceHinders    int        `db:"stance_hinders"`
	StanceMixed      int        `db:"stance_mixed"`
	Visible          bool       `db:"visible"`        // Listed(OpeningStatus), kept for the listings' indexes
	OpeningStatus    PostStatus `db:"opening_status"` // the opening post's status
	LastPostID       int64      `db:"last_post_id"`   // the newest post: where a reader's visit leaves them
	CategoryMeta     bool       `db:"category_meta"`  // its category is about the forum (Category.Meta)
	// LastEventID is the thread's newest live event when it was loaded (ThreadByID only):
	// a page's event stream starts after it, so a reply written between the page's render
	// and the stream's opening is not missed.
	LastEventID int64 `db:"last_event_id"`
	// HasTranslations: the thread has a visible translation (ThreadByID only), so its
	// page loads them; most threads have none and the page stays at two queries.
	HasTranslations bool `db:"has_translations"`
	// LockReason is why moderators locked it ("" : none given); unlocking clears it.
	LockReason string `db:"lock_reason"`
}

// TakesStances reports whether replies in the thread may answer the forum's question:
// everywhere but in a meta category.
func (t *Thread) TakesStances() bool { return !t.CategoryMeta }

// CanTakeStance refuses a stance on a reply in a thread that takes none.
func CanTakeStance(t *Thread, s Stance) error {
	if s != StanceNone && !t.TakesStances() {
		return FieldErrorf("stance", EInvalid, "Threads in %s are about the forum itself and take no stance; post without one.", t.CategoryName).T("error.no_stance_here", "Category", t.CategoryName)
	}
	return nil
}

// ShowsTally reports whether the thread's stance tally is shown: where it takes stances,
// once someone has taken one.
func (t *Thread) ShowsTally() bool { return t.TakesStances() && t.StanceTotal() > 0 }

// StanceTotal is how many people have taken a stance in the thread.
func (t *Thread) StanceTotal() int { return t.StanceHelps + t.StanceHinders + t.StanceMixed }

// Post is one message in a thread's tree.
type Post struct {
	ID              int64      `db:"id"`
	ThreadID        int64      `db:"thread_id"`
	ParentID        *int64     `db:"parent_id"`
	AuthorID        int64      `db:"author_id"`
	AuthorName      string     `db:"author_name"`
	Path            []int64    `db:"-"`
	Depth           int        `db:"depth"`
	TopID           *int64     `db:"top_id"`
	BodySource      string     `db:"body_source"`
	BodyHTML        string     `db:"body_html"`
	Stance          Stance     `db:"stance"`
	StanceCurrent   *bool      `db:"stance_current"` // Stance is still its author's counted one (false: changed or withdrawn since); nil: not loaded
	Status          PostStatus `db:"status"`
	AuthorDeleted   bool       `db:"author_deleted"` // its author deleted it, whatever moderation decided
	CreatedAt       time.Time  `db:"created_at"`
	EditedAt        *time.Time `db:"edited_at"`
	EditCount       int        `db:"edit_count"`
	ChildCount      int        `db:"child_count"`
	DescendantCount int        `db:"descendant_count"`
	ModVersion      int        `db:"mod_version"`
	// AuthorRole is the author's role, loaded with the post for its badge (RoleBadge).
	AuthorRole Role `db:"author_role"`
	// While its author's deletion may be undone (CanUndoDelete): when they deleted it,
	// its status just before, and its ModVersion right after. DeletedAt is nil otherwise.
	DeletedAt       *time.Time `db:"deleted_at"`
	DeletedFrom     PostStatus `db:"deleted_from"`
	DeletedVersion  int        `db:"deleted_version"`
	InsightfulCount int        `db:"insightful_count"` // people who marked it insightful (kept)
	Lang            string     `db:"lang"`             // BCP 47 tag of the language it is written in; "" unknown (PostLang)
}

// Public reports whether anyone may read the post.
func (p *Post) Public() bool { return p.Status == StatusVisible }

// Placeholder is what stands in the tree for a post the reader may not see.
func (p *Post) Placeholder() string { return p.Status.Placeholder() }

// Revision is an earlier version of an edited post.
type Revision struct {
	ID         int64     `db:"id"`
	PostID     int64     `db:"post_id"`
	BodySource string    `db:"body_source"`
	BodyHTML   string    `db:"body_html"`
	EditorName string    `db:"editor_name"`
	CreatedAt  time.Time `db:"created_at"`
	ReplacedAt time.Time `db:"replaced_at"`
}

// Limits on what people write.
const (
	MaxBodyRunes  = 20000
	MinTitleRunes = 5
	MaxTitleRunes = 200
)

// ValidText rejects text no person types, naming what it is in the message: invalid
// UTF-8, NUL (PostgreSQL refuses both in text columns) and the other C0 control
// characters; tab, CR and LF pass, as a textarea sends them. The web layer asks it of
// every path parameter, query value and form field before a handler runs.
func ValidText(s, what string) error {
	if !utf8.ValidString(s) {
		return Errorf(EInvalid, "The %s is not valid UTF-8 text.", what).T("error.text_utf8", "What", what)
	}
	for _, r := range s {
		switch {
		case r == 0:
			return Errorf(EInvalid, "The %s contains a NUL character.", what).T("error.text_nul", "What", what)
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r':
			return Errorf(EInvalid, "The %s contains the control character 0x%02X.", what, r).T("error.text_control", "What", what, "Char", fmt.Sprintf("0x%02X", r))
		}
	}
	return nil
}

// NormalizeBody turns browser line endings into \n and trims trailing space.
func NormalizeBody(s string) string {
	return strings.TrimRightFunc(strings.ReplaceAll(s, "\r\n", "\n"), unicode.IsSpace)
}

// ValidateBody checks a post's Markdown source.
func ValidateBody(s string) error {
	if err := ValidText(s, "post"); err != nil {
		return inField(err, "body")
	}
	if strings.TrimSpace(s) == "" {
		return FieldErrorf("body", EInvalid, "Write something before posting.").T("error.body_empty")
	}
	if n := utf8.RuneCountInString(s); n > MaxBodyRunes {
		return FieldErrorf("body", ETooLarge, "Posts can be at most %d characters; this one has %d.", MaxBodyRunes, n).T("error.body_long", "Max", MaxBodyRunes, "Got", n)
	}
	return nil
}

// ValidateTitle checks a thread title (already trimmed).
func ValidateTitle(s string) error {
	if err := ValidText(s, "title"); err != nil {
		return inField(err, "title")
	}
	if n := utf8.RuneCountInString(s); n < MinTitleRunes || n > MaxTitleRunes {
		return FieldErrorf("title", EInvalid, "Titles are %d–%d characters.", MinTitleRunes, MaxTitleRunes).T("error.title_length", "Min", MinTitleRunes, "Max", MaxTitleRunes)
	}
	return nil
}

// Slugify makes a URL slug from a title: lowercase ASCII words joined by hyphens.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}
