package web

import (
	"context"
	"log/slog"

	"forum/internal/forum"
)

// stanceField is a reply form's stance choice: the viewer's counted stance in the thread,
// and the radios that keep it (the default), change it or withdraw it.
type stanceField struct {
	Current forum.Stance
	Options []stanceOption
}

type stanceOption struct {
	Value, Label string
	Checked      bool
}

// newStanceField lists the choices for a viewer whose counted stance is current, with
// chosen (a rejected form's value) checked; keeping is the default.
func newStanceField(current forum.Stance, chosen string) *stanceField {
	f := &stanceField{Current: current}
	keep := "none"
	if current != forum.StanceNone {
		keep = "keep " + string(current)
	}
	f.Options = append(f.Options, stanceOption{Value: "", Label: keep})
	for _, st := range forum.Stances {
		f.Options = append(f.Options, stanceOption{Value: string(st), Label: string(st)})
	}
	if current != forum.StanceNone || chosen == forum.StanceWithdraw {
		f.Options = append(f.Options, stanceOption{Value: forum.StanceWithdraw, Label: "withdraw my stance"})
	}
	checked := false
	for i := range f.Options {
		if f.Options[i].Value == chosen {
			f.Options[i].Checked, checked = true, true
		}
	}
	if !checked {
		f.Options[0].Checked = true
	}
	return f
}

// currentStance is the viewer's counted stance in a thread page's thread: one read of
// the stances primary key for a participant, none for a visitor or in a thread that
// takes no stances. A failed read only costs the "current stance" line.
func (s *Server) currentStance(ctx context.Context, u *forum.User, t *forum.Thread) forum.Stance {
	if u == nil || !t.TakesStances() {
		return forum.StanceNone
	}
	st, err := s.store.CurrentStance(ctx, t.ID, u.ID)
	if err != nil {
		slog.WarnContext(ctx, "read the viewer's stance", "thread", t.ID, "user", u.ID, "err", err)
	}
	return st
}
