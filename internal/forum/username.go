package forum

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Names people can trust: a username is normalised before the contract's rule applies,
// and its skeleton, the name with every look-alike folded to one form, is unique, so
// nobody can register a name that reads like someone else's.

// maxRawUsernameBytes bounds the input NormalizeUsername works on. NFKC can shrink a
// full-width character's three bytes to one, so 32 characters arrive in at most 96
// bytes of compatibility forms; anything longer is refused by ValidateUsername anyway.
const maxRawUsernameBytes = 256

// NormalizeUsername is what a typed name becomes before ValidateUsername judges it:
// NFKC first, so full-width "ｍｏｄ" and other compatibility forms become plain
// "mod", then lower case and no surrounding space.
func NormalizeUsername(raw string) string {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxRawUsernameBytes {
		return raw // too long to be a username in any form; ValidateUsername says so
	}
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(raw)))
}

// Skeleton folds the characters and pairs that look alike in common fonts, so two
// names with the same skeleton read as the same name:
//
//   - case, and NFKC compatibility forms;
//   - 0 → o, 5 → s;
//   - 1, i and l → l: in many sans-serif fonts, and in the small type of feed readers
//     and mail clients, the three are one vertical stroke. This refuses a few honest
//     pairs ("eli" beside "ell"); choosing another name costs less than an impostor;
//   - rn → m and vv → w;
//   - _ and - are dropped, not merely made one: "mod_1", "mod-1" and "mod1" read as the
//     same name, and so separators repeated or at the ends vanish too.
//
// migrations/00005_username_skeleton.sql mirrors this in SQL (username_skeleton) to
// backfill existing users; internal/store's tests hold the two equal.
func Skeleton(name string) string {
	name = strings.ToLower(norm.NFKC.String(name))
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		switch r {
		case '_', '-':
			continue
		case '0':
			r = 'o'
		case '1', 'i':
			r = 'l'
		case '5':
			r = 's'
		}
		b.WriteRune(r)
	}
	// The pairs after the single characters, so "r-n" folds too; neither replacement
	// can form the other pair, so the order between them does not matter.
	s := strings.ReplaceAll(b.String(), "rn", "m")
	return strings.ReplaceAll(s, "vv", "w")
}

// ReservedNames are the names only the operator may give out (`forum user add`):
// roles, the system's own words, and the seed's account (internal/seed TeamUser; its
// test checks it is here). They are compared by skeleton, so "adm1n" and "r00t" are
// reserved too.
var ReservedNames = []string{
	"admin", "administrator", "admins", "moderator", "moderators", "mod", "mods",
	"root", "system", "sysop", "superuser", "owner", "operator",
	"deleted", "removed", "anonymous", "guest", "nobody", "everyone", "unknown",
	"staff", "support", "help", "helpdesk", "official", "team", "forum", "forum-team",
	"security", "abuse", "webmaster", "postmaster", "hostmaster", "noreply", "mailer-daemon",
	"null", "nil", "none", "undefined", "api", "www",
}

// reservedSkeletons is ReservedNames folded once, for lookup.
var reservedSkeletons = func() map[string]bool {
	m := make(map[string]bool, len(ReservedNames))
	for _, n := range ReservedNames {
		m[Skeleton(n)] = true
	}
	return m
}()

// IsReserved reports whether name reads as one of ReservedNames.
func IsReserved(name string) bool { return reservedSkeletons[Skeleton(name)] }

// ErrNameReserved refuses a reserved name at registration.
var ErrNameReserved = (&Error{Code: EInvalid, Message: "That name is reserved for the forum's own accounts. Please choose another."}).T("error.name_reserved")

// ErrNameNoLetters refuses a name of separators only: it has nothing to be recognised by.
var ErrNameNoLetters = (&Error{Code: EInvalid, Message: "Usernames need at least one letter or digit."}).T("error.name_no_letters")

// NameTooClose is the conflict of a name whose skeleton another user's name has. It
// names only that user's public name.
func NameTooClose(existing string) error {
	return Errorf(EConflict, "That name is too close to an existing one (%s). Please choose another.", existing).T("error.name_too_close", "Existing", existing)
}

// NameTaken is the conflict of a name another user has exactly.
func NameTaken(name string) error {
	return Errorf(EConflict, "The username %q is taken. Please choose another.", name).T("error.name_taken", "Name", name)
}

// ValidateNewUsername is the rule for a name a visitor registers: the contract's rule
// on the normalised name, then not reserved. Look-alikes of existing users are refused
// by the store's unique skeleton, under the insert itself.
func ValidateNewUsername(name string) error {
	if err := ValidateUsername(name); err != nil {
		return err
	}
	if Skeleton(name) == "" {
		return ErrNameNoLetters
	}
	if IsReserved(name) || IsDeletedUsername(name) { // deleted accounts' placeholders (deletion.go)
		return ErrNameReserved
	}
	return nil
}
