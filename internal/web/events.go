package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/live"
	"forum/internal/store"
)

// RouteEvents is a thread's Server-Sent Events stream of new replies and edits. HEAD on
// it answers what a GET would now (200, 404, 429, 503 with Retry-After) without opening
// a stream: the page's script asks it why a stream was refused, which EventSource cannot
// tell.
const RouteEvents = "/t/:id/events"

// streamRetryAfter is the Retry-After of a refused stream (cap full, database or
// listener down). It is short because a reader is watching; the page adds jitter.
const streamRetryAfter = 5 * time.Second

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

// liveEvent is one event's data: the post's ids, its clean HTML, the tree node the
// page script inserts, and the thread's counts as of the batch it was sent in.
type liveEvent struct {
	PostID   int64       `json:"post_id"`
	ParentID *int64      `json:"parent_id"`
	Depth    int         `json:"depth"`
	HTML     string      `json:"html"`
	Node     string      `json:"node"`
	Counts   *liveCounts `json:"counts,omitempty"`
}

func (s *Server) events(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := idParam(c, "thread")
	if err != nil {
		s.error(c, err)
		return
	}
	last, resume, err := lastEventID(c)
	if err != nil {
		s.error(c, err)
		return
	}
	if s.hub == nil {
		s.error(c, forum.Errorf(forum.EUnavailable, "Live updates are not available; reload the page to see new replies.").T("error.live_replies"))
		return
	}
	t, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		s.error(c, streamUnavailable(c, err))
		return
	}
	wake, leave, ok := s.acceptStream(c, s.hub.Subscribe, t.ID)
	if !ok {
		return
	}
	defer leave()
	if !resume {
		if last, err = s.store.LastEventID(ctx, t.ID); err != nil {
			s.error(c, streamUnavailable(c, err))
			return
		}
	}
	// The first event says where the stream starts, so a page that reopens it later can
	// ask for everything after that point even if no reply came in between.
	rc, err := startStream(c, fmt.Sprintf("retry: 3000\n: connected\nid: %d\ndata: start\n\n", last))
	if err != nil {
		return
	}
	tc := &treeCtx{Thread: t, MaxDepth: maxDepth, Lang: s.uiLang(c)}
	if u := currentUser(c); u != nil {
		muted, err := s.store.MutedIDs(ctx, u.ID)
		if err != nil {
			slog.WarnContext(ctx, "muted people of a stream's reader", "err", err) // replies arrive unfolded
		}
		// The listener's own controls (reply, flag, edit their posts, moderate) with the
		// token their page's forms carry: this request passed csrfCheck as the page did,
		// so the token is bound to the same session (csrfbind.go).
		tc.User, tc.Listener, tc.Muted, tc.CSRF = u, u, muted, s.csrfToken(c)
		tc.Here = "/t/" + strconv.FormatInt(t.ID, 10) // where a live node's forms return, not this stream
	}
	send := func() bool {
		for {
			evs, err := s.store.EventsSince(ctx, t.ID, last, 100)
			if err != nil {
				if ctx.Err() == nil {
					slog.WarnContext(ctx, "read thread events", "thread", t.ID, "err", err)
				}
				return false
			}
			var counts *liveCounts
			if len(evs) > 0 {
				if counts, err = s.refreshListener(ctx, tc, evs); err != nil {
					// The replies still go out; the numbers catch up with the next batch.
					slog.WarnContext(ctx, "read a live thread's counts", "thread", t.ID, "err", err)
				}
			}
			for _, ev := range evs {
				last = ev.EventID
				if !forum.CanRead(nil, &ev.Post) {
					continue // a stream is public: what a visitor may not read is never sent
				}
				data, err := s.eventData(ev, tc, counts)
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
	s.pump(c, rc, wake, send)
}

// acceptStream does what every event stream does before it answers: it takes a place
// under the per-address cap (429 when full) and subscribes to id through subscribe (503
// while the hub is down). A HEAD probe is answered here, 200: a stream would be accepted
// now. ok is false when the request has been answered; otherwise leave gives the place
// and the subscription back.
func (s *Server) acceptStream(c *gin.Context, subscribe func(int64) (<-chan struct{}, func(), error), id int64) (wake <-chan struct{}, leave func(), ok bool) {
	ip := c.ClientIP()
	if !s.streams.acquire(ip) {
		s.error(c, (&forum.Error{Code: forum.ERateLimited, RetryAfter: streamRetryAfter,
			Message: "Too many live streams are open from your address. Close some tabs and try again."}).T("error.live_streams"))
		return nil, nil, false
	}
	wake, unsubscribe, err := subscribe(id)
	if err != nil {
		s.streams.release(ip)
		s.error(c, streamUnavailable(c, err))
		return nil, nil, false
	}
	leave = func() {
		unsubscribe()
		s.streams.release(ip)
	}
	if c.Request.Method == http.MethodHead {
		leave()
		c.Status(http.StatusOK)
		return nil, nil, false
	}
	return wake, leave, true
}

// startStream begins an event-stream response with first (the retry hint and the first
// events) and flushes it.
func startStream(c *gin.Context, first string) (*http.ResponseController, error) {
	// A stream outlives the server's write timeout by design; lift it for this response.
	rc := http.NewResponseController(c.Writer)
	_ = rc.SetWriteDeadline(time.Time{})
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	if h.Get("Cache-Control") == "" { // a logged-in reader's "private, no-store" stays
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("X-Accel-Buffering", "no") // proxies must not buffer the stream
	c.Status(http.StatusOK)
	if _, err := io.WriteString(c.Writer, first); err != nil {
		return nil, fmt.Errorf("start event stream: %w", err)
	}
	return rc, rc.Flush()
}

// pump keeps an open stream going: send on every wake-up, a heartbeat comment while
// idle. It returns when the reader leaves, the server shuts down, the hub loses its
// connection (wake closes; the reader reconnects) or a write fails.
func (s *Server) pump(c *gin.Context, rc *http.ResponseController, wake <-chan struct{}, send func() bool) {
	heartbeat := time.NewTicker(s.heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-c.Request.Context().Done():
			return
		case <-s.streams.done:
			return
		case <-heartbeat.C:
			// A comment line keeps proxies and load balancers from closing an idle stream.
			if _, err := io.WriteString(c.Writer, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case _, ok := <-wake:
			if !ok || !send() {
				return
			}
		}
	}
}

// lastEventID reads where a reconnecting reader left off: the Last-Event-ID header that
// EventSource sends on its own reconnects, or the last_event_id parameter a page sends
// when it opens a new stream (EventSource cannot set headers). resume is false when the
// reader gave neither: the stream starts from now.
func lastEventID(c *gin.Context) (last int64, resume bool, err error) {
	raw := c.GetHeader("Last-Event-ID")
	if raw == "" {
		raw = c.Query("last_event_id")
	}
	if raw == "" {
		return 0, false, nil
	}
	cur, err := forum.ParseCursor(raw, 1)
	if err != nil {
		return 0, false, err
	}
	return cur.Int(0), true, nil
}

// streamUnavailable turns a failure to open a stream that is not the reader's doing (the
// database or the hub's connection is down) into a 503 with Retry-After, so the page
// retries later; domain errors such as a 404 pass through.
func streamUnavailable(c *gin.Context, err error) error {
	if forum.ErrorCode(err) != forum.EInternal {
		return err
	}
	if !errors.Is(err, live.ErrDown) {
		slog.WarnContext(c.Request.Context(), "open event stream", "err", err, "path", loggedPath(c.Request.URL.Path))
	}
	return (&forum.Error{Code: forum.EUnavailable, RetryAfter: streamRetryAfter,
		Message: "Live updates are paused for a moment; the page reconnects by itself."}).T("error.live_paused")
}

// eventData renders a post as the page shows it to the stream's listener (tc.User, nil
// for a visitor: no controls), as one line of JSON.
func (s *Server) eventData(ev store.ThreadEvent, tc *treeCtx, counts *liveCounts) ([]byte, error) {
	p := ev.Post
	n := newNode(p, tc, time.Now())
	if n.Stance == nil { // the listener's stance could not be read yet: offered as to anyone
		n.Stance = newStanceField(forum.StanceNone, "")
	}
	if p.Depth >= 2 && ev.Parent != nil {
		// The parent's own page, which is right wherever the page script puts the node.
		n.ReplyTo = newReplyTo(ev.Parent, forum.CanRead(tc.User, ev.Parent), postHref(ev.Parent.ID))
	}
	var buf bytes.Buffer
	if err := s.render.pageIn(tc.Lang, "thread").ExecuteTemplate(&buf, "node", n); err != nil {
		return nil, fmt.Errorf("render node %d: %w", p.ID, err)
	}
	return json.Marshal(liveEvent{PostID: p.ID, ParentID: p.ParentID, Depth: p.Depth, HTML: p.BodyHTML, Node: buf.String(), Counts: counts})
}
