package forum

// Words name a catalog message (internal/i18n) and its data: what a rule says, for the
// layer that shows it to word it in the reader's language. The forum's rules never
// localize; they name.
type Words struct {
	Key  string
	Data map[string]any
}

// T names the message key with data given as name/value pairs ("Count", 3). The name
// is T, like the localizer's, so the catalogs' completeness test finds every id.
func T(key string, kv ...any) Words {
	w := Words{Key: key}
	if len(kv) > 0 {
		w.Data = make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			name, _ := kv[i].(string)
			w.Data[name] = kv[i+1]
		}
	}
	return w
}

// DescribeWords is Describe for the catalogs: the notification's line in the reader's
// language, one whole sentence per reason (and per decision for moderation's).
func (r NotifyReason) DescribeWords(actor, detail string) Words {
	switch r {
	case ReasonReply:
		return T("misc.notify.reply", "Actor", actor)
	case ReasonMention:
		return T("misc.notify.mention", "Actor", actor)
	case ReasonWatching:
		return T("misc.notify.watching", "Actor", actor)
	case ReasonCategory:
		return T("misc.notify.category", "Actor", actor)
	case ReasonInsightful:
		return T("misc.notify.insightful", "Actor", actor)
	case ReasonModeration, ReasonFlag:
		flag := r == ReasonFlag
		switch Decision(detail) {
		case DecideDismiss:
			return T("misc.notify.decided_dismiss", "Flag", flag)
		case DecideHide:
			return T("misc.notify.decided_hide", "Flag", flag)
		case DecideRestore:
			return T("misc.notify.decided_restore", "Flag", flag)
		case DecideDelete:
			return T("misc.notify.decided_delete", "Flag", flag)
		}
	}
	return Words{} // Describe's English stands
}
