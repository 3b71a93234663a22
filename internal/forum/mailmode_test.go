package forum_test

import (
	"testing"
	"time"

	"forum/internal/forum"
)

func TestMailDue(t *testing.T) {
	now := time.Date(2025, 4, 6, 12, 0, 0, 0, time.UTC)
	batch := 10 * time.Minute
	ago := func(d time.Duration) *time.Time { x := now.Add(-d); return &x }
	for _, tc := range []struct {
		name string
		s    forum.MailState
		want bool
	}{
		{"ImmediateFirstMail", forum.MailState{Mode: forum.MailImmediate, HasAddress: true, OldestPending: ago(time.Second)}, true},
		{"ImmediateWithinBatch", forum.MailState{Mode: forum.MailImmediate, HasAddress: true, LastSent: ago(9 * time.Minute), OldestPending: ago(time.Second)}, false},
		{"ImmediateBatchOver", forum.MailState{Mode: forum.MailImmediate, HasAddress: true, LastSent: ago(batch), OldestPending: ago(time.Second)}, true},
		{"ImmediateNothingPending", forum.MailState{Mode: forum.MailImmediate, HasAddress: true}, false},
		{"NoAddress", forum.MailState{Mode: forum.MailImmediate, OldestPending: ago(time.Hour)}, false},
		{"DailyUnderADay", forum.MailState{Mode: forum.MailDaily, HasAddress: true, OldestPending: ago(23 * time.Hour)}, false},
		{"DailyADayOld", forum.MailState{Mode: forum.MailDaily, HasAddress: true, LastSent: ago(time.Hour), OldestPending: ago(forum.DigestPeriod)}, true},
		{"None", forum.MailState{Mode: forum.MailNone, HasAddress: true, OldestPending: ago(48 * time.Hour)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.MailDue(tc.s, batch, now); got != tc.want {
				t.Errorf("MailDue = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseMailMode(t *testing.T) {
	for _, m := range forum.MailModes {
		if got, err := forum.ParseMailMode(" " + string(m) + " "); err != nil || got != m {
			t.Errorf("ParseMailMode(%q) = %q, %v", m, got, err)
		}
	}
	for _, bad := range []string{"", "weekly", "NONE"} {
		if _, err := forum.ParseMailMode(bad); forum.ErrorCode(err) != forum.EInvalid {
			t.Errorf("ParseMailMode(%q): %v, want an invalid-input error", bad, err)
		}
	}
}

func TestDeletedNames(t *testing.T) {
	if err := forum.ValidateUsername(forum.DeletedUsername(9223372036854775807)); err != nil {
		t.Errorf("the largest id's placeholder breaks the username rule: %v", err)
	}
	for name, want := range map[string]bool{"deleted-1": true, "deleted-42": true, "deleted-": false,
		"deleted-1a": false, "deleted_1": false, "undeleted-1": false} {
		if got := forum.IsDeletedUsername(name); got != want {
			t.Errorf("IsDeletedUsername(%q) = %v, want %v", name, got, want)
		}
	}
	// Registration refuses the placeholders' shape, so a deletion never collides.
	if err := forum.ValidateNewUsername("deleted-7"); err == nil {
		t.Error("deleted-7 may be registered")
	}
	if err := forum.ValidateUsername(forum.DeletedName); err == nil {
		t.Error("the deleted name is a valid username: a shown name equal to it would be ambiguous")
	}
	if forum.DisplayName("alice", false) != "alice" || forum.DisplayName("alice", true) != forum.DeletedName {
		t.Error("DisplayName")
	}
}
