package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/mail"
	"forum/internal/store"
)

// Notification mail settings, one-click unsubscribe, and deleting an account.
const (
	RouteSettingsMail   = "/settings/mail"   // mail_mode: immediate, daily or none
	RouteSettingsDelete = "/settings/delete" // password, to confirm
	// RouteUnsubscribe is every notification mail's List-Unsubscribe link (RFC 8058):
	// GET shows a button, POST turns notification mail off.
	RouteUnsubscribe = mail.UnsubscribePrefix + ":token"
)

func (s *Server) accountMailRoutes(app *gin.RouterGroup) {
	app.POST(RouteSettingsMail, s.requireUser, s.saveMailMode)
	app.POST(RouteSettingsDelete, s.requireUser, s.deleteAccount)
	app.GET(RouteSettingsExport, s.requireUser, s.export)
	app.GET(RouteUnsubscribe, s.unsubscribePage)
	// The one exception to "every POST carries a CSRF token": RFC 8058's one-click
	// unsubscribe is a POST the mail client sends by itself, with the body
	// List-Unsubscribe=One-Click and no cookie, so it cannot carry one. It sits outside
	// the session and CSRF group for that reason. The signed token in the path is the
	// authority, and all it can do is turn notification mail off.
	s.engine.POST(RouteUnsubscribe, s.unsubscribe)
}

// mailSection is the settings page's Mail, Export and Delete sections.
type mailSection struct {
	Prefs       *store.MailPrefs
	Modes       []forum.MailMode
	Saved       bool   // the mode was just saved
	DeleteError string // why the account was not deleted
}

// mailData fills the settings page's mail sections.
func (s *Server) mailData(c *gin.Context, v *settingsView) error {
	p, err := s.store.MailPrefs(c.Request.Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	v.Mail = mailSection{Prefs: p, Modes: forum.MailModes, Saved: c.Query("done") == "mail"}
	return nil
}

// saveMailMode stores the notification mail choice.
func (s *Server) saveMailMode(c *gin.Context) {
	mode, err := forum.ParseMailMode(c.PostForm("mail_mode"))
	if err != nil {
		s.error(c, err)
		return
	}
	if err := s.store.SetMailMode(c.Request.Context(), currentUser(c).ID, mode); err != nil {
		s.error(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, RouteSettings+"?done=mail#mail")
}

// unsubscribeView is the unsubscribe page, before and after.
type unsubscribeView struct {
	Username string
	Off      bool   // notification mail is off (now, or already)
	Action   string // the form's target: this page's own path
}

// unsubscribeTarget is the person an unsubscribe link names; a link we did not sign,
// or one for an account since deleted, names nobody (404).
func (s *Server) unsubscribeTarget(c *gin.Context) (int64, *store.MailPrefs, error) {
	// Whoever follows the link must not pass its token on in a Referer.
	c.Header("Referrer-Policy", "no-referrer")
	c.Header("Cache-Control", privateNoStore)
	errLink := forum.Errorf(forum.ENotFound, "This unsubscribe link does not work: it may be cut short or mistyped. "+
		"Notification mail can also be turned off in your settings.").T("error.unsubscribe_link")
	id, ok := mail.UnsubscribeUser(s.sessionKey, c.Param("token"))
	if !ok {
		return 0, nil, errLink
	}
	p, err := s.store.MailPrefs(c.Request.Context(), id)
	if errors.Is(err, forum.ErrNotFound) {
		return 0, nil, errLink
	}
	return id, p, err
}

func (s *Server) unsubscribePage(c *gin.Context) {
	_, p, err := s.unsubscribeTarget(c)
	if err != nil {
		s.error(c, err)
		return
	}
	s.html(c, http.StatusOK, "unsubscribe", s.T(c, "title.notification_mail"), unsubscribeView{Username: p.Username,
		Off: p.Mode == forum.MailNone, Action: c.Request.URL.Path})
}

// unsubscribe turns the link's person's notification mail off: a mail client's
// one-click POST, or the page's button. Either way the answer is the page saying so.
func (s *Server) unsubscribe(c *gin.Context) {
	id, p, err := s.unsubscribeTarget(c)
	if err != nil {
		s.error(c, err)
		return
	}
	if err := s.store.SetMailMode(c.Request.Context(), id, forum.MailNone); err != nil {
		s.error(c, err)
		return
	}
	slog.InfoContext(c.Request.Context(), "notification mail turned off by unsubscribe link", "user_id", id)
	s.html(c, http.StatusOK, "unsubscribe", s.T(c, "title.notification_mail"), unsubscribeView{Username: p.Username, Off: true})
}

// deleteAccount deletes the logged-in account once its password confirms it, signs the
// browser out, and says what happened.
func (s *Server) deleteAccount(c *gin.Context) {
	ctx := c.Request.Context()
	u := currentUser(c)
	if err := s.checkPassword(c, u, c.PostForm("password")); err != nil {
		if errors.Is(err, forum.ErrWrongPassword) {
			err = forum.ErrDeletePassword
		}
		s.rejectDelete(c, err)
		return
	}
	if err := s.store.DeleteAccount(ctx, u.ID); err != nil {
		s.rejectDelete(c, err)
		return
	}
	// The session row went with the account; this expires the cookie.
	if err := s.sessions.Logout(c.Request, c.Writer, s.session(c)); err != nil {
		slog.WarnContext(ctx, "expire the deleted account's session cookie", "err", err)
	}
	s.csrf.expireCSRFCookie(c)
	slog.InfoContext(ctx, "account deleted", "user_id", u.ID)
	c.Set(ctxUser, nil) // the page after is a visitor's
	s.html(c, http.StatusOK, "account_deleted", s.T(c, "title.account_deleted"), nil)
}

// rejectDelete re-renders the settings page with why the account was not deleted.
func (s *Server) rejectDelete(c *gin.Context, err error) {
	if errStatus(err) == http.StatusInternalServerError {
		s.error(c, err)
		return
	}
	v, verr := s.settingsData(c)
	if verr != nil {
		s.error(c, verr)
		return
	}
	v.Mail.DeleteError = errText(c, err)
	s.rejectForm(c, err, "settings", s.T(c, "nav.settings"), v)
}
