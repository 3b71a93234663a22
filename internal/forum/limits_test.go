package forum_test

import (
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

func TestCheckLimits(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(hits int, left time.Duration) forum.Count { return forum.Count{Hits: hits, Until: now.Add(left)} }
	login := forum.Limit{Name: "login_pair", Max: 5, Window: 15 * time.Minute}
	address := forum.Limit{Name: "login_address", Max: 20, Window: 15 * time.Minute}
	limits := []forum.Limit{login, address}
	for _, tc := range []struct {
		name   string
		counts []forum.Count
		wait   time.Duration // 0: allowed
		msg    string
	}{
		{"FirstAttempt", []forum.Count{at(1, 15*time.Minute), at(1, 15*time.Minute)}, 0, ""},
		{"PairAtLimit", []forum.Count{at(5, 10*time.Minute), at(5, 10*time.Minute)}, 0, ""},
		{"PairOverLimit", []forum.Count{at(6, 10*time.Minute), at(6, 10*time.Minute)}, 10 * time.Minute, "Try again in 10 minutes."},
		{"AddressAtLimit", []forum.Count{at(1, 15*time.Minute), at(20, 3*time.Minute)}, 0, ""},
		{"AddressOverLimit", []forum.Count{at(1, 15*time.Minute), at(21, 3*time.Minute)}, 3 * time.Minute, "Try again in 3 minutes."},
		{"BothOverWaitsForLater", []forum.Count{at(9, 2*time.Minute), at(30, 7*time.Minute)}, 7 * time.Minute, "Try again in 7 minutes."},
		{"OnlyExceededWindowCounts", []forum.Count{at(9, 2*time.Minute), at(3, 14*time.Minute)}, 2 * time.Minute, "Try again in 2 minutes."},
		{"PartMinuteRoundsUp", []forum.Count{at(6, 61*time.Second), at(1, time.Minute)}, 61 * time.Second, "Try again in 2 minutes."},
		{"UnderAMinuteInSeconds", []forum.Count{at(6, 30*time.Second), at(1, time.Minute)}, 30 * time.Second, "Try again in 30 seconds."},
		{"PartSecondRoundsUp", []forum.Count{at(6, 1500*time.Millisecond), at(1, time.Minute)}, 1500 * time.Millisecond, "Try again in 2 seconds."},
		{"WindowAlreadyOverStillWaits", []forum.Count{at(6, -time.Second), at(1, time.Minute)}, time.Second, "Try again in 1 second."},
		{"LongWaitInHours", []forum.Count{at(6, 150*time.Minute), at(1, time.Minute)}, 150 * time.Minute, "Try again in 3 hours."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := forum.CheckLimits(now, "failed logins", limits, tc.counts)
			if tc.wait == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := err.(*forum.Error)
			if !ok {
				t.Fatalf("err = %v, want a *forum.Error", err)
			}
			if e.Code != forum.ERateLimited || e.RetryAfter != tc.wait {
				t.Fatalf("code %q, RetryAfter %v; want %q, %v", e.Code, e.RetryAfter, forum.ERateLimited, tc.wait)
			}
			if want := "Too many failed logins in a short time. " + tc.msg; e.Message != want {
				t.Fatalf("message %q, want %q", e.Message, want)
			}
		})
	}

	t.Run("CountsMustMatchLimits", func(t *testing.T) {
		err := forum.CheckLimits(now, "failed logins", limits, []forum.Count{at(1, time.Minute)})
		if err == nil || forum.ErrorCode(err) != forum.EInternal {
			t.Fatalf("err = %v, want an internal error", err)
		}
	})
}

func TestLoginKeys(t *testing.T) {
	l := forum.DefaultLimits()
	a := l.Login("alice", "192.0.2.1")
	want := []string{"login_pair:15m:alice@192.0.2.1", "login_address:15m:192.0.2.1"}
	if len(a.Keys) != len(want) || a.Keys[0] != want[0] || a.Keys[1] != want[1] {
		t.Fatalf("login keys = %q, want %q (the pair, then the address)", a.Keys, want)
	}
	if got := l.LoginAccountKey("alice"); got != "login_account:15m:alice" {
		t.Fatalf("account key = %q", got)
	}
	// A name that cannot be an account cannot grow a key: all share one placeholder.
	long := l.Login(strings.Repeat("x", 5000), "192.0.2.1")
	if long.Keys[0] != "login_pair:15m:-@192.0.2.1" || l.LoginAccountKey("Not A Name!") != "login_account:15m:-" {
		t.Fatalf("keys for impossible names: %q, %q", long.Keys[0], l.LoginAccountKey("Not A Name!"))
	}
}
