package forum

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limit is a fixed-window rate limit: at most Max counted events per key in Window.
// Name says what it counts ("replies"); it labels the limit's metrics and, with the
// window, prefixes its keys. Two limits share a counter only when they count the same
// thing over the same window: the stricter limits for new accounts share the regular
// ones' counters, so turning a day old does not wipe out what was counted.
type Limit struct {
	Name   string
	Max    int
	Window time.Duration
}

// Key is the counter key for id (a user, a client address) under this limit.
func (l Limit) Key(id string) string { return l.Name + ":" + FormatWindow(l.Window) + ":" + id }

// String is the limit in the settings' syntax: "10/1m".
func (l Limit) String() string { return strconv.Itoa(l.Max) + "/" + FormatWindow(l.Window) }

// Counter is one key counted in its window: what the store needs to count an event.
type Counter struct {
	Key    string
	Window time.Duration
}

// Count is one key's tally in its current window, this event included.
type Count struct {
	Hits  int       // events counted in the window so far
	Start time.Time // when the window started (for a Pace: the last counted event)
	Until time.Time // when the window ends and the count starts again
}

// Exceeded lists the limits that counts[i] exceeds of limits[i] (nil: all within).
func Exceeded(limits []Limit, counts []Count) []Limit {
	var out []Limit
	for i, l := range limits {
		if i < len(counts) && counts[i].Hits > l.Max {
			out = append(out, l)
		}
	}
	return out
}

// CheckLimits decides an attempt from the counts taken for it, counts[i] against
// limits[i]. Because each count already includes this attempt, the attempt is allowed
// while every count is at most its Max. Otherwise it returns an ERateLimited error
// saying "Too many <what> in a short time. Try again in <when>." whose RetryAfter is the
// wait until every exceeded window has ended.
func CheckLimits(now time.Time, what string, limits []Limit, counts []Count) error {
	if len(counts) != len(limits) {
		return fmt.Errorf("check limits: %d counts for %d limits", len(counts), len(limits))
	}
	var wait time.Duration
	refused := false
	for i, l := range limits {
		if counts[i].Hits <= l.Max {
			continue
		}
		refused = true
		wait = max(wait, counts[i].Until.Sub(now))
	}
	if !refused {
		return nil
	}
	return rateLimitKey(RateLimited("Too many "+what+" in a short time.", wait), what)
}

// RateLimited is the refusal of an attempt that may succeed after wait: message, then
// "Try again in <wait in words>.", with RetryAfter set. A wait under a second (a window
// that ends now, or clocks that differ) is a second: there is still something to wait for.
func RateLimited(message string, wait time.Duration) *Error {
	wait = max(wait, time.Second)
	e := Errorf(ERateLimited, "%s Try again in %s.", message, WaitWords(wait))
	e.RetryAfter = wait
	return e
}

// WaitWords says a wait the way a person would, rounded up to a whole unit: "1 second",
// "40 seconds", "3 minutes", "2 hours".
func WaitWords(d time.Duration) string {
	ceil := func(unit time.Duration) int { return int((d + unit - 1) / unit) }
	switch {
	case d <= time.Minute:
		return plural(max(ceil(time.Second), 1), "second")
	case d <= 2*time.Hour:
		return plural(ceil(time.Minute), "minute")
	}
	return plural(ceil(time.Hour), "hour")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// FormatWindow writes a window in the settings' syntax: a whole number of the largest
// unit that divides it, "90s", "15m", "1h", "1d".
func FormatWindow(d time.Duration) string {
	for _, u := range windowUnits {
		if d >= u.d && d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}

var windowUnits = []struct {
	name string
	d    time.Duration
}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}}

// Bounds on a limit's terms, so a typo cannot make a limit meaningless.
const (
	MaxLimitCount  = 1_000_000
	MinLimitWindow = time.Second
	MaxLimitWindow = 30 * 24 * time.Hour
	maxLimitTerms  = 4
)

// ParseLimits reads a limit setting: one or more "COUNT/WINDOW" terms separated by
// commas, WINDOW a whole number with a unit s, m, h or d — "10/1m,120/1h" is at most 10
// in any minute and 120 in any hour. Each term becomes a Limit called name.
func ParseLimits(name, s string) ([]Limit, error) {
	terms := strings.Split(s, ",")
	if len(terms) > maxLimitTerms {
		return nil, fmt.Errorf("at most %d terms like 10/1m, separated by commas", maxLimitTerms)
	}
	out := make([]Limit, 0, len(terms))
	seen := map[time.Duration]bool{}
	for _, term := range terms {
		count, window, ok := strings.Cut(strings.TrimSpace(term), "/")
		n, err := strconv.Atoi(count)
		if !ok || err != nil || n < 1 || n > MaxLimitCount {
			return nil, fmt.Errorf("%q is not COUNT/WINDOW with COUNT from 1 to %d, e.g. 10/1m", term, MaxLimitCount)
		}
		w, err := parseWindow(window)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", term, err)
		}
		if seen[w] {
			return nil, fmt.Errorf("the window %s is given twice", FormatWindow(w))
		}
		seen[w] = true
		out = append(out, Limit{Name: name, Max: n, Window: w})
	}
	return out, nil
}

// parseWindow reads "30s", "15m", "1h", "1d" (a bare unit means one of it).
func parseWindow(s string) (time.Duration, error) {
	bad := fmt.Errorf("the window must be a whole number of s, m, h or d from %s to %s, e.g. 15m",
		FormatWindow(MinLimitWindow), FormatWindow(MaxLimitWindow))
	if s == "" {
		return 0, bad
	}
	num, unit := s[:len(s)-1], s[len(s)-1:]
	n := 1
	if num != "" {
		var err error
		if n, err = strconv.Atoi(num); err != nil || n < 1 {
			return 0, bad
		}
	}
	for _, u := range windowUnits {
		if u.name == unit {
			if n > int(MaxLimitWindow/u.d) {
				return 0, bad
			}
			return time.Duration(n) * u.d, nil
		}
	}
	return 0, bad
}

// FormatLimits writes limits back in the settings' syntax.
func FormatLimits(ls []Limit) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, ",")
}
