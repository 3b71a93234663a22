package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/i18n"
	"forum/internal/store"
)

// The notification mail job. Every instance runs one beside its sender: each poll it
// lists the people whose mail is due (forum.MailDue), up to a round's bound, and for each
// one, in one transaction that holds their users row (FOR UPDATE SKIP LOCKED, so two
// instances never mail the same person twice), composes one mail holding their pending
// notifications and queues it in the outbox, which the sender delivers.

// Defaults of NotifierOptions.
const (
	DefaultNotifyUsers = 100 // people mailed per round; a full round is followed at once by another
	excerptRunes       = 200 // a post's excerpt in a notification mail
)

// NotifierOptions configure a Notifier; zero values take the defaults.
type NotifierOptions struct {
	SessionKey []byte        // FORUM_SESSION_KEY: signs the unsubscribe links
	Poll       time.Duration // FORUM_MAIL_POLL
	Batch      time.Duration // FORUM_MAIL_BATCH_INTERVAL
	PerMail    int           // notifications listed in one mail (forum.MaxMailNotifications)
	Users      int           // people mailed in one round (DefaultNotifyUsers)
	Lang       string        // FORUM_DEFAULT_LANG: the mail's language for someone without a setting
	Log        *slog.Logger  // nil: slog.Default()
}

// Notifier queues notification mail; build it with NewNotifier and run it with Run.
type Notifier struct {
	st *store.Store
	c  *Composer
	o  NotifierOptions
}

// NewNotifier fills in o's defaults.
func NewNotifier(st *store.Store, c *Composer, o NotifierOptions) *Notifier {
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.Batch <= 0 {
		o.Batch = forum.DefaultMailBatch
	}
	if o.PerMail <= 0 {
		o.PerMail = forum.MaxMailNotifications
	}
	if o.Users <= 0 {
		o.Users = DefaultNotifyUsers
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Notifier{st: st, c: c, o: o}
}

// Run queues due mail every poll until ctx ends.
func (n *Notifier) Run(ctx context.Context) {
	t := time.NewTicker(n.o.Poll)
	defer t.Stop()
	for {
		for {
			full, err := n.Round(ctx)
			if err != nil && ctx.Err() == nil {
				n.o.Log.Warn("notification mail: round failed; retrying at the next poll", "err", err)
			}
			if !full || err != nil || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round queues the mail of up to Users people due one, and reports whether it found as
// many as that (more may be waiting). One person's failure is logged and the round goes
// on: it must not hold up everyone else's mail.
func (n *Notifier) Round(ctx context.Context) (bool, error) {
	ids, err := n.st.MailDueUsers(ctx, n.o.Batch, n.o.Users)
	if err != nil {
		return false, err
	}
	r := store.MailRound{Batch: n.o.Batch, PerMail: n.o.PerMail, Users: n.o.Users}
	for _, id := range ids {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if _, err := n.st.MailNotifications(ctx, id, r, n.compose); err != nil {
			n.o.Log.Warn("notification mail: not queued", "user_id", id, "err", err)
		}
	}
	return len(ids) == n.o.Users, nil
}

// notifyFields are the notifications and digest templates' fields.
type notifyFields struct {
	Items       []notifyItem
	Count       int    // every pending notification, listed or not
	More        int    // those not listed
	Every       string // the batch interval in words
	Unsubscribe string // the one-click link, absolute
}

// notifyItem is one notification's lines: what happened, where, what it said, the link.
type notifyItem struct {
	Line    string // forum.NotifyReason.Describe, as the site's list says it
	Thread  string // the title as the recipient may see it
	Excerpt string // the post's text, only if the recipient may read it
	Path    string // /p/ID
}

// compose writes b's mail: "notifications" for immediate mail, "digest" for the daily one.
func (n *Notifier) compose(b *store.MailBatch) (store.OutMail, error) {
	lang := b.User.Lang // theirs, else the site's default
	if !i18n.Supported(lang) {
		lang = n.o.Lang
	}
	l := n.c.Localizer(lang)
	f := notifyFields{Count: len(b.Notifications) + b.More, More: b.More, Every: l.Wait(n.o.Batch),
		Unsubscribe: n.c.URL(UnsubscribePath(n.o.SessionKey, b.User.ID))}
	for i := range b.Notifications {
		nt := &b.Notifications[i]
		w := nt.Reason.DescribeWords(nt.ActorName, nt.Detail)
		item := notifyItem{Line: l.Message(w.Key, w.Data, nt.Reason.Describe(nt.ActorName, nt.Detail)),
			Thread: forum.ThreadTitle(&b.User, nt.Thread()), Path: "/p/" + fmt.Sprint(nt.Post.ID)}
		if forum.CanRead(&b.User, &nt.Post) {
			item.Excerpt = feed.Excerpt(nt.BodyHTML, excerptRunes)
		}
		f.Items = append(f.Items, item)
	}
	kind := "notifications"
	if b.Mode == forum.MailDaily {
		kind = "digest"
	}
	m, err := n.c.ComposeIn(l.Lang(), kind, b.User.Username, f)
	if err != nil {
		return store.OutMail{}, err
	}
	return store.OutMail{Kind: kind, Subject: m.Subject, Text: m.Text, HTML: m.HTML, UnsubscribeURL: f.Unsubscribe}, nil
}
