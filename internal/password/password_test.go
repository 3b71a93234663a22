package password

import (
	"errors"
	"testing"
	"time"

	"forum/internal/forum"
)

func TestHasherBoundsConcurrentHashes(t *testing.T) {
	h, err := New(Cheap(), Limits{Slots: 1, Wait: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash(t.Context(), "a long enough passphrase")
	if err != nil {
		t.Fatal(err)
	}

	// Another request holds the only slot.
	if err := h.slots.Acquire(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	t.Run("HashGivesUpAfterTheWaitWithRetryAfter", func(t *testing.T) {
		start := time.Now()
		_, err := h.Hash(t.Context(), "a long enough passphrase")
		var de *forum.Error
		if !errors.As(err, &de) || de.Code != forum.EUnavailable || de.RetryAfter <= 0 {
			t.Fatalf("got %v; want an %s error with RetryAfter", err, forum.EUnavailable)
		}
		if waited := time.Since(start); waited < 50*time.Millisecond {
			t.Fatalf("gave up after %v, before the 50ms wait", waited)
		}
	})
	t.Run("CheckGivesUpToo", func(t *testing.T) {
		if ok, err := h.Check(t.Context(), "a long enough passphrase", hash); ok || forum.ErrorCode(err) != forum.EUnavailable {
			t.Fatalf("Check = %v, %v; want false and %s", ok, err, forum.EUnavailable)
		}
	})
	t.Run("WaitingHashRunsWhenTheSlotFrees", func(t *testing.T) {
		h, err := New(Cheap(), Limits{Slots: 1, Wait: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.slots.Acquire(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			ok, err := h.Check(t.Context(), "a long enough passphrase", hash)
			if err == nil && !ok {
				err = errors.New("the right password did not match")
			}
			done <- err
		}()
		select {
		case err := <-done:
			t.Fatalf("checked while the only slot was taken: %v", err)
		case <-time.After(20 * time.Millisecond): // it waits; nothing else could be awaited
		}
		h.slots.Release(1)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
	h.slots.Release(1)
	if ok, err := h.Check(t.Context(), "a long enough passphrase", hash); !ok || err != nil {
		t.Fatalf("after the slot freed: Check = %v, %v", ok, err)
	}
}
