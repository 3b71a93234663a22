package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"forum/internal/forum"
	"forum/internal/i18n"
	"forum/internal/store"
)

// forumStanceView is the home page's forum-wide stance: the split now, in words, and how
// it moved week by week as an SVG chart with the same numbers in a table for screen
// readers (the chart is one image to them).
type forumStanceView struct {
	Total  int
	Stands []forumStand
	Weeks  []stanceWeekRow // oldest first
	Chart  template.HTML   // empty without history
	Range  string          // "6 Oct – 22 Dec 2025"
}

type forumStand struct {
	Key, Label string
	Count      int
}

type stanceWeekRow struct {
	Week                  string
	Helps, Hinders, Mixed int
}

// newForumStanceView lays out what the store kept, its dates in loc's language; now
// decides the weeks shown.
func newForumStanceView(loc *i18n.Localizer, fs *store.ForumStance, now time.Time) *forumStanceView {
	v := &forumStanceView{Total: fs.Now.Total()}
	for _, st := range forum.Stances {
		v.Stands = append(v.Stands, forumStand{string(st), st.Label(), fs.Now.Of(st)})
	}
	weeks := forum.StanceWeeks(fs.Marks, now, forum.StanceChartWeeks)
	for _, w := range weeks {
		v.Weeks = append(v.Weeks, stanceWeekRow{weekLabel(loc, w.Start), w.Counts.Helps, w.Counts.Hinders, w.Counts.Mixed})
	}
	if len(weeks) > 0 {
		v.Range = weekLabel(loc, weeks[0].Start) + " – " + dateIn(loc, weeks[len(weeks)-1].Start)
		v.Chart = stanceChart(loc, weeks, v.Range)
	}
	return v
}

// weekLabel is a week's first day without the year: "6 Oct", "10월 6일".
func weekLabel(loc *i18n.Localizer, t time.Time) string {
	return loc.T("time.day_month", dateData(t.UTC()))
}

// The chart's drawing box (SVG user units); CSS scales it to the column's width.
const (
	chartW, chartH         = 320, 150
	chartLeft, chartRight  = 30, 10
	chartTop, chartBottom  = 12, 24
	chartPlotW, chartPlotH = chartW - chartLeft - chartRight, chartH - chartTop - chartBottom
)

// stanceChart draws one line per stance over the weeks, from zero to the largest count.
// Everything written into it is a number, a date or a fixed word: no user text.
func stanceChart(loc *i18n.Localizer, weeks []forum.StanceWeek, span string) template.HTML {
	top := 1
	for _, w := range weeks {
		for _, st := range forum.Stances {
			top = max(top, w.Counts.Of(st))
		}
	}
	x := func(i int) float64 {
		if len(weeks) == 1 {
			return chartLeft + chartPlotW/2
		}
		return chartLeft + float64(i)*chartPlotW/float64(len(weeks)-1)
	}
	y := func(n int) float64 { return chartTop + chartPlotH - float64(n)*chartPlotH/float64(top) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="stance-chart" viewBox="0 0 %d %d" role="img" aria-labelledby="stance-chart-title">`, chartW, chartH)
	fmt.Fprintf(&b, `<title id="stance-chart-title">%s</title>`, template.HTMLEscapeString(loc.T("stance.chart_title", map[string]any{"Range": span})))
	// Axes: zero and the top count on the left, the first and last week below.
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, y(0), chartW-chartRight, y(0))
	fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>`, chartLeft, y(top), chartW-chartRight, y(top))
	fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">0</text>`, chartLeft-6, y(0)+4)
	fmt.Fprintf(&b, `<text class="tick" x="%d" y="%.1f" text-anchor="end">%d</text>`, chartLeft-6, y(top)+4, top)
	fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="start">%s</text>`, chartLeft, chartH-6, template.HTMLEscapeString(weekLabel(loc, weeks[0].Start)))
	if len(weeks) > 1 {
		fmt.Fprintf(&b, `<text class="tick" x="%d" y="%d" text-anchor="end">%s</text>`, chartW-chartRight, chartH-6, template.HTMLEscapeString(weekLabel(loc, weeks[len(weeks)-1].Start)))
	}
	for _, st := range forum.Stances {
		pts := make([]string, len(weeks))
		for i, w := range weeks {
			pts[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(w.Counts.Of(st)))
		}
		fmt.Fprintf(&b, `<g class="series line-%s">`, st)
		if len(weeks) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s"/>`, strings.Join(pts, " "))
		}
		// A dot on the newest week: one week of history still shows.
		last := len(weeks) - 1
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5"/>`, x(last), y(weeks[last].Counts.Of(st)))
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built above from numbers and fixed words only
}
