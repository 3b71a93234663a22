package web

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/i18n"
	"forum/internal/mail"
	"forum/internal/secret"
	"forum/internal/store"
)

// RouteFeedPrivate is a person's private feed of notifications, without its extension
// (DESIGN.md: .rss and .atom). The token is the only credential: whoever holds the URL
// reads the feed, so the token is shown once, kept only as a hash, and never logged.
const RouteFeedPrivate = privateFeedPrefix + ":token/notifications"

// privateFeedPrefix starts every private feed's path; the segment after it is a secret.
const privateFeedPrefix = "/feeds/private/"

// privateFeedCacheControl lets the reader's own client reuse the feed for a minute, as
// the public feeds do, and no shared cache keep it at all.
const privateFeedCacheControl = "private, max-age=60"

// privateFeedItems is how many notifications the private feed carries: the newest.
const privateFeedItems = store.FeedLimit

// moderatorsName stands for the moderator in a notification about a decision: the
// notification list names no moderator (forum.NotifyReason.Describe), nor does the feed.
const moderatorsName = "The moderators"

func (s *Server) privateFeedRoutes(r *gin.RouterGroup) {
	for _, format := range []feed.Format{feed.RSS, feed.Atom} {
		h := s.servePrivateFeed(format)
		r.GET(RouteFeedPrivate+"."+string(format), noReferrer, h)
		r.HEAD(RouteFeedPrivate+"."+string(format), noReferrer, h)
	}
}

// noReferrer keeps the address of a page whose URL holds a secret out of the Referer of
// anything fetched or followed from it.
func noReferrer(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	c.Next()
}

// servePrivateFeed answers a private feed: the token's owner's notifications as their
// list shows them (the store applies forum.NotificationShown), each item built for them
// as the reader. An unknown or replaced token is the 404 of any address that names
// nothing, so the answer tells nobody whether a token ever existed.
func (s *Server) servePrivateFeed(format feed.Format) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		token := c.Param("token")
		if !secret.WellFormed(token) {
			s.error(c, errNoPage)
			return
		}
		u, err := s.store.UserByFeedToken(ctx, secret.Hash(token))
		if errors.Is(err, forum.ErrNotFound) {
			s.error(c, errNoPage)
			return
		}
		if err != nil {
			s.error(c, err)
			return
		}
		page, err := s.store.Notifications(ctx, u.ID, "", privateFeedItems)
		if err != nil {
			s.error(c, err)
			return
		}
		notices := make([]feed.Notice, len(page.Notifications))
		for i := range page.Notifications {
			notices[i] = noticeFor(s.bundle.For(u.Lang), u, &page.Notifications[i])
		}
		l, words := s.bundle.For(u.Lang), map[string]any{"Name": u.Username}
		words["Site"] = l.T("site.name")
		meta := feed.Meta{
			Title:       l.T("feeds.notifications.title", words),
			Description: l.T("feeds.notifications.description", words),
			Page:        RouteNotifications,
			Path:        privateFeedPrefix + token + "/notifications",
		}
		// Fifty rows of one person's list are read whole either way: the validator is
		// computed from the built items, which cost no more than their stamps would.
		f := feed.Notices(s.cfg.BaseURL, meta, notices)
		s.answerFeed(c, format, privateFeedCacheControl, f.Validator(format), func() (*feed.Feed, error) { return f, nil })
	}
}

// noticeFor is notification n as the private feed shows it to u: the thread's title as
// u may see it, and the post's text only if u may read it (a flag's outcome about a
// hidden post says what was decided, never what the post said).
func noticeFor(l *i18n.Localizer, u *forum.User, n *store.Notification) feed.Notice {
	out := feed.Notice{
		ID: n.ID, PostID: n.Post.ID, Line: describe(l, n),
		Thread: forum.ThreadTitle(u, n.Thread()), Author: moderatorsName, At: n.NotifiedAt,
	}
	if actor := notificationActor(n); actor != nil {
		out.Author = *actor
	}
	if forum.CanRead(u, &n.Post) {
		out.BodyHTML = n.BodyHTML
		out.Modified = n.CreatedAt
		if n.EditedAt != nil && n.EditedAt.After(n.CreatedAt) {
			out.Modified = *n.EditedAt
		}
	}
	return out
}

// notificationActor is who a notification names as its cause: the person who wrote the
// post, or nil for a moderator's decision (see moderatorsName).
func notificationActor(n *store.Notification) *string {
	if n.Reason.AboutModeration() {
		return nil
	}
	name := n.ActorName
	return &name
}

// loggedPath is path as logs and error reports show it: a private feed's token, and a
// mailed link's, is replaced by "…", because whoever reads the logs must not be able to
// read the feed or use the link. Every log line that names a request's path goes through it.
func loggedPath(path string) string {
	for _, prefix := range secretPathPrefixes {
		if len(path) < len(prefix) || !strings.EqualFold(path[:len(prefix)], prefix) {
			continue
		}
		rest := path[len(prefix):]
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return prefix + "…" + rest[i:]
		}
		return prefix + "…"
	}
	return path
}

// secretPathPrefixes start the paths whose next segment is a secret.
var secretPathPrefixes = []string{privateFeedPrefix, resetPrefix, confirmEmailPrefix, mail.UnsubscribePrefix}
