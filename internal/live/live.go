// Package live fans PostgreSQL notifications about threads out to the streams open on
// this instance. Events are written and NOTIFYed by the store inside the writing
// transaction, so a reply made through any instance reaches readers on every instance.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Channel is the PostgreSQL NOTIFY channel the store writes to.
const Channel = "thread_events"

// Hub holds this instance's LISTEN connection and its subscribers.
type Hub struct {
	listener *pq.Listener
	mu       sync.Mutex
	up       bool                                 // listening; false from a lost connection until it is back
	subs     map[int64]map[chan struct{}]struct{} // thread id → wake-up channels
}

// ErrDown is Subscribe's answer while the hub's connection is lost: a stream opened now
// would hear nothing, so it must not tell its reader it is live.
var ErrDown = errors.New("live: not listening: the database connection is lost")

// New connects a listener to the database at url.
func New(url string) (*Hub, error) {
	h := &Hub{subs: map[int64]map[chan struct{}]struct{}{}}
	// pq.Listener reconnects by itself (100 ms doubling to 10 s) and LISTENs again.
	h.listener = pq.NewListener(url, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventConnected, pq.ListenerEventReconnected:
			h.setUp(true)
		case pq.ListenerEventDisconnected:
			h.setUp(false)
		}
		if err != nil {
			slog.Warn("live listener", "event", ev, "err", err)
		}
	})
	if err := h.listener.Listen(Channel); err != nil {
		h.listener.Close()
		return nil, fmt.Errorf("listen on %s: %w", Channel, err)
	}
	h.setUp(true) // Listen returns once connected, possibly before the Connected event
	return h, nil
}

// setUp records whether the hub is listening. Losing the connection closes every
// subscriber's channel: notifications may be lost from now on, so each stream ends and
// its reader reconnects, catching up from its last event id once the hub is back.
func (h *Hub) setUp(up bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.up = up
	if up {
		return
	}
	for _, chans := range h.subs {
		for ch := range chans {
			close(ch)
		}
	}
	clear(h.subs)
}

// Run delivers notifications until ctx ends, then closes the listener.
func (h *Hub) Run(ctx context.Context) {
	defer h.listener.Close()
	ping := time.NewTicker(90 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			go func() { _ = h.listener.Ping() }()
		case n := <-h.listener.Notify:
			if n == nil {
				// The connection was re-established and notifications may have been lost:
				// wake every stream so it re-reads from its last event id.
				h.wakeAll()
				continue
			}
			var payload struct {
				ThreadID int64 `json:"thread_id"`
			}
			if err := json.Unmarshal([]byte(n.Extra), &payload); err != nil {
				slog.Warn("live: bad payload", "payload", n.Extra, "err", err)
				continue
			}
			h.wake(payload.ThreadID)
		}
	}
}

// Subscribe returns a channel that receives a value whenever the thread may have new
// events (the stream then reads them from the database) and is closed when the hub loses
// its connection, and a function to leave. While the connection is lost it returns
// ErrDown.
func (h *Hub) Subscribe(threadID int64) (<-chan struct{}, func(), error) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if !h.up {
		h.mu.Unlock()
		return nil, nil, ErrDown
	}
	if h.subs[threadID] == nil {
		h.subs[threadID] = map[chan struct{}]struct{}{}
	}
	h.subs[threadID][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[threadID], ch)
		if len(h.subs[threadID]) == 0 {
			delete(h.subs, threadID)
		}
		h.mu.Unlock()
	}, nil
}

func (h *Hub) wake(threadID int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs[threadID] {
		select {
		case ch <- struct{}{}:
		default: // already woken; it will read everything new
		}
	}
}

func (h *Hub) wakeAll() {
	h.mu.Lock()
	ids := make([]int64, 0, len(h.subs))
	for id := range h.subs {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	for _, id := range ids {
		h.wake(id)
	}
}
