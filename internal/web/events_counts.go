package web

import (
	"bytes"
	"context"
	"fmt"

	"forum/internal/forum"
	"forum/internal/store"
)

// liveCounts are a thread's numbers as of one batch of live events, read from the thread
// row after the writes: the page script puts them where the page shows them. They are
// rendered through the page's own templates, so the live page reads as a reload would.
type liveCounts struct {
	Replies     int        `json:"replies"`      // the reply count the listener is told (forum.ReplyCountFor)
	RepliesHTML string     `json:"replies_html"` // that count as the page words it ("replycount")
	Tally       *liveTally `json:"tally,omitempty"`
}

// liveTally is the thread's stance tally; absent when the thread takes no stances.
type liveTally struct {
	Helps   int    `json:"helps"`
	Hinders int    `json:"hinders"`
	Mixed   int    `json:"mixed"`
	Total   int    `json:"total"`
	HTML    string `json:"html"` // the page's tally section ("tally")
}

// refreshListener reads the thread once for a batch of events: its counts for the page,
// and the state the listener's controls depend on (locked since the stream opened, the
// listener's own stance changed by a reply of theirs in this batch).
func (s *Server) refreshListener(ctx context.Context, tc *treeCtx, evs []store.ThreadEvent) (*liveCounts, error) {
	t, err := s.store.ThreadByID(ctx, tc.Thread.ID)
	if err != nil {
		return nil, err
	}
	tc.Thread = t
	if u := tc.User; u != nil && t.TakesStances() {
		mine := tc.Stance == nil
		for i := range evs {
			mine = mine || evs[i].AuthorID == u.ID
		}
		if mine {
			tc.Stance = newStanceField(s.currentStance(ctx, u, t), "")
		}
	}
	return s.countsFor(tc.User, t, tc.Lang)
}

// countsFor renders t's reply count and tally as u's thread page shows them in lang.
func (s *Server) countsFor(u *forum.User, t *forum.Thread, lang string) (*liveCounts, error) {
	page := s.render.pageIn(lang, "thread")
	rc := forum.ReplyCountFor(u, t)
	var buf bytes.Buffer
	if err := page.ExecuteTemplate(&buf, "replycount", rc); err != nil {
		return nil, fmt.Errorf("render live reply count: %w", err)
	}
	lc := &liveCounts{Replies: rc.Shown, RepliesHTML: buf.String()}
	if !t.TakesStances() {
		return lc, nil
	}
	buf.Reset()
	v := threadView{Thread: forum.ThreadFor(u, t), Stances: stanceBars(t)}
	if err := page.ExecuteTemplate(&buf, "tally", v); err != nil {
		return nil, fmt.Errorf("render live tally: %w", err)
	}
	lc.Tally = &liveTally{Helps: t.StanceHelps, Hinders: t.StanceHinders, Mixed: t.StanceMixed,
		Total: t.StanceTotal(), HTML: buf.String()}
	return lc, nil
}
