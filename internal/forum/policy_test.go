package forum_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

// The rules in policy.go are plain functions, so these tests need no database: users,
// threads and posts are plain structs, and time stands still at now.

var (
	now     = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	later   = now.Add(72 * time.Hour)
	earlier = now.Add(-time.Hour)

	author     = &forum.User{ID: 1, Username: "ada", Role: forum.RoleMember}
	member     = &forum.User{ID: 2, Username: "bob", Role: forum.RoleMember}
	moderator  = &forum.User{ID: 3, Username: "mia", Role: forum.RoleModerator}
	admin      = &forum.User{ID: 4, Username: "root", Role: forum.RoleAdmin}
	moderator2 = &forum.User{ID: 5, Username: "max", Role: forum.RoleModerator}
	admin2     = &forum.User{ID: 6, Username: "ops", Role: forum.RoleAdmin}

	// The same account as author, suspended: the rules look at IDs, so this is "the author".
	suspendedAuthor = &forum.User{ID: 1, Username: "ada", Role: forum.RoleMember,
		SuspendedUntil: &later, SuspensionReason: "spam"}
	suspendedMember    = &forum.User{ID: 7, Username: "sam", Role: forum.RoleMember, SuspendedUntil: &later}
	suspendedModerator = &forum.User{ID: 8, Username: "sue", Role: forum.RoleModerator,
		SuspendedUntil: &later, SuspensionReason: "abuse of tools"}
	suspendedAdmin  = &forum.User{ID: 9, Username: "sid", Role: forum.RoleAdmin, SuspendedUntil: &later}
	expiredMember   = &forum.User{ID: 10, Username: "eve", Role: forum.RoleMember, SuspendedUntil: &earlier}
	endsNowMember   = &forum.User{ID: 11, Username: "ned", Role: forum.RoleMember, SuspendedUntil: &now}
	moderatorAuthor = &forum.User{ID: 1, Username: "ada", Role: forum.RoleModerator} // the author, promoted
)

var statuses = []forum.PostStatus{
	forum.StatusVisible, forum.StatusPending, forum.StatusHidden, forum.StatusDeleted, forum.StatusRemoved,
}

const (
	threadID      = 100
	realTitle     = "Does caffeine help focus?"
	realSlug      = "does-caffeine-help-focus"
	otherThreadID = 200
)

// errSuspended stands for the suspension error, which is built per user: tests match it by code.
var errSuspended = &forum.Error{Code: forum.ESuspended, Message: "(any suspension)"}

// thread is a thread by author whose opening post has status s.
func thread(s forum.PostStatus) *forum.Thread {
	return &forum.Thread{ID: threadID, CategoryID: 1, AuthorID: author.ID, AuthorName: author.Username,
		Title: realTitle, Slug: realSlug, OpeningStatus: s, Visible: forum.Listed(s), ReplyCount: 3, Version: 9}
}

func locked(t *forum.Thread) *forum.Thread { t.Locked = true; return t }

// reply is a reply by author at depth 1 in the thread, with status s.
func reply(s forum.PostStatus) *forum.Post {
	return &forum.Post{ID: 11, ThreadID: threadID, AuthorID: author.ID, Depth: 1, Status: s}
}

// authorDeleted is p with its author's wish to delete it recorded.
func authorDeleted(p *forum.Post) *forum.Post { p.AuthorDeleted = true; return p }

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// wantErr checks err against want: nil, a sentinel (matched with errors.Is and by code),
// or errSuspended (matched by code, with the suspension's end in the message).
func wantErr(t *testing.T, err, want error) {
	t.Helper()
	switch {
	case want == nil:
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
	case err == nil:
		t.Fatalf("allowed, want %v", want)
	case want == errSuspended:
		if code := forum.ErrorCode(err); code != forum.ESuspended {
			t.Fatalf("got %v (code %q), want a suspension (code %q)", err, code, forum.ESuspended)
		}
		if !strings.Contains(forum.ErrorMessage(err), "suspended until") {
			t.Fatalf("suspension message %q does not say until when", forum.ErrorMessage(err))
		}
	default:
		if !errors.Is(err, want) {
			t.Fatalf("got %v, want %v", err, want)
		}
		if got, exp := forum.ErrorCode(err), forum.ErrorCode(want); got != exp {
			t.Fatalf("code %q, want %q", got, exp)
		}
	}
}

func TestSentinelErrors(t *testing.T) {
	sentinels := []struct {
		name string
		err  error
		code string
	}{
		{"LoginRequired", forum.ErrLoginRequired, forum.EUnauthorized},
		{"ModeratorsOnly", forum.ErrModeratorsOnly, forum.EForbidden},
		{"ThreadLocked", forum.ErrThreadLocked, forum.EConflict},
		{"ThreadHidden", forum.ErrThreadHidden, forum.EConflict},
		{"ParentElsewhere", forum.ErrParentElsewhere, forum.EInvalid},
		{"ParentGone", forum.ErrParentGone, forum.EInvalid},
		{"NotYours", forum.ErrNotYours, forum.EForbidden},
		{"PostGone", forum.ErrPostGone, forum.EConflict},
		{"OwnPost", forum.ErrOwnPost, forum.EForbidden},
		{"NotFlaggable", forum.ErrNotFlaggable, forum.ENotFound},
		{"SuspendSelf", forum.ErrSuspendSelf, forum.EInvalid},
		{"SuspendAdmin", forum.ErrSuspendAdmin, forum.EForbidden},
		{"SuspendModerator", forum.ErrSuspendModerator, forum.EForbidden},
	}
	for _, s := range sentinels {
		t.Run(s.name+"HasCode", func(t *testing.T) {
			if got := forum.ErrorCode(s.err); got != s.code {
				t.Fatalf("code %q, want %q", got, s.code)
			}
			if forum.ErrorMessage(s.err) == "" {
				t.Fatal("no message for users")
			}
		})
		t.Run(s.name+"MatchesWhenWrapped", func(t *testing.T) {
			wrapped := fmt.Errorf("store: %w", s.err)
			if !errors.Is(wrapped, s.err) {
				t.Fatal("errors.Is fails through a wrap")
			}
			if got := forum.ErrorCode(wrapped); got != s.code {
				t.Fatalf("wrapped code %q, want %q", got, s.code)
			}
		})
		t.Run(s.name+"MatchesNoOtherSentinel", func(t *testing.T) {
			for _, o := range sentinels {
				if o.name != s.name && errors.Is(s.err, o.err) {
					t.Fatalf("errors.Is(%s, %s) is true", s.name, o.name)
				}
			}
		})
	}
	t.Run("NotFlaggableIsNotFound", func(t *testing.T) {
		if !errors.Is(forum.ErrNotFlaggable, forum.ErrNotFound) {
			t.Fatal("a post nobody can see should read as not found")
		}
	})
	t.Run("OtherCodesAreNotNotFound", func(t *testing.T) {
		if errors.Is(forum.ErrPostGone, forum.ErrNotFound) {
			t.Fatal("ErrPostGone matches ErrNotFound")
		}
	})
}

func TestMayWrite(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    *forum.User
		want error
	}{
		{"VisitorMustLogIn", nil, forum.ErrLoginRequired},
		{"MemberWrites", member, nil},
		{"ModeratorWrites", moderator, nil},
		{"AdminWrites", admin, nil},
		{"SuspendedMemberCannotWrite", suspendedMember, errSuspended},
		{"SuspendedModeratorCannotWrite", suspendedModerator, errSuspended},
		{"SuspendedAdminCannotWrite", suspendedAdmin, errSuspended},
		{"ExpiredSuspensionWrites", expiredMember, nil},
		{"SuspensionEndingNowWrites", endsNowMember, nil},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, forum.MayWrite(tc.u, now), tc.want) })
	}
	t.Run("SuspensionErrorGivesReason", func(t *testing.T) {
		msg := forum.ErrorMessage(forum.MayWrite(suspendedAuthor, now))
		if !strings.Contains(msg, "7 Mar 2025 12:00") || !strings.Contains(msg, "(spam)") {
			t.Fatalf("message %q lacks the end or the reason", msg)
		}
	})
	t.Run("SuspensionErrorWithoutReason", func(t *testing.T) {
		msg := forum.ErrorMessage(forum.MayWrite(suspendedMember, now))
		if !strings.Contains(msg, "no reason given") {
			t.Fatalf("message %q", msg)
		}
	})
}

func TestMayModerate(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    *forum.User
		want error
	}{
		{"VisitorMustLogIn", nil, forum.ErrLoginRequired},
		{"MemberIsNotModerator", member, forum.ErrModeratorsOnly},
		{"SuspendedMemberIsToldModeratorsOnly", suspendedMember, forum.ErrModeratorsOnly},
		{"ModeratorModerates", moderator, nil},
		{"AdminModerates", admin, nil},
		{"SuspendedModeratorKeepsRoleButCannotUseIt", suspendedModerator, errSuspended},
		{"SuspendedAdminCannotModerate", suspendedAdmin, errSuspended},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, forum.MayModerate(tc.u, now), tc.want)
			// CanDecide (on a post moderation can act on) and CanSetThread are the same rule.
			wantErr(t, forum.CanDecide(tc.u, &forum.Post{Status: forum.StatusVisible}, forum.DecideHide, now), tc.want)
			wantErr(t, forum.CanSetThread(tc.u, now), tc.want)
		})
	}
}

func TestCanRead(t *testing.T) {
	// Indexed like statuses: visible, pending, hidden, deleted, removed.
	for _, tc := range []struct {
		viewer string
		u      *forum.User
		want   [5]bool
	}{
		{"Visitor", nil, [5]bool{true, false, false, false, false}},
		{"Author", author, [5]bool{true, true, true, false, false}},
		{"SuspendedAuthor", suspendedAuthor, [5]bool{true, true, true, false, false}},
		{"OtherMember", member, [5]bool{true, false, false, false, false}},
		{"Moderator", moderator, [5]bool{true, true, true, true, true}},
		{"Admin", admin, [5]bool{true, true, true, true, true}},
		{"SuspendedModerator", suspendedModerator, [5]bool{true, true, true, true, true}},
	} {
		for i, s := range statuses {
			verb := "Reads"
			if !tc.want[i] {
				verb = "CannotRead"
			}
			t.Run(tc.viewer+verb+title(string(s)), func(t *testing.T) {
				if got := forum.CanRead(tc.u, reply(s)); got != tc.want[i] {
					t.Fatalf("CanRead = %v, want %v", got, tc.want[i])
				}
			})
		}
	}
	t.Run("AuthorReadsHiddenPostTheyDeleted", func(t *testing.T) {
		if !forum.CanRead(author, authorDeleted(reply(forum.StatusHidden))) {
			t.Fatal("author cannot read")
		}
	})
	t.Run("OtherMemberCannotReadPendingPostTheyDidNotWrite", func(t *testing.T) {
		if forum.CanRead(member, authorDeleted(reply(forum.StatusPending))) {
			t.Fatal("member reads")
		}
	})
}

func TestListed(t *testing.T) {
	want := map[forum.PostStatus]bool{
		forum.StatusVisible: true, forum.StatusPending: false, forum.StatusHidden: false,
		forum.StatusDeleted: true, forum.StatusRemoved: false,
	}
	for _, s := range statuses {
		name := "Unlisted"
		if want[s] {
			name = "Listed"
		}
		t.Run(name+"While"+title(string(s)), func(t *testing.T) {
			if got := forum.Listed(s); got != want[s] {
				t.Fatalf("Listed(%s) = %v", s, got)
			}
		})
	}
}

func TestThreadTitle(t *testing.T) {
	for _, tc := range []struct {
		name    string
		u       *forum.User
		opening forum.PostStatus
		want    string // the title; the slug is kept exactly when it is the real title
	}{
		{"EveryoneSeesVisibleTitle", nil, forum.StatusVisible, realTitle},
		{"VisitorSeesTitleOfThreadWhoseAuthorDeletedOpening", nil, forum.StatusDeleted, realTitle},
		{"MemberSeesTitleOfThreadWhoseAuthorDeletedOpening", member, forum.StatusDeleted, realTitle},
		{"AuthorSeesTitleOfOwnDeletedOpening", author, forum.StatusDeleted, realTitle},

		{"VisitorSeesPlaceholderWhilePending", nil, forum.StatusPending, "[hidden pending review]"},
		{"VisitorSeesPlaceholderWhileHidden", nil, forum.StatusHidden, "[hidden by a moderator]"},
		{"VisitorSeesPlaceholderWhenRemoved", nil, forum.StatusRemoved, "[removed by a moderator]"},
		{"OtherMemberSeesPlaceholderWhilePending", member, forum.StatusPending, "[hidden pending review]"},
		{"OtherMemberSeesPlaceholderWhileHidden", member, forum.StatusHidden, "[hidden by a moderator]"},
		{"OtherMemberSeesPlaceholderWhenRemoved", member, forum.StatusRemoved, "[removed by a moderator]"},

		{"AuthorSeesRealTitleWhilePending", author, forum.StatusPending, realTitle},
		{"AuthorSeesRealTitleWhileHidden", author, forum.StatusHidden, realTitle},
		{"SuspendedAuthorSeesRealTitleWhileHidden", suspendedAuthor, forum.StatusHidden, realTitle},
		{"AuthorSeesPlaceholderWhenRemoved", author, forum.StatusRemoved, "[removed by a moderator]"},

		{"ModeratorSeesRealTitleWhilePending", moderator, forum.StatusPending, realTitle},
		{"ModeratorSeesRealTitleWhileHidden", moderator, forum.StatusHidden, realTitle},
		{"ModeratorSeesRealTitleWhenRemoved", moderator, forum.StatusRemoved, realTitle},
		{"AdminSeesRealTitleWhileHidden", admin, forum.StatusHidden, realTitle},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th := thread(tc.opening)
			if got := forum.ThreadTitle(tc.u, th); got != tc.want {
				t.Fatalf("ThreadTitle = %q, want %q", got, tc.want)
			}
			v := forum.ThreadFor(tc.u, th)
			wantSlug := ""
			if tc.want == realTitle {
				wantSlug = realSlug
			}
			if v.Title != tc.want || v.Slug != wantSlug {
				t.Fatalf("ThreadFor gives title %q slug %q, want %q %q", v.Title, v.Slug, tc.want, wantSlug)
			}
			if v == th {
				t.Fatal("ThreadFor returned the thread itself, not a copy")
			}
			if th.Title != realTitle || th.Slug != realSlug {
				t.Fatalf("ThreadFor changed the original: %q %q", th.Title, th.Slug)
			}
			want := *th
			want.Title, want.Slug = v.Title, v.Slug
			if *v != want {
				t.Fatalf("ThreadFor changed more than title and slug:\n got %+v\nwant %+v", *v, want)
			}
		})
	}
}

func TestCanStartThread(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    *forum.User
		want error
	}{
		{"VisitorMustLogIn", nil, forum.ErrLoginRequired},
		{"MemberStartsThread", member, nil},
		{"ModeratorStartsThread", moderator, nil},
		{"SuspendedMemberCannotStartThread", suspendedMember, errSuspended},
		{"ExpiredSuspensionStartsThread", expiredMember, nil},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, forum.CanStartThread(tc.u, now), tc.want) })
	}
}

func TestCanReply(t *testing.T) {
	opening := func(s forum.PostStatus) *forum.Post {
		return &forum.Post{ID: 10, ThreadID: threadID, AuthorID: author.ID, Depth: 0, Status: s}
	}
	deep := func(s forum.PostStatus) *forum.Post { p := reply(s); p.Depth = 5; return p }
	elsewhere := func(s forum.PostStatus) *forum.Post { p := reply(s); p.ThreadID = otherThreadID; return p }
	for _, tc := range []struct {
		name   string
		u      *forum.User
		t      *forum.Thread
		parent *forum.Post
		want   error
	}{
		{"MemberRepliesToThread", member, thread(forum.StatusVisible), nil, nil},
		{"MemberRepliesToOpeningPost", member, thread(forum.StatusVisible), opening(forum.StatusVisible), nil},
		{"MemberRepliesToVisibleReply", member, thread(forum.StatusVisible), reply(forum.StatusVisible), nil},
		{"MemberRepliesToDeepVisibleReply", member, thread(forum.StatusVisible), deep(forum.StatusVisible), nil},
		{"AuthorRepliesInOwnThread", author, thread(forum.StatusVisible), nil, nil},

		{"MemberCannotReplyInLockedThread", member, locked(thread(forum.StatusVisible)), nil, forum.ErrThreadLocked},
		{"ModeratorCannotReplyInLockedThread", moderator, locked(thread(forum.StatusVisible)), nil, forum.ErrThreadLocked},
		{"VisitorIsToldThreadIsLockedNotToLogIn", nil, locked(thread(forum.StatusVisible)), nil, forum.ErrThreadLocked},
		{"SuspendedMemberIsToldThreadIsLocked", suspendedMember, locked(thread(forum.StatusVisible)), nil, forum.ErrThreadLocked},
		{"LockedHiddenThreadSaysLocked", member, locked(thread(forum.StatusHidden)), nil, forum.ErrThreadLocked},

		{"NoReplyWhileOpeningPostPending", member, thread(forum.StatusPending), nil, forum.ErrThreadHidden},
		{"NoReplyWhileOpeningPostHidden", member, thread(forum.StatusHidden), nil, forum.ErrThreadHidden},
		{"NoReplyWhenOpeningPostRemoved", member, thread(forum.StatusRemoved), nil, forum.ErrThreadHidden},
		{"ModeratorCannotReplyWhileOpeningPostHidden", moderator, thread(forum.StatusHidden), nil, forum.ErrThreadHidden},
		{"AuthorCannotReplyWhileOwnOpeningPostHidden", author, thread(forum.StatusHidden), nil, forum.ErrThreadHidden},
		{"VisitorIsToldThreadIsHiddenNotToLogIn", nil, thread(forum.StatusPending), nil, forum.ErrThreadHidden},

		{"ThreadWhoseAuthorDeletedOpeningTakesReplies", member, thread(forum.StatusDeleted), nil, nil},
		{"OpeningPostDeletedByAuthorIsAllowedAsParent", member, thread(forum.StatusDeleted), opening(forum.StatusDeleted), nil},
		{"AuthorRepliesToOwnDeletedOpeningPost", author, thread(forum.StatusDeleted), opening(forum.StatusDeleted), nil},

		{"VisitorMustLogIn", nil, thread(forum.StatusVisible), nil, forum.ErrLoginRequired},
		{"SuspendedMemberCannotReply", suspendedMember, thread(forum.StatusVisible), nil, errSuspended},
		{"SuspendedModeratorCannotReply", suspendedModerator, thread(forum.StatusVisible), nil, errSuspended},
		{"ExpiredSuspensionReplies", expiredMember, thread(forum.StatusVisible), nil, nil},

		{"ParentInAnotherThreadRefused", member, thread(forum.StatusVisible), elsewhere(forum.StatusVisible), forum.ErrParentElsewhere},
		{"HiddenParentInAnotherThreadIsElsewhere", member, thread(forum.StatusVisible), elsewhere(forum.StatusHidden), forum.ErrParentElsewhere},
		{"OpeningPostOfAnotherThreadIsElsewhere", member, thread(forum.StatusVisible),
			&forum.Post{ID: 20, ThreadID: otherThreadID, Depth: 0, Status: forum.StatusVisible}, forum.ErrParentElsewhere},

		{"PendingParentRefused", member, thread(forum.StatusVisible), reply(forum.StatusPending), forum.ErrParentGone},
		{"HiddenParentRefused", member, thread(forum.StatusVisible), reply(forum.StatusHidden), forum.ErrParentGone},
		{"DeletedParentRefused", member, thread(forum.StatusVisible), reply(forum.StatusDeleted), forum.ErrParentGone},
		{"RemovedParentRefused", member, thread(forum.StatusVisible), reply(forum.StatusRemoved), forum.ErrParentGone},
		{"DeepHiddenParentRefused", member, thread(forum.StatusVisible), deep(forum.StatusHidden), forum.ErrParentGone},
		{"ModeratorCannotReplyToHiddenParent", moderator, thread(forum.StatusVisible), reply(forum.StatusHidden), forum.ErrParentGone},
		{"AuthorCannotReplyToOwnHiddenPost", author, thread(forum.StatusVisible), reply(forum.StatusHidden), forum.ErrParentGone},
		{"DeletedParentInDeletedOpeningThreadRefused", member, thread(forum.StatusDeleted), reply(forum.StatusDeleted), forum.ErrParentGone},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, forum.CanReply(tc.u, tc.t, tc.parent, now), tc.want) })
	}
}

func TestCanEdit(t *testing.T) {
	open := thread(forum.StatusVisible)
	for _, tc := range []struct {
		name string
		u    *forum.User
		t    *forum.Thread
		p    *forum.Post
		want error
	}{
		{"AuthorEditsOwnPost", author, open, reply(forum.StatusVisible), nil},
		{"OtherMemberCannotEdit", member, open, reply(forum.StatusVisible), forum.ErrNotYours},
		{"ModeratorEditsAnyPost", moderator, open, reply(forum.StatusVisible), nil},
		{"AdminEditsAnyPost", admin, open, reply(forum.StatusVisible), nil},
		{"ModeratorEditsOthersHiddenPost", moderator, open, reply(forum.StatusHidden), nil},

		{"MemberCannotEditInLockedThread", author, locked(thread(forum.StatusVisible)), reply(forum.StatusVisible), forum.ErrThreadLocked},
		{"ModeratorEditsInLockedThread", moderator, locked(thread(forum.StatusVisible)), reply(forum.StatusVisible), nil},
		{"ModeratorAuthorEditsOwnPostInLockedThread", moderatorAuthor, locked(thread(forum.StatusVisible)), reply(forum.StatusVisible), nil},
		{"OtherMemberInLockedThreadIsToldNotYours", member, locked(thread(forum.StatusVisible)), reply(forum.StatusVisible), forum.ErrNotYours},
		{"AuthorCannotFixHiddenPostInLockedThread", author, locked(thread(forum.StatusVisible)), reply(forum.StatusHidden), forum.ErrThreadLocked},

		{"AuthorCannotEditDeletedPost", author, open, reply(forum.StatusDeleted), forum.ErrPostGone},
		{"ModeratorCannotEditDeletedPost", moderator, open, reply(forum.StatusDeleted), forum.ErrPostGone},
		{"AuthorCannotEditRemovedPost", author, open, reply(forum.StatusRemoved), forum.ErrPostGone},
		{"ModeratorCannotEditRemovedPost", moderator, open, reply(forum.StatusRemoved), forum.ErrPostGone},
		{"OtherMemberIsToldDeletedPostIsGone", member, open, reply(forum.StatusDeleted), forum.ErrPostGone},
		{"AuthorCannotEditHiddenPostTheyDeleted", author, open, authorDeleted(reply(forum.StatusHidden)), forum.ErrPostGone},
		{"AuthorCannotEditPendingPostTheyDeleted", author, open, authorDeleted(reply(forum.StatusPending)), forum.ErrPostGone},
		{"ModeratorCannotEditHiddenPostItsAuthorDeleted", moderator, open, authorDeleted(reply(forum.StatusHidden)), forum.ErrPostGone},

		{"AuthorFixesOwnHiddenPost", author, open, reply(forum.StatusHidden), nil},
		{"AuthorFixesOwnPendingPost", author, open, reply(forum.StatusPending), nil},
		{"OtherMemberCannotEditHiddenPost", member, open, reply(forum.StatusHidden), forum.ErrNotYours},
		{"AuthorEditsInThreadWithHiddenOpening", author, thread(forum.StatusHidden), reply(forum.StatusVisible), nil},

		{"VisitorMustLogIn", nil, open, reply(forum.StatusVisible), forum.ErrLoginRequired},
		{"SuspendedAuthorCannotEdit", suspendedAuthor, open, reply(forum.StatusVisible), errSuspended},
		{"SuspendedModeratorCannotEdit", suspendedModerator, open, reply(forum.StatusVisible), errSuspended},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, forum.CanEdit(tc.u, tc.t, tc.p, now), tc.want) })
	}
}

func TestCanDelete(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    *forum.User
		p    *forum.Post
		want error
	}{
		{"AuthorDeletesOwnPost", author, reply(forum.StatusVisible), nil},
		{"AuthorDeletesOwnHiddenPost", author, reply(forum.StatusHidden), nil},
		{"AuthorDeletesOwnPendingPost", author, reply(forum.StatusPending), nil},
		{"OtherMemberCannotDelete", member, reply(forum.StatusVisible), forum.ErrNotYours},
		{"OtherMemberCannotDeleteHiddenPost", member, reply(forum.StatusHidden), forum.ErrNotYours},
		{"OtherMemberIsToldNotYoursWhenAuthorDeletedIt", member, authorDeleted(reply(forum.StatusHidden)), forum.ErrNotYours},
		{"ModeratorRemovesAnyPost", moderator, reply(forum.StatusVisible), nil},
		{"ModeratorRemovesPendingPost", moderator, reply(forum.StatusPending), nil},
		{"ModeratorRemovesHiddenPost", moderator, reply(forum.StatusHidden), nil},
		{"ModeratorRemovesHiddenPostItsAuthorDeleted", moderator, authorDeleted(reply(forum.StatusHidden)), nil},
		{"AdminRemovesAnyPost", admin, reply(forum.StatusVisible), nil},

		{"AuthorCannotDeleteTwice", author, authorDeleted(reply(forum.StatusHidden)), forum.ErrPostGone},
		{"AuthorCannotDeletePendingPostTwice", author, authorDeleted(reply(forum.StatusPending)), forum.ErrPostGone},
		{"AuthorCannotDeleteDeletedPost", author, reply(forum.StatusDeleted), forum.ErrPostGone},
		{"AuthorCannotDeleteRemovedPost", author, reply(forum.StatusRemoved), forum.ErrPostGone},
		{"ModeratorCannotRemoveDeletedPost", moderator, reply(forum.StatusDeleted), forum.ErrPostGone},
		{"ModeratorCannotRemoveRemovedPost", moderator, reply(forum.StatusRemoved), forum.ErrPostGone},
		{"OtherMemberIsToldDeletedPostIsGone", member, reply(forum.StatusDeleted), forum.ErrPostGone},

		{"VisitorMustLogIn", nil, reply(forum.StatusVisible), forum.ErrLoginRequired},
		{"SuspendedAuthorCannotDelete", suspendedAuthor, reply(forum.StatusVisible), errSuspended},
		{"SuspendedModeratorCannotRemove", suspendedModerator, reply(forum.StatusVisible), errSuspended},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, forum.CanDelete(tc.u, tc.p, now), tc.want) })
	}
}

func TestDeletionBy(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    *forum.User
		p    *forum.Post
		want forum.Deletion
	}{
		{"AuthorDeletesVisiblePost", author, reply(forum.StatusVisible),
			forum.Deletion{Status: forum.StatusDeleted, AuthorDeleted: true}},
		{"AuthorDeletingHiddenPostKeepsItHidden", author, reply(forum.StatusHidden),
			forum.Deletion{Status: forum.StatusHidden, AuthorDeleted: true}},
		{"AuthorDeletingPendingPostKeepsItPending", author, reply(forum.StatusPending),
			forum.Deletion{Status: forum.StatusPending, AuthorDeleted: true}},
		{"ModeratorDeletingOwnPostIsAnAuthorDeletion", moderatorAuthor, reply(forum.StatusVisible),
			forum.Deletion{Status: forum.StatusDeleted, AuthorDeleted: true}},
		{"ModeratorRemovesOthersVisiblePost", moderator, reply(forum.StatusVisible),
			forum.Deletion{Status: forum.StatusRemoved, ByModerator: true}},
		{"ModeratorRemovesOthersPendingPost", moderator, reply(forum.StatusPending),
			forum.Deletion{Status: forum.StatusRemoved, ByModerator: true}},
		{"ModeratorRemovesOthersHiddenPost", moderator, reply(forum.StatusHidden),
			forum.Deletion{Status: forum.StatusRemoved, ByModerator: true}},
		{"ModeratorRemovalKeepsAuthorsWish", moderator, authorDeleted(reply(forum.StatusHidden)),
			forum.Deletion{Status: forum.StatusRemoved, AuthorDeleted: true, ByModerator: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.DeletionBy(tc.u, tc.p); got != tc.want {
				t.Fatalf("DeletionBy = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCanFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    *forum.User
		p    *forum.Post
		want error
	}{
		{"MemberFlagsVisiblePost", member, reply(forum.StatusVisible), nil},
		{"MoreFlagsPileOnPendingPost", member, reply(forum.StatusPending), nil},
		{"ModeratorFlagsPost", moderator, reply(forum.StatusVisible), nil},
		{"AuthorCannotFlagOwnPost", author, reply(forum.StatusVisible), forum.ErrOwnPost},
		{"AuthorCannotFlagOwnHiddenPost", author, reply(forum.StatusHidden), forum.ErrOwnPost},
		{"HiddenPostNotFlaggable", member, reply(forum.StatusHidden), forum.ErrNotFlaggable},
		{"DeletedPostNotFlaggable", member, reply(forum.StatusDeleted), forum.ErrNotFlaggable},
		{"RemovedPostNotFlaggable", member, reply(forum.StatusRemoved), forum.ErrNotFlaggable},
		{"ModeratorCannotFlagHiddenPost", moderator, reply(forum.StatusHidden), forum.ErrNotFlaggable},
		{"VisitorMustLogIn", nil, reply(forum.StatusVisible), forum.ErrLoginRequired},
		{"SuspendedMemberCannotFlag", suspendedMember, reply(forum.StatusVisible), errSuspended},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, forum.CanFlag(tc.u, tc.p, now), tc.want) })
	}
}

func TestAutoHides(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    forum.PostStatus
		flaggers  int
		threshold int
		want      bool
	}{
		{"BelowThresholdStaysVisible", forum.StatusVisible, 2, 3, false},
		{"AtThresholdHides", forum.StatusVisible, 3, 3, true},
		{"AboveThresholdHides", forum.StatusVisible, 4, 3, true},
		{"AlreadyPendingNotHidAgain", forum.StatusPending, 5, 3, false},
		{"HiddenNotHidAgain", forum.StatusHidden, 5, 3, false},
		{"DeletedNotHidden", forum.StatusDeleted, 5, 3, false},
		{"RemovedNotHidden", forum.StatusRemoved, 5, 3, false},
		{"ThresholdOfOneHidesOnFirstFlag", forum.StatusVisible, 1, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.AutoHides(reply(tc.status), tc.flaggers, tc.threshold); got != tc.want {
				t.Fatalf("AutoHides = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestStatusAfter(t *testing.T) {
	const (
		V = forum.StatusVisible
		P = forum.StatusPending
		H = forum.StatusHidden
		D = forum.StatusDeleted
		R = forum.StatusRemoved
	)
	for _, tc := range []struct {
		status        forum.PostStatus
		authorDeleted bool
		// after dismiss, hide, restore, delete
		dismiss, hide, restore, del forum.PostStatus
	}{
		{V, false, V, H, V, R},
		{V, true, V, H, D, R},
		{P, false, V, H, V, R},
		{P, true, D, H, D, R},
		{H, false, H, H, V, R},
		{H, true, H, H, D, R},
		{D, false, D, H, D, R},
		{D, true, D, H, D, R},
		{R, false, R, H, V, R},
		{R, true, R, H, D, R},
	} {
		suffix := ""
		if tc.authorDeleted {
			suffix = "AuthorDeleted"
		}
		for _, c := range []struct {
			d    forum.Decision
			want forum.PostStatus
		}{
			{forum.DecideDismiss, tc.dismiss},
			{forum.DecideHide, tc.hide},
			{forum.DecideRestore, tc.restore},
			{forum.DecideDelete, tc.del},
		} {
			name := fmt.Sprintf("%s%s%sBecomes%s", title(string(c.d)), title(string(tc.status)), suffix, title(string(c.want)))
			t.Run(name, func(t *testing.T) {
				p := reply(tc.status)
				p.AuthorDeleted = tc.authorDeleted
				if got := forum.StatusAfter(c.d, p); got != c.want {
					t.Fatalf("StatusAfter(%s, %s, authorDeleted=%v) = %s, want %s",
						c.d, tc.status, tc.authorDeleted, got, c.want)
				}
			})
		}
	}
	// The cases the rules single out, named for what they protect.
	for _, tc := range []struct {
		name string
		d    forum.Decision
		p    *forum.Post
		want forum.PostStatus
	}{
		{"RestoreOfDeletedPostStaysDeleted", forum.DecideRestore, reply(D), D},
		{"RestoreOfHiddenPostItsAuthorDeletedIsDeleted", forum.DecideRestore, authorDeleted(reply(H)), D},
		{"RestoreOfRemovedPostItsAuthorDeletedIsDeleted", forum.DecideRestore, authorDeleted(reply(R)), D},
		{"RestoreOfHiddenPostIsVisible", forum.DecideRestore, reply(H), V},
		{"DismissOfPendingPostIsVisible", forum.DecideDismiss, reply(P), V},
		{"DismissOfPendingPostItsAuthorDeletedIsDeleted", forum.DecideDismiss, authorDeleted(reply(P)), D},
		{"DismissLeavesModeratorHideInPlace", forum.DecideDismiss, reply(H), H},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.StatusAfter(tc.d, tc.p); got != tc.want {
				t.Fatalf("StatusAfter = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCountsAgainstAuthor(t *testing.T) {
	for _, tc := range []struct {
		d    forum.Decision
		want bool
	}{
		{forum.DecideDismiss, false},
		{forum.DecideHide, true},
		{forum.DecideRestore, false},
		{forum.DecideDelete, true},
	} {
		name := title(string(tc.d)) + "DoesNotCount"
		if tc.want {
			name = title(string(tc.d)) + "Counts"
		}
		t.Run(name, func(t *testing.T) {
			if got := forum.CountsAgainstAuthor(tc.d); got != tc.want {
				t.Fatalf("CountsAgainstAuthor(%s) = %v", tc.d, got)
			}
		})
	}
}

func TestCanSuspend(t *testing.T) {
	for _, tc := range []struct {
		name          string
		actor, target *forum.User
		want          error
	}{
		{"ModeratorSuspendsMember", moderator, member, nil},
		{"AdminSuspendsMember", admin, member, nil},
		{"ModeratorSuspendsAlreadySuspendedMember", moderator, suspendedMember, nil},
		{"AdminSuspendsModerator", admin, moderator, nil},
		{"AdminSuspendsSuspendedModerator", admin, suspendedModerator, nil},
		{"ModeratorCannotSuspendModerator", moderator, moderator2, forum.ErrSuspendModerator},
		{"ModeratorCannotSuspendSuspendedModerator", moderator, suspendedModerator, forum.ErrSuspendModerator},
		{"ModeratorCannotSuspendAdmin", moderator, admin, forum.ErrSuspendAdmin},
		{"AdminCannotSuspendAdmin", admin, admin2, forum.ErrSuspendAdmin},
		{"ModeratorCannotSuspendSelf", moderator, moderator, forum.ErrSuspendSelf},
		{"AdminCannotSuspendSelf", admin, admin, forum.ErrSuspendSelf},
		{"SelfIsJudgedByIDNotPointer", moderator, &forum.User{ID: moderator.ID, Role: forum.RoleModerator}, forum.ErrSuspendSelf},
		{"MemberCannotSuspend", member, author, forum.ErrModeratorsOnly},
		{"VisitorCannotSuspend", nil, member, forum.ErrLoginRequired},
		{"SuspendedModeratorCannotSuspend", suspendedModerator, member, errSuspended},
		{"SuspendedAdminCannotSuspend", suspendedAdmin, member, errSuspended},
	} {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, forum.CanSuspend(tc.actor, tc.target, now), tc.want) })
	}
}

func TestDecisionsFor(t *testing.T) {
	var (
		dismiss = forum.DecideDismiss
		hide    = forum.DecideHide
		restore = forum.DecideRestore
		del     = forum.DecideDelete
	)
	for _, tc := range []struct {
		name      string
		p         *forum.Post
		openFlags bool
		want      []forum.Decision
	}{
		{"FlaggedVisiblePost", reply(forum.StatusVisible), true, []forum.Decision{dismiss, hide, del}},
		{"UnflaggedVisiblePost", reply(forum.StatusVisible), false, []forum.Decision{hide, del}},
		{"PendingPost", reply(forum.StatusPending), true, []forum.Decision{dismiss, hide, del}},
		{"PendingPostWithoutOpenFlagsCanBeRestored", reply(forum.StatusPending), false, []forum.Decision{forum.DecideRestore, hide, del}},
		{"FlaggedHiddenPost", reply(forum.StatusHidden), true, []forum.Decision{dismiss, restore, del}},
		{"HiddenPost", reply(forum.StatusHidden), false, []forum.Decision{restore, del}},
		{"RemovedPostCanOnlyBeRestored", reply(forum.StatusRemoved), false, []forum.Decision{restore}},
		{"FlaggedRemovedPost", reply(forum.StatusRemoved), true, []forum.Decision{dismiss, restore}},
		{"DeletedPostOnlyHasFlagsDismissed", reply(forum.StatusDeleted), true, []forum.Decision{dismiss}},
		{"DeletedPostWithoutFlagsOffersNothing", reply(forum.StatusDeleted), false, nil},
		// The buttons follow the status: a hidden post its author deleted still offers restore
		// (which StatusAfter turns into "deleted") and delete.
		{"HiddenPostItsAuthorDeleted", authorDeleted(reply(forum.StatusHidden)), true, []forum.Decision{dismiss, restore, del}},
		{"PendingPostItsAuthorDeleted", authorDeleted(reply(forum.StatusPending)), true, []forum.Decision{dismiss, hide, del}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := forum.DecisionsFor(tc.p, tc.openFlags); !slices.Equal(got, tc.want) {
				t.Fatalf("DecisionsFor = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("EveryOfferedDecisionChangesSomething", func(t *testing.T) {
		for _, s := range statuses {
			for _, ad := range []bool{false, true} {
				for _, flags := range []bool{false, true} {
					p := reply(s)
					p.AuthorDeleted = ad
					for _, d := range forum.DecisionsFor(p, flags) {
						if d == forum.DecideDismiss {
							continue // resolves the flags, whatever it does to the status
						}
						if next := forum.StatusAfter(d, p); next == s {
							t.Errorf("%s offered on %s (authorDeleted=%v) but leaves it %s", d, s, ad, next)
						}
					}
				}
			}
		}
	})
	t.Run("DecisionsComeInQueueOrder", func(t *testing.T) {
		for _, s := range statuses {
			got := forum.DecisionsFor(reply(s), true)
			idx := -1
			for _, d := range got {
				i := slices.Index(forum.Decisions, d)
				if i <= idx {
					t.Fatalf("%s: %v is not in the order of %v", s, got, forum.Decisions)
				}
				idx = i
			}
		}
	})
}

func TestSettingsFor(t *testing.T) {
	for _, tc := range []struct {
		name           string
		locked, pinned bool
		want           []forum.ThreadSetting
	}{
		{"OpenUnpinnedOffersLockAndPin", false, false, []forum.ThreadSetting{forum.SettingLock, forum.SettingPin}},
		{"LockedOffersUnlock", true, false, []forum.ThreadSetting{forum.SettingUnlock, forum.SettingPin}},
		{"PinnedOffersUnpin", false, true, []forum.ThreadSetting{forum.SettingLock, forum.SettingUnpin}},
		{"LockedPinnedOffersUnlockAndUnpin", true, true, []forum.ThreadSetting{forum.SettingUnlock, forum.SettingUnpin}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			th := thread(forum.StatusVisible)
			th.Locked, th.Pinned = tc.locked, tc.pinned
			if got := forum.SettingsFor(th); !slices.Equal(got, tc.want) {
				t.Fatalf("SettingsFor = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("SettingsLogTheirThreadAction", func(t *testing.T) {
		for s, want := range map[forum.ThreadSetting]forum.LogAction{
			forum.SettingLock: forum.LogLockThread, forum.SettingUnlock: forum.LogUnlockThread,
			forum.SettingPin: forum.LogPinThread, forum.SettingUnpin: forum.LogUnpinThread,
		} {
			if got := s.LogAction(); got != want {
				t.Errorf("%s.LogAction() = %s, want %s", s, got, want)
			}
		}
	})
}

// wantInvalid checks err is a domain error with code, whose message says hint.
func wantInvalid(t *testing.T, err error, code, hint string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want %s", code)
	}
	if got := forum.ErrorCode(err); got != code {
		t.Fatalf("code %q, want %q (%v)", got, code, err)
	}
	if !strings.Contains(forum.ErrorMessage(err), hint) {
		t.Fatalf("message %q does not say %q", forum.ErrorMessage(err), hint)
	}
}

func TestParseStance(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     forum.Stance
		ok       bool
	}{
		{"EmptyIsNoStance", "", forum.StanceNone, true},
		{"Helps", "helps", forum.StanceHelps, true},
		{"Hinders", "hinders", forum.StanceHinders, true},
		{"Mixed", "mixed", forum.StanceMixed, true},
		{"CapitalisedRefused", "Helps", "", false},
		{"PaddedRefused", " helps", "", false},
		{"NoneWordRefused", "none", "", false},
		{"UnknownRefused", "neutral", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.ParseStance(tc.in)
			if !tc.ok {
				wantInvalid(t, err, forum.EInvalid, "Stance must be")
				if got != "" {
					t.Fatalf("returned %q with the error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseStance(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	t.Run("EveryListedStanceParses", func(t *testing.T) {
		for _, s := range forum.Stances {
			if got, err := forum.ParseStance(string(s)); err != nil || got != s {
				t.Errorf("ParseStance(%q) = %q, %v", s, got, err)
			}
		}
	})
}

func TestParseDecision(t *testing.T) {
	for _, d := range forum.Decisions {
		t.Run("Accepts"+title(string(d)), func(t *testing.T) {
			if got, err := forum.ParseDecision(string(d)); err != nil || got != d {
				t.Fatalf("ParseDecision(%q) = %q, %v", d, got, err)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"EmptyRefused", ""},
		{"CapitalisedRefused", "Hide"},
		{"UnknownRefused", "ban"},
		{"LogActionRefused", "hide_post"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.ParseDecision(tc.in)
			wantInvalid(t, err, forum.EInvalid, "Action must be")
			if got != "" {
				t.Fatalf("returned %q with the error", got)
			}
		})
	}
}

func TestValidateFlag(t *testing.T) {
	for _, r := range forum.FlagReasons {
		t.Run("Accepts"+title(string(r))+"WithNote", func(t *testing.T) {
			if got, err := forum.ValidateFlag(string(r), "see the second paragraph"); err != nil || got != r {
				t.Fatalf("ValidateFlag(%q) = %q, %v", r, got, err)
			}
		})
	}
	for _, tc := range []struct {
		name, reason, note string
		want               forum.FlagReason
		hint               string // "" when accepted
	}{
		{"SpamNeedsNoNote", "spam", "", forum.ReasonSpam, ""},
		{"OffTopicNeedsNoNote", "off_topic", "", forum.ReasonOffTopic, ""},
		{"NoteAtLimitAccepted", "abuse", strings.Repeat("é", forum.MaxFlagNote), forum.ReasonAbuse, ""},
		{"OtherWithNoteAccepted", "other", "it is an advert", forum.ReasonOther, ""},
		{"EmptyReasonRefused", "", "", "", "Choose a reason"},
		{"UnknownReasonRefused", "rude", "", "", "Choose a reason"},
		{"LabelIsNotAReason", "off topic", "", "", "Choose a reason"},
		{"OtherNeedsNote", "other", "", "", "Say what is wrong"},
		{"OtherNeedsMoreThanSpaces", "other", " \n\t ", "", "Say what is wrong"},
		{"NoteOverLimitRefused", "spam", strings.Repeat("a", forum.MaxFlagNote+1), "", "at most 500"},
		{"NoteWithNULRefused", "spam", "a\x00b", "", "NUL"},
		{"NoteNotUTF8Refused", "spam", "\xff\xfe", "", "UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := forum.ValidateFlag(tc.reason, tc.note)
			if tc.hint != "" {
				wantInvalid(t, err, forum.EInvalid, tc.hint)
				if got != "" {
					t.Fatalf("returned %q with the error", got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ValidateFlag(%q, %q) = %q, %v; want %q", tc.reason, tc.note, got, err, tc.want)
			}
		})
	}
}

func TestValidateSuspension(t *testing.T) {
	for _, tc := range []struct {
		name string
		days int
		note string
		hint string // "" when accepted
	}{
		{"OneDayAccepted", 1, "spam links", ""},
		{"LongestAccepted", forum.MaxSuspensionDays, "repeated abuse", ""},
		{"ZeroDaysRefused", 0, "spam", "days must be"},
		{"NegativeDaysRefused", -3, "spam", "days must be"},
		{"OverLongestRefused", forum.MaxSuspensionDays + 1, "spam", "days must be"},
		{"EmptyNoteRefused", 7, "", "Give the reason"},
		{"BlankNoteRefused", 7, "   \n", "Give the reason"},
		{"NoteWithNULRefused", 7, "spam\x00", "NUL"},
		{"NoteNotUTF8Refused", 7, "\xc3\x28", "UTF-8"},
		{"DaysCheckedBeforeNote", 0, "", "days must be"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := forum.ValidateSuspension(tc.days, tc.note)
			if tc.hint == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantInvalid(t, err, forum.EInvalid, tc.hint)
		})
	}
}

func TestCanDecideOnPostItsAuthorDeleted(t *testing.T) {
	deleted := &forum.Post{ID: 9, AuthorID: author.ID, Status: forum.StatusDeleted, AuthorDeleted: true}
	for _, tc := range []struct {
		name string
		d    forum.Decision
		want error
	}{
		{"DismissingItsFlagsIsAllowed", forum.DecideDismiss, nil},
		{"HidingItIsRefused", forum.DecideHide, forum.ErrDecisionGone},
		{"RemovingItIsRefused", forum.DecideDelete, forum.ErrDecisionGone},
		{"RestoringItIsRefused", forum.DecideRestore, forum.ErrDecisionGone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, forum.CanDecide(moderator, deleted, tc.d, now), tc.want)
		})
	}
	t.Run("EveryOfferedDecisionIsAllowed", func(t *testing.T) {
		for _, st := range []forum.PostStatus{forum.StatusVisible, forum.StatusPending, forum.StatusHidden,
			forum.StatusDeleted, forum.StatusRemoved} {
			p := &forum.Post{AuthorID: author.ID, Status: st}
			for _, d := range forum.DecisionsFor(p, true) {
				if err := forum.CanDecide(moderator, p, d, now); err != nil {
					t.Errorf("%s is offered on a %s post but refused: %v", d, st, err)
				}
			}
		}
	})
}

func TestValidateModNote(t *testing.T) {
	for _, tc := range []struct {
		name string
		note string
		ok   bool
	}{
		{"EmptyIsFine", "", true},
		{"AtTheLimit", strings.Repeat("é", forum.MaxModNote), true},
		{"OverTheLimit", strings.Repeat("a", forum.MaxModNote+1), false},
		{"NUL", "spam\x00", false},
		{"InvalidUTF8", "\xff", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := forum.ValidateModNote(tc.note)
			if (err == nil) != tc.ok || err != nil && forum.ErrorCode(err) != forum.EInvalid {
				t.Fatalf("ValidateModNote(%q…) = %v, want ok=%v", tc.note[:min(len(tc.note), 10)], err, tc.ok)
			}
		})
	}
}
