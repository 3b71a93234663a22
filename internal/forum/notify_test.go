package forum

import (
	"errors"
	"testing"
)

func TestNotifyFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    Candidate
		want NotifyReason
	}{
		{"nobody is told of their own post", Candidate{IsAuthor: true, RepliedTo: true, Mentioned: true, Level: WatchWatch}, ""},
		{"a muted author reaches no one", Candidate{MutedAuthor: true, RepliedTo: true, Mentioned: true}, ""},
		{"a muted thread is silent, even for a reply to you", Candidate{Level: WatchMute, RepliedTo: true, Mentioned: true}, ""},
		{"a reply beats a mention", Candidate{RepliedTo: true, Mentioned: true, Level: WatchWatch}, ReasonReply},
		{"a mention beats watching", Candidate{Mentioned: true, Level: WatchWatch, WatchesCategory: true}, ReasonMention},
		{"tracking hears replies", Candidate{RepliedTo: true, Level: WatchTrack}, ReasonReply},
		{"tracking does not hear every post", Candidate{Level: WatchTrack}, ""},
		{"watching hears every post", Candidate{Level: WatchWatch}, ReasonWatching},
		{"a watched category hears new threads", Candidate{WatchesCategory: true}, ReasonCategory},
		{"a bystander hears nothing", Candidate{}, ""},
	} {
		if got := NotifyFor(tc.c); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestNotificationShown(t *testing.T) {
	for _, tc := range []struct {
		name                            string
		r                               NotifyReason
		post                            PostStatus
		listed, actorMuted, threadMuted bool
		want                            bool
	}{
		{"a visible reply in a listed thread", ReasonReply, StatusVisible, true, false, false, true},
		{"a hidden post leaves the list", ReasonMention, StatusHidden, true, false, false, false},
		{"a deleted post leaves the list", ReasonReply, StatusDeleted, true, false, false, false},
		{"an unlisted thread's post", ReasonWatching, StatusVisible, false, false, false, false},
		{"an author muted since", ReasonReply, StatusVisible, true, true, false, false},
		{"a thread muted since", ReasonCategory, StatusVisible, true, false, true, false},
		{"a decision on a hidden post stays", ReasonModeration, StatusHidden, false, true, true, true},
		{"a flag's outcome stays", ReasonFlag, StatusRemoved, true, false, false, true},
	} {
		if got := NotificationShown(tc.r, tc.post, tc.listed, tc.actorMuted, tc.threadMuted); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestParseWatchLevel(t *testing.T) {
	for _, ok := range []string{"watch", "track", "none", "mute", " mute "} {
		if _, err := ParseWatchLevel(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Watch", "all", "muted"} {
		if _, err := ParseWatchLevel(bad); ErrorCode(err) != EInvalid {
			t.Errorf("%q: %v, want an invalid-input error", bad, err)
		}
	}
}

func TestMentionsToNotify(t *testing.T) {
	names := make([]string, MaxMentions+3)
	for i := range names {
		names[i] = string(rune('a'+i)) + "-runner"
	}
	if got := MentionsToNotify(names); len(got) != MaxMentions || got[0] != names[0] {
		t.Errorf("%d names notify (first %q), want the first %d", len(got), got[0], MaxMentions)
	}
	if got := MentionsToNotify(names[:2]); len(got) != 2 {
		t.Errorf("two names: %v", got)
	}
}

func TestCanMute(t *testing.T) {
	alice, bob := &User{ID: 1}, &User{ID: 2}
	if err := CanMute(nil, bob); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("a visitor: %v", err)
	}
	if err := CanMute(alice, alice); ErrorCode(err) != EInvalid {
		t.Errorf("muting yourself: %v", err)
	}
	if err := CanMute(alice, bob); err != nil {
		t.Errorf("muting someone else: %v", err)
	}
}
