package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// What a logged-in reader's pages add to everyone's: unread markers, collapsed posts of
// people they muted, and the forms that watch a thread or category or mute a person.
// A visitor's pages do none of this and cost no query for it.

// readerMarks is where the viewer left a thread and whom they muted.
type readerMarks struct {
	Since       int64          // their read position before this view; 0: nothing is new
	FirstUnread int64          // the oldest visible post by someone else since (thread page only)
	Muted       map[int64]bool // the people they muted
	Watch       *watchControl  // the thread page's watch form
}

// watchControl is the thread page's form: the viewer's level and the choices.
type watchControl struct {
	Level  forum.WatchLevel
	Levels []forum.WatchLevel
}

// marks loads the viewer's marks for a thread. A thread page view (visit) records the
// view, its one write, and gets the previous position back from the same statement; a
// /p/:id page shows only part of the thread, so it reads the position and leaves it.
// The thread page (watch) also shows the viewer's watch level.
//
// The marks decorate a page that is served without them: whatever cannot be loaded is
// logged and left out. A first visit's insert waits, up to the lock timeout, on the
// thread's row while a writer holds it, and a refused reply's page (often refused
// because the thread is busy) must still come back with the reply's text.
func (s *Server) marks(ctx context.Context, u *forum.User, threadID int64, visit, watch bool) readerMarks {
	var m readerMarks
	if u == nil {
		return m
	}
	warn := func(what string, err error) {
		slog.WarnContext(ctx, "reader marks: "+what, "err", err, "thread", threadID)
	}
	if visit {
		prev, err := s.store.VisitThread(ctx, u.ID, threadID)
		switch {
		case err != nil:
			warn("record visit", err)
		case prev != nil:
			m.Since, m.FirstUnread = prev.LastPostID, prev.FirstUnread
		}
	} else {
		pos, err := s.store.ReadPositions(ctx, u.ID, []int64{threadID})
		if err != nil {
			warn("read position", err)
		}
		m.Since = pos[threadID].LastPostID
	}
	if watch {
		level, err := s.store.ThreadWatch(ctx, u.ID, threadID)
		if err != nil {
			warn("watch level", err)
		} else {
			m.Watch = &watchControl{Level: level, Levels: forum.WatchLevels}
		}
	}
	muted, err := s.store.MutedIDs(ctx, u.ID)
	if err != nil {
		warn("muted people", err)
	}
	m.Muted = muted
	return m
}

// jumpHref is the "jump to first unread" link: the post's anchor when this page shows
// it, else its own page; "" when nothing is unread.
func jumpHref(first int64, shown []forum.Post) string {
	if first == 0 {
		return ""
	}
	for i := range shown {
		if shown[i].ID == first {
			return "#p" + strconv.FormatInt(first, 10)
		}
	}
	return "/p/" + strconv.FormatInt(first, 10)
}

// threadRow is a listing's row: the thread and, for a logged-in viewer, how many of its
// replies are new since their last visit.
type threadRow struct {
	forum.Thread
	New     int
	Replies forum.ReplyCount // as the viewer is told it (forum.ReplyCountFor)
	// PinnedHere: this listing shows the thread pinned (forum.PinnedIn; pinnedHere).
	PinnedHere bool
}

// threadRows adds the viewer's unread counts to a listing's threads: one query for the
// page's threads, none for a visitor.
func (s *Server) threadRows(ctx context.Context, u *forum.User, threads []forum.Thread) ([]threadRow, error) {
	rows := make([]threadRow, len(threads))
	for i, t := range threads {
		rows[i].Thread = t
		rows[i].Replies = forum.ReplyCountFor(u, &t)
	}
	if u == nil || len(threads) == 0 {
		return rows, nil
	}
	ids := make([]int64, len(threads))
	for i, t := range threads {
		ids[i] = t.ID
	}
	pos, err := s.store.ReadPositions(ctx, u.ID, ids)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if p, ok := pos[rows[i].ID]; ok {
			// Both sides count public replies: a hidden reply is neither shown nor new.
			rows[i].New = forum.NewReplies(rows[i].PublicReplyCount, p.ReplyCount)
		}
	}
	return rows, nil
}

// watchThread sets the viewer's watch level for a thread they may open.
func (s *Server) watchThread(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := idParam(c, "thread")
	if err != nil {
		s.error(c, err)
		return
	}
	level, err := forum.ParseWatchLevel(c.PostForm("level"))
	if err != nil {
		s.error(c, err)
		return
	}
	// Whoever may open the thread page may watch it: the page shows any thread that exists.
	t, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	user := currentUser(c)
	if err := s.store.SetThreadWatch(ctx, user.ID, t.ID, level); err != nil {
		s.error(c, err)
		return
	}
	t = forum.ThreadFor(user, t)
	c.Redirect(http.StatusSeeOther, threadURL(t.ID, t.Slug))
}

// watchCategory starts or stops the viewer's watch of a category's new threads.
func (s *Server) watchCategory(c *gin.Context) {
	ctx := c.Request.Context()
	cat, err := s.store.CategoryBySlug(ctx, c.Param("slug"))
	if err != nil {
		s.error(c, err)
		return
	}
	on, err := forum.ParseCategoryWatch(c.PostForm("level"))
	if err != nil {
		s.error(c, err)
		return
	}
	if err := s.store.SetCategoryWatch(ctx, currentUser(c).ID, cat.ID, on); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/c/"+cat.Slug)
}

// setMute mutes or unmutes the person named; the store asks forum.CanMute.
func (s *Server) setMute(mute bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		target, err := s.store.UserByName(ctx, c.Param("name"))
		if err != nil {
			s.error(c, err)
			return
		}
		if err := s.store.SetMute(ctx, currentUser(c).ID, target, mute); err != nil {
			s.error(c, err)
			return
		}
		c.Redirect(http.StatusSeeOther, "/u/"+target.Username)
	}
}
