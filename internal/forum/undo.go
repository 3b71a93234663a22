package forum

import (
	"time"
	"unicode/utf8"
)

// Safe deleting: an author's deletion can be taken back for a while, and a moderator sees
// only the acts that apply to a post's state, each named for what it does.

// UndoWindow is how long an author may undo deleting their own post.
const UndoWindow = 10 * time.Minute

// ErrUndoExpired, ErrUndoModerated, ErrNotDeleted: why a deletion cannot be undone.
var (
	ErrUndoExpired   = (&Error{Code: EConflict, Message: "The 10 minutes to undo this deletion have passed: the post stays deleted."}).T("error.undo_expired")
	ErrUndoModerated = (&Error{Code: EConflict, Message: "A moderator has acted on this post since you deleted it: the deletion can no longer be undone."}).T("error.undo_moderated")
	ErrNotDeleted    = (&Error{Code: EConflict, Message: "This post is not deleted by you: there is nothing to undo."}).T("error.not_deleted")
)

// CanUndoDelete decides whether u may take back deleting p at now: only its author, only
// their own deletion (a moderator's removal is not theirs to undo), only while no
// moderator has acted on the post since (any act bumps ModVersion past DeletedVersion),
// and only within UndoWindow of the deletion.
func CanUndoDelete(u *User, p *Post, now time.Time) error {
	if err := MayWrite(u, now); err != nil {
		return err
	}
	if u.ID != p.AuthorID {
		return ErrNotYours
	}
	if !p.AuthorDeleted || p.DeletedAt == nil {
		return ErrNotDeleted
	}
	if p.ModVersion != p.DeletedVersion {
		return ErrUndoModerated
	}
	if now.Sub(*p.DeletedAt) > UndoWindow {
		return ErrUndoExpired
	}
	return nil
}

// ModAction is one button of a post's Moderate group.
type ModAction struct {
	Decision    Decision
	Label       string // what it does: "Hide post"
	Destructive bool   // set apart from the others
}

// modLabels name each decision offered on a post for what it does to the post.
var modLabels = map[Decision]string{DecideHide: "Hide post", DecideRestore: "Restore post", DecideDelete: "Delete post"}

// PostModActions is the Moderate group u sees on p in a thread: the decisions that change
// p's state and that CanDecide allows. A visible post can be hidden or deleted; a pending
// one restored, hidden for good or deleted; a hidden one restored or deleted; a removed one
// restored. A post its author deleted offers nothing (its flags are the queue's). A
// moderator's own post offers nothing either: its author's Delete is shown once, and
// moderating one's own words is for another moderator.
func PostModActions(u *User, p *Post, now time.Time) []ModAction {
	if u == nil || u.ID == p.AuthorID || MayModerate(u, now) != nil {
		return nil
	}
	var ds []Decision
	switch p.Status {
	case StatusVisible:
		ds = []Decision{DecideHide, DecideDelete}
	case StatusPending:
		ds = []Decision{DecideRestore, DecideHide, DecideDelete}
	case StatusHidden:
		ds = []Decision{DecideRestore, DecideDelete}
	case StatusRemoved:
		ds = []Decision{DecideRestore}
	}
	var out []ModAction
	for _, d := range ds {
		if CanDecide(u, p, d, now) == nil {
			out = append(out, ModAction{Decision: d, Label: modLabels[d], Destructive: d.Destructive()})
		}
	}
	return out
}

// RoleBadge is the badge beside an author's name: their role when it moderates, nothing
// for members or a deleted account.
func (p *Post) RoleBadge() string {
	if IsDeletedName(p.AuthorName) || (p.AuthorRole != RoleModerator && p.AuthorRole != RoleAdmin) {
		return ""
	}
	return string(p.AuthorRole)
}

// MaxLockReason bounds the reason shown at the top of a locked thread.
const MaxLockReason = 300

// ValidateLockReason checks the optional reason a moderator gives for locking a thread.
func ValidateLockReason(reason string) error {
	if err := ValidText(reason, "reason"); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(reason); n > MaxLockReason {
		return Errorf(EInvalid, "A lock's reason can be at most %d characters; this one has %d.", MaxLockReason, n).T("error.lock_reason_long", "Max", MaxLockReason, "Got", n)
	}
	return nil
}

// LockReason is the reason kept on a locked thread for a lock's note: the note cut to
// MaxLockReason characters (a client may still send a longer note of up to MaxModNote,
// which the log keeps whole).
func LockReason(note string) string {
	if utf8.RuneCountInString(note) <= MaxLockReason {
		return note
	}
	return string([]rune(note)[:MaxLockReason-1]) + "…"
}

// LockNotice is what a locked thread says at its top and in place of its reply box.
func (t *Thread) LockNotice() string {
	if t.LockReason == "" {
		return "Locked: no new replies."
	}
	return "Locked by moderators: " + t.LockReason
}
