package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/secret"
)

// RouteAPINotifications is the caller's own notifications (DESIGN.md).
const RouteAPINotifications = "/api/v1/notifications"

// errAPICaller is the answer to a personal API route without a session or a valid token.
var errAPICaller = forum.Errorf(forum.EUnauthorized,
	"Log in, or send the API token from your settings page as “Authorization: Bearer <token>”. "+
		"A token stops working when you make a new one.").T("error.api_token")

type apiNotification struct {
	ID        int64                 `json:"id"`
	Reason    forum.NotifyReason    `json:"reason"`
	Detail    *string               `json:"detail"` // a moderator's decision; null for a post
	Text      string                `json:"text"`   // the sentence the list shows
	CreatedAt time.Time             `json:"created_at"`
	Read      bool                  `json:"read"`
	Actor     *string               `json:"actor"` // null for a moderator's decision
	Thread    apiNotificationThread `json:"thread"`
	Post      apiNotificationPost   `json:"post"`
}

type apiNotificationThread struct {
	ID    int64  `json:"id"`
	Title string `json:"title"` // as the recipient may see it (forum.ThreadTitle)
	URL   string `json:"url"`
}

type apiNotificationPost struct {
	ID      int64   `json:"id"`
	URL     string  `json:"url"`
	Excerpt *string `json:"excerpt"` // null when the recipient may not read the post
}

// apiCaller identifies whoever calls a personal API route: by "Authorization: Bearer
// <token>" with the API token from the settings page, or else by the session (loaded by
// loadSession before it). A token is a read-only credential, accepted on GET and HEAD
// only: a write needs the session and its CSRF token, from a page's form. A request that
// names a token stands or falls by it, whatever cookie comes with it.
func (s *Server) apiCaller(c *gin.Context) {
	c.Header("Cache-Control", privateNoStore) // whatever answers is one person's
	auth := c.GetHeader("Authorization")
	if auth == "" {
		if currentUser(c) == nil {
			s.refuseCaller(c, false)
			return
		}
		c.Next()
		return
	}
	scheme, token, _ := strings.Cut(auth, " ")
	token = strings.TrimSpace(token)
	readOnly := c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead
	if !strings.EqualFold(scheme, "Bearer") || !readOnly || !secret.WellFormed(token) {
		s.refuseCaller(c, true)
		return
	}
	u, err := s.store.UserByAPIToken(c.Request.Context(), secret.Hash(token))
	if errors.Is(err, forum.ErrNotFound) {
		s.refuseCaller(c, true)
		return
	}
	if err != nil {
		s.error(c, err)
		return
	}
	c.Set(ctxUser, u)
	c.Next()
}

// refuseCaller is the 401, with the challenge RFC 6750 asks for.
func (s *Server) refuseCaller(c *gin.Context, badToken bool) {
	challenge := `Bearer realm="` + SiteName + `"`
	if badToken {
		challenge += `, error="invalid_token"`
	}
	c.Header("WWW-Authenticate", challenge)
	s.error(c, errAPICaller)
}

// apiNotifications lists the caller's notifications as their list page does, newest
// first and keyset paged, without marking any read: only the page marks them.
func (s *Server) apiNotifications(c *gin.Context) {
	u := currentUser(c)
	page, err := s.store.Notifications(c.Request.Context(), u.ID, c.Query("before"), notificationsPerPage)
	if err != nil {
		s.error(c, err)
		return
	}
	out := make([]apiNotification, len(page.Notifications))
	for i := range page.Notifications {
		n := &page.Notifications[i]
		t := forum.ThreadFor(u, n.Thread())
		item := apiNotification{
			ID: n.ID, Reason: n.Reason, Text: describe(loc(c), n),
			CreatedAt: n.NotifiedAt.UTC(), Read: n.ReadAt != nil, Actor: notificationActor(n),
			Thread: apiNotificationThread{ID: t.ID, Title: t.Title, URL: s.cfg.BaseURL + threadURL(t.ID, t.Slug)},
			Post:   apiNotificationPost{ID: n.Post.ID, URL: s.cfg.BaseURL + "/p/" + strconv.FormatInt(n.Post.ID, 10)},
		}
		if n.Detail != "" {
			detail := n.Detail
			item.Detail = &detail
		}
		if forum.CanRead(u, &n.Post) {
			excerpt := feed.Excerpt(n.BodyHTML, notificationExcerpt)
			item.Post.Excerpt = &excerpt
		}
		out[i] = item
	}
	resp := gin.H{"notifications": out, "next": nil}
	if page.Next != "" {
		resp["next"] = RouteAPINotifications + "?before=" + page.Next
	}
	c.JSON(http.StatusOK, resp)
}
