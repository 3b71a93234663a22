package soak

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// streamIdle is how long a stream may stay silent before it is taken for dead: the
// server sends a comment at least every 15 seconds.
const streamIdle = 40 * time.Second

// Stream is one open /t/:id/events stream on one instance, reconnecting with
// Last-Event-ID whenever it ends, as a browser's EventSource does.
type Stream struct {
	Instance int
	ThreadID int64

	progress chan<- struct{} // told (without blocking) of every reply event received

	mu       sync.Mutex
	seen     map[int64]bool // post ids of the reply events received
	connects int            // successful connections, the first included
	lastID   string         // Last-Event-ID for the next connection
}

// Seen reports whether the stream delivered the reply event of post id.
func (s *Stream) Seen(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[id]
}

// Connects is how many times the stream connected, the first time included.
func (s *Stream) Connects() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connects
}

// watch keeps the stream open until ctx ends; connected is called after each
// connection's first line.
func (s *Stream) watch(ctx context.Context, urls []string, rec *recorder, connected func()) {
	retry := 3 * time.Second // the server's advice replaces it
	for ctx.Err() == nil {
		s.watchOnce(ctx, urls[s.Instance], rec, &retry, connected)
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
}

func (s *Stream) watchOnce(ctx context.Context, base string, rec *recorder, retry *time.Duration, connected func()) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	path := "/t/" + strconv.FormatInt(s.ThreadID, 10) + "/events"
	req, err := http.NewRequestWithContext(cctx, http.MethodGet, base+path, nil)
	if err != nil {
		return
	}
	req.Header.Set("Accept", "text/event-stream")
	s.mu.Lock()
	if s.lastID != "" {
		req.Header.Set("Last-Event-ID", s.lastID)
	}
	s.mu.Unlock()
	f := Failure{Sent: time.Now(), Instance: s.Instance, Method: http.MethodGet, Path: path}
	resp, err := http.DefaultClient.Do(req) // no client timeout: the stream is meant to stay open
	f.Received = time.Now()
	if err != nil {
		rec.record(ctx, f, err)
		return
	}
	defer resp.Body.Close()
	f.Status, f.RequestID = resp.StatusCode, resp.Header.Get("X-Request-ID")
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxPage))
		f.Message = message(body)
		rec.record(ctx, f, nil)
		return
	}
	rec.record(ctx, f, nil)
	s.mu.Lock()
	s.connects++
	s.mu.Unlock()
	// A stream that goes silent (its server end gone without a FIN) is dropped and
	// reopened, as a browser would after its own timeout.
	idle := time.AfterFunc(streamIdle, cancel)
	defer idle.Stop()
	s.read(resp.Body, func() { idle.Reset(streamIdle) }, retry, connected)
}

// read parses the event stream (the subset of the SSE format the forum writes, plus
// multi-line data) until it ends.
func (s *Stream) read(body io.Reader, alive func(), retry *time.Duration, connected func()) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var id, kind string
	var data []string
	first := true
	for sc.Scan() {
		alive()
		line := sc.Text()
		if first {
			first = false
			connected()
		}
		if line == "" { // dispatch
			s.dispatch(id, kind, strings.Join(data, "\n"))
			id, kind, data = "", "", nil
			continue
		}
		if strings.HasPrefix(line, ":") {
			continue // a comment: "connected", "ping"
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "id":
			id = value
		case "event":
			kind = value
		case "data":
			data = append(data, value)
		case "retry":
			if ms, err := strconv.Atoi(value); err == nil && ms > 0 {
				*retry = time.Duration(ms) * time.Millisecond
			}
		}
	}
}

func (s *Stream) dispatch(id, kind, data string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id != "" {
		s.lastID = id
	}
	if kind != "reply" || data == "" {
		return
	}
	var ev struct {
		PostID int64 `json:"post_id"`
	}
	if err := json.Unmarshal([]byte(data), &ev); err != nil || ev.PostID == 0 {
		return
	}
	s.seen[ev.PostID] = true
	select {
	case s.progress <- struct{}{}:
	default: // already told; the waiter counts everything when it wakes
	}
}

func (s *Stream) String() string {
	return fmt.Sprintf("instance %d thread %d", s.Instance, s.ThreadID)
}
