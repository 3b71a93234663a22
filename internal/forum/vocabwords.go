package forum

// The vocabulary's words for the catalogs: each Label (and Outcome, Placeholder) as a
// message id, for the templates' {{say …}} to word in the reader's language. The
// English catalog says what Label says; an unknown value keeps Label's own words.

// LabelWords is Label for the catalogs.
func (s PostStatus) LabelWords() Words {
	switch s {
	case StatusVisible:
		return T("misc.status.visible")
	case StatusPending:
		return T("misc.status.pending")
	case StatusHidden:
		return T("misc.status.hidden")
	case StatusDeleted:
		return T("misc.status.deleted")
	case StatusRemoved:
		return T("misc.status.removed")
	}
	return Words{Data: map[string]any{"Text": s.Label()}}
}

// PlaceholderWords is Placeholder for the catalogs.
func (s PostStatus) PlaceholderWords() Words {
	switch s {
	case StatusPending:
		return T("misc.placeholder.pending")
	case StatusHidden:
		return T("misc.placeholder.hidden")
	case StatusDeleted:
		return T("misc.placeholder.deleted")
	case StatusRemoved:
		return T("misc.placeholder.removed")
	}
	return Words{Data: map[string]any{"Text": s.Placeholder()}}
}

// LabelWords is Label for the catalogs.
func (s Stance) LabelWords() Words {
	switch s {
	case StanceHelps:
		return T("misc.stance.helps")
	case StanceHinders:
		return T("misc.stance.hinders")
	case StanceMixed:
		return T("misc.stance.mixed")
	}
	return Words{Data: map[string]any{"Text": s.Label()}}
}

// LabelWords is Label for the catalogs.
func (r FlagReason) LabelWords() Words {
	switch r {
	case ReasonSpam:
		return T("misc.flag.spam")
	case ReasonAbuse:
		return T("misc.flag.abuse")
	case ReasonOffTopic:
		return T("misc.flag.off_topic")
	case ReasonMisinformation:
		return T("misc.flag.misinformation")
	case ReasonOther:
		return T("misc.flag.other")
	}
	return Words{Data: map[string]any{"Text": r.Label()}}
}

// LabelWords is Label for the catalogs.
func (d Decision) LabelWords() Words {
	switch d {
	case DecideDismiss:
		return T("misc.decision.dismiss")
	case DecideHide:
		return T("misc.decision.hide")
	case DecideRestore:
		return T("misc.decision.restore")
	case DecideDelete:
		return T("misc.decision.delete")
	}
	return Words{Data: map[string]any{"Text": d.Label()}}
}

// OutcomeWords is Outcome for the catalogs.
func (d Decision) OutcomeWords() Words {
	switch d {
	case DecideDismiss:
		return T("misc.outcome.dismiss")
	case DecideHide:
		return T("misc.outcome.hide")
	case DecideRestore:
		return T("misc.outcome.restore")
	case DecideDelete:
		return T("misc.outcome.delete")
	}
	return Words{Data: map[string]any{"Text": d.Outcome()}}
}

// LabelWords is Label for the catalogs.
func (m MailMode) LabelWords() Words {
	switch m {
	case MailImmediate:
		return T("misc.mailmode.immediate")
	case MailDaily:
		return T("misc.mailmode.daily")
	case MailNone:
		return T("misc.mailmode.none")
	}
	return Words{Data: map[string]any{"Text": m.Label()}}
}

// LabelWords is Label for the catalogs.
func (l WatchLevel) LabelWords() Words {
	switch l {
	case WatchWatch:
		return T("misc.watch.watch")
	case WatchTrack:
		return T("misc.watch.track")
	case WatchNone:
		return T("misc.watch.none")
	case WatchMute:
		return T("misc.watch.mute")
	}
	return Words{Data: map[string]any{"Text": l.Label()}}
}

// Fallback is the words to show when w names no message: an unknown value's own text.
func (w Words) Fallback() string {
	s, _ := w.Data["Text"].(string)
	return s
}
