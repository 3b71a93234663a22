package forum_test

import (
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

func TestParseLimits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // FormatLimits of the result; "" = an error
	}{
		{"10/1m,120/1h", "10/1m,120/1h"},
		{" 10/1m , 120/1h ", "10/1m,120/1h"},
		{"5/15m", "5/15m"},
		{"3/h", "3/1h"},
		{"20/1d", "20/1d"},
		{"1/90s", "1/90s"},
		{"1/60m", "1/1h"}, // written back in the largest unit that divides it
		{"1000000/30d", "1000000/30d"},
		{"", ""},
		{"10", ""},
		{"10/", ""},
		{"0/1m", ""},
		{"-1/1m", ""},
		{"1000001/1m", ""},
		{"ten/1m", ""},
		{"10/1w", ""},
		{"10/1.5h", ""},
		{"10/0m", ""},
		{"10/31d", ""},
		{"10/1m,20/60s", ""}, // the same window twice
		{"1/1s,2/2s,3/3s,4/4s,5/5s", ""},
	} {
		got, err := forum.ParseLimits("replies", tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("ParseLimits(%q) = %v, want an error", tc.in, got)
		case tc.want != "" && err != nil:
			t.Errorf("ParseLimits(%q): %v", tc.in, err)
		case tc.want != "" && forum.FormatLimits(got) != tc.want:
			t.Errorf("ParseLimits(%q) = %s, want %s", tc.in, forum.FormatLimits(got), tc.want)
		case err != nil && strings.Contains(err.Error(), "\n"):
			t.Errorf("ParseLimits(%q): error on several lines: %q", tc.in, err)
		}
		for _, l := range got {
			if l.Name != "replies" {
				t.Errorf("ParseLimits(%q): name %q", tc.in, l.Name)
			}
		}
	}
}

// TestLoginPace: failures on one account from any address are free up to Max, then
// each further attempt waits 1 s, 2 s, 4 s ... after the previous one, never more than
// MaxDelay; refused attempts are not counted; a quiet window starts a new run.
func TestLoginPace(t *testing.T) {
	now := time.Date(2025, 4, 6, 7, 0, 0, 0, time.UTC)
	p := forum.Pace{Limit: forum.Limit{Name: "login_account", Max: 10, Window: 15 * time.Minute}, MaxDelay: 30 * time.Second}
	run := func(hits int, ago time.Duration) forum.Count { return forum.Count{Hits: hits, Start: now.Add(-ago)} }
	for _, tc := range []struct {
		name  string
		count forum.Count
		hits  int           // the run's count with this attempt; 0 = refused
		wait  time.Duration // for a refusal
	}{
		{"FirstFailure", forum.Count{}, 1, 0},
		{"FreeFailuresGoAtOnce", run(9, 0), 10, 0},
		// Concurrent attempts may see the last failure a moment "after" their own clock.
		{"FreeEvenWhenTheLastLooksLater", run(5, -time.Second), 6, 0},
		{"FirstPastTheFreeWaitsASecond", run(10, 0), 0, time.Second},
		{"AfterTheSecondGoes", run(10, time.Second), 11, 0},
		{"ThenTwoSeconds", run(11, time.Second), 0, time.Second},
		{"ThenFour", run(12, 0), 0, 4 * time.Second},
		{"ThenEight", run(13, 3*time.Second), 0, 5 * time.Second},
		{"CappedAtMaxDelay", run(16, 0), 0, 30 * time.Second},
		{"StillCappedFarOut", run(500, 0), 0, 30 * time.Second},
		{"CapOverGoes", run(500, 30*time.Second), 501, 0},
		{"QuietWindowStartsAgain", run(500, 15*time.Minute), 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := p.Next(now, tc.count)
			if tc.hits != 0 {
				if err != nil || hits != tc.hits {
					t.Fatalf("Next = %d, %v; want %d, allowed", hits, err, tc.hits)
				}
				return
			}
			e, ok := err.(*forum.Error)
			if !ok || e.Code != forum.ERateLimited || e.RetryAfter != tc.wait {
				t.Fatalf("Next = %d, %v; want a refusal to wait %v", hits, err, tc.wait)
			}
			if !strings.HasPrefix(e.Message, "Too many failed logins for this account. Try again in ") ||
				!strings.HasSuffix(e.Message, "seconds.") && !strings.HasSuffix(e.Message, "1 second.") {
				t.Fatalf("message %q: want when to try again, in seconds", e.Message)
			}
		})
	}
}

func TestTrustedFlagger(t *testing.T) {
	now := time.Date(2025, 4, 6, 7, 0, 0, 0, time.UTC)
	old := now.Add(-3 * 24 * time.Hour)
	for _, tc := range []struct {
		name string
		u    forum.User
		want bool
	}{
		{"OldWithAPost", forum.User{Role: forum.RoleMember, CreatedAt: old, PostCount: 1}, true},
		{"OldWithoutPosts", forum.User{Role: forum.RoleMember, CreatedAt: old}, false},
		{"OldWithEveryPostTakenAway", forum.User{Role: forum.RoleMember, CreatedAt: old, PostCount: 2, HiddenCount: 2}, false},
		{"OldWithOnePostLeft", forum.User{Role: forum.RoleMember, CreatedAt: old, PostCount: 3, HiddenCount: 2}, true},
		{"NewWithPosts", forum.User{Role: forum.RoleMember, CreatedAt: now.Add(-time.Hour), PostCount: 5}, false},
		{"ExactlyADayOld", forum.User{Role: forum.RoleMember, CreatedAt: now.Add(-forum.NewAccountAge), PostCount: 1}, true},
		{"NewModerator", forum.User{Role: forum.RoleModerator, CreatedAt: now}, true},
		{"NewAdmin", forum.User{Role: forum.RoleAdmin, CreatedAt: now}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.TrustedFlagger(&tc.u, now); got != tc.want {
				t.Fatalf("TrustedFlagger = %v, want %v", got, tc.want)
			}
		})
	}
	// Only trusted flaggers reach the threshold.
	p := &forum.Post{Status: forum.StatusVisible}
	if forum.AutoHides(p, 2, 3) || !forum.AutoHides(p, 3, 3) {
		t.Fatal("AutoHides must hide at three trusted flaggers, not two")
	}
}

// TestAttempts: each write counts under its own limits, per account or per address; new
// accounts count under the stricter limits but on the same counters.
func TestAttempts(t *testing.T) {
	now := time.Date(2025, 4, 6, 7, 0, 0, 0, time.UTC)
	l := forum.DefaultLimits()
	veteran := &forum.User{ID: 7, CreatedAt: now.Add(-48 * time.Hour)}
	newcomer := &forum.User{ID: 7, CreatedAt: now.Add(-time.Hour)}
	for _, tc := range []struct {
		name string
		a    forum.Attempt
		keys string
		max  string
	}{
		{"Reply", l.Reply(veteran, now), "replies:1m:u7 replies:1h:u7", "10/1m,120/1h"},
		{"ReplyNewAccount", l.Reply(newcomer, now), "replies:1m:u7 replies:1h:u7", "3/1m,40/1h"},
		{"Thread", l.Thread(veteran, now), "threads:10m:u7 threads:1d:u7", "3/10m,20/1d"},
		{"ThreadNewAccount", l.Thread(newcomer, now), "threads:10m:u7 threads:1d:u7", "1/10m,5/1d"},
		{"Edit", l.Edit(veteran), "edits:10m:u7", "20/10m"},
		{"Flag", l.Flag(newcomer), "flags:1h:u7", "20/1h"},
		{"Registration", l.Registration("192.0.2.9"), "registrations:1h:192.0.2.9", "5/1h"},
		{"Login", l.Login("bob", "192.0.2.9"), "login_pair:15m:bob@192.0.2.9 login_address:15m:192.0.2.9", "5/15m,20/15m"},
		{"PasswordResetAddress", l.PasswordResetAddress("192.0.2.9"), "password_resets_address:1h:192.0.2.9", "10/1h"},
		{"PasswordResetAccount", l.PasswordResetAccount("bob"), "password_resets:1h:bob", "3/1h"},
		{"PasswordResetNoAccount", l.PasswordResetAccount("bob@example.org"), "password_resets:1h:-", "3/1h"},
		{"EmailChange", l.EmailChange(veteran), "email_confirmations:1h:u7 email_confirmations:1d:u7", "5/1h,10/1d"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(tc.a.Keys, " "); got != tc.keys {
				t.Errorf("keys %q, want %q", got, tc.keys)
			}
			if got := forum.FormatLimits(tc.a.Limits); got != tc.max {
				t.Errorf("limits %s, want %s", got, tc.max)
			}
			if cs := tc.a.Counters(); len(cs) != len(tc.a.Keys) || cs[0].Window != tc.a.Limits[0].Window {
				t.Errorf("counters %+v", cs)
			}
		})
	}
	if got := l.Longest(); got != 24*time.Hour {
		t.Errorf("Longest = %v, want the threads' day", got)
	}
}
