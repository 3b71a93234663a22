package web

import (
	"context"
	"encoding/hex"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"

	"forum/internal/device"
	"forum/internal/forum"
	"forum/internal/secret"
	"forum/internal/session"
	"forum/internal/store"
)

// The account: its e-mail address and the links that confirm it, password change and
// reset, the sessions it is signed in with, its bio. GET /settings shows them; the
// POSTs here change them and come back to the page (POST → redirect → GET), or re-render
// it with the message and what was typed.
const (
	RouteSettingsEmail       = "/settings/email"                // contract: email
	RouteSettingsPassword    = "/settings/password"             // contract: current_password, password
	RouteConfirmEmail        = "/settings/email/confirm/:token" // GET shows a button; POST confirms
	RouteSettingsBio         = "/settings/bio"                  // bio
	RouteRevokeSession       = "/settings/sessions/:id/revoke"  // :id is SessionInfo.PublicID
	RouteRevokeOtherSessions = "/settings/sessions/revoke-others"
	RouteForgot              = "/forgot"       // contract: login (username or address)
	RouteReset               = "/reset/:token" // contract: password
)

// confirmEmailPrefix and resetPrefix start the mailed links; the token follows.
const (
	confirmEmailPrefix = "/settings/email/confirm/"
	resetPrefix        = "/reset/"
)

// maxListedSessions bounds the settings page's list; "sign out all others" reaches the rest.
const maxListedSessions = 50

// maxLoginLen bounds the forgot form's field: a username or an address, both far shorter.
const maxLoginLen = forum.MaxEmailLen

func (s *Server) accountRoutes(app *gin.RouterGroup) {
	app.POST(RouteSettingsEmail, s.requireUser, s.changeEmail)
	app.POST(RouteSettingsPassword, s.requireUser, s.changePassword)
	app.POST(RouteSettingsBio, s.requireUser, s.saveBio)
	app.POST(RouteRevokeSession, s.requireUser, s.revokeSession)
	app.POST(RouteRevokeOtherSessions, s.requireUser, s.revokeOtherSessions)
	// The link proves the mailbox; whoever opens it need not be logged in (on a phone,
	// say), so these take no requireUser.
	app.GET(RouteConfirmEmail, s.confirmEmailPage)
	app.POST(RouteConfirmEmail, s.confirmEmail)
	app.GET(RouteForgot, s.forgotForm)
	app.POST(RouteForgot, s.forgot)
	app.GET(RouteReset, s.resetForm)
	app.POST(RouteReset, s.reset)
}

// accountSection is the settings page's Email, Password, Sessions and Profile sections.
type accountSection struct {
	Email        string     // the confirmed address, shown to its owner only
	PendingEmail string     // the address whose link is out
	PendingUntil *time.Time // when that link expires
	EmailInput   string     // what was typed, kept on a refusal
	EmailError   string
	EmailField   string // the field EmailError concerns (forum.Error.Field)
	PasswordErr  string
	PasswordFld  string // the field PasswordErr concerns
	Bio          string // its Markdown source
	BioError     string
	Sessions     []sessionRow
	MoreSessions bool   // more than maxListedSessions
	Done         string // what was just done (?done=): which notice to show
}

// sessionRow is one session as the page lists it.
type sessionRow struct {
	ID       string // SessionInfo.PublicID
	Device   string // "Firefox on Linux"
	IP       string
	Created  time.Time
	LastSeen time.Time
	Current  bool
}

// accountData fills the settings page's account sections.
func (s *Server) accountData(c *gin.Context, v *settingsView) error {
	ctx := c.Request.Context()
	u := currentUser(c)
	a, err := s.store.Account(ctx, u.ID)
	if err != nil {
		return err
	}
	list, err := s.store.Sessions(ctx, u.ID, session.IDHash(s.session(c)), maxListedSessions+1)
	if err != nil {
		return err
	}
	sec := accountSection{Email: a.Email, PendingEmail: a.PendingEmail, PendingUntil: a.PendingUntil,
		Bio: a.BioSource, Done: c.Query("done")}
	if len(list) > maxListedSessions {
		list, sec.MoreSessions = list[:maxListedSessions], true
	}
	for _, x := range list {
		sec.Sessions = append(sec.Sessions, sessionRow{ID: x.PublicID, Device: device.Summary(x.UserAgent),
			IP: x.IP, Created: x.CreatedAt, LastSeen: x.LastSeen, Current: x.Current})
	}
	v.Account = sec
	return nil
}

// rejectSettings re-renders the settings page with err's message and the user's input
// put in its section by set, under err's status; anything but a domain error is the
// error page.
func (s *Server) rejectSettings(c *gin.Context, err error, set func(a *accountSection, msg string)) {
	if errStatus(err) == http.StatusInternalServerError {
		s.error(c, err)
		return
	}
	v, verr := s.settingsData(c)
	if verr != nil {
		s.error(c, verr)
		return
	}
	set(&v.Account, errText(c, err))
	s.rejectForm(c, err, "settings", s.T(c, "nav.settings"), v)
}

func settingsDone(c *gin.Context, done, section string) {
	c.Redirect(http.StatusSeeOther, RouteSettings+"?done="+done+"#"+section)
}

// linkFields are what a mail with a link says: where it goes and for how long.
type linkFields struct {
	Path  string
	Valid time.Duration // worded in the mail's language ("24 hours", "24시간")
}

// composeMail builds an account mail of kind for username (no List-Unsubscribe: it is
// about the account, not a subscription), in lang, the account's own language; "" (no
// setting, or an account not yet made) is the site's default (mailLang).
func (s *Server) composeMail(lang, kind, username string, fields any) (store.OutMail, error) {
	m, err := s.mail.ComposeIn(s.mailLang(lang), kind, username, fields)
	if err != nil {
		return store.OutMail{}, err
	}
	return store.OutMail{Kind: kind, Subject: m.Subject, Text: m.Text, HTML: m.HTML}, nil
}

// emailChange makes the token and both possible mails of a request to use addr.
func (s *Server) emailChange(lang, username, addr string) (store.EmailChange, error) {
	token := secret.New()
	confirm, err := s.composeMail(lang, "confirm_email", username,
		linkFields{Path: confirmEmailPrefix + token, Valid: forum.ConfirmTokenTTL})
	if err != nil {
		return store.EmailChange{}, err
	}
	inUse, err := s.composeMail(lang, "email_in_use", username, nil)
	if err != nil {
		return store.EmailChange{}, err
	}
	return store.EmailChange{Email: addr, TokenHash: secret.Hash(token),
		ExpiresAt: time.Now().Add(forum.ConfirmTokenTTL), Confirm: confirm, InUse: inUse}, nil
}

// changeEmail asks for a new address: a link goes to it, and the account's address
// changes only when the link is opened. The answer is the same whether or not another
// account has the address (then the mail says so instead of carrying a link), so the
// form cannot be used to learn who is registered.
func (s *Server) changeEmail(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	typed := c.PostForm("email")
	reject := func(err error) {
		s.rejectSettings(c, err, func(a *accountSection, msg string) {
			a.EmailInput, a.EmailError, a.EmailField = typed, msg, forum.ErrorField(err)
		})
	}
	addr, err := forum.NormalizeEmail(typed)
	if err != nil {
		reject(err)
		return
	}
	a, err := s.store.Account(ctx, u.ID)
	if err != nil {
		s.error(c, err)
		return
	}
	if forum.SameEmail(a.Email, addr) {
		reject(forum.ErrSameEmail)
		return
	}
	if err := s.limiter.take(ctx, s.limits.EmailChange(u)); err != nil {
		reject(err)
		return
	}
	ch, err := s.emailChange(u.Lang, u.Username, addr)
	if err != nil {
		s.error(c, err)
		return
	}
	ch.UserID = u.ID
	if err := s.store.RequestEmailChange(ctx, ch); err != nil {
		reject(err)
		return
	}
	settingsDone(c, "email-sent", "email")
}

// createUser registers a member; with an address, its confirmation link and mail are
// written in the same transaction, and the address is the account's once confirmed.
// An address another account has is answered like any other (the mail says so).
func (s *Server) createUser(ctx context.Context, username, hash, addr string) (*forum.User, error) {
	if addr == "" {
		return s.store.CreateUser(ctx, username, hash, forum.RoleMember)
	}
	ch, err := s.emailChange("", username, addr)
	if err != nil {
		return nil, err
	}
	return s.store.CreateUserWithEmail(ctx, username, hash, forum.RoleMember, ch)
}

// linkToken reads a mailed link's token; anything New could not have made is refused
// without a query.
func linkToken(c *gin.Context, purpose string) ([]byte, error) {
	tok := c.Param("token")
	if !secret.WellFormed(tok) {
		return nil, forum.UnknownToken(purpose)
	}
	return secret.Hash(tok), nil
}

// usableToken loads the link of purpose named by the path and checks it still works;
// it returns the link and its token's hash.
func (s *Server) usableToken(c *gin.Context, purpose string) (*forum.EmailToken, []byte, error) {
	hash, err := linkToken(c, purpose)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.store.EmailToken(c.Request.Context(), hash, purpose)
	if err != nil {
		return nil, nil, err
	}
	if err := t.Usable(time.Now()); err != nil {
		return nil, nil, err
	}
	return t, hash, nil
}

// confirmView is the page a confirmation link opens.
type confirmView struct {
	Username  string
	Email     string
	Confirmed bool
}

// confirmEmailPage shows what the link would do and a button to do it: a GET changes
// nothing, since mail scanners open links to look at them.
func (s *Server) confirmEmailPage(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer") // the token is in this page's address
	t, _, err := s.usableToken(c, forum.TokenConfirm)
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "confirm_email", s.T(c, "confirm.heading"), confirmView{Username: t.Username, Email: t.Email})
}

func (s *Server) confirmEmail(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer")
	t, hash, err := s.usableToken(c, forum.TokenConfirm)
	if err != nil {
		s.error(c, err)
		return
	}
	notice, err := s.composeMail(t.Lang, "email_changed", t.Username, nil)
	if err != nil {
		s.error(c, err)
		return
	}
	if t, err = s.store.ConfirmEmail(c.Request.Context(), hash, notice); err != nil {
		s.error(c, err) // used or expired meanwhile (404), or the address taken meanwhile (409)
		return
	}
	s.html(c, http.StatusOK, "confirm_email", s.T(c, "confirm.done_heading"), confirmView{Username: t.Username, Email: t.Email, Confirmed: true})
}

// forgotView is the forgot-password page: the form, or the answer to it.
type forgotView struct {
	Sent  bool
	Error string
}

func (s *Server) forgotForm(c *gin.Context) {
	s.html(c, http.StatusOK, "forgot", s.T(c, "forgot.heading"), forgotView{})
}

// forgot mails a reset link to the account a username or address names, if it has a
// confirmed address. Whatever the login names — an account with an address, one without,
// none, or an account past its limit — the answer is the same page with the same status,
// after the same work: the account looked up and counted, a token made and hashed, a
// mail composed and written in a transaction, which is committed only when it is to go.
// The per-address limit answers 429: it counts the asker, not an account.
func (s *Server) forgot(c *gin.Context) {
	ctx := c.Request.Context()
	login := strings.TrimSpace(c.PostForm("login"))
	reject := func(err error) {
		s.rejectForm(c, err, "forgot", s.T(c, "forgot.heading"), forgotView{Error: errText(c, err)})
	}
	if login == "" || len(login) > maxLoginLen {
		reject(forum.Errorf(forum.EInvalid, "Enter your username, or the e-mail address of your account.").T("error.forgot_login_empty"))
		return
	}
	if err := s.limiter.take(ctx, s.limits.PasswordResetAddress(c.ClientIP())); err != nil {
		reject(err)
		return
	}
	var target *store.ResetTarget
	var err error
	if strings.Contains(login, "@") {
		target, err = s.store.ResetTargetByEmail(ctx, login)
	} else {
		target, err = s.store.ResetTargetByName(ctx, forum.NormalizeUsername(login))
	}
	if err != nil && forum.ErrorCode(err) != forum.ENotFound {
		s.error(c, err)
		return
	}
	name := "-" // an unknown login is counted too, on one shared key
	if target != nil {
		name = target.Username
	}
	limitErr := s.limiter.take(ctx, s.limits.PasswordResetAccount(name))
	if limitErr != nil && forum.ErrorCode(limitErr) != forum.ERateLimited {
		s.error(c, limitErr)
		return
	}
	token := secret.New()
	hash := secret.Hash(token)
	lang := ""
	if target != nil {
		lang = target.Lang
	}
	m, err := s.composeMail(lang, "password_reset", name, linkFields{Path: resetPrefix + token, Valid: forum.ResetTokenTTL})
	if err != nil {
		s.error(c, err)
		return
	}
	send := target != nil && target.Email != "" && limitErr == nil
	var userID int64
	m.To = "nobody@invalid" // a dry run's, rolled back
	if send {
		userID, m.To = target.UserID, target.Email
	}
	if err := s.store.RequestPasswordReset(ctx, userID, hash, time.Now().Add(forum.ResetTokenTTL), m, send); err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "forgot", s.T(c, "forgot.heading"), forgotView{Sent: true})
}

// resetView is the page a reset link opens.
type resetView struct {
	Username string
	Error    string
}

func (s *Server) resetForm(c *gin.Context) {
	c.Header("Referrer-Policy", "no-referrer") // the token is in this page's address
	t, _, err := s.usableToken(c, forum.TokenReset)
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "reset", s.T(c, "reset.heading"), resetView{Username: t.Username})
}

// reset sets the new password, retires the link and signs the account out everywhere,
// then logs this browser in: opening the link proved the mailbox, which is all a reset
// ever asks, so typing the new password once more would prove nothing.
func (s *Server) reset(c *gin.Context) {
	ctx := c.Request.Context()
	c.Header("Referrer-Policy", "no-referrer")
	t, hash, err := s.usableToken(c, forum.TokenReset)
	if err != nil {
		s.error(c, err)
		return
	}
	v := resetView{Username: t.Username}
	reject := func(err error) {
		v.Error = errText(c, err)
		s.rejectForm(c, err, "reset", s.T(c, "reset.heading"), v)
	}
	pw := c.PostForm("password")
	if err := forum.ValidatePassword(t.Username, pw); err != nil {
		reject(err)
		return
	}
	pwHash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		reject(err) // busy: 503 with Retry-After, the link still good
		return
	}
	if t, err = s.store.ResetPassword(ctx, hash, pwHash); err != nil {
		s.error(c, err) // used meanwhile (two tabs): 404 saying so
		return
	}
	user, err := s.store.UserByID(ctx, t.UserID)
	if err != nil {
		s.error(c, err)
		return
	}
	if err := s.sessions.Login(c.Request, c.Writer, s.session(c), user); err != nil {
		s.error(c, err)
		return
	}
	s.csrf.expireCSRFCookie(c)
	settingsDone(c, "password-reset", "password")
}

// changePassword replaces the password after checking the current one, and signs out
// every other session; this one stays. The current password is checked under the login
// throttle, so a borrowed session is no faster a way to guess it than the login form.
func (s *Server) changePassword(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	reject := func(err error) {
		s.rejectSettings(c, err, func(a *accountSection, msg string) {
			a.PasswordErr, a.PasswordFld = msg, forum.ErrorField(err)
		})
	}
	current, pw := c.PostForm("current_password"), c.PostForm("password")
	if err := forum.ValidatePassword(u.Username, pw); err != nil {
		reject(err) // cheap, so first: a weak new password costs no hash and no count
		return
	}
	if err := s.checkPassword(c, u, current); err != nil {
		reject(err)
		return
	}
	newHash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		reject(err)
		return
	}
	if err := s.store.ChangePassword(ctx, u.ID, u.PasswordHash, newHash, session.IDHash(s.session(c))); err != nil {
		reject(err)
		return
	}
	settingsDone(c, "password", "password")
}

// checkPassword checks pw against u's password as the login form does: counted against
// the login limits in advance, the counts given back when it is right.
func (s *Server) checkPassword(c *gin.Context, u *forum.User, pw string) error {
	ctx := c.Request.Context()
	if len(pw) > forum.MaxPasswordLen*4 {
		pw = pw[:forum.MaxPasswordLen*4] // bound hashing work; no real password is longer
	}
	attempt := s.limits.Login(u.Username, c.ClientIP())
	pairKey, ipKey := attempt.Keys[0], attempt.Keys[1]
	accountKey := s.limits.LoginAccountKey(u.Username)
	if err := s.limiter.take(ctx, attempt); err != nil {
		return err
	}
	if err := s.limiter.pace(ctx, accountKey); err != nil {
		return err
	}
	ok, err := s.hasher.Check(ctx, pw, u.PasswordHash)
	if err != nil { // too busy to check: nothing was tried, so the slots go back
		for _, key := range []string{pairKey, ipKey, accountKey} {
			if rerr := s.store.Release(ctx, key); rerr != nil {
				slog.WarnContext(ctx, "release password check slot", "err", rerr)
			}
		}
		return err
	}
	if !ok {
		return forum.ErrWrongPassword
	}
	for _, key := range []string{pairKey, accountKey} {
		if err := s.store.ClearHits(ctx, key); err != nil {
			return err
		}
	}
	return s.store.Release(ctx, ipKey)
}

// revokeSession signs out one of the person's sessions, named by its public id.
func (s *Server) revokeSession(c *gin.Context) {
	id, err := hex.DecodeString(c.Param("id"))
	if err != nil || len(id) != 8 {
		s.error(c, forum.Errorf(forum.ENotFound, "There is no such session.").T("error.no_session"))
		return
	}
	if err := s.store.RevokeSession(c.Request.Context(), currentUser(c).ID, id); err != nil {
		s.error(c, err)
		return
	}
	settingsDone(c, "session", "sessions")
}

// revokeOtherSessions signs out every session of the person but this one.
func (s *Server) revokeOtherSessions(c *gin.Context) {
	if _, err := s.store.RevokeOtherSessions(c.Request.Context(), currentUser(c).ID, session.IDHash(s.session(c))); err != nil {
		s.error(c, err)
		return
	}
	settingsDone(c, "sessions", "sessions")
}

// saveBio stores the profile bio, rendered and sanitised like a post. It goes through
// markup's Render, not the posting pipeline: a bio links no mentions and notifies nobody.
func (s *Server) saveBio(c *gin.Context) {
	u := currentUser(c)
	bio := strings.TrimSpace(strings.ReplaceAll(c.PostForm("bio"), "\r\n", "\n"))
	reject := func(err error) {
		s.rejectSettings(c, err, func(a *accountSection, msg string) { a.Bio, a.BioError = bio, msg })
	}
	if err := forum.CanSetBio(u, time.Now()); err != nil {
		s.error(c, err)
		return
	}
	if err := forum.ValidateBio(bio); err != nil {
		reject(err)
		return
	}
	html := ""
	if bio != "" {
		var err error
		if html, err = s.markup.Render(bio); err != nil {
			s.error(c, err)
			return
		}
	}
	if err := s.store.SetBio(c.Request.Context(), u.ID, bio, html); err != nil {
		reject(err)
		return
	}
	settingsDone(c, "bio", "profile")
}

// userBio is the bio shown on a person's page, sanitised when it was saved.
func (s *Server) userBio(c *gin.Context, userID int64) (template.HTML, error) {
	h, err := s.store.UserBio(c.Request.Context(), userID)
	return template.HTML(h), err //nolint:gosec // rendered by markup at write time
}

// touchSession keeps the session's "last seen", address and browser for the settings
// page: written when the session has none yet (just logged in) or when the last write
// is SessionTouchEvery old, so a busy reader costs a write every few minutes, not one
// per request. A failure costs only freshness.
func (s *Server) touchSession(c *gin.Context, sess *sessions.Session) {
	seen, ok := session.LastSeen(sess)
	if !ok || (seen.IP != "" && !forum.SessionStale(seen.At, time.Now())) {
		return
	}
	if err := s.store.TouchSession(c.Request.Context(), session.IDHash(sess), c.ClientIP(),
		device.Clean(c.Request.UserAgent())); err != nil {
		slog.WarnContext(c.Request.Context(), "touch session", "err", err)
	}
}
