// Package device names the browser and system behind a User-Agent header in a few
// words ("Firefox on Linux"), for the list of a person's sessions. It reads only the
// tokens the common browsers send; anything else is an "Unknown browser", which is
// enough for a person to tell their own devices apart. It is a hint, never a check:
// the header is whatever the client says.
package device

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxUserAgentLen bounds what is kept of the header; real ones are a few hundred bytes.
const MaxUserAgentLen = 512

// Clean makes a User-Agent header fit to keep: valid UTF-8 without control characters
// (PostgreSQL's text refuses NUL), at most MaxUserAgentLen bytes, cut between characters.
func Clean(ua string) string {
	ua = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return -1
		}
		return r
	}, ua)
	if len(ua) <= MaxUserAgentLen {
		return ua
	}
	cut := MaxUserAgentLen
	for cut > 0 && !utf8.RuneStart(ua[cut]) {
		cut--
	}
	return ua[:cut]
}

// rule is one token to look for, and the name it stands for. Order matters: Edge and
// Opera also say "Chrome", Chrome also says "Safari", Android also says "Linux".
type rule struct{ token, name string }

var browsers = []rule{
	{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"},
	{"OPR/", "Opera"}, {"Opera", "Opera"},
	{"SamsungBrowser/", "Samsung Internet"},
	{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
	{"CriOS/", "Chrome"}, {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"},
	{"Safari/", "Safari"},
	{"curl/", "curl"}, {"Wget/", "Wget"},
}

var systems = []rule{
	{"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Android", "Android"},
	{"Windows", "Windows"}, {"CrOS", "ChromeOS"}, {"Macintosh", "macOS"}, {"Mac OS X", "macOS"},
	{"Linux", "Linux"}, {"FreeBSD", "FreeBSD"}, {"OpenBSD", "OpenBSD"},
}

// Summary is "Browser on System", or as much of it as ua tells.
func Summary(ua string) string {
	b, s := find(ua, browsers), find(ua, systems)
	switch {
	case b == "" && s == "":
		return "Unknown browser"
	case s == "":
		return b
	case b == "":
		return "Unknown browser on " + s
	}
	return b + " on " + s
}

func find(ua string, rules []rule) string {
	for _, r := range rules {
		if strings.Contains(ua, r.token) {
			return r.name
		}
	}
	return ""
}
