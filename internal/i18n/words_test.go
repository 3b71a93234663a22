package i18n

import (
	"testing"
	"time"
)

// Waits, times and slotted sentences in both languages, from the embedded catalogs.
func TestWords(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	en, ko := b.For("en"), b.For("ko")
	for _, tc := range []struct {
		d      time.Duration
		en, ko string
	}{
		{300 * time.Millisecond, "1 second", "1초"},
		{45 * time.Second, "45 seconds", "45초"},
		{61 * time.Second, "2 minutes", "2분"},
		{time.Minute, "60 seconds", "60초"},
		{3 * time.Hour, "3 hours", "3시간"},
		{time.Hour + time.Second, "61 minutes", "61분"},
	} {
		if got := en.Wait(tc.d); got != tc.en {
			t.Errorf("en Wait(%v) = %q, want %q", tc.d, got, tc.en)
		}
		if got := ko.Wait(tc.d); got != tc.ko {
			t.Errorf("ko Wait(%v) = %q, want %q", tc.d, got, tc.ko)
		}
	}
	// A domain error's data: a wait and a time worded by the language; no key, or one no
	// catalog has, keeps the English it came with.
	got := ko.Message("error.too_many.replies", map[string]any{"Wait": 90 * time.Second}, "fallback")
	if got != "짧은 시간에 답글을 너무 많이 달았습니다. 2분 뒤에 다시 시도해 주세요." {
		t.Errorf("ko rate limit: %q", got)
	}
	until := time.Date(2026, 12, 1, 15, 4, 0, 0, time.UTC)
	got = ko.Message("error.suspended", map[string]any{"Until": until, "Reason": "도배"}, "fallback")
	if got != "계정이 2026년 12월 1일 15:04(UTC)까지 정지되었습니다. 사유: 도배" {
		t.Errorf("ko suspension: %q", got)
	}
	got = en.Message("error.suspended", map[string]any{"Until": until, "Reason": ""}, "fallback")
	if got != "Your account is suspended until 1 Dec 2026 15:04 UTC (no reason given)." {
		t.Errorf("en suspension: %q", got)
	}
	if got := ko.Message("", nil, "English"); got != "English" {
		t.Errorf("no key: %q", got)
	}
	if got := ko.Message("error.no_such_key_anywhere", nil, "English"); got != "English" {
		t.Errorf("unknown key: %q", got)
	}
	before, after := ko.Around("misc.modlog.hide_post", map[string]any{"Object": "x"}, "Object")
	if before != "" || after != " 숨김" {
		t.Errorf("Around: %q, %q", before, after)
	}
}
