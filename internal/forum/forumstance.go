package forum

import (
	"slices"
	"time"
)

// The forum-wide stance: how many people hold each stance now, each person counted once.
// A person's forum-wide stance is their newest counted stance in any thread; when they
// withdraw it, their newest remaining one counts (none when nothing remains). Like a
// thread's tally it follows the stances people hold: hiding or deleting the post that
// took one does not take it back.

// StanceChartWeeks is how many weeks the home page's chart shows at most.
const StanceChartWeeks = 12

// StanceCounts is how many people hold each stance.
type StanceCounts struct {
	Helps, Hinders, Mixed int
}

// Of is the count for s.
func (c StanceCounts) Of(s Stance) int {
	switch s {
	case StanceHelps:
		return c.Helps
	case StanceHinders:
		return c.Hinders
	case StanceMixed:
		return c.Mixed
	}
	return 0
}

// Total is everyone who holds a stance.
func (c StanceCounts) Total() int { return c.Helps + c.Hinders + c.Mixed }

// Set makes s's count n.
func (c *StanceCounts) Set(s Stance, n int) {
	switch s {
	case StanceHelps:
		c.Helps = n
	case StanceHinders:
		c.Hinders = n
	case StanceMixed:
		c.Mixed = n
	}
}

// StanceMark is one kept history row: a stance's count as it stood at the end of Week
// (its Monday, UTC), or at its last change in that week so far.
type StanceMark struct {
	Week   time.Time `db:"week"`
	Stance Stance    `db:"stance"`
	People int       `db:"people"`
}

// StanceWeek is the split at the end of one week.
type StanceWeek struct {
	Start  time.Time
	Counts StanceCounts
}

// WeekStart is the Monday 00:00 UTC that begins t's week, as the history keys it.
func WeekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	return day.AddDate(0, 0, -back)
}

// ChartSince is the first week a chart of n weeks ending with now's shows.
func ChartSince(now time.Time, n int) time.Time { return WeekStart(now).AddDate(0, 0, -7*(n-1)) }

// StanceWeeks lays marks out week by week over the n weeks ending with now's: a week
// without a mark for a stance carries that stance's previous count (a mark before the
// window supplies the first). The chart starts at the first week anything was counted,
// so a young forum shows only its own weeks; no marks at all is no weeks.
func StanceWeeks(marks []StanceMark, now time.Time, n int) []StanceWeek {
	marks = slices.Clone(marks)
	slices.SortFunc(marks, func(a, b StanceMark) int { return a.Week.Compare(b.Week) })
	if len(marks) == 0 || n <= 0 {
		return nil
	}
	start := ChartSince(now, n)
	if first := WeekStart(marks[0].Week); first.After(start) {
		start = first
	}
	var out []StanceWeek
	var cur StanceCounts
	i := 0
	for w := start; !w.After(WeekStart(now)); w = w.AddDate(0, 0, 7) {
		for ; i < len(marks) && !WeekStart(marks[i].Week).After(w); i++ {
			cur.Set(marks[i].Stance, marks[i].People)
		}
		out = append(out, StanceWeek{Start: w, Counts: cur})
	}
	return out
}
