package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/store"
)

// Forum routes from DESIGN.md's public contract, plus the pages that serve them.
const (
	RouteCategory     = "/c/:slug"
	RouteThread       = "/t/:id"
	RouteThreadSlug   = "/t/:id/:slug"
	RouteNewThread    = "/new"
	RouteCreateThread = "/t"
	RouteReply        = "/t/:id/reply"
	RoutePost         = "/p/:id"
	RouteEditPost     = "/p/:id/edit"
	RouteDeletePost   = "/p/:id/delete"
	RoutePostHistory  = "/p/:id/history"
	RouteUser         = "/u/:name"
	RouteAbout        = "/about"
	RouteModLock      = "/mod/threads/:id/lock"
	RouteModUnlock    = "/mod/threads/:id/unlock"
	RouteModPin       = "/mod/threads/:id/pin"
	RouteModUnpin     = "/mod/threads/:id/unpin"
)

func (s *Server) forumRoutes(app *gin.RouterGroup) {
	app.GET(RouteCategory, s.category)
	app.GET(RouteThread, s.thread)
	app.GET(RouteThreadSlug, s.thread)
	app.GET(RouteNewThread, s.requireUser, s.newThreadForm)
	app.POST(RouteCreateThread, s.requireUser, s.createThread)
	app.POST(RouteReply, s.requireUser, s.reply)
	app.GET(RoutePost, s.post)
	app.GET(RouteEditPost, s.requireUser, s.editForm)
	app.POST(RouteEditPost, s.requireUser, s.edit)
	app.POST(RouteDeletePost, s.requireUser, s.deletePost)
	app.GET(RoutePostHistory, s.history)
	app.GET(RouteUser, s.userPage)
	app.GET(RouteAbout, s.about)
	s.moderationRoutes(app)
	app.GET(RouteSearch, s.search)
	app.GET(RouteEvents, s.events)
}

// idParam parses a positive id from the path; anything else is a 404.
func idParam(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	return id, err == nil && id > 0
}

type listView struct {
	Heading  string
	Intro    string
	Category *forum.Category
	Threads  []forum.Thread
	Next     string
	Feed     string
	Empty    string
}

func (s *Server) home(c *gin.Context) {
	page, err := s.store.FindThreads(c.Request.Context(), store.ThreadFilter{Before: c.Query("before")})
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "list", "", listView{
		Heading: "Latest threads", Threads: page.Threads, Next: page.Next,
		Intro: "Do controlled openings like the Pyongyang Marathon's return help or hinder North Korea's relations with the world? Argue it here.",
		Empty: "No threads yet — start the discussion.",
	}, feedLink{Title: "All new threads", Base: "/feed"})
}

func (s *Server) category(c *gin.Context) {
	ctx := c.Request.Context()
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
	s.html(c, http.StatusOK, "list", cat.Name, listView{
		Heading: cat.Name, Intro: cat.Description, Category: cat, Threads: page.Threads, Next: page.Next,
		Empty: "No threads in this category yet — start the discussion.",
	}, feedLink{Title: cat.Name + ": new threads", Base: "/c/" + cat.Slug + "/feed"})
}

// replyForm is a reply being written; it comes back with the text after a rejection.
type replyForm struct {
	ParentID int64
	Body     string
	Stance   string
	Idem     string
	Error    string
}

type threadView struct {
	Thread    *forum.Thread
	Root      *node
	Sort      string
	After     int64
	NextAfter int64
	Truncated bool
	CanReply  bool
	Form      replyForm
	Stances   []stanceBar
	Viewer    *forum.User
}

type stanceBar struct {
	Key, Label string
	Count, Pct int
}

func stanceBars(t *forum.Thread) []stanceBar {
	total := t.StanceTotal()
	pct := func(n int) int {
		if total == 0 {
			return 0
		}
		return (n*100 + total/2) / total
	}
	return []stanceBar{
		{"helps", "Helps", t.StanceHelps, pct(t.StanceHelps)},
		{"hinders", "Hinders", t.StanceHinders, pct(t.StanceHinders)},
		{"mixed", "Mixed", t.StanceMixed, pct(t.StanceMixed)},
	}
}

func (s *Server) thread(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		s.errorPage(c, http.StatusNotFound, "There is no such thread.")
		return
	}
	s.renderThread(c, id, http.StatusOK, replyForm{})
}

// renderThread shows one page of a thread; a rejected reply to the opening post comes
// back here with its text.
func (s *Server) renderThread(c *gin.Context, id int64, status int, form replyForm) {
	ctx := c.Request.Context()
	t, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	newest := c.Query("sort") == "new"
	tree, err := s.store.Tree(ctx, store.TreeQuery{ThreadID: id, After: after, Newest: newest, Budget: treeBudget, MaxDepth: maxDepth})
	if err != nil {
		s.error(c, err)
		return
	}
	user := currentUser(c)
	tc := &treeCtx{User: user, CSRF: s.csrfToken(c), Locked: t.Locked, MaxDepth: maxDepth}
	roots := buildTree(tree.Posts, tc, newest)
	if len(roots) == 0 {
		s.error(c, errors.New("thread without opening post"))
		return
	}
	if form.Idem == "" {
		form.Idem = newIdemKey()
	}
	v := threadView{
		Thread: t, Root: roots[0], After: after, NextAfter: tree.NextAfter, Truncated: tree.Truncated,
		CanReply: user != nil && !t.Locked && !user.Suspended(time.Now()),
		Form:     form, Stances: stanceBars(t), Viewer: user,
	}
	if newest {
		v.Sort = "new"
	}
	title := t.Title
	if !t.Visible && !v.Root.Readable {
		title = v.Root.Post.Placeholder()
	}
	s.html(c, status, "thread", title, v, feedLink{Title: title + ": replies", Base: "/t/" + strconv.FormatInt(t.ID, 10) + "/feed"})
}

type postView struct {
	Thread    *forum.Thread
	Root      *node
	Focus     *forum.Post
	Truncated bool
	Form      replyForm
	CanReply  bool
}

func (s *Server) post(c *gin.Context) {
	id, ok := idParam(c, "id")
	if !ok {
		s.errorPage(c, http.StatusNotFound, "There is no such post.")
		return
	}
	s.renderPost(c, id, http.StatusOK, replyForm{})
}

// renderPost shows one post with its ancestors and replies; it is also the page on
// which a reply to that post is written without JavaScript.
func (s *Server) renderPost(c *gin.Context, id int64, status int, form replyForm) {
	ctx := c.Request.Context()
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		s.error(c, err)
		return
	}
	posts, truncated, err := s.store.Subtree(ctx, p, maxDepth, treeBudget)
	if err != nil {
		s.error(c, err)
		return
	}
	user := currentUser(c)
	tc := &treeCtx{User: user, CSRF: s.csrfToken(c), Locked: t.Locked, MaxDepth: p.Depth + maxDepth, Focus: p.ID}
	roots := buildTree(posts, tc, false)
	if len(roots) == 0 {
		s.error(c, errors.New("post page without posts"))
		return
	}
	form.ParentID = p.ID
	if form.Idem == "" {
		form.Idem = newIdemKey()
	}
	v := postView{Thread: t, Root: roots[0], Focus: p, Truncated: truncated, Form: form,
		CanReply: user != nil && !t.Locked && p.Public() && !user.Suspended(time.Now())}
	s.html(c, status, "post", t.Title, v, feedLink{Title: "Replies below this post", Base: "/p/" + strconv.FormatInt(p.ID, 10) + "/feed"})
}

// writable refuses writes from suspended users with the reason and end date.
func writable(u *forum.User) error {
	if u.Suspended(time.Now()) {
		return u.SuspensionError()
	}
	return nil
}

func (s *Server) reply(c *gin.Context) {
	ctx := c.Request.Context()
	threadID, ok := idParam(c, "id")
	if !ok {
		s.errorPage(c, http.StatusNotFound, "There is no such thread.")
		return
	}
	user := currentUser(c)
	form := replyForm{
		Body: forum.NormalizeBody(c.PostForm("body")), Stance: c.PostForm("stance"), Idem: c.PostForm("idem"),
	}
	var parentID int64
	if raw := strings.TrimSpace(c.PostForm("parent_id")); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			s.errorPage(c, http.StatusBadRequest, "parent_id must be the id of a post in this thread.")
			return
		}
		parentID = id
	}
	reject := func(err error) {
		if forum.ErrorCode(err) == forum.EInternal {
			s.error(c, err)
			return
		}
		form.Error = forum.ErrorMessage(err)
		if parentID == 0 {
			s.renderThread(c, threadID, status(forum.ErrorCode(err)), form)
			return
		}
		// The parent may be the thing that is wrong; then there is no page to return to.
		if code := forum.ErrorCode(err); code == forum.ENotFound || code == forum.EInvalid && strings.Contains(form.Error, "replied to") {
			s.error(c, err)
			return
		}
		s.renderPost(c, parentID, status(forum.ErrorCode(err)), form)
	}
	if err := writable(user); err != nil {
		reject(err)
		return
	}
	if err := forum.ValidateBody(form.Body); err != nil {
		reject(err)
		return
	}
	if err := forum.ValidateStance(form.Stance); err != nil {
		reject(err)
		return
	}
	html, err := s.markup.Render(form.Body)
	if err != nil {
		s.error(c, err)
		return
	}
	p, err := s.store.CreateReply(ctx, store.NewReply{
		ThreadID: threadID, ParentID: parentID, AuthorID: user.ID,
		BodySource: form.Body, BodyHTML: html, Stance: form.Stance, IdempotencyKey: form.Idem,
	})
	if err != nil {
		reject(err)
		return
	}
	c.Redirect(http.StatusSeeOther, threadURL(p.ThreadID, "")+"#p"+strconv.FormatInt(p.ID, 10))
}

func threadURL(id int64, slug string) string {
	u := "/t/" + strconv.FormatInt(id, 10)
	if slug != "" {
		u += "/" + slug
	}
	return u
}

// newThreadForm is the new-thread page's data.
type newThreadForm struct {
	Categories []forum.Category
	Category   string
	Title      string
	Body       string
	Idem       string
	Error      string
}

func (s *Server) newThreadForm(c *gin.Context) {
	s.renderNewThread(c, http.StatusOK, newThreadForm{Category: c.Query("category")})
}

func (s *Server) renderNewThread(c *gin.Context, status int, f newThreadForm) {
	cats, err := s.store.Categories(c.Request.Context())
	if err != nil {
		s.error(c, err)
		return
	}
	f.Categories = cats
	if f.Idem == "" {
		f.Idem = newIdemKey()
	}
	s.html(c, status, "new", "Start a thread", f)
}

func (s *Server) createThread(c *gin.Context) {
	ctx := c.Request.Context()
	user := currentUser(c)
	f := newThreadForm{
		Category: c.PostForm("category"), Title: strings.TrimSpace(c.PostForm("title")),
		Body: forum.NormalizeBody(c.PostForm("body")), Idem: c.PostForm("idem"),
	}
	reject := func(err error) {
		if forum.ErrorCode(err) == forum.EInternal {
			s.error(c, err)
			return
		}
		f.Error = forum.ErrorMessage(err)
		s.renderNewThread(c, status(forum.ErrorCode(err)), f)
	}
	if err := writable(user); err != nil {
		reject(err)
		return
	}
	cat, err := s.store.CategoryBySlug(ctx, f.Category)
	if err != nil {
		if errors.Is(err, forum.ErrNotFound) {
			err = forum.Errorf(forum.EInvalid, "Choose one of the listed categories.")
		}
		reject(err)
		return
	}
	if err := forum.ValidateTitle(f.Title); err != nil {
		reject(err)
		return
	}
	if err := forum.ValidateBody(f.Body); err != nil {
		reject(err)
		return
	}
	html, err := s.markup.Render(f.Body)
	if err != nil {
		s.error(c, err)
		return
	}
	t, err := s.store.CreateThread(ctx, store.NewThread{
		CategoryID: cat.ID, AuthorID: user.ID, Title: f.Title, BodySource: f.Body, BodyHTML: html, IdempotencyKey: f.Idem,
	})
	if err != nil {
		reject(err)
		return
	}
	c.Redirect(http.StatusSeeOther, threadURL(t.ID, t.Slug))
}

// editView is the edit page's data.
type editView struct {
	Post   *forum.Post
	Thread *forum.Thread
	Body   string
	Error  string
}

// editablePost loads the post in the path and checks the viewer may change it.
func (s *Server) editablePost(c *gin.Context) (*forum.Post, bool) {
	id, ok := idParam(c, "id")
	if !ok {
		s.errorPage(c, http.StatusNotFound, "There is no such post.")
		return nil, false
	}
	p, err := s.store.PostByID(c.Request.Context(), id)
	if err != nil {
		s.error(c, err)
		return nil, false
	}
	user := currentUser(c)
	if !p.CanEdit(user) {
		s.errorPage(c, http.StatusForbidden, "You can only change your own posts.")
		return nil, false
	}
	if err := writable(user); err != nil {
		s.error(c, err)
		return nil, false
	}
	return p, true
}

func (s *Server) editForm(c *gin.Context) {
	p, ok := s.editablePost(c)
	if !ok {
		return
	}
	s.renderEdit(c, http.StatusOK, editView{Post: p, Body: p.BodySource})
}

func (s *Server) renderEdit(c *gin.Context, status int, v editView) {
	t, err := s.store.ThreadByID(c.Request.Context(), v.Post.ThreadID)
	if err != nil {
		s.error(c, err)
		return
	}
	v.Thread = t
	s.html(c, status, "edit", "Edit post", v)
}

func (s *Server) edit(c *gin.Context) {
	p, ok := s.editablePost(c)
	if !ok {
		return
	}
	user := currentUser(c)
	body := forum.NormalizeBody(c.PostForm("body"))
	if err := forum.ValidateBody(body); err != nil {
		s.renderEdit(c, status(forum.ErrorCode(err)), editView{Post: p, Body: body, Error: forum.ErrorMessage(err)})
		return
	}
	if body == p.BodySource {
		c.Redirect(http.StatusSeeOther, "/p/"+strconv.FormatInt(p.ID, 10))
		return
	}
	html, err := s.markup.Render(body)
	if err != nil {
		s.error(c, err)
		return
	}
	if err := s.store.EditPost(c.Request.Context(), p.ID, user.ID, body, html, user.ID != p.AuthorID); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, threadURL(p.ThreadID, "")+"#p"+strconv.FormatInt(p.ID, 10))
}

func (s *Server) deletePost(c *gin.Context) {
	p, ok := s.editablePost(c)
	if !ok {
		return
	}
	user := currentUser(c)
	byModerator := user.ID != p.AuthorID
	if err := s.store.DeletePost(c.Request.Context(), p.ID, user.ID, byModerator, c.PostForm("note")); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, threadURL(p.ThreadID, "")+"#p"+strconv.FormatInt(p.ID, 10))
}

type historyView struct {
	Post      *forum.Post
	Thread    *forum.Thread
	Revisions []forum.Revision
}

func (s *Server) history(c *gin.Context) {
	ctx := c.Request.Context()
	id, ok := idParam(c, "id")
	if !ok {
		s.errorPage(c, http.StatusNotFound, "There is no such post.")
		return
	}
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	if !p.Readable(currentUser(c)) {
		s.errorPage(c, http.StatusNotFound, "This post's history is not public.")
		return
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		s.error(c, err)
		return
	}
	revs, err := s.store.Revisions(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "history", "Edit history", historyView{Post: p, Thread: t, Revisions: revs})
}

type userView struct {
	Person  *forum.User
	Threads []forum.Thread
	Posts   []forum.Post
	Next    int64
}

const userPostsPerPage = 30

func (s *Server) userPage(c *gin.Context) {
	ctx := c.Request.Context()
	u, err := s.store.UserByName(ctx, c.Param("name"))
	if err != nil {
		s.error(c, err)
		return
	}
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	posts, err := s.store.UserPosts(ctx, u.ID, before, userPostsPerPage+1)
	if err != nil {
		s.error(c, err)
		return
	}
	v := userView{Person: u, Posts: posts}
	if len(posts) > userPostsPerPage {
		v.Posts = posts[:userPostsPerPage]
		v.Next = v.Posts[userPostsPerPage-1].ID
	}
	if before == 0 {
		page, err := s.store.FindThreads(ctx, store.ThreadFilter{AuthorID: u.ID, Limit: 10})
		if err != nil {
			s.error(c, err)
			return
		}
		v.Threads = page.Threads
	}
	s.html(c, http.StatusOK, "user", u.Username, v, feedLink{Title: u.Username + "'s posts", Base: "/u/" + u.Username + "/feed"})
}

func (s *Server) about(c *gin.Context) {
	s.html(c, http.StatusOK, "about", "About", s.aboutHTML)
}

func (s *Server) setThread(setting store.ThreadSetting) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, ok := idParam(c, "id")
		if !ok {
			s.errorPage(c, http.StatusNotFound, "There is no such thread.")
			return
		}
		note := strings.TrimSpace(c.PostForm("note"))
		if err := s.store.SetThread(c.Request.Context(), id, currentUser(c).ID, setting, note); err != nil {
			s.error(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, threadURL(id, ""))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
