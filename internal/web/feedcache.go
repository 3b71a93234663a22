package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
)

// The public feeds in the page cache (issue 16): the site's, a category's and a
// thread's feed are the same for every reader, so their documents are kept like a
// visitor's page — keyed on the thread's version or the listing generation, stored per
// encoding, with the feed's own validators — and their hits and 304s are answered by the
// fast path (fastpath.go) without a query. The other feeds (a user's, a post's, the
// moderation log) are read each time.

// threadFeedKey keys a thread's feed on the version read after mark.
func (s *Server) threadFeedKey(c *gin.Context, t *forum.Thread, mark uint64) *pageKey {
	if !s.feedCacheable(c) {
		return nil
	}
	k := s.cache.threadKey("feed", t.ID, t.Version, mark, s.cacheVariant(c.Request), c.Request.URL.RequestURI())
	return &k
}

// listingFeedKey keys a listing's feed on the listing generation, read before the feed.
func (s *Server) listingFeedKey(c *gin.Context) (*pageKey, error) {
	if !s.feedCacheable(c) {
		return nil, nil
	}
	k, err := s.listingKey(c, "feed")()
	if err != nil {
		return nil, err
	}
	return &k, nil
}

func (s *Server) feedCacheable(c *gin.Context) bool {
	return s.cache.enabled() && c.Request.Method == http.MethodGet
}

// feedCached answers from the cache when k's document is held (a 304 when the reader
// has it); otherwise it marks the request so answerFeed stores what it builds.
func (s *Server) feedCached(c *gin.Context, k *pageKey) bool {
	if k == nil || !s.cache.enabled() {
		return false
	}
	c.Set(ctxPageKey, *k)
	enc := negotiate(c.GetHeader("Accept-Encoding"))
	if p, ok := s.cache.entries.GetIfPresent(k.base + "|" + enc); ok {
		s.cache.hits.Inc()
		c.Header(cacheHeader, "hit")
		s.writeCached(c, p, enc)
		return true
	}
	return s.cachedFromIdentity(c, *k)
}

// fillFeed stores a built feed under the request's key, if it has one, and answers with
// it; it reports whether it did.
func (s *Server) fillFeed(c *gin.Context, format feed.Format, v feed.Validator, cacheControl string, body []byte) bool {
	k, ok := c.Get(ctxPageKey)
	if !ok || !s.cache.enabled() {
		return false
	}
	s.fillEntry(c, k.(pageKey), &cachedPage{contentType: feedContentType[format], feedTag: `"` + v.Tag + `"`,
		lastModified: v.LastModified, cacheControl: cacheControl}, body)
	return true
}
