package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/store"
)

// JSON API routes: read-only, public view (hidden content only as placeholders).
const (
	RouteAPIThreads = "/api/v1/threads"
	RouteAPIThread  = "/api/v1/threads/:id"
	RouteAPIPost    = "/api/v1/posts/:id"
)

func (s *Server) apiRoutes(api *gin.RouterGroup) {
	api.GET(RouteAPIThreads, s.apiThreads)
	api.GET(RouteAPIThread, s.apiThread)
	api.GET(RouteAPIPost, s.apiPost)
	api.GET(RouteAPISearch, s.apiSearch)
	// The one personal route: its caller is a session or an API token (apinotify.go).
	// The session is only read here; nothing in the API sets a cookie.
	api.GET(RouteAPINotifications, s.loadSession, s.apiCaller, s.apiNotifications)
}

type apiThread struct {
	ID             int64     `json:"id"`
	Title          string    `json:"title"`
	URL            string    `json:"url"`
	Category       string    `json:"category"`
	Author         string    `json:"author"`
	CreatedAt      time.Time `json:"created_at"`
	LastActivityAt time.Time `json:"last_activity_at"`
	ReplyCount     int       `json:"reply_count"`
	Pinned         bool      `json:"pinned"`
	Locked         bool      `json:"locked"`
	Version        int64     `json:"version"`
	Stances        gin.H     `json:"stances"`
}

// toAPIThread is a thread as the public sees it: the API has no viewer, so a thread whose
// opening post is hidden shows its placeholder title (forum.ThreadFor).
func (s *Server) toAPIThread(t *forum.Thread) apiThread {
	t = forum.ThreadFor(nil, t)
	return apiThread{
		ID: t.ID, Title: t.Title, URL: s.cfg.BaseURL + threadURL(t.ID, t.Slug), Category: t.CategorySlug,
		Author: t.AuthorName, CreatedAt: t.CreatedAt.UTC(), LastActivityAt: t.LastActivityAt.UTC(),
		ReplyCount: forum.ReplyCountFor(nil, t).Shown, Pinned: t.Pinned, Locked: t.Locked, Version: t.Version,
		Stances: gin.H{"helps": t.StanceHelps, "hinders": t.StanceHinders, "mixed": t.StanceMixed},
	}
}

// apiPost is one post; a post the public may not read keeps its place in the tree
// with its content, author and stance left out.
type apiPost struct {
	ID          int64      `json:"id"`
	ThreadID    int64      `json:"thread_id"`
	ParentID    *int64     `json:"parent_id"`
	Depth       int        `json:"depth"`
	Author      *string    `json:"author"`
	CreatedAt   time.Time  `json:"created_at"`
	EditedAt    *time.Time `json:"edited_at"`
	Stance      *string    `json:"stance"`
	HTML        *string    `json:"html"`
	Lang        *string    `json:"lang"` // BCP 47 tag of the post's language; null when unknown or not shown
	Placeholder string     `json:"placeholder,omitempty"`
	ReplyCount  int        `json:"reply_count"`
	Insightful  int        `json:"insightful"` // people who marked it insightful
	Replies     []*apiPost `json:"replies,omitempty"`
}

func toAPIPost(p *forum.Post) *apiPost {
	out := &apiPost{ID: p.ID, ThreadID: p.ThreadID, ParentID: p.ParentID, Depth: p.Depth,
		CreatedAt: p.CreatedAt.UTC(), ReplyCount: p.DescendantCount, Insightful: p.InsightfulCount}
	if !forum.CanRead(nil, p) {
		out.Placeholder = p.Placeholder()
		return out
	}
	author, html := p.AuthorName, p.BodyHTML
	out.Author, out.HTML = &author, &html
	if p.Stance != forum.StanceNone {
		stance := string(p.Stance)
		out.Stance = &stance
	}
	if p.EditedAt != nil {
		t := p.EditedAt.UTC()
		out.EditedAt = &t
	}
	if p.Lang != "" {
		lang := p.Lang
		out.Lang = &lang
	}
	return out
}

func (s *Server) apiThreads(c *gin.Context) {
	page, err := s.store.FindThreads(c.Request.Context(), store.ThreadFilter{Before: c.Query("before")})
	if err != nil {
		s.error(c, err)
		return
	}
	out := make([]apiThread, len(page.Threads))
	for i := range page.Threads {
		out[i] = s.toAPIThread(&page.Threads[i])
	}
	resp := gin.H{"threads": out, "next": nil}
	if page.Next != "" {
		resp["next"] = RouteAPIThreads + "?before=" + page.Next
	}
	c.JSON(http.StatusOK, resp)
}

func (s *Server) apiThread(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := idParam(c, "thread")
	if err != nil {
		s.error(c, err)
		return
	}
	after, err := afterParam(c)
	if err != nil {
		s.error(c, err)
		return
	}
	mark := s.cacheMark(c) // before the version is read (fastpath.go, readroute.go)
	t, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	if s.visitorCached(c, func() (pageKey, error) { // pagecache.go; the API has no viewer
		return s.cache.threadKey("api", t.ID, t.Version, mark, s.cacheVariant(c.Request), c.Request.URL.RequestURI()), nil
	}) {
		return
	}
	tree, err := s.store.Tree(ctx, store.TreeQuery{ThreadID: id, After: after, Budget: treeBudget, MaxDepth: 1 << 20})
	if err != nil {
		s.error(c, err)
		return
	}
	byID := make(map[int64]*apiPost, len(tree.Posts))
	var root *apiPost
	for i := range tree.Posts {
		p := toAPIPost(&tree.Posts[i])
		byID[p.ID] = p
		if p.ParentID == nil {
			root = p
		} else if parent, ok := byID[*p.ParentID]; ok {
			parent.Replies = append(parent.Replies, p)
		}
	}
	resp := gin.H{"thread": s.toAPIThread(t), "tree": root, "next": nil}
	if tree.NextAfter != 0 {
		resp["next"] = "/api/v1/threads/" + strconv.FormatInt(id, 10) + "?after=" + forum.NewCursor(tree.NextAfter).String()
	}
	if k, ok := c.Get(ctxPageKey); ok && s.cache.enabled() {
		b, err := json.Marshal(resp) // the bytes c.JSON writes
		if err != nil {
			s.fail(c, fmt.Errorf("encode thread %d: %w", id, err))
			return
		}
		s.fillCache(c, k.(pageKey), "application/json; charset=utf-8", b)
		return
	}
	c.JSON(http.StatusOK, resp)
}

func (s *Server) apiPost(c *gin.Context) {
	id, err := idParam(c, "post")
	if err != nil {
		s.error(c, err)
		return
	}
	p, err := s.store.PostByID(c.Request.Context(), id)
	if err != nil {
		s.error(c, err)
		return
	}
	c.JSON(http.StatusOK, toAPIPost(p))
}
