package web

import (
	"errors"
	"fmt"
	"html/template"
	"strconv"
	"time"

	"forum/internal/i18n"
)

// langFuncs are the template functions that word things in loc's language:
//
//	{{T "nav.latest"}}                      a catalog message
//	{{T "list.replies" "Count" .Replies}}   with data, as key/value pairs; "Count" picks
//	                                        the plural form
//	{{TH "reset.intro" "Name" .Username}}   a message with markup, its strings escaped
//	{{ago .At}} {{fulltime .At}} {{date .At}} {{num .N}}
//
// The catalogs' completeness test (internal/i18n/catalog_test.go) reads the templates for
// T "…" ids, so an id is always a literal.
func langFuncs(loc *i18n.Localizer) template.FuncMap {
	return template.FuncMap{
		"T": func(id string, kv ...any) (string, error) {
			data, err := pairs(kv)
			if err != nil {
				return "", fmt.Errorf("T %q: %w", id, err)
			}
			return loc.T(id, data), nil
		},
		// TH is T for a message that holds markup of its own (a name in <strong>): the
		// catalogs are ours, like the templates, while every string value is escaped.
		"TH": func(id string, kv ...any) (template.HTML, error) {
			data, err := pairs(kv)
			if err != nil {
				return "", fmt.Errorf("TH %q: %w", id, err)
			}
			for k, v := range data {
				if s, ok := v.(string); ok {
					data[k] = template.HTMLEscapeString(s)
				}
			}
			return template.HTML(loc.T(id, data)), nil
		},
		"ago":      func(t time.Time) string { return agoIn(loc, t, time.Now()) },
		"fulltime": func(t time.Time) string { return fullTime(loc, t) },
		"date":     func(t time.Time) string { return dateIn(loc, t) },
		"num":      loc.Num,
		"lang":     loc.Lang,
		// The words the pages' scripts write, for layout.html's JSON block (scriptwords.go).
		"scriptWords": func() map[string]map[string]string { return scriptWords(loc) },

		// Words of Go code (errtext.go): the vocabulary's labels, a locked thread's notice.
		"say":        sayFunc(loc),
		"lockNotice": lockNoticeFunc(loc),
	}
}

// pairs makes T's data from its key/value arguments.
func pairs(kv []any) (map[string]any, error) {
	if len(kv) == 0 {
		return nil, nil
	}
	if len(kv)%2 != 0 {
		return nil, errors.New("data must be key/value pairs")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("data key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// agoIn is a short relative time as seen at now, in loc's language: under a day in hours
// and minutes ("3 h 12 min ago", "3시간 12분 전"), under a month in days, then the date.
// web/static/time.js words it the same way in the browser (for <time data-relative>),
// reading the page's <html lang>, so a cached page stays right.
func agoIn(loc *i18n.Localizer, t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return loc.T("time.just_now")
	case d < time.Hour:
		return loc.T("time.min_ago", map[string]any{"Count": int(d.Minutes())})
	case d < 24*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return loc.T("time.h_ago", map[string]any{"Count": h})
		}
		return loc.T("time.h_min_ago", map[string]any{"Hours": h, "Count": m})
	case d < 30*24*time.Hour:
		return loc.T("time.days_ago", map[string]any{"Count": int(d.Hours() / 24)})
	}
	return dateIn(loc, t)
}

// dateIn is t's UTC day: "10 Apr 2026", "2026년 4월 10일".
func dateIn(loc *i18n.Localizer, t time.Time) string {
	t = t.UTC()
	return loc.T("time.date", dateData(t))
}

// fullTime is t's UTC day and minute: "2 Jan 2006 15:04 UTC", "2006년 1월 2일 15:04 UTC".
func fullTime(loc *i18n.Localizer, t time.Time) string {
	t = t.UTC()
	d := dateData(t)
	d["Time"] = t.Format("15:04")
	return loc.T("time.full", d)
}

// dateData are a date's parts for the catalogs' formats; years and days are strings so
// no digit grouping applies ("2,026").
func dateData(t time.Time) map[string]any {
	return map[string]any{
		"Year": strconv.Itoa(t.Year()), "Month": strconv.Itoa(int(t.Month())),
		"Mon": t.Format("Jan"), "Day": strconv.Itoa(t.Day()),
	}
}

// firstBundle is newRenderer's catalogs: the server's, or the embedded ones loaded
// afresh for a renderer built alone (tests).
func firstBundle(bs []*i18n.Bundle) (*i18n.Bundle, error) {
	if len(bs) > 0 && bs[0] != nil {
		return bs[0], nil
	}
	return i18n.New()
}
