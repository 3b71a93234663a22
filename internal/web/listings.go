package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/store"
)

type listView struct {
	Heading  string
	Intro    string
	Category *forum.Category
	Threads  []threadRow
	Next     string
	Feed     string
	Empty    string
	// A logged-in viewer's category page offers to watch it for new threads.
	CanWatch, Watching bool
	// The front page's first page: the forum-wide stance (stancechart.go).
	ForumStance *forumStanceView
}

func (s *Server) home(c *gin.Context) {
	ctx := c.Request.Context()
	// Keyed before anything is read: a change that lands meanwhile moves the generation.
	if s.visitorCached(c, s.listingKey(c, "home")) {
		return
	}
	page, err := s.store.FindThreads(ctx, store.ThreadFilter{Before: c.Query("before")})
	if err != nil {
		s.error(c, err)
		return
	}
	rows, err := s.threadRows(ctx, currentUser(c), page.Threads)
	if err != nil {
		s.error(c, err)
		return
	}
	pinnedHere(rows, false)
	v := listView{
		Heading: s.T(c, "list.home_heading"), Threads: rows, Next: page.Next,
		Intro: s.T(c, "list.home_intro"),
		Empty: s.T(c, "list.home_empty"),
	}
	if c.Query("before") == "" { // the first page answers the question; later ones only list
		now := time.Now()
		fs, err := s.store.ForumStance(ctx, forum.ChartSince(now, forum.StanceChartWeeks))
		if err != nil {
			s.error(c, err)
			return
		}
		v.ForumStance = newForumStanceView(loc(c), fs, now)
	}
	s.html(c, http.StatusOK, "list", "", v, feedLink{Title: s.T(c, "feed.all_new"), Base: "/feed"})
}

// RouteCategories lists the categories.
const RouteCategories = "/c"

// categories lists every category with its description, thread count and latest listed
// thread.
func (s *Server) categories(c *gin.Context) {
	cats, err := s.store.CategorySummaries(c.Request.Context())
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "categories", s.T(c, "categories.heading"), cats)
}

func (s *Server) category(c *gin.Context) {
	ctx := c.Request.Context()
	if s.visitorCached(c, s.listingKey(c, "category")) {
		return
	}
	cat, err := s.store.CategoryBySlug(ctx, c.Param("slug"))
	if err != nil {
		s.error(c, err)
		return
	}
	page, err := s.store.FindThreads(ctx, store.ThreadFilter{CategoryID: cat.ID, Before: c.Query("before")})
	if err != nil {
		s.error(c, err)
		return
	}
	user := currentUser(c)
	rows, err := s.threadRows(ctx, user, page.Threads)
	if err != nil {
		s.error(c, err)
		return
	}
	pinnedHere(rows, true)
	v := listView{
		Heading: cat.Name, Intro: cat.Description, Category: cat, Threads: rows, Next: page.Next,
		Empty: s.T(c, "list.category_empty"),
	}
	if user != nil {
		if v.Watching, err = s.store.CategoryWatched(ctx, user.ID, cat.ID); err != nil {
			s.error(c, err)
			return
		}
		v.CanWatch = true
	}
	s.html(c, http.StatusOK, "list", cat.Name, v, feedLink{Title: s.T(c, "feed.category_new", map[string]any{"Name": cat.Name}), Base: "/c/" + cat.Slug + "/feed"})
}
