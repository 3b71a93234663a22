package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
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
	case forum.EUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errStatus is the HTTP status of any error: its domain code's, or 500.
func errStatus(err error) int { return status(forum.ErrorCode(err)) }

// errorView is the error page's data: what went wrong and what to do next.
type errorView struct {
	Status  int
	Heading string
	Message string
	Hint    string
}

// ctxJSON marks a request whose route group answers in JSON (the API).
const ctxJSON = "forum.json"

// jsonErrors marks requests to the API, whose errors are JSON, not pages. It runs for
// every request and goes by the address, so a refusal before the API's handlers (a bad
// path parameter, a body too large, no such route) answers in the API's format too.
func jsonErrors(c *gin.Context) {
	if strings.HasPrefix(c.Request.URL.Path, apiPrefix) {
		c.Set(ctxJSON, true)
	}
	c.Next()
}

// apiPrefix starts every JSON API route.
const apiPrefix = "/api/"

func wantsJSON(c *gin.Context) bool { return c.GetBool(ctxJSON) }

// error is the one error path: it turns any error into the page or the JSON of its
// route group. A domain error shows its safe message with its code's status (and
// Retry-After when it carries one); anything else is logged with its cause and shown as
// a plain 500 without it.
func (s *Server) error(c *gin.Context, err error) {
	st := errStatus(err)
	c.Abort()
	if st == http.StatusInternalServerError {
		slog.ErrorContext(c.Request.Context(), "request failed", "err", err, "path", loggedPath(c.Request.URL.Path),
			"request_id", c.GetString(ctxRequestID))
	}
	setRetryAfter(c, err)
	l := loc(c)
	msg := errorText(l, err) // in the request's language (errtext.go)
	if wantsJSON(c) {
		// "code" is the stable machine-readable part; "error" is worded for the reader.
		c.JSON(st, gin.H{"error": msg, "code": forum.ErrorCode(err), "status": st})
		return
	}
	if st == http.StatusInternalServerError {
		c.Data(st, "text/html; charset=utf-8", plain500For(l))
		return
	}
	heading := statusHeading(l, st)
	s.html(c, st, "error", heading, errorView{
		Status: st, Heading: heading, Message: msg, Hint: statusHint(l, st),
	})
}

// rejectForm is the error path of a form page: a domain error re-renders the form (whose
// data already carries the message and the user's input) with the error's status; any
// other error goes to s.error.
func (s *Server) rejectForm(c *gin.Context, err error, name, title string, data any) {
	if errStatus(err) == http.StatusInternalServerError {
		s.error(c, err)
		return
	}
	setRetryAfter(c, err)
	s.html(c, errStatus(err), name, title, data)
}

// setRetryAfter sets Retry-After from a rate-limit error's RetryAfter, in whole seconds.
func setRetryAfter(c *gin.Context, err error) {
	var de *forum.Error
	if errors.As(err, &de) && de.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(max(int(de.RetryAfter.Seconds()+0.999), 1)))
	}
}

// notFound is the 404 for an address that names nothing, in the words of what it names.
func notFound(what string) error {
	return notFoundWords(forum.Errorf(forum.ENotFound, "There is no such %s.", what), what) // errtext.go
}
