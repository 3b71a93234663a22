package soak

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Window is one fault: from the moment it was injected until PostgreSQL accepted
// connections again. End is zero when the database never came back during the run.
type Window struct {
	Kind       string // "restart" or "kill", as the fault schedule names it
	Start, End time.Time
}

// ReadFaults parses the fault schedule's log (scripts/soak.sh writes it): one line per
// step, "<unix seconds>.<fraction> start|up <kind>", as `date +%s.%N` prints the time.
// An "up" line closes the newest open window of its kind.
func ReadFaults(r io.Reader) ([]Window, error) {
	var ws []Window
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("fault log line %d: %q is not \"<time> start|up <kind>\"", n, line)
		}
		at, err := parseUnix(f[0])
		if err != nil {
			return nil, fmt.Errorf("fault log line %d: %w", n, err)
		}
		switch f[1] {
		case "start":
			ws = append(ws, Window{Kind: f[2], Start: at})
		case "up":
			i := len(ws) - 1
			for i >= 0 && (ws[i].Kind != f[2] || !ws[i].End.IsZero()) {
				i--
			}
			if i < 0 {
				return nil, fmt.Errorf("fault log line %d: %s came up without having started", n, f[2])
			}
			ws[i].End = at
		default:
			return nil, fmt.Errorf("fault log line %d: %q is neither start nor up", n, f[1])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read fault log: %w", err)
	}
	return ws, nil
}

// parseUnix reads "seconds.fraction" exactly (a float64 would round the nanoseconds).
func parseUnix(s string) (time.Time, error) {
	secs, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		frac += strings.Repeat("0", 9-len(frac))
		if nsec, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", s, err)
		}
	}
	return time.Unix(sec, nsec), nil
}

// InOutage reports whether a request that was under way from sent to received overlaps
// a window stretched by grace after the database came back: the pools and the LISTEN
// connection need a moment to notice that their old connections are dead.
func InOutage(ws []Window, grace time.Duration, sent, received time.Time) bool {
	for _, w := range ws {
		if received.Before(w.Start) {
			continue
		}
		if w.End.IsZero() || !sent.After(w.End.Add(grace)) {
			return true
		}
	}
	return false
}
