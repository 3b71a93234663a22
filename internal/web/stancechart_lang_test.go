package web

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/i18n"
	"forum/internal/store"
)

// The home page's stance chart dates its weeks as the reader's language does, in the
// table, the range and the drawing alike, and titles the drawing in that language.
func TestStanceChartDatesInLanguage(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 10, 21, 12, 0, 0, 0, time.UTC)
	fs := &store.ForumStance{Marks: []forum.StanceMark{{Week: forum.ChartSince(now, forum.StanceChartWeeks), Stance: forum.StanceHelps, People: 3}}}
	for _, tc := range []struct {
		lang, title string
		week        *regexp.Regexp
	}{
		{"en", "People holding each stance", regexp.MustCompile(`^\d{1,2} [A-Z][a-z]{2}$`)},
		{"ko", "주별 입장별 인원", regexp.MustCompile(`^\d{1,2}월 \d{1,2}일$`)},
	} {
		v := newForumStanceView(b.For(tc.lang), fs, now)
		if len(v.Weeks) == 0 || v.Chart == "" {
			t.Fatalf("%s: no weeks charted: %+v", tc.lang, v)
		}
		for _, w := range v.Weeks {
			if !tc.week.MatchString(w.Week) {
				t.Errorf("%s: week %q, want it written as %s", tc.lang, w.Week, tc.week)
			}
			// The drawing's axis labels are the table's.
			if w == v.Weeks[0] && !strings.Contains(string(v.Chart), ">"+w.Week+"</text>") {
				t.Errorf("%s: the chart's axis lacks %q: %s", tc.lang, w.Week, v.Chart)
			}
		}
		if first, last := v.Weeks[0].Week, v.Weeks[len(v.Weeks)-1].Week; !strings.HasPrefix(v.Range, first+" – ") || !strings.Contains(v.Range, "2026") {
			t.Errorf("%s: range %q, want it from %q to %q's day with its year", tc.lang, v.Range, first, last)
		}
		if !strings.Contains(string(v.Chart), tc.title) {
			t.Errorf("%s: the chart's title is not in the language: %s", tc.lang, v.Chart)
		}
	}
}
