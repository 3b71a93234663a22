package forum

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MaxFlagNote bounds a flag's note.
const MaxFlagNote = 500

// ValidateFlag checks a flag's reason and note.
func ValidateFlag(reason, note string) (FlagReason, error) {
	r := FlagReason(reason)
	ok := false
	for _, known := range FlagReasons {
		ok = ok || known == r
	}
	if !ok {
		return "", FieldErrorf("reason", EInvalid, "Choose a reason: spam, abuse, off_topic, misinformation or other.").T("error.flag_reason")
	}
	if err := ValidText(note, "note"); err != nil {
		return "", inField(err, "note")
	}
	if utf8.RuneCountInString(note) > MaxFlagNote {
		return "", FieldErrorf("note", EInvalid, "Notes can be at most %d characters.", MaxFlagNote).T("error.flag_note_long", "Max", MaxFlagNote)
	}
	if r == ReasonOther && strings.TrimSpace(note) == "" {
		return "", FieldErrorf("note", EInvalid, "Say what is wrong in the note when the reason is “other”.").T("error.flag_note_needed")
	}
	return r, nil
}

// MaxSuspensionDays bounds a suspension.
const MaxSuspensionDays = 3650

// ValidateSuspension checks a suspension's length and note.
func ValidateSuspension(days int, note string) error {
	if days < 1 || days > MaxSuspensionDays {
		return Errorf(EInvalid, "days must be a whole number from 1 to %d.", MaxSuspensionDays).T("error.suspend_days", "Max", MaxSuspensionDays)
	}
	if err := ValidateModNote(note); err != nil {
		return err
	}
	if strings.TrimSpace(note) == "" {
		return Errorf(EInvalid, "Give the reason in the note: the user sees it.").T("error.suspend_note_needed")
	}
	return nil
}

// MaxModNote bounds a moderator's note in the public log, as MaxFlagNote bounds a flag's.
const MaxModNote = 500

// ValidateModNote checks a moderator's note (decisions, thread switches, removals,
// suspensions): text, and at most MaxModNote characters.
func ValidateModNote(note string) error {
	if err := ValidText(note, "note"); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(note); n > MaxModNote {
		return Errorf(EInvalid, "Notes can be at most %d characters; this one has %d.", MaxModNote, n).T("error.mod_note_long", "Max", MaxModNote, "Got", n)
	}
	return nil
}

// Flag is one user's report on a post, as the queue and the flagger see it.
type Flag struct {
	ID         int64      `db:"id" json:"id"`
	PostID     int64      `db:"post_id" json:"post_id"`
	ThreadID   int64      `db:"thread_id" json:"thread_id"`
	Username   string     `db:"username" json:"user"`
	Reason     FlagReason `db:"reason" json:"reason"`
	Note       string     `db:"note" json:"note"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time  `db:"updated_at" json:"updated_at"`
	ResolvedAt *time.Time `db:"resolved_at" json:"resolved_at"`
	Outcome    *Decision  `db:"outcome" json:"outcome"`
}

// QueueItem is one post awaiting review with its open flags and its author's record.
type QueueItem struct {
	Post           Post
	ThreadTitle    string
	Flags          []Flag
	ReasonCounts   map[FlagReason]int
	FlaggedHTML    string // the body as it was when first flagged, when the author edited it since
	FirstFlaggedAt time.Time
	Author         User
	Parent         *Post // for a reply, the post it answers (its BodyHTML cut short); nil for an opening post
}

// LogEntry is one row of the public moderation log.
type LogEntry struct {
	ID          int64     `db:"id"`
	Moderator   string    `db:"moderator"`
	Action      LogAction `db:"action"`
	TargetType  string    `db:"target_type"`
	TargetID    int64     `db:"target_id"`
	TargetLabel string    `db:"target_label"` // a username for user targets; never post content
	// The thread a post or thread target is in (0 when none), for Sentence's title and
	// the rule (ThreadTitle) that decides whether the viewer may read it.
	ThreadID       int64      `db:"thread_id"`
	ThreadTitle    string     `db:"thread_title"`
	ThreadAuthorID int64      `db:"thread_author_id"`
	ThreadOpening  PostStatus `db:"thread_opening"`
	Reason         string     `db:"reason"`
	Note           string     `db:"note"`
	CreatedAt      time.Time  `db:"created_at"`
}
