package i18n

import (
	"strings"
	"time"
)

// Wait is d as a wait in words, "5 minutes" / "5분", rounded up to the unit as
// forum.WaitWords rounds it: seconds up to a minute, minutes up to two hours, then hours.
func (l *Localizer) Wait(d time.Duration) string {
	ceil := func(unit time.Duration) int { return int((d + unit - 1) / unit) }
	switch {
	case d <= time.Minute:
		return l.T("misc.wait.seconds", map[string]any{"Count": max(ceil(time.Second), 1)})
	case d <= 2*time.Hour:
		return l.T("misc.wait.minutes", map[string]any{"Count": ceil(time.Minute)})
	}
	return l.T("misc.wait.hours", map[string]any{"Count": ceil(time.Hour)})
}

// Message is the catalog message key filled with data, or fallback (the English text a
// caller already has) when key is "" or no catalog holds it. Durations in data are
// worded as waits (Wait), times as the language writes a date and time; data itself is
// not changed.
func (l *Localizer) Message(key string, data map[string]any, fallback string) string {
	if key == "" {
		return fallback
	}
	var td map[string]any
	if len(data) > 0 {
		td = make(map[string]any, len(data))
		for k, v := range data {
			switch x := v.(type) {
			case time.Duration:
				v = l.Wait(x)
			case time.Time:
				v = x.Format(l.T("misc.datetime_layout"))
			}
			td[k] = v
		}
	}
	if s := l.T(key, td); s != key {
		return s
	}
	return fallback
}

// Around words key with data, one value of which (slot) the caller renders itself, as a
// link: before and after are the sentence's text on either side of it, so each language
// puts the slot where its grammar wants it. With no slot in the message, all is before.
func (l *Localizer) Around(key string, data map[string]any, slot string) (before, after string) {
	const mark = "\x00slot\x00"
	td := make(map[string]any, len(data)+1)
	for k, v := range data {
		td[k] = v
	}
	td[slot] = mark
	s := l.Message(key, td, key)
	before, after, _ = strings.Cut(s, mark)
	return before, after
}
