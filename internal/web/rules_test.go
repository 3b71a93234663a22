package web_test

// Regression tests for forum rules that once had loopholes: hidden threads leaking
// their titles, idempotency and login throttling under concurrency, suspended
// moderators still moderating, and edits, replies and restores that slipped past
// locks, hides and deletions. Every test here is named TestRule….

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"forum/internal/forum"
)

// ruleThread writes a thread whose opening post does not repeat its title, so a page
// that shows the title shows it because of the title, not the opening words.
func ruleThread(e *env, author *forum.User, title string) fixture {
	e.t.Helper()
	t, op := e.fx.Thread(author, title, "Opening words about the route.")
	return fixture{cat: e.fx.Category(t.CategorySlug), thread: t, root: op.ID}
}

func ruleDecide(c *client, postID int64, action string) (*http.Response, string) {
	return c.post("/mod/posts/"+strconv.FormatInt(postID, 10)+"/decide",
		url.Values{"action": {action}, "note": {"rule test"}})
}

// ruleHide hides a post as the moderator c and fails the test if refused.
func ruleHide(t *testing.T, c *client, postID int64) {
	t.Helper()
	resp, body := ruleDecide(c, postID, "hide")
	wantStatus(t, resp, body, http.StatusSeeOther)
}

func wantAbsent(t *testing.T, where, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			i := strings.Index(body, s)
			from, to := max(i-300, 0), min(i+len(s)+300, len(body))
			t.Fatalf("%s shows %q:\n…%s…", where, s, body[from:to])
		}
	}
}

func (e *env) ruleCount(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) rulePostStatus(t *testing.T, postID int64) string {
	t.Helper()
	var s string
	if err := e.db.Get(&s, `SELECT status FROM posts WHERE id = $1`, postID); err != nil {
		t.Fatal(err)
	}
	return s
}

// ruleAnswer is one response of a concurrent burst.
type ruleAnswer struct {
	status int
	header http.Header
	body   string
}

// rulePostBurst sends n copies of a form (each with the form's own fields, plus
// fields(i) when given) to path from client c at once: the requests are built first,
// then released together by closing a channel. The client's CSRF token must be fetched
// before; nothing of c is mutated.
func rulePostBurst(t *testing.T, c *client, path string, n int, form url.Values, fields func(i int) url.Values) []ruleAnswer {
	t.Helper()
	if c.csrf == "" {
		t.Fatal("fetch a page first: the burst needs the client's CSRF token")
	}
	answers := make([]ruleAnswer, n)
	errs := make([]error, n)
	reqs := make([]*http.Request, n)
	for i := range n {
		f := url.Values{"csrf_token": {c.csrf}}
		for k, v := range form {
			f[k] = v
		}
		if fields != nil {
			for k, v := range fields(i) {
				f[k] = v
			}
		}
		req, err := http.NewRequest(http.MethodPost, c.e.http.URL+path, strings.NewReader(f.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		reqs[i] = req
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			resp, err := c.http.Do(reqs[i])
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			answers[i] = ruleAnswer{status: resp.StatusCode, header: resp.Header, body: string(b)}
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d of the burst: %v", i, err)
		}
	}
	return answers
}

func ruleStatuses(answers []ruleAnswer) map[int]int {
	out := map[int]int{}
	for _, a := range answers {
		out[a.status]++
	}
	return out
}

// Defect 1: a thread whose opening post a moderator hid lends its title to no page a
// visitor or ordinary member can read; its author and moderators still see it.
func TestRuleHiddenOpeningPostTitleNeverLeaks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	opener := e.user("opener", forum.RoleMember)
	replier := e.user("replier", forum.RoleMember)
	e.user("bystander", forum.RoleMember)
	e.user("moddy", forum.RoleModerator)
	const title = "Secret grievances about the Kim Il Sung Stadium finish"
	f := ruleThread(e, opener, title)
	reply := e.reply(f, replier, 0, "a visible reply in a hidden thread")
	mod := e.login("moddy")
	ruleHide(t, mod, f.root)
	tid := strconv.FormatInt(f.thread.ID, 10)

	readers := map[string]func() *client{
		"Visitor": e.client,
		"Member":  func() *client { return e.login("bystander") },
	}
	for name, who := range readers {
		t.Run(name+"PostPageOfAReply", func(t *testing.T) {
			resp, body := who().get("/p/" + id(reply))
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, "a visible reply in a hidden thread")
			wantAbsent(t, "/p/:id of a reply", body, title)
		})
		t.Run(name+"HistoryOfAReply", func(t *testing.T) {
			resp, body := who().get("/p/" + id(reply) + "/history")
			wantStatus(t, resp, body, http.StatusOK)
			wantAbsent(t, "/p/:id/history of a reply", body, title)
		})
		t.Run(name+"ThreadPage", func(t *testing.T) {
			resp, body := who().get("/t/" + tid)
			wantStatus(t, resp, body, http.StatusOK)
			wantAbsent(t, "/t/:id", body, title)
		})
	}

	t.Run("APIThread", func(t *testing.T) {
		resp, body := e.client().get("/api/v1/threads/" + tid)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d, want 200 or 404; body:\n%.2000s", resp.StatusCode, body)
		}
		wantAbsent(t, "GET /api/v1/threads/:id", body, title)
	})

	t.Run("ModeratorAndAuthorStillSeeTheTitle", func(t *testing.T) {
		for _, c := range []*client{mod, e.login("opener")} {
			resp, body := c.get("/t/" + tid)
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, title)
		}
	})
}

// Defect 2: an author deleting their own opening post after a moderator hid it does not
// put the thread back on the listings.
func TestRuleAuthorDeletingHiddenOpeningPostKeepsThreadUnlisted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	opener := e.user("opener", forum.RoleMember)
	e.user("moddy", forum.RoleModerator)
	const title = "Smuggled leaflets along the marathon course"
	f := ruleThread(e, opener, title)
	ruleThread(e, opener, "An ordinary visible thread")
	ruleHide(t, e.login("moddy"), f.root)

	check := func(t *testing.T) {
		t.Helper()
		for _, path := range []string{"/", "/c/general"} {
			resp, body := e.client().get(path)
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, "An ordinary visible thread")
			wantAbsent(t, path, body, title)
		}
	}
	t.Run("UnlistedOnceHidden", check)
	t.Run("StillUnlistedAfterItsAuthorDeletesIt", func(t *testing.T) {
		resp, body := e.login("opener").post("/p/"+strconv.FormatInt(f.root, 10)+"/delete", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		check(t)
	})
}

// Defect 3: forty identical concurrent submissions of one form store one post (or one
// thread), and every one of them answers 303 to the same place.
func TestRuleIdempotencyUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	writer := e.user("writer", forum.RoleMember)
	f := ruleThread(e, writer, "A thread to reply to concurrently")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	const n = 40

	check := func(t *testing.T, answers []ruleAnswer, stored int) {
		t.Helper()
		if got := ruleStatuses(answers); got[http.StatusSeeOther] != n {
			for _, a := range answers {
				if a.status != http.StatusSeeOther {
					t.Fatalf("statuses %v, want %d × 303; one answer:\n%.1500s", got, n, a.body)
				}
			}
		}
		locs := map[string]bool{}
		for _, a := range answers {
			locs[a.header.Get("Location")] = true
		}
		if stored != 1 || len(locs) != 1 {
			t.Fatalf("%d stored, %d distinct redirects %v; want exactly one of each", stored, len(locs), locs)
		}
	}

	t.Run("Reply", func(t *testing.T) {
		c := e.login("writer")
		c.get(tpath)
		for round := range 3 {
			text := fmt.Sprintf("sent forty times at once, round %d", round)
			answers := rulePostBurst(t, c, tpath+"/reply", n,
				url.Values{"body": {text}, "idem": {fmt.Sprintf("reply-key-%d", round)}}, nil)
			check(t, answers, e.ruleCount(t, `SELECT count(*) FROM posts WHERE thread_id = $1 AND body_source = $2`, f.thread.ID, text))
		}
	})

	t.Run("NewThread", func(t *testing.T) {
		c := e.login("writer")
		c.get("/new")
		for round := range 3 {
			title := fmt.Sprintf("Forty clicks on one thread, round %d", round)
			answers := rulePostBurst(t, c, "/t", n, url.Values{"category": {"general"}, "title": {title},
				"body": {"Opening words sent forty times"}, "idem": {fmt.Sprintf("thread-key-%d", round)}}, nil)
			check(t, answers, e.ruleCount(t, `SELECT count(*) FROM threads WHERE title = $1`, title))
		}
	})
}

// Defect 4: a person's feed that includes a post in a hidden thread still answers a
// conditional request with the ETag it just sent with 304.
func TestRuleUserFeedWithPostInHiddenThreadRevalidates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	opener := e.user("opener", forum.RoleMember)
	feeder := e.user("feeder", forum.RoleMember)
	e.user("moddy", forum.RoleModerator)
	hidden := ruleThread(e, opener, "A thread about to be hidden")
	e.reply(hidden, feeder, 0, "my reply in the soon hidden thread")
	open := ruleThread(e, opener, "A thread that stays")
	e.reply(open, feeder, 0, "my reply in the open thread")
	const path = "/u/feeder/feed.rss"

	revalidates := func(t *testing.T) {
		t.Helper()
		resp, body := e.feedGet(path, nil)
		wantStatus(t, resp, string(body), http.StatusOK)
		etag := resp.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag")
		}
		resp, body = e.feedGet(path, map[string]string{"If-None-Match": etag})
		wantStatus(t, resp, string(body), http.StatusNotModified)
	}
	t.Run("BeforeTheHide", revalidates)
	ruleHide(t, e.login("moddy"), hidden.root)
	t.Run("AfterTheHide", revalidates)
}

// Defect 5: suspended moderators cannot moderate, and suspending moderators and admins
// is reserved: only an admin may suspend a moderator, nobody themselves, nobody an admin.
func TestRuleSuspendedModerators(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("author", forum.RoleMember)
	e.user("flagger", forum.RoleMember)
	boss := e.user("boss", forum.RoleAdmin)
	e.user("boss2", forum.RoleAdmin)
	mod1 := e.user("mod1", forum.RoleModerator)
	e.user("mod2", forum.RoleModerator)
	mod3 := e.user("mod3", forum.RoleModerator)

	suspend := func(c *client, name string) (*http.Response, string) {
		return c.post("/mod/users/"+name+"/suspend", url.Values{"days": {"1"}, "note": {"rule test"}})
	}
	notSuspended := func(t *testing.T, u *forum.User) {
		t.Helper()
		if n := e.ruleCount(t, `SELECT count(*) FROM users WHERE id = $1 AND suspended_until > now()`, u.ID); n != 0 {
			t.Fatalf("%s is suspended", u.Username)
		}
	}
	refused := func(t *testing.T, resp *http.Response, body string) {
		t.Helper()
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("status %d, want 400 or 403; body:\n%.2000s", resp.StatusCode, body)
		}
	}

	t.Run("ModeratorCannotSuspendAModerator", func(t *testing.T) {
		resp, body := suspend(e.login("mod2"), "mod1")
		wantStatus(t, resp, body, http.StatusForbidden)
		notSuspended(t, mod1)
	})
	t.Run("ModeratorCannotSuspendThemselves", func(t *testing.T) {
		resp, body := suspend(e.login("mod2"), "mod2")
		refused(t, resp, body)
		notSuspended(t, e.mustUser("mod2"))
	})
	t.Run("NobodyMaySuspendAnAdmin", func(t *testing.T) {
		for _, actor := range []string{"mod2", "boss2", "boss"} {
			resp, body := suspend(e.login(actor), "boss")
			refused(t, resp, body)
			notSuspended(t, boss)
		}
	})

	// cannotModerate checks that c may neither decide on a flagged post nor lock or pin
	// a thread, and that neither changed.
	cannotModerate := func(t *testing.T, c *client, mod *forum.User) {
		t.Helper()
		f := ruleThread(e, author, "A thread for "+mod.Username)
		p := e.reply(f, author, 0, "flagged words for "+mod.Username)
		resp, body := e.login("flagger").post("/p/"+id(p)+"/flag", url.Values{"reason": {"spam"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		tid := strconv.FormatInt(f.thread.ID, 10)
		for _, action := range []string{"hide", "delete", "dismiss"} {
			resp, body := ruleDecide(c, p.ID, action)
			wantStatus(t, resp, body, http.StatusForbidden)
		}
		for _, a := range []string{"lock", "pin"} {
			resp, body := c.post("/mod/threads/"+tid+"/"+a, nil)
			wantStatus(t, resp, body, http.StatusForbidden)
		}
		if s := e.rulePostStatus(t, p.ID); s != "visible" {
			t.Fatalf("post status %q, want visible", s)
		}
		if n := e.ruleCount(t, `SELECT count(*) FROM flags WHERE post_id = $1 AND resolved_at IS NULL`, p.ID); n != 1 {
			t.Fatalf("%d open flags, want 1", n)
		}
		if n := e.ruleCount(t, `SELECT count(*) FROM threads WHERE id = $1 AND (locked OR pinned)`, f.thread.ID); n != 0 {
			t.Fatal("the thread was locked or pinned")
		}
		if n := e.ruleCount(t, `SELECT count(*) FROM mod_log WHERE moderator_id = $1`, mod.ID); n != 0 {
			t.Fatalf("%d moderation log rows by the suspended moderator", n)
		}
	}

	t.Run("SuspendedByAnAdminCannotModerate", func(t *testing.T) {
		resp, body := suspend(e.login("boss"), "mod1")
		wantStatus(t, resp, body, http.StatusSeeOther)
		c := e.login("mod1") // the suspension revoked their sessions; logging in still works
		c.get("/mod/flags")
		cannotModerate(t, c, mod1)
	})

	t.Run("SuspensionLandingDuringASessionStopsModeration", func(t *testing.T) {
		c := e.login("mod3")
		c.get("/mod/flags")
		// Suspend without revoking the session, to check the moderator routes refuse.
		if _, err := e.db.Exec(`UPDATE users SET suspended_until = now() + interval '1 day',
			suspension_reason = 'rule test' WHERE id = $1`, mod3.ID); err != nil {
			t.Fatal(err)
		}
		cannotModerate(t, c, mod3)
	})
}

// Defect 6: concurrent failed logins check no more passwords than the limits allow.
func TestRuleLoginThrottlingUnderConcurrency(t *testing.T) {
	t.Parallel()
	const n = 64
	burst := func(t *testing.T, e *env, username func(i int) string) map[int]int {
		t.Helper()
		c := e.client()
		c.get("/login")
		answers := rulePostBurst(t, c, "/login", n, nil, func(i int) url.Values {
			return url.Values{"username": {username(i)}, "password": {fmt.Sprintf("wrong guess %02d", i)}}
		})
		for _, a := range answers {
			switch a.status {
			case http.StatusUnauthorized:
			case http.StatusTooManyRequests:
				if ra := a.header.Get("Retry-After"); ra == "" || ra == "0" {
					t.Fatalf("429 with Retry-After %q", ra)
				}
			default:
				t.Fatalf("status %d, want 401 or 429; body:\n%.1500s", a.status, a.body)
			}
		}
		return ruleStatuses(answers)
	}

	t.Run("OneAccountChecksAtMostFivePasswords", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.user("target", forum.RoleMember)
		got := burst(t, e, func(int) string { return "target" })
		if got[http.StatusUnauthorized] < 1 || got[http.StatusUnauthorized] > 5 {
			t.Fatalf("%d of %d concurrent wrong passwords were checked (401), want 1–5; statuses %v",
				got[http.StatusUnauthorized], n, got)
		}
	})

	t.Run("OneAddressChecksAtMostTwentyPasswords", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		got := burst(t, e, func(i int) string { return fmt.Sprintf("ghost%02d", i) })
		if got[http.StatusUnauthorized] < 1 || got[http.StatusUnauthorized] > 20 {
			t.Fatalf("%d of %d concurrent failed logins from one address were checked (401), want 1–20; statuses %v",
				got[http.StatusUnauthorized], n, got)
		}
	})
}

// Defect 7a: a locked thread's posts cannot be edited by their authors.
func TestRuleLockedThreadRefusesEdits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("author", forum.RoleMember)
	e.user("moddy", forum.RoleModerator)
	f := ruleThread(e, author, "A thread about to be locked")
	p := e.reply(f, author, 0, "words written before the lock")
	resp, body := e.login("moddy").post("/mod/threads/"+strconv.FormatInt(f.thread.ID, 10)+"/lock", nil)
	wantStatus(t, resp, body, http.StatusSeeOther)
	c := e.login("author")

	t.Run("EditFormRefused", func(t *testing.T) {
		resp, body := c.get("/p/" + id(p) + "/edit")
		if resp.StatusCode != http.StatusConflict && resp.StatusCode != http.StatusForbidden {
			t.Fatalf("GET edit form: status %d, want 409 or 403; body:\n%.2000s", resp.StatusCode, body)
		}
	})
	t.Run("EditRefusedAndBodyUnchanged", func(t *testing.T) {
		resp, body := c.post("/p/"+id(p)+"/edit", url.Values{"body": {"words changed after the lock"}})
		wantStatus(t, resp, body, http.StatusConflict)
		got, err := e.store.PostByID(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.BodySource != "words written before the lock" || got.EditCount != 0 {
			t.Fatalf("post changed: %q, %d edits", got.BodySource, got.EditCount)
		}
		resp, body = e.client().get("/t/" + strconv.FormatInt(f.thread.ID, 10))
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "words written before the lock")
		wantAbsent(t, "the thread", body, "words changed after the lock")
	})
}

// Defect 7b: an author may fix a pending or hidden post, but the edit does not publish
// it, and moderators reviewing it see both what was flagged and what it says now.
func TestRuleEditedHiddenPostStaysHidden(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("author", forum.RoleMember)
	for _, n := range []string{"flagger1", "flagger2", "flagger3"} {
		e.fx.Established(n, forum.RoleMember) // trusted: their flags hide (forum.TrustedFlagger)
	}
	e.user("moddy", forum.RoleModerator)
	f := ruleThread(e, author, "Edits of hidden posts")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	c := e.login("author")

	t.Run("PendingAfterFlags", func(t *testing.T) {
		p := e.reply(f, author, 0, "buy cheap race bibs from my shop")
		for _, n := range []string{"flagger1", "flagger2", "flagger3"} {
			resp, body := e.login(n).post("/p/"+id(p)+"/flag", url.Values{"reason": {"spam"}})
			wantStatus(t, resp, body, http.StatusSeeOther)
		}
		if s := e.rulePostStatus(t, p.ID); s != "pending" {
			t.Fatalf("status after three flags %q, want pending", s)
		}
		resp, body := c.post("/p/"+id(p)+"/edit", url.Values{"body": {"sorry, no more advertising here"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if s := e.rulePostStatus(t, p.ID); s == "visible" {
			t.Fatal("the edit published the pending post")
		}
		resp, body = e.client().get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		wantAbsent(t, "the thread", body, "sorry, no more advertising here", "buy cheap race bibs")
		resp, body = e.login("moddy").get("/mod/flags")
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `id="q`+id(p)+`"`, "buy cheap race bibs from my shop", "sorry, no more advertising here")
	})

	t.Run("HiddenByAModerator", func(t *testing.T) {
		p := e.reply(f, author, 0, "an insult to the runners")
		ruleHide(t, e.login("moddy"), p.ID)
		resp, body := c.post("/p/"+id(p)+"/edit", url.Values{"body": {"an apology to the runners"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		if s := e.rulePostStatus(t, p.ID); s != "hidden" {
			t.Fatalf("status after the edit %q, want hidden", s)
		}
		resp, body = e.client().get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		wantAbsent(t, "the thread", body, "an apology to the runners", "an insult to the runners")
	})
}

// Defect 7c: nobody replies in a thread whose opening post a moderator hid.
func TestRuleNoRepliesUnderHiddenOpeningPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	opener := e.user("opener", forum.RoleMember)
	replier := e.user("replier", forum.RoleMember)
	e.user("moddy", forum.RoleModerator)
	f := ruleThread(e, opener, "A thread about to be hidden")
	earlier := e.reply(f, replier, 0, "a reply from before the hide")
	ruleHide(t, e.login("moddy"), f.root)
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	c := e.login("replier")
	c.get(tpath)

	for name, form := range map[string]url.Values{
		"ToTheOpeningPost": {"body": {"a reply to the hidden opening post"}},
		"ToAVisibleReply":  {"body": {"a reply below a visible reply"}, "parent_id": {id(earlier)}},
	} {
		t.Run(name, func(t *testing.T) {
			before := e.ruleCount(t, `SELECT count(*) FROM posts WHERE thread_id = $1`, f.thread.ID)
			resp, body := c.post(tpath+"/reply", form)
			if resp.StatusCode < 400 || resp.StatusCode > 499 {
				t.Fatalf("status %d, want a 4xx refusal; body:\n%.2000s", resp.StatusCode, body)
			}
			if after := e.ruleCount(t, `SELECT count(*) FROM posts WHERE thread_id = $1`, f.thread.ID); after != before {
				t.Fatalf("%d posts in the thread, want %d: the reply was stored", after, before)
			}
		})
	}
}

// Defect 7d: a moderator's restore does not republish what its author deleted.
func TestRuleRestoreKeepsAuthorDeletion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("author", forum.RoleMember)
	e.user("moddy", forum.RoleModerator)
	f := ruleThread(e, author, "Restoring deleted posts")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	mod := e.login("moddy")
	c := e.login("author")

	restoreLeavesDeleted := func(t *testing.T, p *forum.Post, text string) {
		t.Helper()
		resp, body := ruleDecide(mod, p.ID, "restore")
		if resp.StatusCode != http.StatusSeeOther && (resp.StatusCode < 400 || resp.StatusCode > 499) {
			t.Fatalf("restore: status %d, want 303 or a 4xx refusal; body:\n%.2000s", resp.StatusCode, body)
		}
		if s := e.rulePostStatus(t, p.ID); s != "deleted" {
			t.Fatalf("status after restore %q, want deleted", s)
		}
		resp, body = e.client().get(tpath)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `data-post-id="`+id(p)+`"`, "[deleted]")
		wantAbsent(t, "the thread", body, text)
	}

	t.Run("DeletedByItsAuthor", func(t *testing.T) {
		p := e.reply(f, author, 0, "words I took back")
		resp, body := c.post("/p/"+id(p)+"/delete", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		restoreLeavesDeleted(t, p, "words I took back")
	})

	t.Run("HiddenThenDeletedByItsAuthor", func(t *testing.T) {
		p := e.reply(f, author, 0, "words hidden then taken back")
		ruleHide(t, mod, p.ID)
		resp, body := c.post("/p/"+id(p)+"/delete", nil)
		wantStatus(t, resp, body, http.StatusSeeOther)
		restoreLeavesDeleted(t, p, "words hidden then taken back")
	})
}
