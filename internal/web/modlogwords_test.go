package web

import (
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/i18n"
)

// The moderation log's sentences in both languages: the target where each language's
// grammar puts it, a hidden thread's title never shown, a suspension's days counted.
func TestModLogSentences(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	thread := func(a forum.LogAction, opening forum.PostStatus) *forum.LogEntry {
		return &forum.LogEntry{Action: a, TargetID: 7, ThreadID: 3, ThreadTitle: "평양 마라톤", ThreadOpening: opening, CreatedAt: at}
	}
	suspend := &forum.LogEntry{Action: forum.LogSuspendUser, TargetLabel: "troll", CreatedAt: at,
		Reason: "until " + at.Add(7*24*time.Hour).Format(forum.SuspendReasonLayout)}
	oneDay := &forum.LogEntry{Action: forum.LogSuspendUser, TargetLabel: "troll", CreatedAt: at,
		Reason: "until " + at.Add(24*time.Hour).Format(forum.SuspendReasonLayout)}
	for _, tc := range []struct {
		name   string
		e      *forum.LogEntry
		en, ko string
		href   string
	}{
		{"HidPost", thread(forum.LogHidePost, forum.StatusVisible), "hid a post in “평양 마라톤”", "“평양 마라톤”의 글 숨김", "/p/7"},
		{"HiddenThread", thread(forum.LogHidePost, forum.StatusPending), "hid a post in a hidden thread", "숨겨진 글타래의 글 숨김", "/p/7"},
		{"LockedThread", thread(forum.LogLockThread, forum.StatusVisible), "locked “평양 마라톤”", "글타래 “평양 마라톤” 잠금", "/t/7"},
		{"PinnedSiteWide", thread(forum.LogPinThreadSite, forum.StatusVisible), "pinned “평양 마라톤” site-wide", "글타래 “평양 마라톤” 사이트 전체 상단 고정", "/t/7"},
		{"SuspendedDays", suspend, "suspended troll for 7 days", "troll 님 7일 활동 정지", "/u/troll"},
		{"SuspendedOneDay", oneDay, "suspended troll for 1 day", "troll 님 1일 활동 정지", "/u/troll"},
		{"DeletedAccount", &forum.LogEntry{Action: forum.LogDeleteAccount, CreatedAt: at}, "deleted their account", "본인 계정 삭제", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.e.Sentence(nil)
			en, ko := sayLog(b.For("en"), s), sayLog(b.For("ko"), s)
			if en.String() != tc.en || ko.String() != tc.ko {
				t.Errorf("en %q, ko %q; want %q, %q", en, ko, tc.en, tc.ko)
			}
			if en.String() != s.String() {
				t.Errorf("the English catalog says %q, the domain %q", en, s)
			}
			if ko.Href != tc.href {
				t.Errorf("href %q, want %q", ko.Href, tc.href)
			}
		})
	}
	// The link sits on the target alone: before and after it, the sentence's own words.
	s := sayLog(b.For("ko"), thread(forum.LogHidePost, forum.StatusVisible).Sentence(nil))
	if s.Before != "" || s.Object != "“평양 마라톤”의 글" || s.After != " 숨김" {
		t.Errorf("parts %+v", s)
	}
}

// An action a newer build wrote keeps its own words, in both languages.
func TestModLogUnknownAction(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	s := (&forum.LogEntry{Action: "archive_thread", TargetLabel: "x"}).Sentence(nil)
	if got := sayLog(b.For("ko"), s).String(); got != s.String() {
		t.Errorf("%q, want %q", got, s.String())
	}
}

// The vocabulary's labels through {{say}}: Korean from the catalog, an unknown value its
// own text.
func TestSayVocabulary(t *testing.T) {
	b, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	ko, en := sayFunc(b.For("ko")), sayFunc(b.For("en"))
	for _, tc := range []struct {
		w      forum.Words
		en, ko string
	}{
		{forum.StatusHidden.LabelWords(), forum.StatusHidden.Label(), "운영진이 숨김"},
		{forum.StanceHelps.LabelWords(), forum.StanceHelps.Label(), "도움이 된다"},
		{forum.ReasonAbuse.LabelWords(), forum.ReasonAbuse.Label(), "욕설 또는 괴롭힘"},
		{forum.DecideHide.OutcomeWords(), forum.DecideHide.Outcome(), "글이 숨겨졌습니다"},
		{forum.WatchMute.LabelWords(), forum.WatchMute.Label(), "알림 끄기"},
		{forum.MailDaily.LabelWords(), forum.MailDaily.Label(), "하루 한 번 모아서"},
		{forum.PostStatus("archived").LabelWords(), "archived", "archived"},
	} {
		if got := en(tc.w); got != tc.en {
			t.Errorf("en %q, want %q", got, tc.en)
		}
		if got := ko(tc.w); got != tc.ko {
			t.Errorf("ko %q, want %q", got, tc.ko)
		}
	}
}
