// Package password hashes and checks passwords with argon2id.
package password

import (
	"fmt"
	"runtime"

	"github.com/alexedwards/argon2id"
)

// Hasher holds the argon2id cost; tests use a cheaper one.
type Hasher struct {
	params *argon2id.Params
	// dummy is a hash of a random password, checked when a login names no known user,
	// so an unknown user and a wrong password take about the same time.
	dummy string
}

// Default is OWASP's recommended argon2id setting (19 MiB, 2 passes).
func Default() *argon2id.Params {
	return &argon2id.Params{Memory: 19 * 1024, Iterations: 2, Parallelism: uint8(min(runtime.NumCPU(), 4)), SaltLength: 16, KeyLength: 32}
}

// Cheap is for tests only: fast, still a real argon2id hash.
func Cheap() *argon2id.Params {
	return &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// New builds a Hasher with params.
func New(params *argon2id.Params) (*Hasher, error) {
	h := &Hasher{params: params}
	dummy, err := argon2id.CreateHash("not-a-real-password-for-timing", params)
	if err != nil {
		return nil, fmt.Errorf("hash dummy password: %w", err)
	}
	h.dummy = dummy
	return h, nil
}

// Hash returns the encoded argon2id hash of pw.
func (h *Hasher) Hash(pw string) (string, error) {
	s, err := argon2id.CreateHash(pw, h.params)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return s, nil
}

// Check reports whether pw matches hash. An empty hash (unknown user) is checked
// against the dummy hash so the time taken does not reveal whether the user exists.
func (h *Hasher) Check(pw, hash string) bool {
	if hash == "" {
		_, _ = argon2id.ComparePasswordAndHash(pw, h.dummy)
		return false
	}
	ok, err := argon2id.ComparePasswordAndHash(pw, hash)
	return err == nil && ok
}
