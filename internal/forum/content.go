package forum

// Bounds on what a post's Markdown may turn into. Markdown is compact: one ">" is a
// whole <blockquote>, so a short source can become a page many times its size. The
// markup package measures a post and asks these rules before and after rendering;
// every post, reply and edit goes through it.
const (
	// MaxNesting is how deep quotes and lists may nest inside each other. A quote of a
	// quote of a quote is a conversation; twenty levels is an attack.
	MaxNesting = 20
	// MaxLinks is how many links one post may carry.
	MaxLinks = 50
	// RenderedRatio and RenderedFloor bound a post's stored HTML: at most RenderedRatio
	// times its source, or RenderedFloor, whichever is larger. Prose renders to about
	// its own size and dense formatting to two or three times it; the floor keeps
	// short posts clear of the ratio (50 bare links make about 4 KB).
	RenderedRatio = 4
	RenderedFloor = 32 << 10
	// PageHTMLBudget is how many bytes of stored post HTML one thread page, one JSON
	// tree and one feed carry at most: such a page shows fewer posts and links to the
	// next, so a thread of large posts never becomes a 20 MB page.
	PageHTMLBudget = 512 << 10
)

// CheckStructure decides a post's shape before it is rendered: its deepest nesting of
// quotes and lists, and its number of links.
func CheckStructure(nesting, links int) error {
	if nesting > MaxNesting {
		return FieldErrorf("body", EInvalid, "This post nests quotes or lists %d levels deep; at most %d are allowed. "+
			"Quote only the part you are answering.", nesting, MaxNesting).T("error.post_nesting", "Got", nesting, "Max", MaxNesting)
	}
	if links > MaxLinks {
		return FieldErrorf("body", EInvalid, "This post has %d links; at most %d are allowed. Keep the ones that matter most.",
			links, MaxLinks).T("error.post_links", "Got", links, "Max", MaxLinks)
	}
	return nil
}

// CheckRendered decides whether sourceLen bytes of Markdown that became htmlLen bytes
// of HTML may be stored (see RenderedRatio).
func CheckRendered(sourceLen, htmlLen int) error {
	if htmlLen <= max(RenderedRatio*sourceLen, RenderedFloor) {
		return nil
	}
	return FieldErrorf("body", EInvalid, "This post would be too large once formatted (%d KB from %d KB of text). "+
		"Use less quoting, nesting or formatting, or split it into several posts.",
		(htmlLen+1023)/1024, (sourceLen+1023)/1024).T("error.post_rendered", "HTML", (htmlLen+1023)/1024, "Source", (sourceLen+1023)/1024)
}
