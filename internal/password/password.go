// Package password hashes and checks passwords with argon2id.
package password

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/alexedwards/argon2id"
	"golang.org/x/sync/semaphore"

	"forum/internal/forum"
)

// Hasher holds the argon2id cost and bounds how many hashes run at once; tests use a
// cheaper cost.
type Hasher struct {
	params *argon2id.Params
	// dummy is a hash of a random password, checked when a login names no known user,
	// so an unknown user and a wrong password take about the same time.
	dummy string
	// slots bounds concurrent hashes: each holds params.Memory while it runs, so 64
	// registrations at once would otherwise take 64 × 19 MiB.
	slots *semaphore.Weighted
	wait  time.Duration
}

// Limits bound the hashing work of a Hasher.
type Limits struct {
	Slots int           // hashes and checks running at once; 0 means DefaultSlots
	Wait  time.Duration // how long a hash waits for a slot before the server says it is busy; 0 means DefaultWait
}

// DefaultSlots keeps argon2id's memory at 4 × 19 MiB. More would not be faster: each
// hash already runs on up to 4 cores (Default's Parallelism).
const DefaultSlots = 4

// DefaultWait is long enough for a burst of a few dozen logins to drain through the
// slots (a hash takes tens of milliseconds) and short enough to answer a flood quickly.
const DefaultWait = 2 * time.Second

// Default is OWASP's recommended argon2id setting (19 MiB, 2 passes).
func Default() *argon2id.Params {
	return &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: uint8(min(runtime.NumCPU(), 4)), SaltLength: 16, KeyLength: 32}
}

// Cheap is for tests only: fast, still a real argon2id hash.
func Cheap() *argon2id.Params {
	return &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// New builds a Hasher with params and limits.
func New(params *argon2id.Params, limits Limits) (*Hasher, error) {
	if limits.Slots <= 0 {
		limits.Slots = DefaultSlots
	}
	if limits.Wait <= 0 {
		limits.Wait = DefaultWait
	}
	h := &Hasher{params: params, slots: semaphore.NewWeighted(int64(limits.Slots)), wait: limits.Wait}
	dummy, err := argon2id.CreateHash("not-a-real-password-for-timing", params)
	if err != nil {
		return nil, fmt.Errorf("hash dummy password: %w", err)
	}
	h.dummy = dummy
	return h, nil
}

// Hash returns the encoded argon2id hash of pw. It waits for a free slot; when none
// frees up in time it fails with an EUnavailable error carrying RetryAfter.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.slots.Release(1)
	s, err := argon2id.CreateHash(pw, h.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return s, nil
}

// Check reports whether pw matches hash. An empty hash (unknown user) is checked
// against the dummy hash so the time taken does not reveal whether the user exists.
// It waits for a slot as Hash does, and fails the same way when none frees up.
func (h *Hasher) Check(ctx context.Context, pw, hash string) (bool, error) {
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	defer h.slots.Release(1)
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(pw, h.dummy)
		return false, nil
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok, nil
}

// ErrBusy is the answer when no slot frees up within the wait.
var ErrBusy = (&forum.Error{Code: forum.EUnavailable, RetryAfter: 2 * time.Second,
	Message: "The server is busy checking other passwords. Wait a few seconds and try again."}).T("error.busy_passwords")

func (h *Hasher) acquire(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, h.wait)
	defer cancel()
	if err := h.slots.Acquire(ctx, 1); err != nil {
		return ErrBusy // the wait ran out, or the client left while waiting
	}
	return nil
}
