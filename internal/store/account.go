package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"forum/internal/forum"
)

// The account's own data: its address and the links mailed to confirm it or reset the
// password, its sessions, its bio. An address is read only by the functions here, for
// its owner's settings page and for the mail sent to it; forum.User does not carry it,
// so no page, feed, API answer or log line that shows a user can show it.

// Account is what the settings page shows a person of their own account.
type Account struct {
	Email        string     `db:"email"`         // the confirmed address; "" for none
	PendingEmail string     `db:"pending_email"` // an address whose link is out; "" for none
	PendingUntil *time.Time `db:"pending_until"` // when that link expires
	BioSource    string     `db:"bio_source"`
}

// Account loads userID's own account data.
func (s *Store) Account(ctx context.Context, userID int64) (*Account, error) {
	a := &Account{}
	err := s.db.GetContext(ctx, a, `
		SELECT COALESCE(u.email, '') AS email, u.bio_source,
			COALESCE(t.email, '') AS pending_email, t.expires_at AS pending_until
		FROM users u
		LEFT JOIN LATERAL (
			SELECT email, expires_at FROM email_tokens
			WHERE user_id = u.id AND purpose = 'confirm' AND used_at IS NULL AND expires_at > now()
			ORDER BY created_at DESC LIMIT 1) t ON true
		WHERE u.id = $1`, userID)
	if err != nil {
		return nil, fmt.Errorf("account of user %d: %w", userID, notFound(err, "User"))
	}
	return a, nil
}

// EmailChange is a request to use an address: the token and mail for when the address
// is free, and the mail for when another account has it. Both mails are composed before
// the store decides, so the asker's answer is the same either way.
type EmailChange struct {
	UserID    int64 // 0 at registration: the new account's
	Email     string
	TokenHash []byte // secret.Hash of the token in Confirm's link
	ExpiresAt time.Time
	Confirm   OutMail // the link, to Email
	InUse     OutMail // to Email when another account has it: no link, only where to go
}

// RequestEmailChange writes the confirmation link and its mail in one transaction; when
// another account has the address, the mail tells that address so instead of carrying
// the link. Links sent earlier for other addresses stop working: the latest request is
// the one meant.
func (s *Store) RequestEmailChange(ctx context.Context, ch EmailChange) error {
	return s.inTx(ctx, func(tx *sqlxTx) error { return requestEmailChange(ctx, tx, ch) })
}

func requestEmailChange(ctx context.Context, tx *sqlxTx, ch EmailChange) error {
	if _, err := tx.ExecContext(ctx, `
		UPDATE email_tokens SET used_at = now()
		WHERE user_id = $1 AND purpose = 'confirm' AND used_at IS NULL`, ch.UserID); err != nil {
		return fmt.Errorf("retire earlier confirmation links of user %d: %w", ch.UserID, err)
	}
	var taken bool
	if err := tx.GetContext(ctx, &taken, `
		SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $2)`,
		ch.Email, ch.UserID); err != nil {
		return fmt.Errorf("look up an address for user %d: %w", ch.UserID, err)
	}
	// The token is written either way, so the asker's settings page shows the same
	// pending address, and the work is the same; when the address is taken its link is
	// never sent, so it can never be used.
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO email_tokens (hash, user_id, purpose, email, expires_at) VALUES ($1, $2, 'confirm', $3, $4)`,
		ch.TokenHash, ch.UserID, ch.Email, ch.ExpiresAt); err != nil {
		return fmt.Errorf("write confirmation link of user %d: %w", ch.UserID, err)
	}
	m := ch.Confirm
	if taken {
		m = ch.InUse
	}
	m.UserID, m.To = ch.UserID, ch.Email
	return enqueueMail(ctx, tx, m)
}

// CreateUserWithEmail is CreateUser with an address to confirm: the account, its link
// and the mail are one transaction. The address is the account's only once confirmed.
func (s *Store) CreateUserWithEmail(ctx context.Context, username, passwordHash string, role forum.Role, ch EmailChange) (*forum.User, error) {
	var u *forum.User
	err := s.inTx(ctx, func(tx *sqlxTx) error {
		var err error
		if u, err = insertUser(ctx, tx, username, passwordHash, role); err != nil {
			return err
		}
		ch.UserID = u.ID
		return requestEmailChange(ctx, tx, ch)
	})
	if isUniqueViolation(err) {
		return nil, s.nameConflict(ctx, username, forum.Skeleton(username))
	}
	if err != nil {
		return nil, fmt.Errorf("create user %q: %w", username, err)
	}
	return u, nil
}

// EmailToken loads the link hashed, of purpose, with its owner's name; not found when no
// such link was made (or its account is gone). Whether it still works is the caller's
// question (forum.EmailToken.Usable).
func (s *Store) EmailToken(ctx context.Context, hash []byte, purpose string) (*forum.EmailToken, error) {
	t := &forum.EmailToken{}
	err := s.db.GetContext(ctx, t, `
		SELECT t.user_id, u.username, u.lang, t.purpose, t.email, t.expires_at, t.used_at
		FROM email_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND t.purpose = $2 AND u.deleted_at IS NULL`, hash, purpose)
	if isNoRows(err) {
		return nil, forum.UnknownToken(purpose)
	}
	if err != nil {
		return nil, fmt.Errorf("load %s link: %w", purpose, err)
	}
	return t, nil
}

// lockToken loads a link FOR UPDATE and checks it may be used now: two clicks at once
// use it once.
func lockToken(ctx context.Context, tx *sqlxTx, hash []byte, purpose string) (*forum.EmailToken, error) {
	t := &forum.EmailToken{}
	err := tx.GetContext(ctx, t, `
		SELECT t.user_id, u.username, u.lang, t.purpose, t.email, t.expires_at, t.used_at
		FROM email_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1 AND t.purpose = $2 AND u.deleted_at IS NULL
		FOR UPDATE OF t, u`, hash, purpose)
	if isNoRows(err) {
		return nil, forum.UnknownToken(purpose)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s link: %w", purpose, err)
	}
	var now time.Time
	if err := tx.GetContext(ctx, &now, `SELECT now()`); err != nil {
		return nil, fmt.Errorf("read the clock: %w", err)
	}
	if err := t.Usable(now); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE email_tokens SET used_at = now() WHERE hash = $1`, hash); err != nil {
		return nil, fmt.Errorf("use %s link: %w", purpose, err)
	}
	return t, nil
}

// ConfirmEmail uses a confirmation link: the address becomes the account's, and the
// address it replaces (if any, and different) gets notice, in the same transaction. An
// address another account confirmed meanwhile is forum.ErrEmailTaken and changes
// nothing.
func (s *Store) ConfirmEmail(ctx context.Context, hash []byte, notice OutMail) (*forum.EmailToken, error) {
	var t *forum.EmailToken
	err := s.inTx(ctx, func(tx *sqlxTx) error {
		var err error
		if t, err = lockToken(ctx, tx, hash, forum.TokenConfirm); err != nil {
			return err
		}
		var old string
		if err := tx.GetContext(ctx, &old, `SELECT COALESCE(email, '') FROM users WHERE id = $1`, t.UserID); err != nil {
			return fmt.Errorf("address of user %d: %w", t.UserID, err)
		}
		// Mail starts from now: a first address does not bring a mail of every notification
		// the account ever left unread.
		if _, err := tx.ExecContext(ctx, `UPDATE users SET email = $2,
				mail_through = GREATEST(mail_through, (SELECT COALESCE(max(id), 0) FROM notifications WHERE user_id = $1))
			WHERE id = $1`, t.UserID, t.Email); err != nil {
			if isUniqueViolation(err) {
				return forum.ErrEmailTaken
			}
			return fmt.Errorf("set address of user %d: %w", t.UserID, err)
		}
		if old == "" || forum.SameEmail(old, t.Email) {
			return nil
		}
		notice.UserID, notice.To = t.UserID, old
		return enqueueMail(ctx, tx, notice)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ResetTarget is the account a password reset names, and where its mail would go.
type ResetTarget struct {
	UserID   int64  `db:"id"`
	Username string `db:"username"`
	Email    string `db:"email"` // "" when the account has no confirmed address
	Lang     string `db:"lang"`  // their interface language, for the mail ("" none)
}

// ResetTargetByName finds the account called username; ResetTargetByEmail the account
// whose confirmed address is email, whatever its case. Not found for none.
func (s *Store) ResetTargetByName(ctx context.Context, username string) (*ResetTarget, error) {
	return s.resetTarget(ctx, `u.username = $1`, username)
}

// ResetTargetByEmail: see ResetTargetByName.
func (s *Store) ResetTargetByEmail(ctx context.Context, email string) (*ResetTarget, error) {
	return s.resetTarget(ctx, `lower(u.email) = lower($1)`, email)
}

func (s *Store) resetTarget(ctx context.Context, where, arg string) (*ResetTarget, error) {
	r := &ResetTarget{}
	err := s.db.GetContext(ctx, r, `
		SELECT u.id, u.username, COALESCE(u.email, '') AS email, u.lang FROM users u
		WHERE `+where+` AND u.deleted_at IS NULL`, arg)
	if err != nil {
		return nil, notFound(err, "Account")
	}
	return r, nil
}

// RequestPasswordReset writes a reset link and its mail (to m.To) in one transaction.
// With send false it runs the same statements and rolls them back, so a reset asked for
// an unknown account, one without an address or one past its limit costs the database
// what a real one does, and the answer's timing tells nothing.
func (s *Store) RequestPasswordReset(ctx context.Context, userID int64, hash []byte, expires time.Time, m OutMail, send bool) error {
	err := s.inTx(ctx, func(tx *sqlxTx) error {
		// The link is written only when sent (a dry run has no account to own it); the
		// statement still runs.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO email_tokens (hash, user_id, purpose, email, expires_at)
			SELECT $1, $2, 'reset', $3, $4 WHERE $5`,
			hash, userID, m.To, expires, send); err != nil {
			return fmt.Errorf("write reset link of user %d: %w", userID, err)
		}
		m.UserID = userID
		if err := enqueueMail(ctx, tx, m); err != nil {
			return err
		}
		if !send {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// errDryRun rolls back a transaction run only for its cost.
var errDryRun = errors.New("dry run")

// ResetPassword uses a reset link: the password becomes passwordHash, every reset link
// of the account stops working, and every session of the account is revoked, in one
// transaction. It returns the link (whose account it was).
func (s *Store) ResetPassword(ctx context.Context, hash []byte, passwordHash string) (*forum.EmailToken, error) {
	var t *forum.EmailToken
	err := s.inTx(ctx, func(tx *sqlxTx) error {
		var err error
		if t, err = lockToken(ctx, tx, hash, forum.TokenReset); err != nil {
			return err
		}
		return setPassword(ctx, tx, t.UserID, passwordHash, nil)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ChangePassword replaces userID's password hash, provided it is still oldHash (the one
// the current password was checked against: a change made meanwhile elsewhere wins),
// and revokes every session of the account but keepSession's.
func (s *Store) ChangePassword(ctx context.Context, userID int64, oldHash, newHash string, keepSession []byte) error {
	return s.inTx(ctx, func(tx *sqlxTx) error {
		var current string
		if err := tx.GetContext(ctx, &current, `SELECT password_hash FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return fmt.Errorf("lock user %d: %w", userID, notFound(err, "User"))
		}
		if current != oldHash {
			return forum.Errorf(forum.EConflict, "Your password was changed from another session just now. Nothing was changed here: reload the page and try again.").T("error.password_changed_elsewhere")
		}
		return setPassword(ctx, tx, userID, newHash, keepSession)
	})
}

// setPassword writes a password hash, retires the account's outstanding reset links (the
// password they would replace is gone) and revokes its sessions but keep's (nil: all).
func setPassword(ctx context.Context, tx *sqlxTx, userID int64, hash string, keep []byte) error {
	if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2 WHERE id = $1`, userID, hash); err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = 'reset' AND used_at IS NULL`, userID); err != nil {
		return fmt.Errorf("retire reset links of user %d: %w", userID, err)
	}
	var except any // NULL: revoke all
	if keep != nil {
		except = keep
	}
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR id_hash <> $2)`, userID, except); err != nil {
		return fmt.Errorf("revoke sessions of user %d: %w", userID, err)
	}
	return nil
}

// SessionInfo is one of a person's sessions as their settings page lists it. PublicID
// names it in the page's forms: the first 8 bytes of the SHA-256 of the id's hash, so
// neither the cookie's id nor the key the database keeps ever appears in a page.
type SessionInfo struct {
	PublicID  string    `db:"public_id"` // 16 hex digits
	UserAgent string    `db:"user_agent"`
	IP        string    `db:"ip"`
	CreatedAt time.Time `db:"created_at"`
	LastSeen  time.Time `db:"last_seen_at"`
	Current   bool      `db:"current"` // the session asking
}

// sqlSessionPublicID is SessionInfo.PublicID in SQL, over sessions s.
const sqlSessionPublicID = `substring(sha256(s.id_hash) from 1 for 8)`

// Sessions lists userID's live sessions, the most recently seen first, at most limit;
// current marks the asking session's.
func (s *Store) Sessions(ctx context.Context, userID int64, current []byte, limit int) ([]SessionInfo, error) {
	var out []SessionInfo
	err := s.db.SelectContext(ctx, &out, `
		SELECT encode(`+sqlSessionPublicID+`, 'hex') AS public_id, s.user_agent, s.ip, s.created_at,
			s.last_seen_at, COALESCE(s.id_hash = $2, false) AS current
		FROM sessions s WHERE s.user_id = $1 AND s.expires_at > now()
		ORDER BY s.last_seen_at DESC, s.created_at DESC LIMIT $3`, userID, current, limit)
	if err != nil {
		return nil, fmt.Errorf("sessions of user %d: %w", userID, err)
	}
	return out, nil
}

// RevokeSession signs out userID's session named by publicID (8 bytes); not found when
// userID has no such session.
func (s *Store) RevokeSession(ctx context.Context, userID int64, publicID []byte) error {
	res, err := s.db.ExecContext(ctx, `
		DELETE FROM sessions s WHERE s.user_id = $1 AND `+sqlSessionPublicID+` = $2`, userID, publicID)
	if err != nil {
		return fmt.Errorf("revoke a session of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.Errorf(forum.ENotFound, "That session has already ended.").T("error.session_ended")
	}
	return nil
}

// RevokeOtherSessions signs out every session of userID but keep, and says how many.
func (s *Store) RevokeOtherSessions(ctx context.Context, userID int64, keep []byte) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2`, userID, keep)
	if err != nil {
		return 0, fmt.Errorf("revoke other sessions of user %d: %w", userID, err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// TouchSession records that a session was just used, from ip with userAgent.
func (s *Store) TouchSession(ctx context.Context, idHash []byte, ip, userAgent string) error {
	if _, err := s.db.ExecContext(ctx, `
		UPDATE sessions SET last_seen_at = now(), ip = $2, user_agent = $3 WHERE id_hash = $1`,
		idHash, ip, userAgent); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// SetBio stores userID's bio: its Markdown source and the sanitised HTML rendered from it.
func (s *Store) SetBio(ctx context.Context, userID int64, source, html string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE users SET bio_source = $2, bio_html = $3 WHERE id = $1`, userID, source, html)
	if err != nil {
		return fmt.Errorf("set bio of user %d: %w", userID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return forum.Errorf(forum.ENotFound, "User not found.").T("error.not_found.user")
	}
	return nil
}

// UserBio is userID's rendered bio ("" for none).
func (s *Store) UserBio(ctx context.Context, userID int64) (string, error) {
	var html string
	if err := s.db.GetContext(ctx, &html, `SELECT bio_html FROM users WHERE id = $1`, userID); err != nil {
		return "", fmt.Errorf("bio of user %d: %w", userID, notFound(err, "User"))
	}
	return html, nil
}
