package forum

// The forum's vocabulary: every word the database, the API, the templates and the log
// share is a typed constant here, with the label people read. Nothing else spells them.

// PostStatus decides who may read a post. Content is never destroyed.
type PostStatus string

// Post statuses.
const (
	StatusVisible PostStatus = "visible"
	StatusPending PostStatus = "pending" // hidden automatically by flags, awaiting review
	StatusHidden  PostStatus = "hidden"  // hidden by a moderator
	StatusDeleted PostStatus = "deleted" // deleted by its author
	StatusRemoved PostStatus = "removed" // deleted by a moderator
)

// Label is how the status reads in the moderators' screens.
func (s PostStatus) Label() string {
	switch s {
	case StatusVisible:
		return "visible"
	case StatusPending:
		return "auto-hidden, pending review"
	case StatusHidden:
		return "hidden by a moderator"
	case StatusDeleted:
		return "deleted by its author"
	case StatusRemoved:
		return "removed by a moderator"
	}
	return string(s)
}

// Placeholder is what stands in the tree for a post of this status that the reader may
// not see.
func (s PostStatus) Placeholder() string {
	switch s {
	case StatusPending:
		return "[hidden pending review]"
	case StatusHidden:
		return "[hidden by a moderator]"
	case StatusDeleted:
		return "[deleted]"
	case StatusRemoved:
		return "[removed by a moderator]"
	}
	return ""
}

// Stance is a reply's answer to the forum's question.
type Stance string

// The stances; the empty stance means none taken.
const (
	StanceNone    Stance = ""
	StanceHelps   Stance = "helps"
	StanceHinders Stance = "hinders"
	StanceMixed   Stance = "mixed"
)

// Stances lists the stances a reply may take, in display order.
var Stances = []Stance{StanceHelps, StanceHinders, StanceMixed}

// Label is the stance as a heading reads it.
func (s Stance) Label() string {
	switch s {
	case StanceHelps:
		return "Helps"
	case StanceHinders:
		return "Hinders"
	case StanceMixed:
		return "Mixed"
	}
	return ""
}

// ParseStance accepts "" (no stance) or one of Stances.
func ParseStance(s string) (Stance, error) {
	switch st := Stance(s); st {
	case StanceNone, StanceHelps, StanceHinders, StanceMixed:
		return st, nil
	}
	return "", FieldErrorf("stance", EInvalid, "Stance must be helps, hinders or mixed.").T("error.stance")
}

// FlagReason is why a post was flagged.
type FlagReason string

// The flag reasons.
const (
	ReasonSpam           FlagReason = "spam"
	ReasonAbuse          FlagReason = "abuse"
	ReasonOffTopic       FlagReason = "off_topic"
	ReasonMisinformation FlagReason = "misinformation"
	ReasonOther          FlagReason = "other"
)

// FlagReasons lists the reasons in the order the flag form offers them.
var FlagReasons = []FlagReason{ReasonSpam, ReasonAbuse, ReasonOffTopic, ReasonMisinformation, ReasonOther}

// Label is the reason as the flag form and the queue show it.
func (r FlagReason) Label() string {
	switch r {
	case ReasonAbuse:
		return "abuse or harassment"
	case ReasonOffTopic:
		return "off topic"
	}
	return string(r)
}

// Decision is what a moderator rules on a flagged or visible post.
type Decision string

// The decisions.
const (
	DecideDismiss Decision = "dismiss"
	DecideHide    Decision = "hide"
	DecideRestore Decision = "restore"
	DecideDelete  Decision = "delete"
)

// Decisions lists the decisions in the order the queue offers them.
var Decisions = []Decision{DecideDismiss, DecideHide, DecideRestore, DecideDelete}

// ParseDecision checks a decision's action.
func ParseDecision(s string) (Decision, error) {
	switch d := Decision(s); d {
	case DecideDismiss, DecideHide, DecideRestore, DecideDelete:
		return d, nil
	}
	return "", Errorf(EInvalid, "Action must be dismiss, hide, restore or delete.").T("error.decision")
}

// Label is the decision as a moderator's button reads it.
func (d Decision) Label() string {
	switch d {
	case DecideDismiss:
		return "Dismiss flags"
	case DecideHide:
		return "Hide post"
	case DecideRestore:
		return "Restore post"
	case DecideDelete:
		return "Delete post"
	}
	return string(d)
}

// Destructive reports whether a decision takes a post away for good as far as readers
// know (delete): moderators' screens set it apart from the others.
func (d Decision) Destructive() bool { return d == DecideDelete }

// Outcome is the decision as the flagger reads it on their flags page.
func (d Decision) Outcome() string {
	switch d {
	case DecideDismiss:
		return "dismissed: the post stays"
	case DecideHide:
		return "the post was hidden"
	case DecideRestore:
		return "the post was restored"
	case DecideDelete:
		return "the post was deleted"
	}
	return string(d)
}

// LogAction is the kind of a moderation log row.
type LogAction string

// The moderation log's actions.
const (
	LogDismissPost  LogAction = "dismiss_post"
	LogHidePost     LogAction = "hide_post"
	LogRestorePost  LogAction = "restore_post"
	LogDeletePost   LogAction = "delete_post"
	LogEditPost     LogAction = "edit_post"
	LogLockThread   LogAction = "lock_thread"
	LogUnlockThread LogAction = "unlock_thread"
	LogPinThread    LogAction = "pin_thread" // in its category only
	LogUnpinThread  LogAction = "unpin_thread"
	LogSuspendUser  LogAction = "suspend_user"
	// LogDeleteAccount is written by the person themselves: their posts now read
	// "[deleted]", and the log says why. It never holds their address.
	LogDeleteAccount LogAction = "delete_account"
	// LogPinThreadSite pins a thread on the front page as well as in its category.
	LogPinThreadSite LogAction = "pin_thread_site"
)

// LogActions lists every action, in the order the log's filter offers them.
var LogActions = []LogAction{LogHidePost, LogRestorePost, LogDeletePost, LogDismissPost, LogEditPost,
	LogLockThread, LogUnlockThread, LogPinThreadSite, LogPinThread, LogUnpinThread, LogSuspendUser, LogDeleteAccount}

// LogAction is the log row a decision writes.
func (d Decision) LogAction() LogAction { return LogAction(string(d) + "_post") }

// Label is the action's verb, as a conflict message reads it ("mod1 hid it"): LogSentence's.
func (a LogAction) Label() string {
	verb, _ := logVerb(a)
	return verb
}

// ThreadSetting is a moderator's switch on a thread.
type ThreadSetting string

// The thread switches.
const (
	SettingLock   ThreadSetting = "lock"
	SettingUnlock ThreadSetting = "unlock"
	SettingPin    ThreadSetting = "pin"
	SettingUnpin  ThreadSetting = "unpin"
)

// SettingsFor lists the switches a thread offers now: lock or unlock, pin or unpin.
func SettingsFor(t *Thread) []ThreadSetting {
	lock, pin := SettingLock, SettingPin
	if t.Locked {
		lock = SettingUnlock
	}
	if t.Pinned {
		pin = SettingUnpin
	}
	return []ThreadSetting{lock, pin}
}

// LogAction is the log row a thread switch writes.
func (s ThreadSetting) LogAction() LogAction { return LogAction(string(s) + "_thread") }
