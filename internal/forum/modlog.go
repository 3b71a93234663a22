package forum

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// SuspendReasonLayout is how a suspension's end is written in the log's reason column
// ("until 2026-01-02 15:04 UTC"): the store writes it, LogEntry.Sentence reads it back.
const SuspendReasonLayout = "2006-01-02 15:04 UTC"

// LogSentence is a moderation log entry in words, after the moderator's name:
// Verb, then Object (linked to Href where there is one), then Tail —
// "hid" "a post in “Title”"; "suspended" "troll" " for 7 days".
type LogSentence struct {
	Verb   string
	Object string // what was acted on; "" when the act has no object ("deleted their account")
	Href   string // the post's, thread's or person's page; "" when there is nothing to link
	Tail   string
	// Words is the whole sentence for the catalogs, with {{.Object}} where the target
	// goes, and ObjectWords the target's own (zero: Object as it is, a person's name):
	// the languages put the target in different places ("hid a post in “T”", "“T”의 글 숨김").
	Words, ObjectWords Words
}

// String is the whole sentence, as the feed and the filter's labels read it.
func (s LogSentence) String() string {
	out := s.Verb
	if s.Object != "" {
		out += " " + s.Object
	}
	return out + s.Tail
}

// HiddenThreadTitle stands for a thread's title in the public log when the viewer may not
// read it (ThreadTitle).
const HiddenThreadTitle = "a hidden thread"

// logVerb is the one table of the log's words: each action's verb and the kind of thing it
// acts on ("post", "thread", "user" or "" for none).
func logVerb(a LogAction) (verb, kind string) {
	switch a {
	case LogDismissPost:
		return "dismissed flags on", "post"
	case LogHidePost:
		return "hid", "post"
	case LogRestorePost:
		return "restored", "post"
	case LogDeletePost:
		return "deleted", "post"
	case LogEditPost:
		return "edited", "post"
	case LogLockThread:
		return "locked", "thread"
	case LogUnlockThread:
		return "unlocked", "thread"
	case LogPinThread, LogPinThreadSite:
		return "pinned", "thread"
	case LogUnpinThread:
		return "unpinned", "thread"
	case LogSuspendUser:
		return "suspended", "user"
	case LogDeleteAccount:
		return "deleted their account", ""
	}
	// An action this build does not know (written by a newer one): its own words.
	return strings.ReplaceAll(string(a), "_", " "), ""
}

// logWords is the catalog message of each action's sentence (LogSentence.Words), with
// days for a suspension of a known length; "" for an action this build does not know.
func logWords(a LogAction, days int) Words {
	switch a {
	case LogDismissPost:
		return T("misc.modlog.dismiss_post")
	case LogHidePost:
		return T("misc.modlog.hide_post")
	case LogRestorePost:
		return T("misc.modlog.restore_post")
	case LogDeletePost:
		return T("misc.modlog.delete_post")
	case LogEditPost:
		return T("misc.modlog.edit_post")
	case LogLockThread:
		return T("misc.modlog.lock_thread")
	case LogUnlockThread:
		return T("misc.modlog.unlock_thread")
	case LogPinThread:
		return T("misc.modlog.pin_thread")
	case LogPinThreadSite:
		return T("misc.modlog.pin_thread_site")
	case LogUnpinThread:
		return T("misc.modlog.unpin_thread")
	case LogSuspendUser:
		if days > 0 {
			return T("misc.modlog.suspend_user_days", "Count", days)
		}
		return T("misc.modlog.suspend_user")
	case LogDeleteAccount:
		return T("misc.modlog.delete_account")
	}
	return Words{}
}

// NameWords is Name for the catalogs (the log's filter).
func (a LogAction) NameWords() Words {
	switch a {
	case LogDismissPost:
		return T("misc.modlog.name.dismiss_post")
	case LogHidePost:
		return T("misc.modlog.name.hide_post")
	case LogRestorePost:
		return T("misc.modlog.name.restore_post")
	case LogDeletePost:
		return T("misc.modlog.name.delete_post")
	case LogEditPost:
		return T("misc.modlog.name.edit_post")
	case LogLockThread:
		return T("misc.modlog.name.lock_thread")
	case LogUnlockThread:
		return T("misc.modlog.name.unlock_thread")
	case LogPinThread:
		return T("misc.modlog.name.pin_thread")
	case LogPinThreadSite:
		return T("misc.modlog.name.pin_thread_site")
	case LogUnpinThread:
		return T("misc.modlog.name.unpin_thread")
	case LogSuspendUser:
		return T("misc.modlog.name.suspend_user")
	case LogDeleteAccount:
		return T("misc.modlog.name.delete_account")
	}
	return Words{}
}

// Name is the action as a sentence without its target, as the log's filter offers it:
// "hid a post", "locked a thread", "suspended a user".
func (a LogAction) Name() string {
	verb, kind := logVerb(a)
	if kind == "" {
		return verb
	}
	return verb + " a " + kind + pinTail(a)
}

// Sentence is the entry as u reads it after the moderator's name: the target by its
// thread's title, or HiddenThreadTitle when u may not read that title (ThreadTitle) —
// the log is public. It never holds post content.
func (e *LogEntry) Sentence(u *User) LogSentence {
	verb, kind := logVerb(e.Action)
	s := LogSentence{Verb: verb}
	id := strconv.FormatInt(e.TargetID, 10)
	title := HiddenThreadTitle
	if e.ThreadID != 0 {
		t := &Thread{ID: e.ThreadID, Title: e.ThreadTitle, AuthorID: e.ThreadAuthorID, OpeningStatus: e.ThreadOpening}
		if ThreadTitle(u, t) == t.Title {
			title = "“" + t.Title + "”"
		}
	}
	switch kind {
	case "post":
		s.Href = "/p/" + id
		s.Object = "a post in " + title
		s.ObjectWords = T("misc.modlog.object.post_in", "Title", e.ThreadTitle)
		if title == HiddenThreadTitle {
			s.ObjectWords = T("misc.modlog.object.post_in_hidden")
		}
		if e.ThreadID == 0 {
			s.Object = "a post"
			s.ObjectWords = T("misc.modlog.object.post")
		}
	case "thread":
		s.Href = "/t/" + id
		s.Object = title
		s.ObjectWords = T("misc.modlog.object.thread", "Title", e.ThreadTitle)
		if title == HiddenThreadTitle {
			s.ObjectWords = T("misc.modlog.object.thread_hidden")
		}
		if e.ThreadID == 0 {
			s.Object = "a thread"
			s.ObjectWords = T("misc.modlog.object.thread_unknown")
		}
		s.Tail = pinTail(e.Action)
	case "user":
		s.Object = e.TargetLabel
		if !IsDeletedName(e.TargetLabel) {
			s.Href = "/u/" + e.TargetLabel
		}
		if e.Action == LogSuspendUser {
			switch days := suspendedDays(e); {
			case days == 1:
				s.Tail = " for 1 day"
			case days > 1:
				s.Tail = " for " + strconv.Itoa(days) + " days"
			}
		}
	}
	days := 0
	if e.Action == LogSuspendUser {
		days = suspendedDays(e)
	}
	s.Words = logWords(e.Action, days)
	return s
}

// suspendedDays reads a suspension's length back from its reason ("until ..."): whole
// days from the act to the end, 0 when the reason is not in that form.
func suspendedDays(e *LogEntry) int {
	until, err := time.Parse(SuspendReasonLayout, strings.TrimPrefix(e.Reason, "until "))
	if err != nil {
		return 0
	}
	return int(math.Round(until.Sub(e.CreatedAt).Hours() / 24))
}
