package web

import (
	"testing"
	"time"
)

// TestAgo holds the server's wording of relative times, which web/static/time.js repeats
// in the browser: hours and minutes under a day, days under a month, then the date.
func TestAgo(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		before time.Duration
		want   string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{-time.Hour, "just now"}, // a clock behind the writer's
		{time.Minute, "1 min ago"},
		{12*time.Minute + 30*time.Second, "12 min ago"},
		{time.Hour, "1 h ago"},
		{90 * time.Minute, "1 h 30 min ago"},
		{3*time.Hour + 12*time.Minute, "3 h 12 min ago"},
		{24*time.Hour - time.Second, "23 h 59 min ago"},
		{24 * time.Hour, "1 day ago"},
		{29 * 24 * time.Hour, "29 days ago"},
		{40 * 24 * time.Hour, "10 Apr 2026"},
	} {
		if got := agoAt(now.Add(-tc.before), now); got != tc.want {
			t.Errorf("%s before: %q, want %q", tc.before, got, tc.want)
		}
	}
}
