// Package secret makes the forum's bearer secrets — session ids, private feed and API
// tokens — and the digests kept of them. A secret is 32 random bytes written as
// unpadded base64url, so it fits a cookie, a URL path segment and a header unescaped;
// only its SHA-256 is stored, so a leaked table grants nothing.
package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// size is a secret's length in random bytes: 256 bits, beyond guessing.
const size = 32

// encodedLen is a secret's length as written.
var encodedLen = base64.RawURLEncoding.EncodedLen(size)

// New returns a fresh secret.
func New() string {
	b := make([]byte, size)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash is the digest stored in place of s.
func Hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// WellFormed reports whether s could be a secret New made: callers skip the database
// for anything else.
func WellFormed(s string) bool {
	if len(s) != encodedLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}
