package config

import (
	"errors"
	"strconv"
	"strings"
)

// DefaultCacheBytes is FORUM_CACHE_BYTES unset: 64 MiB of visitors' rendered pages holds
// a few hundred large thread pages in all their encodings, well inside the server's
// memory target.
const DefaultCacheBytes = 64 << 20

// maxCacheBytes bounds the setting: the page cache is not the place for the whole forum.
const maxCacheBytes = 16 << 30

// loadCacheBytes reads FORUM_CACHE_BYTES: the page cache's byte budget, 0 to turn it off.
func loadCacheBytes(getenv func(string) string) (int64, error) {
	raw := strings.TrimSpace(getenv("FORUM_CACHE_BYTES"))
	if raw == "" {
		return DefaultCacheBytes, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 || n > maxCacheBytes {
		return 0, errors.New("FORUM_CACHE_BYTES: must be a whole number of bytes from 0 (no cache) to 17179869184")
	}
	return n, nil
}
