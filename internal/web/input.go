package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// errBodyTooLarge is the answer to a body over MaxBodyBytes, declared or streamed.
var errBodyTooLarge = forum.Errorf(forum.ETooLarge, "The request is larger than %d KiB.", MaxBodyBytes>>10).T("error.body_too_large", "Max", MaxBodyBytes>>10)

// errUnreadableForm is the answer to a form body that does not parse (a bad escape, a
// multipart body that does not match its boundary). A browser never sends one.
var errUnreadableForm = forum.Errorf(forum.EInvalid,
	"The form could not be read. Send it from the page's own form and try again.").T("error.form_unreadable")

// checkInput refuses, before any handler runs, a request whose path parameters, query
// values or form fields are not text a person could type (forum.ValidText): invalid
// UTF-8 or a NUL would otherwise reach PostgreSQL, which refuses it with an error that
// could only be a 500 here. It reads form bodies itself, inside limitBody's bound, so a
// streamed body that is too large is a 413 before the CSRF check or a handler sees it.
func (s *Server) checkInput(c *gin.Context) {
	if err := checkText(c); err != nil {
		s.error(c, err)
		return
	}
	c.Next()
}

func checkText(c *gin.Context) error {
	for _, p := range c.Params {
		if err := forum.ValidText(p.Value, "address part “"+p.Key+"”"); err != nil {
			return err
		}
	}
	// The values handlers will see: Gin's c.Query also skips pairs that do not parse.
	query, _ := url.ParseQuery(c.Request.URL.RawQuery)
	if err := validValues(query, "query parameter"); err != nil {
		return err
	}
	multipart, ok := formBody(c.Request)
	if !ok {
		return nil
	}
	var err error
	if multipart {
		// Within MaxBodyBytes, so every part stays in memory.
		err = c.Request.ParseMultipartForm(MaxBodyBytes)
	} else {
		err = c.Request.ParseForm()
	}
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return errBodyTooLarge
	} else if err != nil {
		return errUnreadableForm
	}
	return validValues(c.Request.PostForm, "form field")
}

// formBody reports whether r carries a form body, and whether it is multipart.
func formBody(r *http.Request) (multipart, ok bool) {
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return false, false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		return false, true
	case "multipart/form-data":
		return true, true
	}
	return false, false
}

// validValues checks every name and value, in name order so the message is stable, and
// names the one at fault.
func validValues(vals url.Values, kind string) error {
	names := make([]string, 0, len(vals))
	for name := range vals {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := forum.ValidText(name, "name of a "+kind); err != nil {
			return err
		}
		what := kind + " “" + shorten(name, 40) + "”"
		for _, v := range vals[name] {
			if err := forum.ValidText(v, what); err != nil {
				return err
			}
		}
	}
	return nil
}

// shorten cuts valid text to at most n characters, so a message cannot echo a huge name.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
