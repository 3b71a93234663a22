// Package live fans PostgreSQL notifications about threads and about people's unread
// counts out to the streams open on this instance. Events are written and NOTIFYed by the
// store inside the writing transaction, so a reply made through any instance reaches
// readers on every instance.
package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"

	"forum/internal/store"
)

// Channel is the PostgreSQL NOTIFY channel the store writes to.
const Channel = "thread_events"

// VersionChannel carries 0 when a category changes (a trigger sends it, migration 00013),
// or a thread's id from code that wants its cached pages evicted. Replies and edits
// evict through Channel's events, which every instance hears after their commit.
const VersionChannel = "thread_versions"

// Hub holds this instance's LISTEN connection and its subscribers.
type Hub struct {
	listener *pq.Listener
	mu       sync.Mutex
	up       bool                               // listening; false from a lost connection until it is back
	subs     map[key]map[chan struct{}]struct{} // thread or user → wake-up channels
	// versions hears every VersionChannel NOTIFY; reset hears the connection go (false)
	// and come back (true): whatever was kept meanwhile may be stale (WatchVersions).
	versions func(threadID int64)
	reset    func(up bool)
	syncs    map[string]chan struct{} // Sync's barriers by token
}

// key names what a subscriber waits on: a thread's events, or a user's unread count.
type key struct {
	user bool
	id   int64
}

// ErrDown is Subscribe's answer while the hub's connection is lost: a stream opened now
// would hear nothing, so it must not tell its reader it is live.
var ErrDown = errors.New("live: not listening: the database connection is lost")

// New connects a listener to the database at url.
func New(url string) (*Hub, error) {
	h := &Hub{subs: map[key]map[chan struct{}]struct{}{}}
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
	for _, ch := range []string{Channel, store.UserChannel, VersionChannel} {
		if err := h.listener.Listen(ch); err != nil {
			h.listener.Close()
			return nil, fmt.Errorf("listen on %s: %w", ch, err)
		}
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
	if h.reset != nil {
		h.reset(up)
	}
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
				h.wakeWhere(func(key) bool { return true })
				h.resetVersions()
				continue
			}
			if n.Channel == VersionChannel {
				h.versionChanged(n.Extra)
				continue
			}
			var payload struct {
				ThreadID int64   `json:"thread_id"`
				Users    []int64 `json:"users"`
				All      bool    `json:"all"`
			}
			if err := json.Unmarshal([]byte(n.Extra), &payload); err != nil {
				slog.Warn("live: bad payload", "channel", n.Channel, "payload", n.Extra, "err", err)
				continue
			}
			switch {
			case n.Channel != store.UserChannel:
				// The cache first: a stream woken by this event, and whoever follows it,
				// then finds the thread's pages gone.
				h.threadChanged(payload.ThreadID) // its cached pages are stale
				h.wake(key{id: payload.ThreadID})
			case payload.All: // too many people to name in one payload
				h.wakeWhere(func(k key) bool { return k.user })
			default:
				for _, id := range payload.Users {
					h.wake(key{user: true, id: id})
				}
			}
		}
	}
}

// Subscribe returns a channel that receives a value whenever the thread may have new
// events (the stream then reads them from the database) and is closed when the hub loses
// its connection, and a function to leave. While the connection is lost it returns
// ErrDown.
func (h *Hub) Subscribe(threadID int64) (<-chan struct{}, func(), error) {
	return h.subscribe(key{id: threadID})
}

// SubscribeUser is Subscribe for a person's unread count: the channel receives a value
// whenever the count may have changed (the stream then reads it).
func (h *Hub) SubscribeUser(userID int64) (<-chan struct{}, func(), error) {
	return h.subscribe(key{user: true, id: userID})
}

func (h *Hub) subscribe(k key) (<-chan struct{}, func(), error) {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if !h.up {
		h.mu.Unlock()
		return nil, nil, ErrDown
	}
	if h.subs[k] == nil {
		h.subs[k] = map[chan struct{}]struct{}{}
	}
	h.subs[k][ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs[k], ch)
		if len(h.subs[k]) == 0 {
			delete(h.subs, k)
		}
		h.mu.Unlock()
	}, nil
}

func (h *Hub) wake(k key) {
	h.mu.Lock()
	defer h.mu.Unlock()
	poke(h.subs[k])
}

// wakeWhere wakes every subscriber whose key matches.
func (h *Hub) wakeWhere(match func(key) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, chans := range h.subs {
		if match(k) {
			poke(chans)
		}
	}
}

func poke(chans map[chan struct{}]struct{}) {
	for ch := range chans {
		select {
		case ch <- struct{}{}:
		default: // already woken; it will read everything new
		}
	}
}

// WatchVersions registers the page cache's hooks: changed for every thread version
// NOTIFY (0: a category changed), reset when the connection is lost (up false) and when
// it is back (up true). Call it before Run.
func (h *Hub) WatchVersions(changed func(threadID int64), reset func(up bool)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.versions, h.reset = changed, reset
}

func (h *Hub) versionChanged(payload string) {
	if token, ok := strings.CutPrefix(payload, syncPrefix); ok {
		h.mu.Lock()
		if ch, ok := h.syncs[token]; ok {
			close(ch)
			delete(h.syncs, token)
		}
		h.mu.Unlock()
		return
	}
	id, err := strconv.ParseInt(payload, 10, 64)
	if err != nil {
		slog.Warn("live: bad version payload", "payload", payload, "err", err)
		h.resetVersions() // unknown thread: drop everything rather than keep a stale page
		return
	}
	h.threadChanged(id)
}

// threadChanged tells the page cache a thread changed (0: a category).
func (h *Hub) threadChanged(id int64) {
	h.mu.Lock()
	f := h.versions
	h.mu.Unlock()
	if f != nil {
		f(id)
	}
}

// resetVersions tells the cache that notifications may have been lost.
func (h *Hub) resetVersions() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.reset != nil {
		h.reset(h.up)
	}
}
