package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/webtest"
)

// TestRegistrationRefusesLookAlikes: nobody can register a name that reads like an
// existing user's or like the forum's own accounts.
func TestRegistrationRefusesLookAlikes(t *testing.T) {
	t.Parallel()
	// Each registration comes from an address of its own, as from different people, so
	// the per-address registration limit stays out of the way.
	e := newEnvWith(t, webtest.Options{TrustedProxies: []string{"127.0.0.0/8"}})
	e.user("forum-team", forum.RoleAdmin) // as the seed creates it
	addr := 0
	registerAs := func(c *client, name string) (*http.Response, string) {
		t.Helper()
		c.get("/register")
		addr++
		form := url.Values{"username": {name}, "password": {"a long enough password 7"}, "csrf_token": {c.csrf}}
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+"/register", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", addr))
		return c.do(req)
	}
	register := func(name string) (*http.Response, string) {
		t.Helper()
		return registerAs(e.client(), name)
	}
	resp, body := register("mod1")
	wantStatus(t, resp, body, http.StatusSeeOther)

	t.Run("LookAlikesOfAnExistingUser", func(t *testing.T) {
		for _, name := range []string{"modl", "m0d1", "mod_1", "mod-1", "modi", "ｍｏｄｌ"} {
			resp, body := register(name)
			wantStatus(t, resp, body, http.StatusConflict)
			wantContains(t, body, "That name is too close to an existing one (mod1). Please choose another.")
			resp, body = e.client().get("/u/" + url.PathEscape(forum.NormalizeUsername(name)))
			wantStatus(t, resp, body, http.StatusNotFound)
		}
	})

	t.Run("SameNameInOtherForms", func(t *testing.T) {
		for _, name := range []string{"MOD1", "ｍｏｄ１", " mod1 "} { // lower-cased and NFKC-normalised first
			resp, body := register(name)
			wantStatus(t, resp, body, http.StatusConflict)
			wantContains(t, body, `The username “mod1” is taken`, `value="mod1"`) // the catalog's quotes
		}
	})

	t.Run("ReservedNames", func(t *testing.T) {
		for _, name := range []string{"admin", "root", "deleted", "anonymous", "system", "forum_team", "adm1n", "m0d"} {
			resp, body := register(name)
			wantStatus(t, resp, body, http.StatusBadRequest)
			wantContains(t, body, "That name is reserved")
		}
	})

	t.Run("OtherCompatibilityFormsAreRefused", func(t *testing.T) {
		resp, body := register("mod\u200b2") // a zero-width space is not in the rule
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "3–32 characters")
	})

	t.Run("DistinctNamesStillWork", func(t *testing.T) {
		for _, tc := range []struct{ typed, name string }{
			{"mod2", "mod2"},
			{"jae_runs", "jae_runs"},
			{"ｒｕｎｎｅｒ＿ｋｉｍ", "runner_kim"}, // full-width, stored as its plain form
		} {
			c := e.client()
			resp, body := registerAs(c, tc.typed)
			wantStatus(t, resp, body, http.StatusSeeOther)
			resp, body = c.get("/")
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, `href="/u/`+tc.name+`"`, "Log out")
		}
	})
}
