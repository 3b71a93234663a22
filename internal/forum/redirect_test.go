package forum_test

import (
	"strings"
	"testing"

	"forum/internal/fixture"
	"forum/internal/forum"
)

// offsiteRedirects reads testdata/offsite_redirects.txt: one Go-quoted string a line.
func offsiteRedirects(t *testing.T) []string {
	t.Helper()
	return fixture.QuotedLines(t, "testdata/offsite_redirects.txt")
}

func TestLocalRedirect(t *testing.T) {
	t.Run("RefusesEveryOffsiteSpelling", func(t *testing.T) {
		bad := offsiteRedirects(t)
		if len(bad) < 25 {
			t.Fatalf("only %d spellings in testdata", len(bad))
		}
		for _, next := range bad {
			if got, ok := forum.LocalRedirect(next); ok || got != "" {
				t.Errorf("LocalRedirect(%q) = %q, %v; want refused", next, got, ok)
			}
		}
	})
	t.Run("RefusesOverlongTargets", func(t *testing.T) {
		if _, ok := forum.LocalRedirect("/t/1?x=" + strings.Repeat("a", forum.MaxRedirectLen)); ok {
			t.Error("an overlong target was accepted")
		}
	})
	t.Run("KeepsLocalPaths", func(t *testing.T) {
		for _, next := range []string{
			"/",
			"/t/12",
			"/t/12/the-race-route#p40",
			"/new?category=general",
			"/search?q=caf%C3%A9+route&before=abc",
			"/search?q=%2F%2Fnot-a-host",     // a query may hold anything escaped
			"/login?next=%2F%2Fevil.example", // a nested next is judged when it is used
			"/u/jo_-1/feed.atom",
			"/c/the-race",
			"/p/5?after=Mg",
		} {
			if got, ok := forum.LocalRedirect(next); !ok || got != next {
				t.Errorf("LocalRedirect(%q) = %q, %v; want it kept", next, got, ok)
			}
		}
	})
}
