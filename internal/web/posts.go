package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

type postView struct {
	Thread    *forum.Thread  // as the viewer may see it (forum.ThreadFor)
	Ancestors []ancestorLine // the opening post … the parent, collapsed to one line each
	Root      *node          // the focused post with its replies
	Focus     *forum.Post
	Heading   string // permalinkTitle: the page's title and h1
	Truncated bool
	Form      replyForm
	Stance    *stanceField // the reply forms' stance choice, with the viewer's counted stance
	replyState
}

func (s *Server) post(c *gin.Context) {
	id, err := idParam(c, "post")
	if err != nil {
		s.error(c, err)
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
	user := currentUser(c)
	if !forum.CanRead(user, p) {
		s.error(c, forum.Errorf(forum.ENotFound, "This post is not public. Its place in the thread is still shown there.").T("error.post_not_public"))
		return
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		s.error(c, err)
		return
	}
	// One query: the ancestors (by the post's path), the post and its replies.
	posts, truncated, err := s.store.Subtree(ctx, p, maxDepth, treeBudget)
	if err != nil {
		s.error(c, err)
		return
	}
	marks := s.marks(ctx, user, t.ID, false, false)
	myStance := s.currentStance(ctx, user, t)
	tc := &treeCtx{User: user, Thread: t, CSRF: s.csrfToken(c), MaxDepth: p.Depth + maxDepth, Focus: p.ID,
		Since: marks.Since, Muted: marks.Muted, Stance: newStanceField(myStance, "")}
	s.withInsight(ctx, c, tc, posts)
	roots := buildTree(posts, tc, false)
	var focus *node
	if len(roots) > 0 {
		focus = findNode(roots[0], p.ID)
	}
	if focus == nil {
		s.error(c, fmt.Errorf("post %d: page without the post", p.ID))
		return
	}
	form.ParentID = p.ID
	if form.Idem == "" {
		form.Idem = newIdemKey()
	}
	v := postView{Thread: forum.ThreadFor(user, t), Ancestors: ancestorLines(user, posts, p), Root: focus, Focus: p,
		Truncated: truncated, Form: form, Stance: newStanceField(myStance, form.Stance), replyState: replyStateIn(loc(c), user, t, p)}
	v.Heading = permalinkTitle(p, v.Thread)
	var feeds []feedLink
	if forum.Listed(t.OpeningStatus) {
		feeds = append(feeds, feedLink{Title: s.T(c, "feed.post_replies"), Base: "/p/" + strconv.FormatInt(p.ID, 10) + "/feed"})
	}
	s.html(c, status, "post", v.Heading, v, feeds...)
}

// editView is the edit page's data.
type editView struct {
	Post     *forum.Post
	Thread   *forum.Thread
	Body     string
	Error    string
	ErrField string // the field Error concerns (forum.Error.Field)
}

// editablePost loads the post in the path and its thread, and asks forum.CanEdit (the
// store asks again under the lock when the edit is saved).
func (s *Server) editablePost(c *gin.Context) (*forum.Post, *forum.Thread, error) {
	ctx := c.Request.Context()
	id, err := idParam(c, "post")
	if err != nil {
		return nil, nil, err
	}
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return nil, nil, err
	}
	user := currentUser(c)
	if err := forum.CanEdit(user, t, p, time.Now()); err != nil {
		return nil, nil, err
	}
	return p, forum.ThreadFor(user, t), nil
}

func (s *Server) editForm(c *gin.Context) {
	p, t, err := s.editablePost(c)
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "edit", s.T(c, "edit.heading"), editView{Post: p, Thread: t, Body: p.BodySource})
}

func (s *Server) edit(c *gin.Context) {
	p, t, err := s.editablePost(c)
	if err != nil {
		s.error(c, err)
		return
	}
	body := forum.NormalizeBody(c.PostForm("body"))
	// A rejected edit comes back to the form with the text as typed.
	reject := func(err error) {
		s.rejectForm(c, err, "edit", s.T(c, "edit.heading"), editView{Post: p, Thread: t, Body: body,
			Error: errText(c, err), ErrField: forum.ErrorField(err)})
	}
	if err := forum.ValidateBody(body); err != nil {
		reject(err)
		return
	}
	// A well-formed edit is an attempt: counted before the Markdown is rendered.
	if err := s.limiter.take(c.Request.Context(), s.limits.Edit(currentUser(c))); err != nil {
		reject(err)
		return
	}
	html, mentions, err := s.renderBody(c.Request.Context(), body)
	if err != nil {
		reject(err) // a post too deep, too linked or too large once formatted
		return
	}
	if err := s.store.EditPostLang(c.Request.Context(), p.ID, currentUser(c).ID, body, html, mentions, s.lang.Detect(body)); err != nil {
		reject(err)
		return
	}
	c.Redirect(http.StatusSeeOther, threadURL(p.ThreadID, "")+"#p"+strconv.FormatInt(p.ID, 10))
}

func (s *Server) deletePost(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := idParam(c, "post")
	if err != nil {
		s.error(c, err)
		return
	}
	// The store asks forum.CanDelete under the lock and forum.DeletionBy what it does.
	note := strings.TrimSpace(c.PostForm("note"))
	if err := forum.ValidateModNote(note); err != nil {
		s.error(c, err)
		return
	}
	if err := s.store.DeletePost(ctx, id, currentUser(c).ID, note); err != nil {
		s.error(c, err)
		return
	}
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
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
	p, ok := s.postParam(c)
	if !ok {
		return
	}
	user := currentUser(c)
	if !forum.CanRead(user, p) {
		s.error(c, forum.Errorf(forum.ENotFound, "This post's history is not public.").T("error.history_not_public"))
		return
	}
	t, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		s.error(c, err)
		return
	}
	revs, err := s.store.Revisions(ctx, p.ID)
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "history", s.T(c, "history.heading"), historyView{Post: p, Thread: forum.ThreadFor(user, t), Revisions: revs})
}
