package forum

import (
	"fmt"
	"time"
)

// Limit is a fixed-window rate limit: at most Max counted events per key in Window.
// Name prefixes the keys it counts under, so different limits never share a counter.
type Limit struct {
	Name   string
	Max    int
	Window time.Duration
}

// Key is the counter key for id (a username, a client address) under this limit.
func (l Limit) Key(id string) string { return l.Name + ":" + id }

// LoginWindow is how long failed logins are remembered.
const LoginWindow = 15 * time.Minute

// Login throttling: failed logins per account and per client address.
var (
	LoginPerAccount = Limit{Name: "login:user", Max: 5, Window: LoginWindow}
	LoginPerAddress = Limit{Name: "login:ip", Max: 20, Window: LoginWindow}
)

// LoginLimits are the limits a login attempt is counted against, in the order their
// keys must always be taken (account first, then address), so concurrent attempts lock
// the counters in the same order.
func LoginLimits() []Limit { return []Limit{LoginPerAccount, LoginPerAddress} }

// LoginKeys are the counter keys of a login attempt for username from addr, in
// LoginLimits order.
func LoginKeys(username, addr string) []string {
	return []string{LoginPerAccount.Key(username), LoginPerAddress.Key(addr)}
}

// Count is one key's tally in its current window, this event included.
type Count struct {
	Hits  int       // events counted in the window so far
	Until time.Time // when the window ends and the count starts again
}

// CheckLimits decides an attempt from the counts taken for it, counts[i] against
// limits[i]. Because each count already includes this attempt, the attempt is allowed
// while every count is at most its Max. Otherwise it returns an ERateLimited error
// saying "Too many <what>." whose RetryAfter is the wait until every exceeded window
// has ended.
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
	wait = max(wait, time.Second) // the window ends now or a clock differs: still say wait
	minutes := int((wait + time.Minute - 1) / time.Minute)
	e := Errorf(ERateLimited, "Too many %s. Try again in %s.", what, pluralMinutes(minutes))
	e.RetryAfter = wait
	return e
}

func pluralMinutes(n int) string {
	if n == 1 {
		return "1 minute"
	}
	return fmt.Sprintf("%d minutes", n)
}
