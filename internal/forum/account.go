package forum

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The account's own rules: its e-mail address, the links mailed to it, its bio and the
// sessions it is signed in with.

// MaxEmailLen is the longest address a mail path can carry (RFC 5321's 256 less "<>").
const MaxEmailLen = 254

// MaxBioLen is the longest profile bio, in characters of its Markdown source.
const MaxBioLen = 1000

// How long a mailed link works: a confirmation waits a day for someone who reads mail
// once a day; a reset, which hands over the account, only an hour.
const (
	ConfirmTokenTTL = 24 * time.Hour
	ResetTokenTTL   = time.Hour
)

// SessionTouchEvery is how stale a session's "last seen" may get before a request
// writes it again: a write per few minutes per session, not per request.
const SessionTouchEvery = 5 * time.Minute

// The purposes of a mailed link (email_tokens.purpose).
const (
	TokenConfirm = "confirm"
	TokenReset   = "reset"
)

// Account errors.
var (
	// ErrWrongPassword: the current password given to change it is not the account's.
	ErrWrongPassword = (&Error{Code: EForbidden, Message: "Your current password is not right. Nothing was changed.",
		Field: "current_password"}).T("error.wrong_current_password")
	// ErrEmailTaken: another account confirmed the address after this link was sent.
	ErrEmailTaken = (&Error{Code: EConflict, Message: "Another account has confirmed this address since the link was sent, " +
		"and an address belongs to one account only. Nothing was changed: add a different address in your settings."}).T("error.email_taken")
	// ErrSameEmail: the address asked for is already the account's.
	ErrSameEmail = (&Error{Code: EInvalid, Message: "That is already your address."}).T("error.same_email")
)

// NormalizeEmail checks an address typed into a form and returns it trimmed: a bare
// address (no display name, no comments) of at most MaxEmailLen characters. Its case is
// kept, since a mailbox's local part may be case-sensitive; addresses are compared with
// SameEmail.
func NormalizeEmail(raw string) (string, error) {
	addr := strings.TrimSpace(raw)
	if utf8.RuneCountInString(addr) > MaxEmailLen {
		return "", FieldErrorf("email", EInvalid, "An e-mail address has at most %d characters.", MaxEmailLen).T("error.email_long", "Max", MaxEmailLen)
	}
	bad := FieldErrorf("email", EInvalid, "Enter an e-mail address such as name@example.org.").T("error.email_invalid")
	if addr == "" || strings.ContainsFunc(addr, unicode.IsSpace) {
		return "", bad
	}
	parsed, err := mail.ParseAddress(addr)
	// A display name, angle brackets or a comment all parse to something other than
	// what was typed: only the bare address goes into a mail's To.
	if err != nil || parsed.Name != "" || parsed.Address != addr {
		return "", bad
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 1 || !strings.Contains(addr[at+1:], ".") {
		return "", bad // a domain the public can reach has a dot
	}
	return addr, nil
}

// SameEmail compares two addresses as the forum does: without regard to case, as the
// users_email_idx index on lower(email) does.
func SameEmail(a, b string) bool { return strings.EqualFold(a, b) }

// ValidateBio applies the bio's bound.
func ValidateBio(source string) error {
	if n := utf8.RuneCountInString(source); n > MaxBioLen {
		return FieldErrorf("bio", ETooLarge, "A bio has at most %d characters; this one has %d.", MaxBioLen, n).T("error.bio_long", "Max", MaxBioLen, "Got", n)
	}
	return nil
}

// CanSetBio says whether u may change their bio: it is public text, so a suspended
// account, barred from writing, cannot.
func CanSetBio(u *User, now time.Time) error { return MayWrite(u, now) }

// EmailToken is a mailed link's row: whose it is, what for, and whether it still works.
type EmailToken struct {
	UserID    int64      `db:"user_id"`
	Username  string     `db:"username"`
	Purpose   string     `db:"purpose"`
	Email     string     `db:"email"` // confirm: the address being confirmed; reset: where it was sent
	Lang      string     `db:"lang"`  // the account's interface language, for the mail it gets ("" none)
	ExpiresAt time.Time  `db:"expires_at"`
	UsedAt    *time.Time `db:"used_at"`
}

// Usable says whether the link may be used at now: once, before it expires. Its errors
// tell the holder of the link what happened and what to do; they reveal nothing to
// anyone else, who cannot name a token.
func (t *EmailToken) Usable(now time.Time) error {
	again := "Ask for a new link in your settings."
	if t.Purpose == TokenReset {
		again = "Ask for a new one at /forgot."
	}
	switch {
	case t.UsedAt != nil:
		return Errorf(ENotFound, "This link has already been used: each link works once. %s", again).T("error.link_used", "Reset", t.Purpose == TokenReset)
	case !now.Before(t.ExpiresAt):
		return Errorf(ENotFound, "This link has expired. %s", again).T("error.link_expired", "Reset", t.Purpose == TokenReset)
	}
	return nil
}

// UnknownToken is the answer for a link that names no token of that purpose.
func UnknownToken(purpose string) error {
	if purpose == TokenReset {
		return Errorf(ENotFound, "This password reset link does not work: it may be cut short or mistyped. "+
			"Copy the whole link from the mail, or ask for a new one at /forgot.").T("error.reset_link_unknown")
	}
	return Errorf(ENotFound, "This confirmation link does not work: it may be cut short or mistyped. "+
		"Copy the whole link from the mail, or ask for a new one in your settings.").T("error.confirm_link_unknown")
}

// SessionStale reports whether a session last seen at lastSeen should be touched at now.
func SessionStale(lastSeen, now time.Time) bool { return now.Sub(lastSeen) >= SessionTouchEvery }
