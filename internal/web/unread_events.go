package web

import (
	"fmt"
	"log/slog"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// RouteUnreadEvents is the logged-in reader's Server-Sent Events stream of their unread
// count, which the header shows live (web/static/unread.js). HEAD answers what a GET
// would now without opening a stream, as on RouteEvents.
const RouteUnreadEvents = "/notifications/events"

// unreadEvents sends `event: unread` with {"unread":N} at once and again whenever the
// reader's kept count changes, on any instance (the store NOTIFYs store.UserChannel).
func (s *Server) unreadEvents(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	if u == nil {
		s.error(c, forum.ErrLoginRequired) // 401, not the login page: a script asks
		return
	}
	if s.hub == nil {
		s.error(c, forum.Errorf(forum.EUnavailable, "Live updates are not available; reload the page to see your unread count.").T("error.live_unread"))
		return
	}
	wake, leave, ok := s.acceptStream(c, s.hub.SubscribeUser, u.ID)
	if !ok {
		return
	}
	defer leave()
	// Read after subscribing, so a change between the two is not missed.
	last, err := s.store.UnreadCount(ctx, u.ID)
	if err != nil {
		s.error(c, streamUnavailable(c, err))
		return
	}
	rc, err := startStream(c, "retry: 3000\n: connected\n\n"+unreadEvent(last))
	if err != nil {
		return
	}
	send := func() bool {
		n, err := s.store.UnreadCount(ctx, u.ID)
		if err != nil {
			if ctx.Err() == nil {
				slog.WarnContext(ctx, "read unread count", "user", u.ID, "err", err)
			}
			return false
		}
		if n == last {
			return true // woken by someone else's change ({"all":true}) or a reconnect
		}
		last = n
		if _, err := fmt.Fprint(c.Writer, unreadEvent(n)); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	s.pump(c, rc, wake, send)
}

func unreadEvent(n int) string {
	return fmt.Sprintf("event: unread\ndata: {\"unread\":%d}\n\n", n)
}
