package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/i18n"
	"forum/internal/store"
)

// Notification routes (DESIGN.md's public contract).
const (
	RouteNotifications     = "/notifications"
	RouteNotificationsRead = "/notifications/read"
)

// notificationsPerPage is one page of the list; excerptRunes the text shown of each post.
const (
	notificationsPerPage = 30
	notificationExcerpt  = 200
)

type notificationItem struct {
	ID      int64
	Unread  bool
	Text    string // forum.NotifyReason.Describe
	Reason  forum.NotifyReason
	Excerpt string // "" when the reader may not read the post (forum.CanRead)
	PostID  int64
	At      time.Time
}

// notificationGroup is a thread's notifications on one page, in the order of the
// group's newest.
type notificationGroup struct {
	ThreadID    int64
	ThreadTitle string // forum.ThreadTitle as the recipient may see it
	ThreadURL   string
	Items       []notificationItem
}

type notificationsView struct {
	Groups []notificationGroup
	Next   string
	Unread int // unread before this page marked its own read
}

// notificationGroups turns a page of notifications into the list's view: grouped by
// thread, each group where its newest notification falls, with what the recipient may
// read of each post.
func notificationGroups(l *i18n.Localizer, u *forum.User, list []store.Notification) []notificationGroup {
	var groups []notificationGroup
	at := map[int64]int{} // thread id → index in groups
	for i := range list {
		n := &list[i]
		item := notificationItem{
			ID: n.ID, Unread: n.ReadAt == nil, Text: describe(l, n), Reason: n.Reason,
			PostID: n.Post.ID, At: n.NotifiedAt,
		}
		if forum.CanRead(u, &n.Post) {
			item.Excerpt = feed.Excerpt(n.BodyHTML, notificationExcerpt)
		}
		g, ok := at[n.ThreadID]
		if !ok {
			t := n.Thread()
			g = len(groups)
			at[n.ThreadID] = g
			groups = append(groups, notificationGroup{ThreadID: t.ID, ThreadTitle: forum.ThreadTitle(u, t), ThreadURL: threadURL(t.ID, t.Slug)})
		}
		groups[g].Items = append(groups[g].Items, item)
	}
	return groups
}

// notifications lists the reader's notifications, newest first, and marks the ones this
// page shows as read: the page is how they are read.
func (s *Server) notifications(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	page, err := s.store.Notifications(ctx, u.ID, c.Query("before"), notificationsPerPage)
	if err != nil {
		s.error(c, err)
		return
	}
	v := notificationsView{Groups: notificationGroups(loc(c), u, page.Notifications), Next: page.Next, Unread: u.Unread}
	var unread []int64
	for _, n := range page.Notifications {
		if n.ReadAt == nil {
			unread = append(unread, n.ID)
		}
	}
	if len(unread) > 0 {
		if err := s.store.MarkNotificationsRead(ctx, u.ID, unread); err != nil {
			s.error(c, err)
			return
		}
		// The header of this very page shows the count after the reading.
		n, err := s.store.UnreadCount(ctx, u.ID)
		if err != nil {
			s.error(c, err)
			return
		}
		read := *u
		read.Unread = n
		c.Set(ctxUser, &read)
	}
	s.html(c, http.StatusOK, "notifications", s.T(c, "notif.heading"), v)
}

// markAllRead marks every notification read ("mark all read").
func (s *Server) markAllRead(c *gin.Context) {
	if err := s.store.MarkNotificationsRead(c.Request.Context(), currentUser(c).ID, nil); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, RouteNotifications)
}
