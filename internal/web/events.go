package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// RouteEvents is a thread's Server-Sent Events stream of new replies and edits.
const RouteEvents = "/t/:id/events"

// streams counts open event streams per client address on this instance. The cap guards
// this process's own connections and goroutines, so it is rightly per instance.
type streams struct {
	mu    sync.Mutex
	byIP  map[string]int
	limit int
	done  chan struct{} // closed when the server shuts down: every stream ends
	once  sync.Once
}

func newStreams(limit int) *streams {
	return &streams{byIP: map[string]int{}, limit: limit, done: make(chan struct{})}
}

func (st *streams) acquire(ip string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.byIP[ip] >= st.limit {
		return false
	}
	st.byIP[ip]++
	return true
}

func (st *streams) release(ip string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.byIP[ip]--; st.byIP[ip] <= 0 {
		delete(st.byIP, ip)
	}
}

// Shutdown ends every open stream, so a graceful stop is not held up by readers.
func (s *Server) Shutdown() { s.streams.once.Do(func() { close(s.streams.done) }) }

// liveEvent is one event's data: the post's ids, its clean HTML, and the tree node the
// page script inserts.
type liveEvent struct {
	PostID   int64  `json:"post_id"`
	ParentID *int64 `json:"parent_id"`
	Depth    int    `json:"depth"`
	HTML     string `json:"html"`
	Node     string `json:"node"`
}

func (s *Server) events(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := idParam(c, "thread")
	if err != nil {
		s.error(c, err)
		return
	}
	if s.hub == nil {
		s.error(c, forum.Errorf(forum.EUnavailable, "Live updates are not available; reload the page to see new replies."))
		return
	}
	t, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		s.error(c, err)
		return
	}
	ip := c.ClientIP()
	if !s.streams.acquire(ip) {
		s.error(c, &forum.Error{Code: forum.ERateLimited, RetryAfter: 30 * time.Second,
			Message: "Too many live streams are open from your address. Close some tabs and try again."})
		return
	}
	defer s.streams.release(ip)

	last, _ := strconv.ParseInt(c.GetHeader("Last-Event-ID"), 10, 64)
	if last <= 0 {
		if last, err = s.store.LastEventID(ctx, t.ID); err != nil {
			s.error(c, err)
			return
		}
	}
	wake, leave := s.hub.Subscribe(t.ID)
	defer leave()

	// A stream outlives the server's write timeout by design; lift it for this response.
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // proxies must not buffer the stream
	c.Status(http.StatusOK)
	fmt.Fprintf(c.Writer, "retry: 3000\n: connected\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	tc := &treeCtx{Thread: t, MaxDepth: maxDepth}
	send := func() bool {
		for {
			evs, err := s.store.EventsSince(ctx, t.ID, last, 100)
			if err != nil {
				if ctx.Err() == nil {
					slog.WarnContext(ctx, "read thread events", "thread", t.ID, "err", err)
				}
				return false
			}
			for _, ev := range evs {
				last = ev.EventID
				if !forum.CanRead(nil, &ev.Post) {
					continue // a stream is public: what a visitor may not read is never sent
				}
				data, err := s.eventData(ev.Post, tc)
				if err != nil {
					slog.ErrorContext(ctx, "render live event", "err", err)
					return false
				}
				fmt.Fprintf(c.Writer, "id: %d\nevent: %s\ndata: %s\n\n", ev.EventID, ev.Kind, data)
			}
			if err := rc.Flush(); err != nil {
				return false
			}
			if len(evs) < 100 {
				return true
			}
		}
	}
	if !send() { // catch up on what a reconnecting client missed
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.streams.done:
			return
		case <-heartbeat.C:
			// A comment line keeps proxies and load balancers from closing an idle stream.
			if _, err := fmt.Fprint(c.Writer, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-wake:
			if !send() {
				return
			}
		}
	}
}

// eventData renders a post as the page shows it to a reader, as one line of JSON.
func (s *Server) eventData(p forum.Post, tc *treeCtx) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.render.pages["thread"].ExecuteTemplate(&buf, "node", newNode(p, tc, time.Now())); err != nil {
		return nil, fmt.Errorf("render node %d: %w", p.ID, err)
	}
	return json.Marshal(liveEvent{PostID: p.ID, ParentID: p.ParentID, Depth: p.Depth, HTML: p.BodyHTML, Node: buf.String()})
}
