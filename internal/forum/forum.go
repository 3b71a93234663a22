// Package forum holds the forum's domain types and rules. It knows nothing of HTTP or SQL.
package forum

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role is what a user may do.
type Role string

// The roles, from least to most trusted.
const (
	RoleMember    Role = "member"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// ParseRole accepts the role names of the `forum user add --role` flag.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleMember, RoleModerator, RoleAdmin:
		return r, nil
	}
	return "", Errorf(EInvalid, "role must be member, moderator or admin")
}

// User is a registered account.
type User struct {
	ID               int64      `db:"id"`
	Username         string     `db:"username"`
	PasswordHash     string     `db:"password_hash" json:"-"`
	Role             Role       `db:"role"`
	CreatedAt        time.Time  `db:"created_at"`
	SuspendedUntil   *time.Time `db:"suspended_until"`
	SuspensionReason string     `db:"suspension_reason"`
	PostCount        int        `db:"post_count"`
	HiddenCount      int        `db:"hidden_count"`
	SuspensionCount  int        `db:"suspension_count"`
	AutoWatch        bool       `db:"auto_watch"` // watch threads they start or reply to
	// Lang is the interface language they chose ("" for none: the browser's decides).
	Lang string `db:"lang"`
	// Unread is their unread notifications, kept by the store (not counted per request).
	Unread int `db:"unread"`
}

// IsModerator reports whether the user may act on others' posts.
func (u *User) IsModerator() bool {
	return u != nil && (u.Role == RoleModerator || u.Role == RoleAdmin)
}

// Suspended reports whether the user is barred from writing at now.
func (u *User) Suspended(now time.Time) bool {
	return u != nil && u.SuspendedUntil != nil && now.Before(*u.SuspendedUntil)
}

// SuspensionError is the error a suspended user gets when trying to write.
func (u *User) SuspensionError() error {
	reason := u.SuspensionReason
	if reason == "" {
		reason = "no reason given"
	}
	return Errorf(ESuspended, "Your account is suspended until %s UTC (%s).",
		u.SuspendedUntil.UTC().Format("2 Jan 2006 15:04"), reason).T("error.suspended", "Until", u.SuspendedUntil.UTC(), "Reason", u.SuspensionReason)
}

var usernameRE = regexp.MustCompile(`^[a-z0-9_-]{3,32}$`)

// MinPasswordLen is the shortest password accepted at registration.
const MinPasswordLen = 12

// MaxPasswordLen bounds hashing work for hostile input.
const MaxPasswordLen = 256

// ValidateUsername applies the public contract's username rule.
func ValidateUsername(name string) error {
	if !usernameRE.MatchString(name) {
		return FieldErrorf("username", EInvalid, "Usernames are 3–32 characters of a–z, 0–9, _ and -.").T("error.username_rule")
	}
	return nil
}

// ValidatePassword applies the rules for a new password: a length, no control
// characters, and not easy to guess (see passwordStrength in password.go).
func ValidatePassword(username, password string) error {
	if !utf8.ValidString(password) || strings.ContainsFunc(password, unicode.IsControl) {
		return FieldErrorf("password", EInvalid, "Passwords cannot contain control characters such as NUL, tab or line breaks.").T("error.password_control")
	}
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return FieldErrorf("password", EInvalid, "Passwords need at least %d characters.", MinPasswordLen).T("error.password_short", "Min", MinPasswordLen)
	case n > MaxPasswordLen:
		return FieldErrorf("password", EInvalid, "Passwords can be at most %d characters.", MaxPasswordLen).T("error.password_long", "Max", MaxPasswordLen)
	case strings.EqualFold(password, username):
		return FieldErrorf("password", EInvalid, "Your password must not be your username.").T("error.password_is_username")
	}
	return passwordStrength(username, password)
}

// Error codes: each maps to one HTTP status in the web package.
const (
	EInvalid      = "invalid"      // 400
	EUnauthorized = "unauthorized" // 401
	EForbidden    = "forbidden"    // 403
	ESuspended    = "suspended"    // 403
	ENotFound     = "not_found"    // 404
	EConflict     = "conflict"     // 409
	ETooLarge     = "too_large"    // 413
	ERateLimited  = "rate_limited" // 429
	EUnavailable  = "unavailable"  // 503
	EInternal     = "internal"     // 500
)

// Error is a domain error with a message that is safe to show to users.
type Error struct {
	Code       string
	Message    string
	RetryAfter time.Duration // for ERateLimited: how long until the attempt may succeed
	// Field names the form field the error concerns ("title", "body", "password"...),
	// so a form can show the message beside it; "" concerns the whole form.
	Field string
	// Key and Data name the message in the interface's catalogs (internal/i18n) and
	// fill it, so the web and mail layers can word it in the reader's language; Message
	// stays the English wording, for logs and wherever no catalog is at hand. A rule
	// never localizes: it names its message, the layer that shows it words it.
	Key  string
	Data map[string]any
}

// T names e's catalog message and its data, given as name/value pairs
// ("Max", 200, "Got", n), and returns e. Data values that are time.Durations are
// worded as waits ("5 minutes") in the reader's language.
func (e *Error) T(key string, kv ...any) *Error {
	w := T(key, kv...) // words.go
	e.Key, e.Data = w.Key, w.Data
	return e
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds a domain error.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf builds a domain error about one form field (see Error.Field).
func FieldErrorf(field, code, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	e.Field = field
	return e
}

// ErrorField returns the field of the first *Error in err's chain, or "".
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// inField marks a domain error as concerning field; other errors pass unchanged.
func inField(err error, field string) error {
	var e *Error
	if errors.As(err, &e) && e.Field == "" {
		e.Field = field
	}
	return err
}

// ErrNotFound is the generic "no such thing" error; match it with errors.Is.
var ErrNotFound = (&Error{Code: ENotFound, Message: "Not found."}).T("error.not_found")

// Is makes every not-found *Error match ErrNotFound.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t == ErrNotFound
}

// ErrorCode returns the code of the first *Error in err's chain, or EInternal.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the user-safe message in err's chain, or a generic one.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Something went wrong on our side. Please try again in a moment."
}
