package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/store"
)

// Feed paths from DESIGN.md's public contract, without their extension: RSS 2.0 at
// PATH.rss and Atom 1.0 at PATH.atom. Feed readers hold these URLs: never rename them.
const (
	RouteFeedForum    = "/feed"
	RouteFeedCategory = "/c/:slug/feed"
	RouteFeedThread   = "/t/:id/feed"
	RouteFeedUser     = "/u/:name/feed"
	RouteFeedPost     = "/p/:id/feed"
	RouteFeedModLog   = "/modlog/feed"
)

// feedCacheControl lets readers and shared caches reuse a feed for a minute; after that
// a conditional request costs one small query and a 304.
const feedCacheControl = "public, max-age=60"

var feedContentType = map[feed.Format]string{
	feed.RSS:  "application/rss+xml; charset=utf-8",
	feed.Atom: "application/atom+xml; charset=utf-8",
}

// feedSource is what a feed URL names: the feed's description and which posts it shows,
// or, when scope is nil, the moderation log.
type feedSource struct {
	meta  feed.Meta
	scope *store.FeedScope
	key   *pageKey // the page cache's key, for the feeds it keeps (feedcache.go)
}

type feedResolver func(c *gin.Context) (*feedSource, error)

// feedRoutes registers every feed in both formats. Feeds are public and the same for
// everyone, so r should be a group without the session and CSRF middleware: a response
// marked Cache-Control: public must not carry a Set-Cookie, or a shared cache would hand
// one visitor's CSRF cookie to every other.
func (s *Server) feedRoutes(r *gin.RouterGroup) {
	for path, resolve := range map[string]feedResolver{
		RouteFeedForum:    s.forumFeed,
		RouteFeedCategory: s.categoryFeed,
		RouteFeedThread:   s.threadFeed,
		RouteFeedUser:     s.userFeed,
		RouteFeedPost:     s.postFeed,
		RouteFeedModLog:   s.modLogFeed,
	} {
		for _, format := range []feed.Format{feed.RSS, feed.Atom} {
			h := s.serveFeed(format, resolve)
			r.GET(path+"."+string(format), h)
			r.HEAD(path+"."+string(format), h)
		}
	}
	s.privateFeedRoutes(r)
}

// serveFeed answers one feed request: find what the URL names (404 if nothing), read
// the feed's validator, answer 304 when the reader already has this state, and only
// otherwise read the items and build the document.
func (s *Server) serveFeed(format feed.Format, resolve feedResolver) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		src, err := resolve(c)
		if err != nil {
			s.error(c, err)
			return
		}
		if s.feedCached(c, src.key) { // feedcache.go
			return
		}
		base := s.cfg.BaseURL
		var v feed.Validator
		if src.scope == nil {
			newest, err := s.store.ModLogNewest(ctx)
			if err != nil {
				s.error(c, err)
				return
			}
			v = feed.ModLogValidator(base, src.meta, format, newest)
		} else {
			stamps, err := s.store.FeedStamps(ctx, *src.scope)
			if err != nil {
				s.error(c, err)
				return
			}
			v = feed.PostsValidator(base, src.meta, format, stamps)
		}
		s.answerFeed(c, format, feedCacheControl, v, func() (*feed.Feed, error) {
			if src.scope == nil {
				page, err := s.store.ModLog(ctx, store.LogFilter{Limit: store.FeedLimit})
				if err != nil {
					return nil, err
				}
				return feed.ModLogIn(base, src.meta, page.Entries, s.modLogWording(c)), nil // feedwords.go
			}
			posts, err := s.store.FeedPosts(ctx, *src.scope)
			if err != nil {
				return nil, err
			}
			return feed.Posts(base, src.meta, posts), nil
		})
	}
}

// answerFeed answers a feed request whose current validator is v: 304 when the reader
// already holds that state, otherwise the document build makes. cacheControl says who
// may keep the answer. Every feed, public or private, answers through here.
func (s *Server) answerFeed(c *gin.Context, format feed.Format, cacheControl string, v feed.Validator,
	build func() (*feed.Feed, error)) {
	if notModified(c.Request, v) {
		setFeedHeaders(c, v, cacheControl)
		c.Status(http.StatusNotModified)
		return
	}
	f, err := build()
	if err != nil {
		s.error(c, err)
		return
	}
	body, err := f.Render(format)
	if err != nil {
		s.error(c, err)
		return
	}
	// A write between the two reads makes the items newer than v: the validator sent
	// describes the items sent, so the next poll compares against what the reader has.
	if s.fillFeed(c, format, f.Validator(format), cacheControl, body) { // feedcache.go
		return
	}
	setFeedHeaders(c, f.Validator(format), cacheControl)
	c.Data(http.StatusOK, feedContentType[format], body)
}

func setFeedHeaders(c *gin.Context, v feed.Validator, cacheControl string) {
	h := c.Writer.Header()
	h.Set("ETag", `"`+v.Tag+`"`)
	h.Set("Last-Modified", v.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Cache-Control", cacheControl)
}

// notModified applies RFC 9110's preconditions for GET and HEAD: If-None-Match decides
// when present (weak comparison, a list of tags, or "*"); only without it does
// If-Modified-Since, compared at HTTP-date precision.
func notModified(r *http.Request, v feed.Validator) bool {
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 {
		return etagMatches(strings.Join(inm, ","), `"`+v.Tag+`"`)
	}
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil {
		return false // an unparsable date is ignored, as the RFC asks
	}
	return !v.LastModified.After(t)
}

// etagMatches reports whether the If-None-Match value list names etag (a quoted tag).
// Comparison is weak, so W/"x" matches "x". A malformed member is skipped, not fatal.
func etagMatches(list, etag string) bool {
	if strings.TrimSpace(list) == "*" {
		return true
	}
	for {
		list = strings.TrimLeft(list, " \t,")
		if list == "" {
			return false
		}
		list = strings.TrimPrefix(list, "W/")
		if list[0] != '"' {
			i := strings.IndexByte(list, ',')
			if i < 0 {
				return false
			}
			list = list[i+1:]
			continue
		}
		end := strings.IndexByte(list[1:], '"')
		if end < 0 {
			return false
		}
		if list[:end+2] == etag {
			return true
		}
		list = list[end+2:]
	}
}

func (s *Server) forumFeed(c *gin.Context) (*feedSource, error) {
	key, err := s.listingFeedKey(c) // feedcache.go
	if err != nil {
		return nil, err
	}
	l, site := s.feedLoc(c), map[string]any{"Site": s.feedLoc(c).T("site.name")} // feedwords.go
	return &feedSource{
		key: key,
		meta: feed.Meta{
			Title:       l.T("feeds.forum.title", site),
			Description: l.T("feeds.forum.description", site),
			Page:        RouteHome, Path: RouteFeedForum,
		},
		scope: &store.FeedScope{},
	}, nil
}

func (s *Server) categoryFeed(c *gin.Context) (*feedSource, error) {
	key, err := s.listingFeedKey(c) // before what it keys is read (feedcache.go)
	if err != nil {
		return nil, err
	}
	cat, err := s.store.CategoryBySlug(c.Request.Context(), c.Param("slug"))
	if err != nil {
		return nil, err
	}
	l, words := s.feedLoc(c), map[string]any{"Site": s.feedLoc(c).T("site.name"), "Category": cat.Name}
	desc := cat.Description
	if desc == "" {
		desc = l.T("feeds.category.description", words)
	}
	page := "/c/" + cat.Slug
	return &feedSource{
		meta:  feed.Meta{Title: l.T("feeds.category.title", words), Description: desc, Page: page, Path: page + "/feed"},
		scope: &store.FeedScope{CategoryID: cat.ID}, key: key,
	}, nil
}

func (s *Server) threadFeed(c *gin.Context) (*feedSource, error) {
	id, err := idParam(c, "thread")
	if err != nil {
		return nil, err
	}
	mark := s.cacheMark(c) // before the version is read (fastpath.go, readroute.go)
	t, err := s.store.ThreadByID(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	if !forum.Listed(t.OpeningStatus) { // a feed is public: no placeholder title to offer
		return nil, forum.Errorf(forum.ENotFound, "This thread is hidden pending review.").T("error.thread_pending")
	}
	l, words := s.feedLoc(c), map[string]any{"Site": s.feedLoc(c).T("site.name"), "Title": t.Title}
	return &feedSource{
		meta: feed.Meta{
			Title:       l.T("feeds.thread.title", words),
			Description: l.T("feeds.thread.description", words),
			Page:        threadURL(t.ID, t.Slug), Path: "/t/" + strconv.FormatInt(t.ID, 10) + "/feed",
		},
		scope: &store.FeedScope{ThreadID: t.ID},
		key:   s.threadFeedKey(c, t, mark), // feedcache.go
	}, nil
}

func (s *Server) userFeed(c *gin.Context) (*feedSource, error) {
	u, err := s.store.UserByName(c.Request.Context(), c.Param("name"))
	if err != nil {
		return nil, err
	}
	page := "/u/" + u.Username
	l, words := s.feedLoc(c), map[string]any{"Site": s.feedLoc(c).T("site.name"), "Name": u.Username}
	return &feedSource{
		meta: feed.Meta{
			Title:       l.T("feeds.user.title", words),
			Description: l.T("feeds.user.description", words),
			Page:        page, Path: page + "/feed",
		},
		scope: &store.FeedScope{AuthorID: u.ID},
	}, nil
}

func (s *Server) postFeed(c *gin.Context) (*feedSource, error) {
	ctx := c.Request.Context()
	id, err := idParam(c, "post")
	if err != nil {
		return nil, err
	}
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
		return nil, err
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return nil, err
	}
	if !forum.Listed(t.OpeningStatus) { // a feed is public: no placeholder title to offer
		return nil, forum.Errorf(forum.ENotFound, "This thread is hidden pending review.").T("error.thread_pending")
	}
	page := "/p/" + strconv.FormatInt(p.ID, 10)
	l, words := s.feedLoc(c), map[string]any{"Site": s.feedLoc(c).T("site.name"), "Title": t.Title, "ID": strconv.FormatInt(p.ID, 10)}
	return &feedSource{
		meta: feed.Meta{
			Title:       l.T("feeds.post.title", words),
			Description: l.T("feeds.post.description", words),
			Page:        page, Path: page + "/feed",
		},
		scope: &store.FeedScope{Below: p},
	}, nil
}

func (s *Server) modLogFeed(c *gin.Context) (*feedSource, error) {
	l, site := s.feedLoc(c), map[string]any{"Site": s.feedLoc(c).T("site.name")}
	return &feedSource{meta: feed.Meta{
		Title:       l.T("feeds.modlog.title", site),
		Description: l.T("feeds.modlog.description", site),
		Page:        RouteModLog, Path: RouteFeedModLog,
	}}, nil
}
