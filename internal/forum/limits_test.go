package forum_test

import (
	"testing"
	"time"

	"forum/internal/forum"
)

func TestCheckLimits(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	at := func(hits int, left time.Duration) forum.Count { return forum.Count{Hits: hits, Until: now.Add(left)} }
	login := forum.LoginLimits()
	for _, tc := range []struct {
		name   string
		counts []forum.Count
		wait   time.Duration // 0: allowed
		msg    string
	}{
		{"FirstAttempt", []forum.Count{at(1, 15*time.Minute), at(1, 15*time.Minute)}, 0, ""},
		{"AccountAtLimit", []forum.Count{at(5, 10*time.Minute), at(5, 10*time.Minute)}, 0, ""},
		{"AccountOverLimit", []forum.Count{at(6, 10*time.Minute), at(6, 10*time.Minute)}, 10 * time.Minute, "Try again in 10 minutes."},
		{"AddressAtLimit", []forum.Count{at(1, 15*time.Minute), at(20, 3*time.Minute)}, 0, ""},
		{"AddressOverLimit", []forum.Count{at(1, 15*time.Minute), at(21, 3*time.Minute)}, 3 * time.Minute, "Try again in 3 minutes."},
		{"BothOverWaitsForLater", []forum.Count{at(9, 2*time.Minute), at(30, 7*time.Minute)}, 7 * time.Minute, "Try again in 7 minutes."},
		{"OnlyExceededWindowCounts", []forum.Count{at(9, 2*time.Minute), at(3, 14*time.Minute)}, 2 * time.Minute, "Try again in 2 minutes."},
		{"PartMinuteRoundsUp", []forum.Count{at(6, 61*time.Second), at(1, time.Minute)}, 61 * time.Second, "Try again in 2 minutes."},
		{"UnderAMinute", []forum.Count{at(6, 30*time.Second), at(1, time.Minute)}, 30 * time.Second, "Try again in 1 minute."},
		{"WindowAlreadyOverStillWaits", []forum.Count{at(6, -time.Second), at(1, time.Minute)}, time.Second, "Try again in 1 minute."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := forum.CheckLimits(now, "failed logins", login, tc.counts)
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
			if want := "Too many failed logins. " + tc.msg; e.Message != want {
				t.Fatalf("message %q, want %q", e.Message, want)
			}
		})
	}

	t.Run("CountsMustMatchLimits", func(t *testing.T) {
		err := forum.CheckLimits(now, "failed logins", login, []forum.Count{at(1, time.Minute)})
		if err == nil || forum.ErrorCode(err) != forum.EInternal {
			t.Fatalf("err = %v, want an internal error", err)
		}
	})
}

func TestLoginKeys(t *testing.T) {
	got := forum.LoginKeys("alice", "192.0.2.1")
	want := []string{"login:user:alice", "login:ip:192.0.2.1"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("LoginKeys = %q, want %q (account first, then address)", got, want)
	}
	if limits := forum.LoginLimits(); limits[0] != forum.LoginPerAccount || limits[1] != forum.LoginPerAddress {
		t.Fatalf("LoginLimits order = %+v", limits)
	}
	if forum.LoginPerAccount.Max != 5 || forum.LoginPerAddress.Max != 20 || forum.LoginWindow != 15*time.Minute {
		t.Fatalf("limits changed: %+v %+v %v", forum.LoginPerAccount, forum.LoginPerAddress, forum.LoginWindow)
	}
}
