package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/i18n"
	"forum/internal/store"
)

// replyForm is a reply being written; it comes back with the text after a rejection.
type replyForm struct {
	ParentID int64
	Body     string
	Stance   string
	Idem     string
	Error    string
	ErrField string // the field Error concerns (forum.Error.Field)
	langChoice
}

type threadView struct {
	Thread    *forum.Thread // as the viewer may see it (forum.ThreadFor)
	Root      *node
	Sort      string
	After     int64
	NextAfter int64
	NextCount int64 // with Sort "top": the cursor's first half (insightful_count.id)
	Truncated bool
	replyState
	Form    replyForm
	Stance  *stanceField // the reply forms' stance choice, with the viewer's counted stance
	Stances []stanceBar
	Viewer  *forum.User
	Jump    string          // "jump to first unread" (jumpHref); "" when nothing is
	Watch   *watchControl   // the viewer's watch level and form; nil for a visitor
	Range   forum.PageRange // "showing replies X–Y of N", shown when the thread has pages
	// Translations are the same thread in other languages (the seeded ones in Korean).
	Translations []forum.ThreadTranslation
}

// replyState is whether the page's reply box is offered, and if not, why.
type replyState struct {
	CanReply     bool
	ReplyRefusal string // the policy's reason, except "log in" (the box invites visitors)
}

func replyStateFor(u *forum.User, t *forum.Thread, parent *forum.Post) replyState {
	return replyStateIn(i18n.FromContext(context.Background()), u, t, parent)
}

// replyStateIn is replyStateFor with the refusal worded by l.
func replyStateIn(l *i18n.Localizer, u *forum.User, t *forum.Thread, parent *forum.Post) replyState {
	err := forum.CanReply(u, t, parent, time.Now())
	switch {
	case err == nil:
		return replyState{CanReply: true}
	case errors.Is(err, forum.ErrLoginRequired):
		return replyState{}
	case errors.Is(err, forum.ErrThreadLocked):
		return replyState{ReplyRefusal: lockNotice(l, t)} // the same words as the page's top
	}
	return replyState{ReplyRefusal: errorText(l, err)}
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
	counts := map[forum.Stance]int{forum.StanceHelps: t.StanceHelps, forum.StanceHinders: t.StanceHinders,
		forum.StanceMixed: t.StanceMixed}
	bars := make([]stanceBar, len(forum.Stances))
	for i, st := range forum.Stances {
		bars[i] = stanceBar{string(st), st.Label(), counts[st], pct(counts[st])}
	}
	return bars
}

func (s *Server) thread(c *gin.Context) {
	id, err := idParam(c, "thread")
	if err != nil {
		s.error(c, err)
		return
	}
	s.renderThread(c, id, http.StatusOK, replyForm{})
}

// renderThread shows one page of a thread; a rejected reply to the opening post comes
// back here with its text.
func (s *Server) renderThread(c *gin.Context, id int64, status int, form replyForm) {
	ctx := c.Request.Context()
	top := c.Query("sort") == "top"
	after, afterCount, err := threadCursor(c, top)
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
	if status == http.StatusOK && s.visitorCached(c, func() (pageKey, error) { // pagecache.go
		return s.cache.threadKey("thread", t.ID, t.Version, mark, s.cacheVariant(c.Request), c.Request.URL.RequestURI()), nil
	}) {
		return
	}
	// A view is recorded before the tree is read: a reply written in between is shown,
	// and marked new again next time, never taken as seen unshown. A refused reply's
	// page comes back here too, often because the thread is busy: it records nothing.
	user := currentUser(c)
	marks := s.marks(ctx, user, t.ID, status == http.StatusOK, true)
	newest := c.Query("sort") == "new"
	tree, err := s.store.Tree(ctx, store.TreeQuery{ThreadID: id, After: after, Newest: newest, Budget: treeBudget, MaxDepth: maxDepth,
		Top: top, AfterCount: afterCount})
	if err != nil {
		s.error(c, err)
		return
	}
	myStance := s.currentStance(ctx, user, t)
	tc := &treeCtx{User: user, Thread: t, CSRF: s.csrfToken(c), MaxDepth: maxDepth, Since: marks.Since, Muted: marks.Muted,
		Stance: newStanceField(myStance, "")}
	s.withInsight(ctx, c, tc, tree.Posts)
	roots := buildTree(tree.Posts, tc, newest)
	if len(roots) == 0 {
		s.error(c, fmt.Errorf("thread %d has no opening post", t.ID))
		return
	}
	if top {
		sortTop(roots)
	}
	if form.Idem == "" {
		form.Idem = newIdemKey()
	}
	v := threadView{
		Thread: forum.ThreadFor(user, t), Root: roots[0], After: after, NextAfter: tree.NextAfter,
		Truncated: tree.Truncated, replyState: replyStateIn(loc(c), user, t, nil),
		Form: form, Stance: newStanceField(myStance, form.Stance), Stances: stanceBars(t), Viewer: user,
		Jump: jumpHref(marks.FirstUnread, tree.Posts), Watch: marks.Watch,
		Range: forum.PageRangeFor(user, t, tree.Before, tree.BeforePublic, tree.Posts),
	}
	if newest {
		v.Sort = "new"
	}
	if top {
		v.Sort, v.NextCount = "top", tree.NextCount
	}
	if t.HasTranslations { // a third query only for the few threads that have them
		if v.Translations, err = s.store.Translations(ctx, t.ID); err != nil {
			s.error(c, err)
			return
		}
	}
	var feeds []feedLink
	if forum.Listed(t.OpeningStatus) {
		feeds = append(feeds, feedLink{Title: s.T(c, "feed.thread_replies", map[string]any{"Title": t.Title}), Base: "/t/" + strconv.FormatInt(t.ID, 10) + "/feed"})
	}
	s.html(c, status, "thread", v.Thread.Title, v, feeds...)
}

// afterParam reads a thread page's ?after= cursor (the id of the last top-level reply the
// previous page showed); 0 without one, the first page.
func afterParam(c *gin.Context) (int64, error) {
	raw := c.Query("after")
	if raw == "" {
		return 0, nil
	}
	cur, err := forum.ParseCursor(raw, 1)
	if err != nil {
		return 0, err
	}
	return cur.Int(0), nil
}

func (s *Server) reply(c *gin.Context) {
	ctx := c.Request.Context()
	threadID, err := idParam(c, "thread")
	if err != nil {
		s.error(c, err)
		return
	}
	user := currentUser(c)
	form := replyForm{
		Body: forum.NormalizeBody(c.PostForm("body")), Stance: c.PostForm("stance"), Idem: c.PostForm("idem"),
		langChoice: langChoice{Lang: c.PostForm("lang")},
	}
	if err := forum.ValidateIdemKey(form.Idem); err != nil { // not ours: no form to go back to
		s.error(c, err)
		return
	}
	var parentID int64
	if raw := strings.TrimSpace(c.PostForm("parent_id")); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			s.error(c, forum.Errorf(forum.EInvalid, "parent_id must be the id of a post in this thread.").T("error.parent_id"))
			return
		}
		parentID = id
	}
	// A rejected reply goes back to the page it was written on with its text, unless
	// the page itself is what is wrong (no such thread or parent, or a parent elsewhere
	// or gone): then the error page says so.
	reject := func(err error) {
		if errStatus(err) == http.StatusInternalServerError || errors.Is(err, forum.ErrNotFound) ||
			errors.Is(err, forum.ErrParentElsewhere) || errors.Is(err, forum.ErrParentGone) {
			s.error(c, err)
			return
		}
		form.Error, form.ErrField = errText(c, err), forum.ErrorField(err)
		setRetryAfter(c, err)
		if parentID == 0 {
			s.renderThread(c, threadID, errStatus(err), form)
			return
		}
		s.renderPost(c, parentID, errStatus(err), form)
	}
	if err := forum.MayWrite(user, time.Now()); err != nil {
		reject(err)
		return
	}
	if err := forum.ValidateBody(form.Body); err != nil {
		reject(err)
		return
	}
	stance, err := forum.ParseStanceChoice(form.Stance)
	if err != nil {
		reject(err)
		return
	}
	chosenLang, err := forum.ParsePostLang(form.Lang)
	if err != nil {
		reject(err)
		return
	}
	// A resend of a form already written (a retry after a lost answer) gets the first
	// answer again, without counting against the limits.
	if p, err := s.sentBefore(c, user, form.Idem); p != nil || err != nil {
		if err != nil {
			s.error(c, err)
			return
		}
		s.redirectToPost(c, p)
		return
	}
	// A well-formed reply is an attempt, counted and decided in the reply's transaction
	// (store.NewReply.Limit): a count of its own cost every reply a round trip and a flush.
	limit := s.limits.Reply(user, time.Now())
	html, mentions, err := s.renderBody(ctx, form.Body)
	if err != nil {
		reject(err) // a post too deep, too linked or too large once formatted
		return
	}
	// The store checks forum.CanReply under the thread's lock.
	p, err := s.store.CreateReply(ctx, store.NewReply{
		ThreadID: threadID, ParentID: parentID, AuthorID: user.ID,
		BodySource: form.Body, BodyHTML: html, Stance: stance.Stance, WithdrawStance: stance.Withdraw,
		IdempotencyKey: form.Idem, Mentions: mentions, Lang: forum.PostLang(chosenLang, s.lang.Detect(form.Body)),
		Limit: limit.Counters(), Decide: s.limiter.decide(limit),
	})
	if err != nil {
		reject(err)
		return
	}
	s.redirectToPost(c, p)
}

// redirectToPost sends the writer of a reply to the thread page that shows it (not page
// one of a long thread), at the reply; a reply deeper than the page shows goes to its
// own page.
func (s *Server) redirectToPost(c *gin.Context, p *forum.Post) {
	anchor := "#p" + strconv.FormatInt(p.ID, 10)
	if p.Depth > maxDepth || p.TopID == nil {
		c.Redirect(http.StatusSeeOther, "/p/"+strconv.FormatInt(p.ID, 10)+anchor)
		return
	}
	u := threadURL(p.ThreadID, "")
	after, err := s.store.PageOf(c.Request.Context(), p.ThreadID, *p.TopID, treeBudget)
	if err != nil {
		// The reply is written; only its page is unknown: the thread's first page will do.
		slog.WarnContext(c.Request.Context(), "find the page of a reply", "post", p.ID, "err", err)
	} else if after != 0 {
		u += "?after=" + forum.NewCursor(after).String()
	}
	c.Redirect(http.StatusSeeOther, u+anchor)
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
	Stance     string // the opening post's, as typed
	Idem       string
	Error      string
	ErrField   string // the field Error concerns (forum.Error.Field)
	langChoice
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
	s.html(c, status, "new", s.T(c, "new.heading"), f)
}

func (s *Server) createThread(c *gin.Context) {
	ctx := c.Request.Context()
	user := currentUser(c)
	f := newThreadForm{
		Category: c.PostForm("category"), Title: strings.TrimSpace(c.PostForm("title")),
		Body: forum.NormalizeBody(c.PostForm("body")), Stance: c.PostForm("stance"), Idem: c.PostForm("idem"),
		langChoice: langChoice{Lang: c.PostForm("lang")},
	}
	if err := forum.ValidateIdemKey(f.Idem); err != nil { // not ours: no form to go back to
		s.error(c, err)
		return
	}
	reject := func(err error) {
		if errStatus(err) == http.StatusInternalServerError {
			s.error(c, err)
			return
		}
		f.Error, f.ErrField = errText(c, err), forum.ErrorField(err)
		setRetryAfter(c, err)
		s.renderNewThread(c, errStatus(err), f)
	}
	if err := forum.CanStartThread(user, time.Now()); err != nil {
		reject(err)
		return
	}
	cat, err := s.store.CategoryBySlug(ctx, f.Category)
	if err != nil {
		if errors.Is(err, forum.ErrNotFound) {
			err = forum.FieldErrorf("category", forum.EInvalid, "Choose one of the listed categories.").T("error.category_choose")
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
	// The store refuses a stance in a category that takes none (forum.CanTakeStance).
	stance, err := forum.ParseStance(f.Stance)
	if err != nil {
		reject(err)
		return
	}
	chosenLang, err := forum.ParsePostLang(f.Lang)
	if err != nil {
		reject(err)
		return
	}
	if p, err := s.sentBefore(c, user, f.Idem); p != nil || err != nil {
		var t *forum.Thread
		if err == nil {
			t, err = s.store.ThreadByID(ctx, p.ThreadID)
		}
		if err != nil {
			s.error(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, threadURL(t.ID, t.Slug)) // the first answer, word for word
		return
	}
	// A well-formed thread is an attempt: counted before the Markdown is rendered.
	if err := s.limiter.take(ctx, s.limits.Thread(user, time.Now())); err != nil {
		reject(err)
		return
	}
	html, mentions, err := s.renderBody(ctx, f.Body)
	if err != nil {
		reject(err) // a post too deep, too linked or too large once formatted
		return
	}
	t, err := s.store.CreateThread(ctx, store.NewThread{
		CategoryID: cat.ID, AuthorID: user.ID, Title: f.Title, BodySource: f.Body, BodyHTML: html,
		Stance: stance, IdempotencyKey: f.Idem, Mentions: mentions,
		Lang: forum.PostLang(chosenLang, s.lang.Detect(f.Title+"\n\n"+f.Body)),
	})
	if err != nil {
		reject(err)
		return
	}
	c.Redirect(http.StatusSeeOther, threadURL(t.ID, t.Slug))
}

func (s *Server) setThread(setting forum.ThreadSetting) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := idParam(c, "thread")
		if err != nil {
			s.error(c, err)
			return
		}
		note := strings.TrimSpace(c.PostForm("note"))
		if err := forum.ValidateModNote(note); err != nil {
			s.error(c, err)
			return
		}
		if reason := strings.TrimSpace(c.PostForm("reason")); setting == forum.SettingLock && reason != "" {
			// The lock form's reason is the act's note: the log and the thread's top show it.
			if err := forum.ValidateLockReason(reason); err != nil {
				s.error(c, err)
				return
			}
			note = reason
		}
		write := func() error { return s.store.SetThread(c.Request.Context(), id, currentUser(c).ID, setting, note) }
		if setting == forum.SettingPin { // a pin has a scope (pin.go)
			write = func() error { return s.pinThread(c, id, note) }
		}
		if err := write(); err != nil {
			s.error(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, threadURL(id, ""))
	}
}

// sentBefore finds the post an earlier send of this form (its idempotency key) wrote;
// nil, nil when there is none.
func (s *Server) sentBefore(c *gin.Context, user *forum.User, idem string) (*forum.Post, error) {
	if idem == "" {
		return nil, nil
	}
	p, err := s.store.PostByIdempotencyKey(c.Request.Context(), user.ID, idem)
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	}
	return p, err
}
