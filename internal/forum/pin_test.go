package forum_test

import (
	"slices"
	"testing"
	"time"

	"forum/internal/forum"
)

func TestPinRules(t *testing.T) {
	t.Run("WhoMayPin", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			u    *forum.User
			want error
		}{
			{"VisitorMustLogIn", nil, forum.ErrLoginRequired},
			{"MemberMayNot", member, forum.ErrModeratorsOnly},
			{"ModeratorMay", moderator, nil},
			{"AdminMay", admin, nil},
			{"SuspendedModeratorMayNot", suspendedModerator, errSuspended},
		} {
			t.Run(tc.name, func(t *testing.T) { wantErr(t, forum.CanPin(tc.u, now), tc.want) })
		}
	})
	t.Run("Scopes", func(t *testing.T) {
		for _, tc := range []struct {
			in   string
			want forum.PinScope
			ok   bool
		}{
			{"", forum.PinCategory, true}, // the route before scopes: a category pin
			{"category", forum.PinCategory, true},
			{"site", forum.PinSite, true},
			{"Site", "", false},
			{"front", "", false},
		} {
			got, err := forum.ParsePinScope(tc.in)
			if got != tc.want || (err == nil) != tc.ok {
				t.Errorf("ParsePinScope(%q) = %q, %v; want %q, ok %v", tc.in, got, err, tc.want, tc.ok)
			}
			if err != nil && forum.ErrorCode(err) != forum.EInvalid {
				t.Errorf("ParsePinScope(%q): code %q, want %q", tc.in, forum.ErrorCode(err), forum.EInvalid)
			}
		}
	})
	t.Run("WhichListingShowsItPinned", func(t *testing.T) {
		for _, tc := range []struct {
			name                string
			pinned, site        bool
			onFront, inCategory bool
			scope               forum.PinScope
			choices             []string
		}{
			{"Unpinned", false, false, false, false, forum.PinNone, []string{"Pin site-wide", "Pin in category"}},
			{"CategoryPinOnlyInCategory", true, false, false, true, forum.PinCategory, []string{"Pin site-wide", "Unpin"}},
			{"SitePinInBoth", true, true, true, true, forum.PinSite, []string{"Pin in category only", "Unpin"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				th := thread(forum.StatusVisible)
				th.Pinned, th.PinnedSite = tc.pinned, tc.site
				if got := forum.PinnedIn(th, false); got != tc.onFront {
					t.Errorf("front page shows it pinned: %v, want %v", got, tc.onFront)
				}
				if got := forum.PinnedIn(th, true); got != tc.inCategory {
					t.Errorf("its category shows it pinned: %v, want %v", got, tc.inCategory)
				}
				if got := forum.PinScopeOf(th); got != tc.scope {
					t.Errorf("scope %q, want %q", got, tc.scope)
				}
				var labels []string
				for _, c := range forum.PinChoicesFor(th) {
					labels = append(labels, c.Label)
					if c.Setting == forum.SettingPin && c.Scope == tc.scope {
						t.Errorf("offers to pin %s-wide a thread already pinned so", c.Scope)
					}
				}
				if !slices.Equal(labels, tc.choices) {
					t.Errorf("choices %q, want %q", labels, tc.choices)
				}
			})
		}
	})
	t.Run("LogSaysWhich", func(t *testing.T) {
		if got := forum.PinSite.LogAction().Name(); got != "pinned a thread site-wide" {
			t.Errorf("site-wide pin reads %q", got)
		}
		if got := forum.PinCategory.LogAction().Name(); got != "pinned a thread" {
			t.Errorf("category pin reads %q", got)
		}
		e := &forum.LogEntry{Action: forum.LogPinThreadSite, TargetType: "thread", TargetID: threadID,
			ThreadID: threadID, ThreadTitle: realTitle, ThreadOpening: forum.StatusVisible, CreatedAt: now}
		if got := e.Sentence(nil).String(); got != "pinned “"+realTitle+"” site-wide" {
			t.Errorf("log sentence %q", got)
		}
	})
}

func TestStanceWeeks(t *testing.T) {
	wk := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// 2025-12-17 is a Wednesday; its week starts Monday 2025-12-15.
	today := wk("2025-12-17").Add(15 * time.Hour)
	if got := forum.WeekStart(today); !got.Equal(wk("2025-12-15")) {
		t.Fatalf("WeekStart = %v", got)
	}
	if got := forum.WeekStart(wk("2025-12-15")); !got.Equal(wk("2025-12-15")) {
		t.Fatalf("a Monday's WeekStart = %v", got)
	}
	for _, tc := range []struct {
		name  string
		marks []forum.StanceMark
		n     int
		want  []forum.StanceCounts
	}{
		{"NoneIsNoWeeks", nil, 12, nil},
		{"YoungForumStartsAtItsFirstWeek", []forum.StanceMark{
			{Week: wk("2025-12-08"), Stance: forum.StanceHelps, People: 2},
			{Week: wk("2025-12-15"), Stance: forum.StanceHinders, People: 1},
		}, 12, []forum.StanceCounts{{Helps: 2}, {Helps: 2, Hinders: 1}}},
		{"QuietWeeksCarryThePrevious", []forum.StanceMark{
			{Week: wk("2025-11-24"), Stance: forum.StanceMixed, People: 3},
			{Week: wk("2025-12-15"), Stance: forum.StanceMixed, People: 1},
		}, 12, []forum.StanceCounts{{Mixed: 3}, {Mixed: 3}, {Mixed: 3}, {Mixed: 1}}},
		{"AMarkBeforeTheWindowCarriesIn", []forum.StanceMark{
			{Week: wk("2025-01-06"), Stance: forum.StanceHelps, People: 5},
			{Week: wk("2025-12-15"), Stance: forum.StanceHinders, People: 2},
		}, 3, []forum.StanceCounts{{Helps: 5}, {Helps: 5}, {Helps: 5, Hinders: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			weeks := forum.StanceWeeks(tc.marks, today, tc.n)
			var got []forum.StanceCounts
			for i, w := range weeks {
				got = append(got, w.Counts)
				if i > 0 && !w.Start.Equal(weeks[i-1].Start.AddDate(0, 0, 7)) {
					t.Errorf("week %d starts %v, a week after %v expected", i, w.Start, weeks[i-1].Start)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("weeks %v, want %v", got, tc.want)
			}
			if len(weeks) > 0 && !weeks[len(weeks)-1].Start.Equal(wk("2025-12-15")) {
				t.Errorf("last week %v, want the current one", weeks[len(weeks)-1].Start)
			}
		})
	}
}
