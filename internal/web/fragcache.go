package web

import (
	"fmt"
	"hash/maphash"
	"html/template"
	"strings"
	"time"

	"github.com/maypok86/otter/v2"

	"forum/internal/forum"
	"forum/internal/i18n"
)

// The post fragment cache (issue 16 item 3, logged-in pages).
//
// A post's header and body (the "postcore" template in partials/node.html) are the same
// for every reader who sees the same things about it, so they are rendered once and kept,
// and a member's thread page renders per request only what is theirs: the post's classes,
// its controls and the form token. The key holds every input "postcore" reads, viewer
// independent by construction (nothing personal is in it: no token, no id of the reader),
// so a fragment is never stale and never another reader's:
//   - the post's id, status, edit count and a hash of its stored HTML (an edit, a
//     re-render or a moderator's decision is a new key; no event plumbing needed);
//   - how the reader sees it (readable, a moderator's notice, "new", the reply-to link);
//   - the interface language and the relative time it shows.
//
// Old keys are never looked up again and age out of the bounded cache.

// fragOverhead approximates a fragment's memory beyond its HTML (key strings, entry).
const fragOverhead = 160

// fragShare is the part of FORUM_CACHE_BYTES the fragments get; pages keep the rest.
const fragShare = 4

type fragCache struct {
	entries *otter.Cache[coreKey, string]
	seed    maphash.Seed
}

// coreKey is everything the "postcore" template reads.
type coreKey struct {
	Lang      string // interface language
	ID        int64
	Status    forum.PostStatus
	EditCount int
	EditedAt  int64  // unix nanoseconds; 0 when never edited
	Body      uint64 // maphash of the stored HTML
	PostLang  string
	Author    string
	Role      forum.Role
	Stance    forum.Stance
	Earlier   bool
	Readable  bool
	CanMod    bool // the moderator's wording of a hidden post's notice
	New       bool
	ReplyHref string
	ReplyName string // the parent's name and, after a NUL, why it is not named (replyTo.Parent)
	Ago       string // the relative time, as the page words it now
}

func newFragCache(budget int64) (*fragCache, error) {
	if budget <= 0 {
		return nil, nil
	}
	c, err := otter.New(&otter.Options[coreKey, string]{
		MaximumWeight: uint64(budget),
		Weigher: func(k coreKey, v string) uint32 {
			n := len(v) + len(k.Author) + len(k.ReplyHref) + len(k.ReplyName) + len(k.Ago) + fragOverhead
			return uint32(min(n, 1<<32-1))
		},
	})
	if err != nil {
		return nil, fmt.Errorf("fragment cache: %w", err)
	}
	return &fragCache{entries: c, seed: maphash.MakeSeed()}, nil
}

// keyOf is n's fragment key in lang, with the relative time ago.
func (fc *fragCache) keyOf(lang string, n *node, ago string) coreKey {
	p := &n.Post
	k := coreKey{Lang: lang, ID: p.ID, Status: p.Status, EditCount: p.EditCount,
		Body: maphash.String(fc.seed, p.BodyHTML), PostLang: p.Lang, Author: p.AuthorName, Role: p.AuthorRole,
		Stance: p.Stance, Earlier: n.Earlier, Readable: n.Readable, CanMod: n.CanMod, New: n.New, Ago: ago}
	if p.EditedAt != nil {
		k.EditedAt = p.EditedAt.UnixNano()
	}
	if n.ReplyTo != nil {
		k.ReplyHref, k.ReplyName = n.ReplyTo.Href, n.ReplyTo.Name+"\x00"+n.ReplyTo.Parent
	}
	return k
}

// weight is what the cache holds, in its own accounting.
func (fc *fragCache) weight() uint64 {
	if fc == nil {
		return 0
	}
	return fc.entries.WeightedSize()
}

// postCoreFunc is the template function {{postCore .}} of lang's templates: the post's
// header and body from the fragment cache, rendered by "postcore" on a miss.
func (r *renderer) postCoreFunc(lang string, loc *i18n.Localizer) func(*node) (template.HTML, error) {
	return func(n *node) (template.HTML, error) {
		fc := r.frags
		var k coreKey
		if fc != nil {
			k = fc.keyOf(lang, n, agoIn(loc, n.Post.CreatedAt, time.Now()))
			if v, ok := fc.entries.GetIfPresent(k); ok {
				return template.HTML(v), nil //nolint:gosec // rendered by "postcore" below
			}
		}
		var b strings.Builder
		if err := r.byLang[lang]["thread"].ExecuteTemplate(&b, "postcore", n); err != nil {
			return "", fmt.Errorf("post %d: %w", n.Post.ID, err)
		}
		v := b.String()
		if fc != nil {
			fc.entries.Set(k, v)
		}
		return template.HTML(v), nil //nolint:gosec // html/template's output
	}
}
