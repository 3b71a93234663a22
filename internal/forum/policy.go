package forum

import "time"

// The forum's rules: who may read, write and moderate what. Each is a plain function
// over domain values that answers nil or a domain error saying why not. The store calls
// them inside the writing transaction, on rows it has locked; handlers, templates, the
// API and feeds call the same functions to decide what to show. A rule lives here once.

// Sentinel errors the web layer matches with errors.Is.
var (
	// ErrLoginRequired: the action needs an account.
	ErrLoginRequired = (&Error{Code: EUnauthorized, Message: "Log in to do that."}).T("error.login_required")
	// ErrBadLogin: the one answer to an unknown user and a wrong password alike.
	ErrBadLogin = (&Error{Code: EUnauthorized, Message: "That username and password do not match. Check them and try again."}).T("error.bad_login")
	// ErrModeratorsOnly: the action needs the moderator role.
	ErrModeratorsOnly = (&Error{Code: EForbidden, Message: "Only moderators can do that."}).T("error.moderators_only")
	// ErrThreadLocked: a locked thread takes no replies and no edits.
	ErrThreadLocked = (&Error{Code: EConflict, Message: "This thread is locked: it takes no new replies and its posts can no longer be edited."}).T("error.thread_locked")
	// ErrThreadHidden: a thread whose opening post is hidden takes no replies.
	ErrThreadHidden = (&Error{Code: EConflict, Message: "This thread's opening post is hidden by moderation: the thread takes no new replies."}).T("error.thread_hidden")
	// ErrDecisionGone: a decision other than dismissing flags on a post its author deleted.
	ErrDecisionGone = (&Error{Code: EConflict, Message: "Its author deleted this post: only its flags can be dismissed."}).T("error.decision_gone")
	// ErrParentElsewhere: a reply named a parent from another thread.
	ErrParentElsewhere = (&Error{Code: EInvalid, Message: "The post you replied to is in another thread."}).T("error.parent_elsewhere")
	// ErrParentGone: a reply's parent is hidden or deleted.
	ErrParentGone = (&Error{Code: EInvalid, Message: "The post you replied to is no longer visible."}).T("error.parent_gone")
	// ErrNotYours: editing or deleting someone else's post.
	ErrNotYours = (&Error{Code: EForbidden, Message: "You can only change your own posts."}).T("error.not_yours")
	// ErrPostGone: editing or deleting a deleted or removed post.
	ErrPostGone = (&Error{Code: EConflict, Message: "This post has been deleted: it can no longer be changed."}).T("error.post_gone")
	// ErrOwnPost: flagging one's own post.
	ErrOwnPost = (&Error{Code: EForbidden, Message: "You cannot flag your own post. You can edit or delete it instead."}).T("error.flag_own_post")
	// ErrNotFlaggable: flagging a post nobody can see.
	ErrNotFlaggable = (&Error{Code: ENotFound, Message: "That post is not visible."}).T("error.not_flaggable")
	// ErrSuspendSelf, ErrSuspendAdmin, ErrSuspendModerator: who may be suspended.
	ErrSuspendSelf      = (&Error{Code: EInvalid, Message: "You cannot suspend yourself."}).T("error.suspend_self")
	ErrSuspendAdmin     = (&Error{Code: EForbidden, Message: "Nobody can suspend an admin."}).T("error.suspend_admin")
	ErrSuspendModerator = (&Error{Code: EForbidden, Message: "Only an admin can suspend a moderator."}).T("error.suspend_moderator")
)

// MayWrite is the rule under every write: an account that is not suspended.
func MayWrite(u *User, now time.Time) error {
	if u == nil {
		return ErrLoginRequired
	}
	if u.Suspended(now) {
		return u.SuspensionError()
	}
	return nil
}

// MayModerate is the rule under every moderator act: a moderator or admin whose account
// is not suspended. A suspended moderator keeps the role but may not use it.
func MayModerate(u *User, now time.Time) error {
	if u == nil {
		return ErrLoginRequired
	}
	if !u.IsModerator() {
		return ErrModeratorsOnly
	}
	return MayWrite(u, now)
}

// CanRead reports whether u may read p's content: everyone when it is visible; its
// author while moderation hides it (so they can see what was hidden and fix it);
// moderators always, for the record.
func CanRead(u *User, p *Post) bool {
	switch {
	case p.Status == StatusVisible:
		return true
	case u == nil:
		return false
	case u.IsModerator():
		return true
	}
	return u.ID == p.AuthorID && (p.Status == StatusPending || p.Status == StatusHidden)
}

// Listed reports whether a thread appears in listings, feeds and search with its title:
// while its opening post is visible, or deleted by its author (the discussion below it
// stays). Hidden, pending and removed opening posts take the thread out.
func Listed(opening PostStatus) bool {
	return opening == StatusVisible || opening == StatusDeleted
}

// opening is the thread's opening post as far as the rules need it.
func opening(t *Thread) *Post {
	return &Post{ThreadID: t.ID, AuthorID: t.AuthorID, Status: t.OpeningStatus}
}

// ThreadTitle is the title u sees for t: the real one while the thread is listed or u
// may read its opening post, otherwise the opening post's placeholder. Every page, feed
// and API response that names a thread asks this.
func ThreadTitle(u *User, t *Thread) string {
	if Listed(t.OpeningStatus) || CanRead(u, opening(t)) {
		return t.Title
	}
	return t.OpeningStatus.Placeholder()
}

// ThreadFor is t as u may see it: a copy whose title (and the slug made from it) is
// replaced by the opening post's placeholder when ThreadTitle says so.
func ThreadFor(u *User, t *Thread) *Thread {
	v := *t
	if title := ThreadTitle(u, t); title != t.Title {
		v.Title, v.Slug = title, ""
	}
	return &v
}

// CanStartThread: any account that may write.
func CanStartThread(u *User, now time.Time) error { return MayWrite(u, now) }

// CanReply decides whether u may reply to parent (nil: the opening post) in t: the
// thread must be open and listed, and a reply's parent visible. An opening post deleted
// by its author still takes replies; the discussion is the thread's, not the author's.
func CanReply(u *User, t *Thread, parent *Post, now time.Time) error {
	// The thread's state first: a visitor is told the thread is locked, not to log in.
	if t.Locked {
		return ErrThreadLocked
	}
	if !Listed(t.OpeningStatus) {
		return ErrThreadHidden
	}
	if err := MayWrite(u, now); err != nil {
		return err
	}
	if parent != nil {
		if parent.ThreadID != t.ID {
			return ErrParentElsewhere
		}
		if parent.Depth > 0 && parent.Status != StatusVisible {
			return ErrParentGone
		}
	}
	return nil
}

// CanEdit decides whether u may edit p in t. Authors edit their own posts, moderators
// any; nobody edits a deleted post; in a locked thread only moderators edit (to redact).
// An author may edit a post that moderation hid, to fix it: it stays hidden until a
// moderator decides, and the review queue shows the flagged version beside the edit.
func CanEdit(u *User, t *Thread, p *Post, now time.Time) error {
	if err := MayWrite(u, now); err != nil {
		return err
	}
	if p.Status == StatusDeleted || p.Status == StatusRemoved || p.AuthorDeleted {
		return ErrPostGone
	}
	if u.ID != p.AuthorID && !u.IsModerator() {
		return ErrNotYours
	}
	if t.Locked && !u.IsModerator() {
		return ErrThreadLocked
	}
	return nil
}

// CanDelete decides whether u may delete p. Authors may delete their own posts even in a
// locked thread: taking back one's words is not a reply. Moderators remove any post.
func CanDelete(u *User, p *Post, now time.Time) error {
	if err := MayWrite(u, now); err != nil {
		return err
	}
	if p.Status == StatusDeleted || p.Status == StatusRemoved || p.AuthorDeleted && u.ID == p.AuthorID {
		return ErrPostGone
	}
	if u.ID != p.AuthorID && !u.IsModerator() {
		return ErrNotYours
	}
	return nil
}

// Deletion is what deleting a post does.
type Deletion struct {
	Status        PostStatus
	AuthorDeleted bool // the author asked for it, whatever moderation decides later
	ByModerator   bool // a moderator removed someone else's post: a logged act
}

// DeletionBy works out what u deleting p does. By its author, a visible post becomes
// "deleted"; a post that moderation hid stays hidden, so deleting cannot undo a hide or
// bring a thread back into listings, and the author's wish is kept for when a moderator
// decides. By a moderator, someone else's post is "removed".
func DeletionBy(u *User, p *Post) Deletion {
	if u.ID != p.AuthorID {
		return Deletion{Status: StatusRemoved, AuthorDeleted: p.AuthorDeleted, ByModerator: true}
	}
	if p.Status == StatusVisible {
		return Deletion{Status: StatusDeleted, AuthorDeleted: true}
	}
	return Deletion{Status: p.Status, AuthorDeleted: true}
}

// CanFlag decides whether u may flag p: anyone who may write, on someone else's post
// that people can see (or that flags already hid, so more flags can pile on).
func CanFlag(u *User, p *Post, now time.Time) error {
	if err := MayWrite(u, now); err != nil {
		return err
	}
	if p.AuthorID == u.ID {
		return ErrOwnPost
	}
	if p.Status != StatusVisible && p.Status != StatusPending {
		return ErrNotFlaggable
	}
	return nil
}

// AutoHides reports whether a flag that brings a post's open trusted flaggers
// (TrustedFlagger) to trusted hides it pending review. Untrusted flags still reach the
// review queue; they just cannot hide a post on their own.
func AutoHides(p *Post, trusted, threshold int) bool {
	return p.Status == StatusVisible && threshold > 0 && trusted >= threshold
}

// TrustedFlagger reports whether u's flag counts toward hiding a post before review: a
// moderator's always; a member's once the account is past NewAccountAge and has at least
// one post moderators have not hidden or removed (more posts written than taken away).
// Accounts made in a batch to silence someone are new and have written nothing.
func TrustedFlagger(u *User, now time.Time) bool {
	return u.IsModerator() || !NewAccount(u, now) && u.PostCount > u.HiddenCount
}

// CanDecide decides whether u may rule d on p: a moderator, on a post moderation can still
// act on. A post its author deleted is theirs to withdraw: moderators may only dismiss
// its flags, not hide or remove it (which would also count against the author).
func CanDecide(u *User, p *Post, d Decision, now time.Time) error {
	if err := MayModerate(u, now); err != nil {
		return err
	}
	if p.Status == StatusDeleted && d != DecideDismiss {
		return ErrDecisionGone
	}
	return nil
}

// StatusAfter is a post's status after decision d. A restore brings back only what
// moderation took away: a post its author deleted stays deleted. Dismissing unfounded
// flags makes an auto-hidden post visible again (or deleted, if its author deleted it).
func StatusAfter(d Decision, p *Post) PostStatus {
	unmoderated := StatusVisible
	if p.AuthorDeleted {
		unmoderated = StatusDeleted
	}
	switch d {
	case DecideHide:
		return StatusHidden
	case DecideDelete:
		return StatusRemoved
	case DecideRestore:
		if p.Status == StatusDeleted {
			return StatusDeleted
		}
		return unmoderated
	}
	if p.Status == StatusPending {
		return unmoderated
	}
	return p.Status
}

// CountsAgainstAuthor reports whether a decision goes on the author's record.
func CountsAgainstAuthor(d Decision) bool { return d == DecideHide || d == DecideDelete }

// CanSetThread decides whether u may lock, unlock, pin or unpin a thread.
func CanSetThread(u *User, now time.Time) error { return MayModerate(u, now) }

// CanSuspend decides whether actor may suspend target: moderators suspend members, only
// admins suspend moderators, nobody suspends an admin or themselves.
func CanSuspend(actor, target *User, now time.Time) error {
	if err := MayModerate(actor, now); err != nil {
		return err
	}
	switch {
	case actor.ID == target.ID:
		return ErrSuspendSelf
	case target.Role == RoleAdmin:
		return ErrSuspendAdmin
	case target.IsModerator() && actor.Role != RoleAdmin:
		return ErrSuspendModerator
	}
	return nil
}

// DecisionsFor lists the decisions that change something about p, in the order a
// moderator's buttons offer them: dismissing needs open flags (and restores an auto-hidden
// post); a restore needs something moderation took away; a post whose status is deleted
// (by its author) can only have its flags dismissed (CanDecide).
func DecisionsFor(p *Post, openFlags bool) []Decision {
	var out []Decision
	if openFlags {
		out = append(out, DecideDismiss)
	}
	switch p.Status {
	case StatusVisible:
		out = append(out, DecideHide, DecideDelete)
	case StatusPending:
		if !openFlags {
			out = append(out, DecideRestore)
		}
		out = append(out, DecideHide, DecideDelete)
	case StatusHidden:
		out = append(out, DecideRestore, DecideDelete)
	case StatusRemoved:
		out = append(out, DecideRestore)
	}
	return out
}

// EditIsModeration reports whether u editing p is a moderator's act on someone else's
// post, which the public moderation log records.
func EditIsModeration(u *User, p *Post) bool { return u.ID != p.AuthorID }
