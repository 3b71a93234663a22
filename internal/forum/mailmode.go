package forum

import (
	"strings"
	"time"
)

// MailMode is how a person's notifications reach them by mail, once their account has a
// confirmed address.
type MailMode string

// The modes (users.mail_mode). Immediate is the default.
const (
	MailImmediate MailMode = "immediate" // batched: at most one mail per MailBatch
	MailDaily     MailMode = "daily"     // one digest a day
	MailNone      MailMode = "none"      // no notification mail at all
)

// MailModes are the choices the settings page offers, in its order.
var MailModes = []MailMode{MailImmediate, MailDaily, MailNone}

// Label is the mode's name on the settings page.
func (m MailMode) Label() string {
	switch m {
	case MailImmediate:
		return "Soon after they happen (at most one mail every few minutes)"
	case MailDaily:
		return "A daily digest"
	case MailNone:
		return "Never"
	}
	return string(m)
}

// ParseMailMode reads the mail_mode form field.
func ParseMailMode(s string) (MailMode, error) {
	switch m := MailMode(strings.TrimSpace(s)); m {
	case MailImmediate, MailDaily, MailNone:
		return m, nil
	}
	return "", Errorf(EInvalid, "mail_mode must be one of immediate, daily or none.").T("error.mail_mode")
}

// MailedReasons are the notifications that go out by mail: what was written to you (a
// reply, a mention) and moderators' decisions about your posts and flags. New posts in
// watched threads and categories stay on the site, in the header's count and the private
// feed: a busy watched thread would otherwise fill a mailbox.
var MailedReasons = []NotifyReason{ReasonReply, ReasonMention, ReasonModeration, ReasonFlag}

// DefaultMailBatch is the least time between two immediate mails to one person
// (FORUM_MAIL_BATCH_INTERVAL): what arrives in between waits and goes in one mail.
const DefaultMailBatch = 10 * time.Minute

// DigestPeriod is the daily digest's: it goes once the oldest notification it holds is
// this old, so it holds a day's notifications and none waits longer.
const DigestPeriod = 24 * time.Hour

// MaxMailNotifications bounds the notifications one mail lists; the rest are counted
// and linked ("and 37 more").
const MaxMailNotifications = 50

// MailState is what the mail rule asks of one person: their mode, when their last
// notification mail went, and the oldest of their pending notifications (unread, shown
// and newer than the last mail; nil when there are none).
type MailState struct {
	Mode          MailMode
	HasAddress    bool // a confirmed address, on an account that is not deleted
	LastSent      *time.Time
	OldestPending *time.Time
}

// MailDue is the rule for a notification mail at now: something to tell, an address to
// tell it to, and then by mode — immediate once batch has passed since the last mail,
// daily once the oldest pending notification is DigestPeriod old. The store's claim is
// this rule in SQL (sqlMailDue); its tests hold the two equal.
func MailDue(s MailState, batch time.Duration, now time.Time) bool {
	if !s.HasAddress || s.OldestPending == nil {
		return false
	}
	switch s.Mode {
	case MailImmediate:
		return s.LastSent == nil || !s.LastSent.After(now.Add(-batch))
	case MailDaily:
		return !s.OldestPending.After(now.Add(-DigestPeriod))
	}
	return false
}
