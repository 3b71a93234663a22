package store

import (
	"context"
	"fmt"
)

// OutMail is a composed mail about to go into the outbox.
type OutMail struct {
	UserID         int64 // the account it is about; 0 for none
	Kind           string
	To             string
	Subject        string
	Text           string
	HTML           string
	UnsubscribeURL string // List-Unsubscribe (one click, RFC 8058); "" for account mail
}

// enqueueMail writes a mail into the outbox inside the transaction of the event that
// causes it: the mail goes out exactly when the event commits.
func enqueueMail(ctx context.Context, tx *sqlxTx, m OutMail) error {
	var user any
	if m.UserID != 0 {
		user = m.UserID
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO mail_outbox (user_id, kind, to_addr, subject, text_body, html_body, unsubscribe_url)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, user, m.Kind, m.To, m.Subject, m.Text, m.HTML, m.UnsubscribeURL); err != nil {
		return fmt.Errorf("queue %s mail: %w", m.Kind, err)
	}
	return nil
}

// EnqueueMail writes a mail into the outbox on its own.
func (s *Store) EnqueueMail(ctx context.Context, m OutMail) error {
	return s.inTx(ctx, func(tx *sqlxTx) error { return enqueueMail(ctx, tx, m) })
}
