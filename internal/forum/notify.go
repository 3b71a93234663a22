package forum

import "strings"

// NotifyReason is why someone was notified of a post.
type NotifyReason string

// The reasons, strongest first for a new post: a person gets one notification per post,
// with the first reason that applies.
const (
	ReasonReply    NotifyReason = "reply"    // a reply to their post
	ReasonMention  NotifyReason = "mention"  // @name in the post
	ReasonWatching NotifyReason = "watching" // a new post in a thread they watch
	ReasonCategory NotifyReason = "category" // a new thread in a category they watch
	// Later events about a post, each a notification of its own.
	ReasonModeration NotifyReason = "moderation" // a moderator acted on their post
	ReasonFlag       NotifyReason = "flag"       // a flag they raised was decided
	ReasonInsightful NotifyReason = "insightful" // someone marked their post insightful (one per marker)
)

// PostReasons are the reasons a new post notifies for, strongest first (the store's
// fan-out ranks them in this order).
var PostReasons = []NotifyReason{ReasonReply, ReasonMention, ReasonWatching, ReasonCategory}

// Label is how the notification list words the reason, after the actor's name.
func (r NotifyReason) Label() string {
	switch r {
	case ReasonReply:
		return "replied to your post"
	case ReasonMention:
		return "mentioned you"
	case ReasonWatching:
		return "posted in a thread you watch"
	case ReasonCategory:
		return "started a thread in a category you watch"
	case ReasonModeration:
		return "acted on your post"
	case ReasonFlag:
		return "decided on a post you flagged"
	case ReasonInsightful:
		return "found your post insightful"
	}
	return string(r)
}

// Describe is the notification's line in the list and the private feed.
func (r NotifyReason) Describe(actor, detail string) string {
	switch r {
	case ReasonModeration:
		return "A moderator reviewed your post: " + Decision(detail).Outcome()
	case ReasonFlag:
		return "A post you flagged was reviewed: " + Decision(detail).Outcome()
	}
	return actor + " " + r.Label()
}

// AboutModeration reports whether the notification is about a moderator's decision:
// those reach their recipient whatever the post's status and whoever they muted.
func (r NotifyReason) AboutModeration() bool {
	return r == ReasonModeration || r == ReasonFlag
}

// WatchLevel is a person's interest in a thread.
type WatchLevel string

// Watch levels. WatchNone is the default (no row): replies to you and mentions notify.
const (
	WatchNone  WatchLevel = "none"
	WatchWatch WatchLevel = "watch" // every new post
	WatchTrack WatchLevel = "track" // replies to you and mentions, even in a thread you started
	WatchMute  WatchLevel = "mute"  // nothing from this thread
)

// WatchLevels are the choices a thread page offers, in its order.
var WatchLevels = []WatchLevel{WatchWatch, WatchTrack, WatchNone, WatchMute}

// Label is the level's name on the thread page's select: short, to fit a phone.
func (l WatchLevel) Label() string {
	switch l {
	case WatchWatch:
		return "Watching: every post"
	case WatchTrack:
		return "Tracking: replies to me"
	case WatchNone:
		return "Normal" // as tracking, until you reply (which watches, if the settings say so)
	case WatchMute:
		return "Muted: nothing"
	}
	return string(l)
}

// ParseWatchLevel reads the level form field.
func ParseWatchLevel(s string) (WatchLevel, error) {
	switch l := WatchLevel(strings.TrimSpace(s)); l {
	case WatchWatch, WatchTrack, WatchNone, WatchMute:
		return l, nil
	}
	return "", Errorf(EInvalid, "level must be one of watch, track, none or mute.").T("error.watch_level")
}

// MaxMentions is how many people one post can notify by @name: the first ten distinct
// names that belong to someone. More are still linked, but notify no one.
const MaxMentions = 10

// MentionsToNotify is the part of a post's known mentions, in order of appearance, that
// notify.
func MentionsToNotify(known []string) []string {
	if len(known) > MaxMentions {
		return known[:MaxMentions]
	}
	return known
}

// Candidate is one person a new post might notify, with everything the rule asks.
type Candidate struct {
	IsAuthor        bool       // wrote the post
	RepliedTo       bool       // wrote the post it replies to
	Mentioned       bool       // among MentionsToNotify
	Level           WatchLevel // their level for the thread (WatchNone without a row)
	WatchesCategory bool       // the post opens a thread in a category they watch
	MutedAuthor     bool       // they muted the post's author
}

// NotifyFor is the rule for a new post: the reason it notifies c for, or "" for none.
// Nobody is notified of their own post, by someone they muted, or in a thread they
// muted; otherwise the strongest reason wins, so each person gets one notification.
// The store's fan-out is this rule in one SQL statement; its tests hold the two equal.
func NotifyFor(c Candidate) NotifyReason {
	switch {
	case c.IsAuthor, c.MutedAuthor, c.Level == WatchMute:
		return ""
	case c.RepliedTo:
		return ReasonReply
	case c.Mentioned:
		return ReasonMention
	case c.Level == WatchWatch:
		return ReasonWatching
	case c.WatchesCategory:
		return ReasonCategory
	}
	return ""
}

// NotificationShown is whether a notification appears in its recipient's list, count
// and private feed now: one about a post stays only while the post is visible in a
// listed thread, its author is not muted by the recipient and the thread is not muted;
// one about moderation always stays (its post's text shows only if CanRead allows).
// The store's count is this rule in SQL (sqlShownNotification).
func NotificationShown(r NotifyReason, post PostStatus, threadListed, actorMuted, threadMuted bool) bool {
	if r.AboutModeration() {
		return true
	}
	return post == StatusVisible && threadListed && !actorMuted && !threadMuted
}

// CanMute reports whether u may mute the person named: anyone but themselves. A muted
// moderator's decisions still reach them (NotificationShown).
func CanMute(u *User, target *User) error {
	if u == nil {
		return ErrLoginRequired
	}
	if u.ID == target.ID {
		return Errorf(EInvalid, "You cannot mute yourself.").T("error.mute_self")
	}
	return nil
}
