package forum

import (
	"strings"
	"time"
	"unicode/utf8"
)

// FlagReasons are the reasons a post may be flagged for.
var FlagReasons = []string{"spam", "abuse", "off_topic", "misinformation", "other"}

// MaxFlagNote bounds a flag's note.
const MaxFlagNote = 500

// ValidateFlag checks a flag's reason and note.
func ValidateFlag(reason, note string) error {
	ok := false
	for _, r := range FlagReasons {
		ok = ok || r == reason
	}
	if !ok {
		return Errorf(EInvalid, "Choose a reason: spam, abuse, off_topic, misinformation or other.")
	}
	if err := cleanText(note, "note"); err != nil {
		return err
	}
	if utf8.RuneCountInString(note) > MaxFlagNote {
		return Errorf(EInvalid, "Notes can be at most %d characters.", MaxFlagNote)
	}
	if reason == "other" && strings.TrimSpace(note) == "" {
		return Errorf(EInvalid, "Say what is wrong in the note when the reason is “other”.")
	}
	return nil
}

// Decisions a moderator may take on a post.
const (
	DecideDismiss = "dismiss"
	DecideHide    = "hide"
	DecideRestore = "restore"
	DecideDelete  = "delete"
)

// ValidateDecision checks a decision's action.
func ValidateDecision(action string) error {
	switch action {
	case DecideDismiss, DecideHide, DecideRestore, DecideDelete:
		return nil
	}
	return Errorf(EInvalid, "Action must be dismiss, hide, restore or delete.")
}

// StatusAfter is a post's status after a decision.
func StatusAfter(action, current string) string {
	switch action {
	case DecideHide:
		return StatusHidden
	case DecideRestore:
		return StatusVisible
	case DecideDelete:
		return StatusRemoved
	}
	// Dismissing unfounded flags makes an auto-hidden post visible again.
	if current == StatusPending {
		return StatusVisible
	}
	return current
}

// Flag is one user's report on a post, as the queue and the flagger see it.
type Flag struct {
	ID         int64      `db:"id" json:"id"`
	PostID     int64      `db:"post_id" json:"post_id"`
	ThreadID   int64      `db:"thread_id" json:"thread_id"`
	Username   string     `db:"username" json:"user"`
	Reason     string     `db:"reason" json:"reason"`
	Note       string     `db:"note" json:"note"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt  time.Time  `db:"updated_at" json:"updated_at"`
	ResolvedAt *time.Time `db:"resolved_at" json:"resolved_at"`
	Outcome    *string    `db:"outcome" json:"outcome"`
}

// QueueItem is one post awaiting review with its open flags and its author's record.
type QueueItem struct {
	Post           Post
	ThreadTitle    string
	Flags          []Flag
	ReasonCounts   map[string]int
	FirstFlaggedAt time.Time
	Author         User
}

// LogEntry is one row of the public moderation log.
type LogEntry struct {
	ID          int64     `db:"id"`
	Moderator   string    `db:"moderator"`
	Action      string    `db:"action"`
	TargetType  string    `db:"target_type"`
	TargetID    int64     `db:"target_id"`
	TargetLabel string    `db:"target_label"` // a username for user targets; never post content
	Reason      string    `db:"reason"`
	Note        string    `db:"note"`
	CreatedAt   time.Time `db:"created_at"`
}
