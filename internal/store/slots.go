package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// slots is a counting semaphore whose waits end at a deadline.
type slots struct{ ch chan struct{} }

func newSlots(n int) *slots { return &slots{ch: make(chan struct{}, n)} }

// acquire takes a slot, waiting until deadline (zero: until ctx ends); busy is the error
// when the deadline passes first.
func (s *slots) acquire(ctx context.Context, deadline time.Time, busy error) error {
	select {
	case s.ch <- struct{}{}:
		return nil
	default:
	}
	var expired <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(time.Until(deadline))
		defer t.Stop()
		expired = t.C
	}
	select {
	case s.ch <- struct{}{}:
		return nil
	case <-expired:
		return busy
	case <-ctx.Done():
		return fmt.Errorf("wait for a write slot: %w", ctx.Err())
	}
}

func (s *slots) release() { <-s.ch }

func (s *slots) inUse() int { return len(s.ch) }

// keyedSlots gives each key (a thread id) its own slots. A key's entry lives while some
// request holds or waits for one of its slots, so the map is bounded by the requests in
// flight.
type keyedSlots struct {
	n    int
	mu   sync.Mutex
	keys map[int64]*keyed
}

type keyed struct {
	slots *slots
	refs  int
}

func newKeyedSlots(n int) *keyedSlots { return &keyedSlots{n: n, keys: map[int64]*keyed{}} }

// acquire takes one of key's slots, waiting until deadline; release gives it back.
func (k *keyedSlots) acquire(ctx context.Context, key int64, deadline time.Time) (release func(), err error) {
	k.mu.Lock()
	e := k.keys[key]
	if e == nil {
		e = &keyed{slots: newSlots(k.n)}
		k.keys[key] = e
	}
	e.refs++
	k.mu.Unlock()
	done := func() {
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.keys, key)
		}
		k.mu.Unlock()
	}
	if err := e.slots.acquire(ctx, deadline, ErrThreadBusy); err != nil {
		done()
		return nil, err
	}
	return func() { e.slots.release(); done() }, nil
}
