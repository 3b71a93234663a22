package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"forum/internal/forum"
	"forum/internal/web"
)

func TestFlagsHideAtThreshold(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("author", forum.RoleMember)
	for _, n := range []string{"flagger1", "flagger2", "flagger3"} {
		e.fx.Established(n, forum.RoleMember) // trusted: their flags hide (forum.TrustedFlagger)
	}
	f := e.thread(author, "Flag threshold thread")
	p := e.reply(f, author, 0, "a dubious claim about the route")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	flag := func(c *client, reason, note string) (*http.Response, string) {
		return c.post("/p/"+id(p)+"/flag", url.Values{"reason": {reason}, "note": {note}})
	}
	c1 := e.login("flagger1")

	t.Run("CannotFlagOwnPost", func(t *testing.T) {
		resp, body := flag(e.login("author"), "spam", "")
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, "cannot flag your own post")
	})
	t.Run("OtherNeedsANote", func(t *testing.T) {
		resp, body := flag(c1, "other", "")
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "Say what is wrong")
	})
	t.Run("NoteAtMost500", func(t *testing.T) {
		resp, body := flag(c1, "spam", strings.Repeat("n", 501))
		wantStatus(t, resp, body, http.StatusBadRequest)
	})
	t.Run("UnknownReason", func(t *testing.T) {
		resp, body := flag(c1, "boring", "")
		wantStatus(t, resp, body, http.StatusBadRequest)
	})

	t.Run("RepeatFlagDoesNotCountTwice", func(t *testing.T) {
		resp, body := flag(c1, "spam", "")
		wantStatus(t, resp, body, http.StatusSeeOther)
		_, body = c1.get(resp.Header.Get("Location"))
		wantContains(t, body, "was received", "awaiting review")
		flag(e.login("flagger2"), "misinformation", "the route did not pass there")
		// The first flagger again, with another reason: still two distinct flaggers.
		flag(c1, "off_topic", "")
		_, body = e.client().get(tpath)
		wantContains(t, body, "a dubious claim about the route")
		var open int
		if err := e.db.Get(&open, `SELECT count(*) FROM flags WHERE post_id = $1 AND resolved_at IS NULL`, p.ID); err != nil {
			t.Fatal(err)
		}
		if open != 2 {
			t.Fatalf("%d open flags, want 2", open)
		}
	})

	t.Run("ThirdDistinctFlaggerHides", func(t *testing.T) {
		flag(e.login("flagger3"), "abuse", "")
		_, body := e.client().get(tpath)
		if strings.Contains(body, "a dubious claim") {
			t.Fatal("hidden post still shown to a reader")
		}
		wantContains(t, body, "[hidden pending review]", `data-post-id="`+id(p)+`"`)
		_, body = e.client().get("/api/v1/threads/" + strconv.FormatInt(f.thread.ID, 10))
		if strings.Contains(body, "dubious") {
			t.Fatal("hidden post in the API tree")
		}
		_, body = e.client().get("/api/v1/posts/" + id(p))
		if strings.Contains(body, "dubious") {
			t.Fatal("hidden post in the API")
		}
		_, body = e.client().get("/u/author")
		if strings.Contains(body, "dubious") {
			t.Fatal("hidden post on its author's public page")
		}
	})

	t.Run("HiddenOpeningPostHidesTheTitle", func(t *testing.T) {
		g := e.thread(author, "A title nobody should read")
		for _, n := range []string{"flagger1", "flagger2", "flagger3"} {
			e.login(n).post("/p/"+strconv.FormatInt(g.root, 10)+"/flag", url.Values{"reason": {"abuse"}})
		}
		_, body := e.client().get("/t/" + strconv.FormatInt(g.thread.ID, 10))
		if strings.Contains(body, "nobody should read") {
			t.Fatal("a hidden opening post's title is shown")
		}
		_, body = e.client().get("/")
		if strings.Contains(body, "nobody should read") {
			t.Fatal("a thread with a hidden opening post is listed")
		}
	})

	t.Run("AuthorStillSeesItWithNotice", func(t *testing.T) {
		_, body := e.login("author").get(tpath)
		wantContains(t, body, "a dubious claim", "only you")
	})
}

func TestModerationDecisions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("writer", forum.RoleMember)
	e.user("reporter", forum.RoleMember)
	e.user("reporter2", forum.RoleMember)
	e.user("mod1", forum.RoleModerator)
	e.user("mod2", forum.RoleModerator)
	f := e.thread(author, "Decisions thread")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	mod := e.login("mod1")
	decide := func(c *client, p *forum.Post, action string, extra url.Values) (*http.Response, string) {
		form := url.Values{"action": {action}, "note": {"checked the sources"}}
		for k, v := range extra {
			form[k] = v
		}
		return c.post("/mod/posts/"+id(p)+"/decide", form)
	}

	t.Run("QueueOrderAndHeaderCount", func(t *testing.T) {
		once := e.reply(f, author, 0, "flagged once")
		twice := e.reply(f, author, 0, "flagged twice")
		e.login("reporter").post("/p/"+id(once)+"/flag", url.Values{"reason": {"spam"}})
		e.login("reporter").post("/p/"+id(twice)+"/flag", url.Values{"reason": {"spam"}})
		e.login("reporter2").post("/p/"+id(twice)+"/flag", url.Values{"reason": {"abuse"}, "note": {"rude to runners"}})
		resp, body := mod.get("/mod/flags")
		wantStatus(t, resp, body, http.StatusOK)
		iOnce, iTwice := strings.Index(body, `id="q`+id(once)+`"`), strings.Index(body, `id="q`+id(twice)+`"`)
		if iOnce < 0 || iTwice < 0 || iTwice > iOnce {
			t.Fatalf("queue order wrong: twice at %d, once at %d", iTwice, iOnce)
		}
		// The header's count is read out as the catalog's "layout.open_flags" (one key
		// for the menu and the nav since the layout speaks two languages).
		wantContains(t, body, "rude to runners", "reporter2", `aria-label="2 open flags"`)
		for _, p := range []*forum.Post{once, twice} {
			resp, body := decide(mod, p, "dismiss", nil)
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		_, body = mod.get("/mod/flags")
		wantContains(t, body, "the queue is empty")
	})

	t.Run("EachDecisionTakesEffectAndIsLogged", func(t *testing.T) {
		p := e.reply(f, author, 0, "contested words")
		for _, step := range []struct {
			action string
			shown  bool
			says   string
		}{
			{"hide", false, "[hidden by a moderator]"},
			{"restore", true, "contested words"},
			{"delete", false, "[removed by a moderator]"},
			{"restore", true, "contested words"},
			{"dismiss", true, "contested words"},
		} {
			resp, body := decide(mod, p, step.action, nil)
			wantStatus(t, resp, body, http.StatusSeeOther)
			_, body = e.client().get(tpath)
			if strings.Contains(body, "contested words") != step.shown {
				t.Fatalf("after %s: content shown = %v", step.action, !step.shown)
			}
			wantContains(t, body, step.says)
			var logged struct {
				Action string `db:"action"`
				Note   string `db:"note"`
			}
			if err := e.db.Get(&logged, `SELECT action, note FROM mod_log WHERE target_id = $1 AND target_type = 'post' ORDER BY id DESC LIMIT 1`, p.ID); err != nil {
				t.Fatal(err)
			}
			if logged.Action != step.action+"_post" || logged.Note != "checked the sources" {
				t.Fatalf("after %s: log row %+v", step.action, logged)
			}
		}
		_, body := e.client().get("/modlog")
		wantContains(t, body, ">hid</span>", ">restored</span>", ">deleted</span>", `href="/p/`+id(p)+`"`, "mod1")
		if strings.Contains(body, "contested words") {
			t.Fatal("the public log shows post content")
		}
		_, body = e.client().get("/modlog?action=hide_post")
		if strings.Contains(body, ">restored</span>") || !strings.Contains(body, ">hid</span>") {
			t.Fatal("action filter does not filter")
		}
		_, body = e.client().get("/modlog?moderator=mod2")
		wantContains(t, body, "No moderator acts match this filter")
	})

	t.Run("FlaggerSeesOutcome", func(t *testing.T) {
		p := e.reply(f, author, 0, "spammy link farm")
		rc := e.login("reporter")
		rc.post("/p/"+id(p)+"/flag", url.Values{"reason": {"spam"}})
		decide(mod, p, "hide", nil)
		_, body := rc.get("/me/flags")
		wantContains(t, body, "the post was hidden")
	})

	t.Run("ConcurrentDecisionsOneWins", func(t *testing.T) {
		p := e.reply(f, author, 0, "raced over")
		e.login("reporter").post("/p/"+id(p)+"/flag", url.Values{"reason": {"spam"}})
		m1, m2 := e.login("mod1"), e.login("mod2")
		m1.get("/mod/flags")
		m2.get("/mod/flags")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		bodies := make([]string, 2)
		for i, c := range []*client{m1, m2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				action := []string{"hide", "dismiss"}[i]
				resp, body := decide(c, p, action, url.Values{"version": {strconv.Itoa(p.ModVersion)}})
				codes[i], bodies[i] = resp.StatusCode, body
			}()
		}
		wg.Wait()
		ok, conflict := 0, -1
		for i, code := range codes {
			switch code {
			case http.StatusSeeOther:
				ok++
			case http.StatusConflict:
				conflict = i
			}
		}
		if ok != 1 || conflict < 0 {
			t.Fatalf("statuses %v, want one 303 and one 409", codes)
		}
		wantContains(t, bodies[conflict], "Another moderator got there first")
		var rows int
		if err := e.db.Get(&rows, `SELECT count(*) FROM mod_log WHERE target_id = $1 AND target_type = 'post'`, p.ID); err != nil {
			t.Fatal(err)
		}
		if rows != 1 {
			t.Fatalf("%d log rows, want 1", rows)
		}
	})

	t.Run("HiddenPostCanBeRestoredFromTheThread", func(t *testing.T) {
		p := e.reply(f, author, 0, "hidden without any flag")
		decide(mod, p, "hide", nil)
		_, body := mod.get(tpath)
		form := `action="/mod/posts/` + id(p) + `/decide"`
		wantContains(t, body, form, `name="action" value="restore"`)
		resp, body := decide(mod, p, "restore", url.Values{"next": {tpath + "#p" + id(p)}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != tpath+"#p"+id(p) {
			t.Fatalf("redirected to %q", loc)
		}
		_, body = e.client().get(tpath)
		wantContains(t, body, "hidden without any flag")
	})

	t.Run("LockAndPinAreLogged", func(t *testing.T) {
		for _, a := range []string{"lock", "unlock", "pin", "unpin"} {
			resp, body := mod.post("/mod/threads/"+strconv.FormatInt(f.thread.ID, 10)+"/"+a, nil)
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		_, body := e.client().get("/modlog")
		wantContains(t, body, ">locked</span>", ">unlocked</span>", ">pinned</span>", ">unpinned</span>")
	})
}

func TestSuspension(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("troll", forum.RoleMember)
	e.user("judge", forum.RoleModerator)
	author := e.user("bystander", forum.RoleMember)
	f := e.thread(author, "Suspension thread")
	p := e.reply(f, author, 0, "something to flag")
	troll := e.login("troll")
	troll.get("/")
	u, _ := url.Parse(e.http.URL)
	cookies := troll.http.Jar.Cookies(u)

	judge := e.login("judge")
	resp, body := judge.post("/mod/users/troll/suspend", url.Values{"days": {"3"}, "note": {"abusive replies"}})
	wantStatus(t, resp, body, http.StatusSeeOther)

	t.Run("SessionRevoked", func(t *testing.T) {
		c := e.client()
		c.http.Jar.SetCookies(u, cookies)
		_, body := c.get("/")
		if strings.Contains(body, `href="/u/troll"`) {
			t.Fatal("suspended user's session still logged in")
		}
	})
	t.Run("CannotPostOrFlagAfterLoggingInAgain", func(t *testing.T) {
		c := e.login("troll")
		resp, body := c.post("/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply", url.Values{"body": {"I am back"}})
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, "suspended until", "abusive replies", "I am back")
		resp, body = c.post("/p/"+id(p)+"/flag", url.Values{"reason": {"spam"}})
		wantStatus(t, resp, body, http.StatusForbidden)
	})
	t.Run("Logged", func(t *testing.T) {
		_, body := e.client().get("/modlog")
		wantContains(t, body, ">suspended</span>", `href="/u/troll"`, "abusive replies")
	})
	t.Run("BadDays", func(t *testing.T) {
		resp, body := judge.post("/mod/users/bystander/suspend", url.Values{"days": {"forever"}, "note": {"x"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
	})
}

// TestRouteTableAuthorization walks the router's own table: every /mod route refuses
// visitors (login redirect or 401) and members (403), and every POST route refuses a
// request without a CSRF token.
func TestRouteTableAuthorization(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("plainmember", forum.RoleMember)
	member := e.login("plainmember")
	param := regexp.MustCompile(`:[a-z]+|\*[a-z]+`)
	modRoutes, postRoutes := 0, 0
	for _, r := range e.server.Routes() {
		path := param.ReplaceAllString(r.Path, "1")
		if strings.HasPrefix(r.Path, "/mod/") {
			modRoutes++
			visitor := e.client()
			var resp *http.Response
			var body string
			if r.Method == http.MethodGet {
				resp, body = visitor.get(path)
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
					t.Errorf("visitor %s %s: status %d, location %q", r.Method, r.Path, resp.StatusCode, resp.Header.Get("Location"))
				}
				resp, body = member.get(path)
			} else {
				resp, body = visitor.post(path, url.Values{"action": {"hide"}, "days": {"1"}, "note": {"x"}})
				if resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("visitor %s %s: status %d", r.Method, r.Path, resp.StatusCode)
				}
				resp, body = member.post(path, url.Values{"action": {"hide"}, "days": {"1"}, "note": {"x"}})
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("member %s %s: status %d: %.200s", r.Method, r.Path, resp.StatusCode, body)
			}
		}
		// RFC 8058's one-click unsubscribe is the one POST without a CSRF token (a mail
		// client sends it with no cookie); TestUnsubscribe proves what it takes instead.
		if r.Method == http.MethodPost && r.Path != web.RouteUnsubscribe {
			postRoutes++
			resp, body := member.postRaw(path, url.Values{"body": {"x"}})
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Reload the page") {
				t.Errorf("POST %s without CSRF token: status %d", r.Path, resp.StatusCode)
			}
		}
	}
	if modRoutes < 7 || postRoutes < 12 {
		t.Fatalf("walked only %d moderator and %d POST routes", modRoutes, postRoutes)
	}
}
