package store

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"
)

// The sender's side of the outbox (outbox.go is the writers' side). Every instance runs a
// sender; a row is claimed for a lease with FOR UPDATE SKIP LOCKED, so two senders never
// hold the same row, and another sender picks a row up again only when its lease has run
// out (the holder crashed or lost its database). attempts, bumped by each claim, names
// the claim: the marks below that change a row's schedule apply only while the row is
// still the caller's claim.

// QueuedMail is a claimed outbox row.
type QueuedMail struct {
	ID             int64     `db:"id"`
	Kind           string    `db:"kind"`
	To             string    `db:"to_addr"`
	Subject        string    `db:"subject"`
	Text           string    `db:"text_body"`
	HTML           string    `db:"html_body"`
	UnsubscribeURL string    `db:"unsubscribe_url"`
	CreatedAt      time.Time `db:"created_at"`
	Attempt        int       `db:"attempts"` // this claim's attempt, from 1
}

// GaveUpMail is a row marked failed because its give_up_at passed before it was sent.
type GaveUpMail struct {
	ID       int64  `db:"id"`
	Kind     string `db:"kind"`
	Attempts int    `db:"attempts"`
	Reason   string `db:"last_error"`
}

// maxMailError bounds the stored reason of a failure.
const maxMailError = 500

// ClaimMail takes up to limit due rows for lease: until then no other sender takes them.
func (s *Store) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]QueuedMail, error) {
	var out []QueuedMail
	// One statement is one short transaction: the row locks are held only while the
	// lease is written.
	err := s.db.SelectContext(ctx, &out, `
		WITH due AS (
			SELECT id FROM mail_outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now() AND give_up_at > now()
			ORDER BY next_attempt_at, id
			LIMIT $1
			FOR UPDATE SKIP LOCKED)
		UPDATE mail_outbox m SET next_attempt_at = now() + $2 * interval '1 millisecond', attempts = m.attempts + 1
		FROM due WHERE m.id = due.id
		RETURNING m.id, m.kind, m.to_addr, m.subject, m.text_body, m.html_body, m.unsubscribe_url, m.created_at, m.attempts`,
		limit, lease.Milliseconds())
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	return out, nil
}

// GiveUpMail marks failed, with the reason, up to limit unsent rows whose give_up_at has
// passed: they are never sent.
func (s *Store) GiveUpMail(ctx context.Context, limit int) ([]GaveUpMail, error) {
	var out []GaveUpMail
	err := s.db.SelectContext(ctx, &out, `
		WITH due AS (
			SELECT id FROM mail_outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now() AND give_up_at <= now()
			LIMIT $1
			FOR UPDATE SKIP LOCKED)
		UPDATE mail_outbox m SET failed_at = now(), last_error = left(CASE
				WHEN m.attempts = 0 THEN 'not sent before give_up_at: no attempt was made'
				ELSE 'not sent before give_up_at after ' || m.attempts || ' attempt(s); last error: ' || m.last_error
			END, $2)
		FROM due WHERE m.id = due.id
		RETURNING m.id, m.kind, m.attempts, m.last_error`, limit, maxMailError)
	if err != nil {
		return nil, fmt.Errorf("give up mail: %w", err)
	}
	return out, nil
}

// MarkMailSent records that the mail server accepted the row's mail.
func (s *Store) MarkMailSent(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, `
		UPDATE mail_outbox SET sent_at = now(), last_error = '' WHERE id = $1 AND sent_at IS NULL`, id); err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, err)
	}
	return nil
}

// RetryMail records a temporary failure of the claim attempt and schedules the next try
// after wait; when that is past the row's give_up_at the row is marked failed instead.
// It reports whether the row failed for good.
func (s *Store) RetryMail(ctx context.Context, id int64, attempt int, reason string, wait time.Duration) (bool, error) {
	var failed []bool
	err := s.db.SelectContext(ctx, &failed, `
		UPDATE mail_outbox SET
			next_attempt_at = now() + $4 * interval '1 millisecond',
			last_error = CASE WHEN now() + $4 * interval '1 millisecond' >= give_up_at
				THEN left('gave up after ' || attempts || ' attempt(s): ' || $3, $5) ELSE $3 END,
			failed_at = CASE WHEN now() + $4 * interval '1 millisecond' >= give_up_at THEN now() END
		WHERE id = $1 AND attempts = $2 AND sent_at IS NULL AND failed_at IS NULL
		RETURNING failed_at IS NOT NULL`, id, attempt, clip(reason), wait.Milliseconds(), maxMailError)
	if err != nil {
		return false, fmt.Errorf("reschedule mail %d: %w", id, err)
	}
	return len(failed) == 1 && failed[0], nil
}

// FailMail marks the row failed for good (the mail server refused it permanently).
func (s *Store) FailMail(ctx context.Context, id int64, attempt int, reason string) error {
	if _, err := s.db.ExecContext(ctx, `
		UPDATE mail_outbox SET failed_at = now(), last_error = $3
		WHERE id = $1 AND attempts = $2 AND sent_at IS NULL AND failed_at IS NULL`, id, attempt, clip(reason)); err != nil {
		return fmt.Errorf("mark mail %d failed: %w", id, err)
	}
	return nil
}

// ReleaseMail hands back a claimed row that was not tried (the sender is stopping or its
// lease is running out), so any sender takes it at once, without counting an attempt.
func (s *Store) ReleaseMail(ctx context.Context, id int64, attempt int) error {
	if _, err := s.db.ExecContext(ctx, `
		UPDATE mail_outbox SET next_attempt_at = now(), attempts = attempts - 1
		WHERE id = $1 AND attempts = $2 AND sent_at IS NULL AND failed_at IS NULL`, id, attempt); err != nil {
		return fmt.Errorf("release mail %d: %w", id, err)
	}
	return nil
}

// clip bounds a failure's reason, cutting at a character boundary.
func clip(s string) string {
	if len(s) <= maxMailError {
		return s
	}
	s = s[:maxMailError]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
