package web

import (
	"context"
	"html/template"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// RoutePreview renders a draft as it would be posted, with body (DESIGN.md's contract).
// The reply box and the new-thread form send it with a second submit button
// (formaction), so it works without JavaScript; preview.js asks it for JSON as the
// person types.
const RoutePreview = "/preview"

// previewForm is the preview page's data: the draft, what it renders to, and the form it
// came from, whose fields the page carries so its Post button sends the draft where
// that form would have.
type previewForm struct {
	Body     string
	HTML     template.HTML // the rendered draft; empty when it was refused
	Error    string        // why it was refused
	ErrField string        // the field Error concerns (forum.Error.Field)
	Idem     string

	// A reply: the thread (as the viewer may see it), the post answered, the stance.
	Thread   *forum.Thread
	ParentID int64
	Stance   string

	// A new thread: its category and title, carried as they were typed.
	NewThread bool
	Category  string
	Title     string
}

// previewJSON marks a preview asked for by the page's script (Accept: application/json)
// before the login check, so that refusal comes back as JSON too, as the API's do.
func previewJSON(c *gin.Context) {
	for _, part := range strings.Split(c.GetHeader("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "application/json" {
			c.Set(ctxJSON, true)
			break
		}
	}
	c.Next()
}

// preview answers the script with {"html": ...}, and a form with a page that shows the
// draft above its text box, text kept, with buttons to post it or preview it again.
func (s *Server) preview(c *gin.Context) {
	ctx := c.Request.Context()
	f := previewForm{Body: forum.NormalizeBody(c.PostForm("body"))}
	if wantsJSON(c) {
		html, err := s.renderDraft(ctx, currentUser(c), f.Body)
		if err != nil {
			s.error(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"html": html})
		return
	}
	if err := s.previewOrigin(c, &f); err != nil { // not our form: no page to go back to
		s.error(c, err)
		return
	}
	html, err := s.renderDraft(ctx, currentUser(c), f.Body)
	if err != nil {
		f.Error, f.ErrField = errText(c, err), forum.ErrorField(err)
		s.rejectForm(c, err, "preview", s.T(c, "form.preview"), f)
		return
	}
	f.HTML = template.HTML(html) //nolint:gosec // sanitised by markup, as every stored post
	s.html(c, http.StatusOK, "preview", s.T(c, "form.preview"), f)
}

// renderDraft is the posting pipeline up to the write, and writes nothing: the writer may
// post, the body is valid, the attempt is counted (rendering is the costly part), and the
// Markdown becomes the HTML a post would store, mentions linked. Nobody is notified:
// that happens in the store's write, which a preview never reaches.
func (s *Server) renderDraft(ctx context.Context, user *forum.User, body string) (string, error) {
	if err := forum.MayWrite(user, time.Now()); err != nil {
		return "", err
	}
	if err := forum.ValidateBody(body); err != nil {
		return "", err
	}
	if err := s.limiter.take(ctx, s.limits.Preview(user)); err != nil {
		return "", err
	}
	html, _, err := s.renderBody(ctx, body)
	return html, err
}

// previewOrigin reads the fields of the form the draft came from: a reply names its
// thread (thread, and parent_id and stance as the reply box has them), a new thread its
// category and title. Each form's idempotency key goes on, so posting from the preview
// page writes once however often it is previewed or sent. What the original action
// validates (stance, category, title) is carried as typed, for it to judge.
func (s *Server) previewOrigin(c *gin.Context, f *previewForm) error {
	f.Idem = c.PostForm("idem")
	if err := forum.ValidateIdemKey(f.Idem); err != nil {
		return err
	}
	if f.Idem == "" {
		f.Idem = newIdemKey()
	}
	if raw := strings.TrimSpace(c.PostForm("thread")); raw != "" {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return notFound("thread")
		}
		t, err := s.store.ThreadByID(c.Request.Context(), id)
		if err != nil {
			return err
		}
		f.Thread = forum.ThreadFor(currentUser(c), t)
		if raw := strings.TrimSpace(c.PostForm("parent_id")); raw != "" {
			if f.ParentID, err = strconv.ParseInt(raw, 10, 64); err != nil || f.ParentID <= 0 {
				return forum.Errorf(forum.EInvalid, "parent_id must be the id of a post in this thread.").T("error.parent_id")
			}
		}
		f.Stance = c.PostForm("stance")
		return nil
	}
	_, hasTitle := c.GetPostForm("title")
	_, hasCategory := c.GetPostForm("category")
	if hasTitle || hasCategory {
		f.NewThread = true
		f.Category, f.Title = c.PostForm("category"), strings.TrimSpace(c.PostForm("title"))
	}
	return nil
}
