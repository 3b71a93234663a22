// Package session is a gorilla/sessions Store kept in PostgreSQL. The cookie carries only
// a signed random id; the data lives in the sessions table, so logging out or suspending
// a user revokes the session on every instance at once.
package session

import (
	"bytes"
	"context"
	"encoding/gob"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"forum/internal/forum"
	"forum/internal/secret"
	"forum/internal/store"
)

// CookieName is the session cookie's name.
const CookieName = "forum_session"

// MaxAge is how long a session lasts.
const MaxAge = 30 * 24 * time.Hour

// userIDKey holds the owner's id in Values; userKey holds the loaded *forum.User for
// this request only (never persisted).
type ctxKey int

const (
	userIDKey ctxKey = iota
	userKey
	seenKey // the session's Seen, as loaded (never persisted)
)

func init() {
	gob.Register(ctxKey(0))
}

// Store implements sessions.Store on the forum's database.
type Store struct {
	db     *store.Store
	codec  securecookie.Codec
	secure bool
}

// NewStore builds the store; key signs the cookie, secure sets the Secure attribute.
func NewStore(db *store.Store, key []byte, secure bool) *Store {
	codec := securecookie.New(key, nil)
	codec.MaxAge(int(MaxAge.Seconds()))
	return &Store{db: db, codec: codec, secure: secure}
}

func (s *Store) options() *sessions.Options {
	return &sessions.Options{
		Path: "/", MaxAge: int(MaxAge.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	}
}

// Get returns the request's session, cached per request by gorilla's registry.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the cookie, or returns a fresh one. A missing, forged,
// expired or revoked cookie yields a fresh session and no error: the visitor is simply
// logged out.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	sess.Options = s.options()
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	var id string
	if err := s.codec.Decode(name, c.Value, &id); err != nil {
		return sess, nil
	}
	row, user, err := s.db.SessionWithUser(r.Context(), hashID(id))
	if errors.Is(err, forum.ErrNotFound) {
		return sess, nil
	}
	if err != nil {
		return sess, fmt.Errorf("load session: %w", err)
	}
	if len(row.Data) > 0 {
		if err := gob.NewDecoder(bytes.NewReader(row.Data)).Decode(&sess.Values); err != nil {
			return sess, nil
		}
	}
	sess.ID = id
	sess.IsNew = false
	sess.Values[userIDKey] = user.ID
	sess.Values[userKey] = user
	sess.Values[seenKey] = Seen{At: row.LastSeen, IP: row.IP, UserAgent: row.UserAgent}
	return sess, nil
}

// Save writes the session. A session with no user is not stored (visitors cost nothing);
// MaxAge < 0 deletes it and clears the cookie.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	userID, _ := sess.Values[userIDKey].(int64)
	if sess.Options.MaxAge < 0 || userID == 0 {
		if sess.ID != "" {
			if err := s.db.DeleteSession(ctx, hashID(sess.ID)); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", &sessions.Options{
			Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode}))
		return nil
	}
	if sess.ID == "" {
		sess.ID = newID()
	}
	data, err := encodeValues(sess.Values)
	if err != nil {
		return err
	}
	if err := s.db.SaveSession(ctx, store.SessionRow{
		IDHash: hashID(sess.ID), UserID: userID, Data: data,
		ExpiresAt: time.Now().Add(MaxAge),
	}); err != nil {
		return err
	}
	encoded, err := s.codec.Encode(sess.Name(), sess.ID)
	if err != nil {
		return fmt.Errorf("encode session cookie: %w", err)
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}

// Login binds sess to user under a brand-new id (rotation defeats session fixation) and
// revokes the id it had before.
func (s *Store) Login(r *http.Request, w http.ResponseWriter, sess *sessions.Session, user *forum.User) error {
	if sess.ID != "" {
		if err := s.db.DeleteSession(r.Context(), hashID(sess.ID)); err != nil {
			return err
		}
	}
	sess.ID = ""
	sess.Values = map[any]any{userIDKey: user.ID, userKey: user}
	sess.Options = s.options()
	return s.Save(r, w, sess)
}

// Logout revokes the session everywhere.
func (s *Store) Logout(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	sess.Options.MaxAge = -1
	return s.Save(r, w, sess)
}

// User returns the logged-in user of sess, or nil.
func User(sess *sessions.Session) *forum.User {
	if sess == nil {
		return nil
	}
	u, _ := sess.Values[userKey].(*forum.User)
	return u
}

// Seen is where and when a session was last used, as its row said when this request
// loaded it (the settings page lists it; web touches it when it is stale).
type Seen struct {
	At        time.Time
	IP        string
	UserAgent string
}

// LastSeen returns sess's Seen; false for a session not loaded from the database.
func LastSeen(sess *sessions.Session) (Seen, bool) {
	if sess == nil {
		return Seen{}, false
	}
	s, ok := sess.Values[seenKey].(Seen)
	return s, ok
}

// IDHash is the key the database keeps sess under (nil for a session never saved): what
// the store needs to tell this session from the account's others.
func IDHash(sess *sessions.Session) []byte {
	if sess == nil || sess.ID == "" {
		return nil
	}
	return hashID(sess.ID)
}

func encodeValues(values map[any]any) ([]byte, error) {
	persist := make(map[any]any, len(values))
	for k, v := range values {
		if k == userKey || k == seenKey {
			continue
		}
		persist[k] = v
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(persist); err != nil {
		return nil, fmt.Errorf("encode session: %w", err)
	}
	return buf.Bytes(), nil
}

func newID() string { return secret.New() }

func hashID(id string) []byte { return secret.Hash(id) }

// Sweep deletes expired sessions every interval until ctx ends.
func (s *Store) Sweep(ctx context.Context, interval time.Duration, logf func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.db.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
				logf(err)
			}
		}
	}
}
