package forum

import "time"

// PinScope is where a moderator's pin puts a thread first: in its category only, or on
// the front page as well (a site-wide pin is also a category pin).
type PinScope string

// The pin scopes; PinNone is an unpinned thread.
const (
	PinNone     PinScope = ""
	PinCategory PinScope = "category"
	PinSite     PinScope = "site"
)

// ParsePinScope reads the pin form's optional scope; empty means a category pin, as
// the route did before scopes existed.
func ParsePinScope(s string) (PinScope, error) {
	switch PinScope(s) {
	case PinNone, PinCategory:
		return PinCategory, nil
	case PinSite:
		return PinSite, nil
	}
	return "", Errorf(EInvalid, "A pin's scope is %q or %q.", PinSite, PinCategory).T("error.pin_scope")
}

// PinScopeOf is t's pin as it stands.
func PinScopeOf(t *Thread) PinScope {
	switch {
	case t.PinnedSite:
		return PinSite
	case t.Pinned:
		return PinCategory
	}
	return PinNone
}

// LogAction is the log row a pin of this scope writes: a category pin keeps the action
// it always had, a site-wide one says so.
func (p PinScope) LogAction() LogAction {
	if p == PinSite {
		return LogPinThreadSite
	}
	return LogPinThread
}

// CanPin decides whether u may pin or unpin a thread, in either scope.
func CanPin(u *User, now time.Time) error { return CanSetThread(u, now) }

// PinnedIn reports whether a listing shows t pinned (first, marked): the front page
// (inCategory false) its site-wide pins, a category page every pin in it.
func PinnedIn(t *Thread, inCategory bool) bool {
	if inCategory {
		return t.Pinned
	}
	return t.PinnedSite
}

// PinChoice is one pin button a moderator is offered on a thread.
type PinChoice struct {
	Setting ThreadSetting // SettingPin or SettingUnpin
	Scope   PinScope      // for SettingPin
	Label   string
}

// PinChoicesFor lists the pin buttons t offers: each scope it is not pinned in, and
// unpin when it is pinned.
func PinChoicesFor(t *Thread) []PinChoice {
	site := PinChoice{SettingPin, PinSite, "Pin site-wide"}
	cat := PinChoice{SettingPin, PinCategory, "Pin in category"}
	unpin := PinChoice{Setting: SettingUnpin, Label: "Unpin"}
	switch PinScopeOf(t) {
	case PinSite:
		return []PinChoice{{SettingPin, PinCategory, "Pin in category only"}, unpin}
	case PinCategory:
		return []PinChoice{site, unpin}
	}
	return []PinChoice{site, cat}
}

// pinTail is what the log adds after a pinned thread: where it was pinned, when that was
// beyond its category.
func pinTail(a LogAction) string {
	if a == LogPinThreadSite {
		return " site-wide"
	}
	return ""
}

// IsPin reports whether s is a pin switch: the thread page offers those as PinChoicesFor.
func (s ThreadSetting) IsPin() bool { return s == SettingPin || s == SettingUnpin }
