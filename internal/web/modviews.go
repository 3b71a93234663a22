package web

import (
	"forum/internal/feed"
	"forum/internal/forum"
	"forum/internal/i18n"
)

// queueCard is one flagged post as the queue shows it: the item, the decisions that
// apply to its state split into the ordinary ones and the destructive ones (set apart),
// and its parent's excerpt for context.
type queueCard struct {
	forum.QueueItem
	Actions     []forum.Decision
	Destructive []forum.Decision
	Parent      *queueParent
	Long        bool // the body may pass the card's height cap: offer "Show all"
}

// longBodyBytes is the stored HTML beyond which a queued body may pass the card's cap
// (12rem, about eight lines): a shorter one is shown whole, without "Show all".
const longBodyBytes = 600

// queueParent is a queued reply's parent as one short line: its excerpt when the viewer
// may read it (forum.CanRead; moderators may), its placeholder otherwise.
type queueParent struct {
	ID          int64
	AuthorName  string
	Excerpt     string
	Placeholder string // the status's placeholder when the excerpt is withheld
	Status      forum.PostStatus
}

// parentExcerptRunes bounds the parent's excerpt: one or two lines of context.
const parentExcerptRunes = 160

func queueCards(u *forum.User, items []forum.QueueItem) []queueCard {
	cards := make([]queueCard, len(items))
	for i := range items {
		c := queueCard{QueueItem: items[i]}
		c.Long = len(c.Post.BodyHTML) > longBodyBytes || c.FlaggedHTML != ""
		// Every card has open flags: that is what puts a post in the queue.
		for _, d := range forum.DecisionsFor(&c.Post, true) {
			if d.Destructive() {
				c.Destructive = append(c.Destructive, d)
			} else {
				c.Actions = append(c.Actions, d)
			}
		}
		if p := c.QueueItem.Parent; p != nil {
			qp := &queueParent{ID: p.ID, AuthorName: p.AuthorName, Status: p.Status}
			if forum.CanRead(u, p) {
				qp.Excerpt = feed.Excerpt(p.BodyHTML, parentExcerptRunes)
			} else {
				qp.AuthorName, qp.Placeholder = "", p.Status.Placeholder()
			}
			c.Parent = qp
		}
		cards[i] = c
	}
	return cards
}

// logLine is one moderation log entry with its sentence as the viewer reads it: Words
// in English parts (Verb, Object, Tail), Said in the request's language (logSaid).
type logLine struct {
	forum.LogEntry
	Words forum.LogSentence
	Said  logSaid
}

func logLines(l *i18n.Localizer, u *forum.User, entries []forum.LogEntry) []logLine {
	out := make([]logLine, len(entries))
	for i := range entries {
		w := entries[i].Sentence(u)
		out[i] = logLine{LogEntry: entries[i], Words: w, Said: sayLog(l, w)}
	}
	return out
}

// flagForm is the flag form's state: empty inline under a post, the user's choice and
// note with the message beside the field it concerns when it comes back refused.
type flagForm struct {
	PostID int64
	CSRF   string
	Reason forum.FlagReason
	Note   string
	Error  string
	Field  string // forum.Error.Field: "reason" or "note", where Error is shown
}

// newFlagForm is the empty inline form under post id (the "flagform" template).
func newFlagForm(id int64, csrf string) flagForm { return flagForm{PostID: id, CSRF: csrf} }
