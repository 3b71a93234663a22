package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// status maps a domain error code to its HTTP status: the one place that does.
func status(code string) int {
	switch code {
	case forum.EInvalid:
		return http.StatusBadRequest
	case forum.EUnauthorized:
		return http.StatusUnauthorized
	case forum.EForbidden, forum.ESuspended:
		return http.StatusForbidden
	case forum.ENotFound:
		return http.StatusNotFound
	case forum.EConflict:
		return http.StatusConflict
	case forum.ETooLarge:
		return http.StatusRequestEntityTooLarge
	case forum.ERateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// errorView is the error page's data: what went wrong and what to do next.
type errorView struct {
	Status  int
	Heading string
	Message string
	Hint    string
}

// hints say what to do for each status.
var hints = map[int]string{
	http.StatusBadRequest:            "Check what you entered and try again.",
	http.StatusUnauthorized:          "Log in and try again.",
	http.StatusForbidden:             "If you think you should be allowed to do this, ask a moderator.",
	http.StatusNotFound:              "It may have been moved or removed. Try the front page or search.",
	http.StatusConflict:              "Reload the page to see the current state, then try again.",
	http.StatusRequestEntityTooLarge: "Shorten what you sent and try again.",
	http.StatusTooManyRequests:       "Wait a little and try again.",
}

// fail500 unless the error carries a domain code.
func (s *Server) error(c *gin.Context, err error) {
	code := forum.ErrorCode(err)
	if code == forum.EInternal {
		if strings.HasPrefix(c.Request.URL.Path, "/api/") {
			slog.ErrorContext(c.Request.Context(), "request failed", "err", err, "path", c.Request.URL.Path,
				"request_id", c.GetString(ctxRequestID))
			c.AbortWithStatusJSON(http.StatusInternalServerError, gin.H{"error": forum.ErrorMessage(err)})
			return
		}
		s.fail(c, err)
		return
	}
	s.errorPage(c, status(code), forum.ErrorMessage(err))
}

// errorPage renders a helpful error page (or JSON under /api/) with status.
func (s *Server) errorPage(c *gin.Context, st int, msg string) {
	c.Abort()
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		c.JSON(st, gin.H{"error": msg, "status": st})
		return
	}
	s.html(c, st, "error", http.StatusText(st), errorView{
		Status: st, Heading: http.StatusText(st), Message: msg, Hint: hints[st],
	})
}
