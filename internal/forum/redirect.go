package forum

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxRedirectLen bounds a redirect target taken from a request (?next=): it goes back
// out in a Location header, and no page of ours has an address anywhere near this long.
const MaxRedirectLen = 2048

// LocalRedirect reports whether next, a redirect target a request asked for, is a path
// on this site, and returns it if so. Browsers are generous readers of a Location: they
// drop tabs and line breaks anywhere, trim leading control characters and spaces, and
// read "\" as "/", so "/\evil.example" and "/\t/evil.example" both mean
// "//evil.example", another host. So only a plain path passes: it starts with exactly
// one "/", holds no "\", control character or white space anywhere, has no scheme or
// host once parsed, no "." or ".." segment, and does not become "//" (or gain any of
// those characters) when its path is percent-decoded once, for the proxy or server that
// decodes before redirecting. The table of refused spellings is
// testdata/offsite_redirects.txt.
func LocalRedirect(next string) (string, bool) {
	if len(next) > MaxRedirectLen || !plainLocalPath(next) {
		return "", false
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	// The decoded path must pass the same test: "/%2f%2fevil.example", "/%5cevil.example"
	// and "/%09/evil.example" are refused with their plain spellings.
	rawPath, _, _ := strings.Cut(next, "?")
	rawPath, _, _ = strings.Cut(rawPath, "#")
	decoded, err := url.PathUnescape(rawPath)
	if err != nil || !plainLocalPath(decoded) {
		return "", false
	}
	// Dot segments: "/.//evil.example" and "/..//evil.example" resolve to "//evil.example",
	// and no address of ours has them.
	for _, seg := range strings.Split(decoded, "/") {
		if seg == "." || seg == ".." {
			return "", false
		}
	}
	return next, true
}

// plainLocalPath is the character-level half of LocalRedirect: valid UTF-8 that starts
// with one "/" and has no second "/" right after it, no "\" and no control or space
// character anywhere.
func plainLocalPath(s string) bool {
	if !utf8.ValidString(s) || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return r == '\\' || unicode.IsControl(r) || unicode.IsSpace(r)
	})
}
