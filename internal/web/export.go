package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// RouteSettingsExport downloads everything a person wrote, and their notifications, as
// one JSON document.
const RouteSettingsExport = "/settings/export"

// exportBatch is how many rows one query of an export reads: the export streams, so
// memory holds one batch whatever the account's size.
const exportBatch = 500

// exportBatchTime is how long the client gets to take each batch: the server's write
// timeout covers a page, not a download of any size, so each batch moves the deadline.
const exportBatchTime = time.Minute

// exportedPost and exportedNotification are the export's items (its documented format:
// add fields, never rename them).
type exportedPost struct {
	ID          int64            `json:"id"`
	URL         string           `json:"url"`
	ThreadID    int64            `json:"thread_id"`
	ThreadTitle string           `json:"thread_title"`
	ParentID    *int64           `json:"parent_id"` // null for an opening post
	Depth       int              `json:"depth"`
	Stance      forum.Stance     `json:"stance,omitempty"`
	Status      forum.PostStatus `json:"status"`
	CreatedAt   time.Time        `json:"created_at"`
	EditedAt    *time.Time       `json:"edited_at"`
	BodySource  string           `json:"body_source"` // the Markdown as written
	BodyHTML    string           `json:"body_html"`   // as the forum shows it
}

type exportedNotification struct {
	ID          int64              `json:"id"`
	Reason      forum.NotifyReason `json:"reason"`
	Text        string             `json:"text"`
	PostID      int64              `json:"post_id"`
	ThreadID    int64              `json:"thread_id"`
	ThreadTitle string             `json:"thread_title"`
	URL         string             `json:"url"`
	CreatedAt   time.Time          `json:"created_at"`
	ReadAt      *time.Time         `json:"read_at"`
}

// export streams {"account": {...}, "exported_at": ..., "posts": [...],
// "notifications": [...]}: every post of the person's, whatever its status, oldest first,
// and the notifications they are shown, newest first. Each array is read in keyset
// batches and written as it is read. An error before the first byte is the error page;
// one after it cuts the connection, so a download never looks complete when it is not.
func (s *Server) export(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	posts, err := s.store.ExportPosts(ctx, u.ID, 0, exportBatch)
	if err != nil {
		s.error(c, err)
		return
	}
	now := time.Now().UTC()
	c.Header("Content-Type", "application/json; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.json"`, u.Username, now.Format("2006-01-02")))
	c.Header("Cache-Control", privateNoStore)
	c.Status(http.StatusOK)
	rc := http.NewResponseController(c.Writer)
	w := bufio.NewWriterSize(c.Writer, 32<<10)
	enc := json.NewEncoder(w)
	fail := func(err error) {
		slog.ErrorContext(ctx, "export cut short", "err", err, "user_id", u.ID)
		panic(http.ErrAbortHandler) // net/http closes the connection without ending the body
	}
	// flush hands a batch to the client and gives it time for the next.
	flush := func() {
		if err := w.Flush(); err != nil {
			fail(err)
		}
		_ = rc.SetWriteDeadline(time.Now().Add(exportBatchTime)) // unsupported only in tests' recorders
		_ = rc.Flush()
	}
	head := struct {
		Account    map[string]any `json:"account"`
		ExportedAt time.Time      `json:"exported_at"`
	}{map[string]any{"id": u.ID, "username": u.Username, "created_at": u.CreatedAt.UTC()}, now}
	b, _ := json.Marshal(head)
	w.Write(b[:len(b)-1]) // the object stays open for the arrays
	w.WriteString(`,"posts":[`)
	first := true
	for len(posts) > 0 {
		for i := range posts {
			p := &posts[i]
			if !first {
				w.WriteByte(',')
			}
			first = false
			if err := enc.Encode(exportedPost{ID: p.ID, URL: s.cfg.BaseURL + "/p/" + itoa(p.ID), ThreadID: p.ThreadID,
				ThreadTitle: forum.ThreadTitle(u, p.Thread()), ParentID: p.ParentID, Depth: p.Depth, Stance: p.Stance,
				Status: p.Status, CreatedAt: p.CreatedAt.UTC(), EditedAt: p.EditedAt, BodySource: p.BodySource,
				BodyHTML: p.BodyHTML}); err != nil {
				fail(err)
			}
		}
		flush()
		if len(posts) < exportBatch {
			break
		}
		if posts, err = s.store.ExportPosts(ctx, u.ID, posts[len(posts)-1].ID, exportBatch); err != nil {
			fail(err)
		}
	}
	w.WriteString(`],"notifications":[`)
	first = true
	for before := ""; ; {
		page, err := s.store.Notifications(ctx, u.ID, before, exportBatch)
		if err != nil {
			fail(err)
		}
		for i := range page.Notifications {
			n := &page.Notifications[i]
			if !first {
				w.WriteByte(',')
			}
			first = false
			if err := enc.Encode(exportedNotification{ID: n.ID, Reason: n.Reason, Text: n.Reason.Describe(n.ActorName, n.Detail),
				PostID: n.Post.ID, ThreadID: n.ThreadID, ThreadTitle: forum.ThreadTitle(u, n.Thread()),
				URL: s.cfg.BaseURL + "/p/" + itoa(n.Post.ID), CreatedAt: n.NotifiedAt.UTC(), ReadAt: n.ReadAt}); err != nil {
				fail(err)
			}
		}
		flush()
		if before = page.Next; before == "" {
			break
		}
	}
	w.WriteString("]}\n")
	flush()
}
