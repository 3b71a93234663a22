package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"forum/internal/config"
	build "forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/webtest"
)

// getWith fetches path as a fresh visitor (no cookies) with the given headers.
func (e *env) getWith(path string, header ...string) (*http.Response, string) {
	e.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return e.client().do(req)
}

func wantLacks(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if strings.Contains(body, s) {
			i := strings.Index(body, s)
			t.Fatalf("body holds %q: …%s…", s, body[max(0, i-200):min(len(body), i+200)])
		}
	}
}

// A browser asking for Korean gets the interface in Korean, <html lang="ko"> and all;
// one asking for English, or for nothing we have, gets English.
func TestLangAcceptLanguage(t *testing.T) {
	e := newEnv(t)
	resp, body := e.getWith("/", "Accept-Language", "ko-KR,ko;q=0.9,en;q=0.5")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<html lang="ko">`, ">최신 글<", ">로그인<", ">가입하기<", `placeholder="검색…"`)
	wantLacks(t, body, ">Log in<", ">Latest<")
	for _, v := range []string{"Accept-Language", "Cookie"} {
		if !strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), v) {
			t.Errorf("Vary %q lacks %s", resp.Header.Values("Vary"), v)
		}
	}
	for _, h := range []string{"en-GB,en;q=0.9", "fr-FR", ""} {
		resp, body = e.getWith("/", "Accept-Language", h)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `<html lang="en">`, ">Log in<", ">Latest<")
	}
}

// The footer's switch works without JavaScript: a plain link sets the lang cookie and
// goes back to the page, which then reads in that language whatever the browser asks.
func TestLangCookieSwitch(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	_, body := c.get("/login")
	wantContains(t, body, `href="/lang/ko?next=%2flogin"`, `>한국어</a>`)
	resp, body := c.get("/lang/ko?next=%2flogin")
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/login" {
		t.Fatalf("switch went to %q, want /login", loc)
	}
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/login", nil)
	req.Header.Set("Accept-Language", "en")
	resp, body = c.do(req)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<html lang="ko">`, "<h1>로그인</h1>", `href="/lang/en?next=%2flogin"`)

	// Back, and a next that leaves the site goes home instead.
	resp, body = c.get("/lang/en?next=" + url.QueryEscape("//evil.example/x"))
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Fatalf("an off-site next went to %q", loc)
	}
	_, body = c.get("/login")
	wantContains(t, body, `<html lang="en">`, "<h1>Log in</h1>")
	resp, body = c.get("/lang/xx")
	wantStatus(t, resp, body, http.StatusNotFound)
}

// A logged-in user's setting beats what the browser asks for; it is saved by the
// settings form (CSRF-checked) and the footer's buttons, and "" hands back to the browser.
func TestLangUserSettingBeatsHeader(t *testing.T) {
	e := newEnv(t)
	e.user("minsu", forum.RoleMember)
	c := e.login("minsu")
	_, body := c.get("/settings")
	wantContains(t, body, `<select id="lang" name="lang"`, `<option value="ko" lang="ko">한국어</option>`)

	resp, body := c.post("/settings/language", url.Values{"lang": {"ko"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	req, _ := http.NewRequest(http.MethodGet, e.http.URL+"/", nil)
	req.Header.Set("Accept-Language", "en-US,en")
	fresh := e.login("minsu") // a new browser: no lang cookie, only the account's setting
	resp, body = fresh.do(req)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<html lang="ko">`, ">로그아웃</button>", ">새 글 쓰기<")

	// Without the CSRF token the choice is refused; an unknown language is a 400.
	resp, body = c.postRaw("/settings/language", url.Values{"lang": {"en"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("no CSRF token: status %d", resp.StatusCode)
	}
	resp, body = c.post("/settings/language", url.Values{"lang": {"fr"}})
	wantStatus(t, resp, body, http.StatusBadRequest)

	// The footer's button: back to the page it was pressed on.
	resp, body = c.post("/settings/language", url.Values{"lang": {""}, "next": {"/c"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	if loc := resp.Header.Get("Location"); loc != "/c" {
		t.Fatalf("footer's choice went to %q", loc)
	}
	resp, body = fresh.do(req)
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, `<html lang="en">`, ">Log out</button>")
}

// FORUM_DEFAULT_LANG is what a browser that asks for none of ours gets.
func TestLangSiteDefault(t *testing.T) {
	e := newEnvWith(t, webtest.Options{Config: func(c *config.Config) {
		webtest.Roomy(c)
		c.DefaultLang = "ko"
	}})
	for h, want := range map[string]string{"": "ko", "fr-FR": "ko", "en-US": "en"} {
		resp, body := e.getWith("/", "Accept-Language", h)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, `<html lang="`+want+`">`)
	}
}

// The page cache keeps each language's page apart: an English visitor's cached thread
// is never served to a Korean one, nor the other way, and their ETags differ.
func TestLangCachedPerLanguage(t *testing.T) {
	e := newEnv(t)
	u := e.user("minsu", forum.RoleMember)
	th, root := e.fx.Thread(u, "평양 마라톤 재개에 대한 생각", "외국인 주자들이 참가했습니다")
	e.fx.Reply(th, u, root, "좋은 소식입니다", forum.StanceNone)
	path := "/t/" + strconv.FormatInt(th.ID, 10)
	type seen struct{ cache, etag string }
	got := map[string]seen{}
	for _, round := range []string{"miss", "hit"} {
		for _, lang := range []string{"en", "ko"} {
			resp, body := e.getWith(path, "Accept-Language", lang)
			wantStatus(t, resp, body, http.StatusOK)
			wantContains(t, body, `<html lang="`+lang+`">`)
			// The header's first link (thread.html itself is converted in a second wave).
			if ko, en := `<li><a href="/">최신 글</a></li>`, `<li><a href="/">Latest</a></li>`; lang == "ko" {
				wantContains(t, body, ko)
				wantLacks(t, body, en)
			} else {
				wantContains(t, body, en)
				wantLacks(t, body, ko)
			}
			if x := resp.Header.Get("X-Cache"); x != round {
				t.Errorf("%s visitor, %s round: X-Cache %q", lang, round, x)
			}
			if prev, ok := got[lang]; ok && prev.etag != resp.Header.Get("ETag") {
				t.Errorf("%s ETag moved from %s to %s", lang, prev.etag, resp.Header.Get("ETag"))
			}
			got[lang] = seen{resp.Header.Get("X-Cache"), resp.Header.Get("ETag")}
		}
	}
	if got["en"].etag == got["ko"].etag {
		t.Errorf("English and Korean pages share the ETag %s", got["en"].etag)
	}
}

// Counts take each language's plural forms and digit grouping: "1 reply", "2 replies";
// Korean has one form, "답글 1개", "답글 2개".
func TestLangPlurals(t *testing.T) {
	e := newEnv(t)
	u := e.user("minsu", forum.RoleMember)
	one, r := e.fx.Thread(u, "하나짜리 글타래입니다", "본문")
	e.fx.Reply(one, u, r, "첫 답글", forum.StanceNone)
	two, r2 := e.fx.Thread(u, "둘짜리 글타래입니다", "본문")
	e.fx.Reply(two, u, r2, "첫 답글", forum.StanceNone)
	e.fx.Reply(two, u, r2, "둘째 답글", forum.StanceNone)
	_, body := e.getWith("/", "Accept-Language", "en")
	wantContains(t, body, ">1 reply<", ">2 replies<")
	_, body = e.getWith("/", "Accept-Language", "ko")
	wantContains(t, body, ">답글 1개<", ">답글 2개<")
	_, body = e.getWith("/c", "Accept-Language", "en")
	wantContains(t, body, "2 threads")
	_, body = e.getWith("/c", "Accept-Language", "ko")
	wantContains(t, body, "글 2개")
}

// englishLabels are labels the converted templates used to show; none may be left on a
// Korean page (user content in the fixture is Korean, so any is the interface's).
var englishLabels = []string{
	"Skip to content", "Search the forum", "Latest", "Categories", "Moderation log", "New thread",
	"My flags", "Settings", "Log in", "Log out", "Join", "About & rules", "About &amp; rules",
	"A forum on the Pyongyang", "last activity", "replies", "reply", "pinned", "locked",
	"Start a thread", "Older threads", "Watch new threads", "No categories yet", "latest:",
	"threads", "Username", "Password", "Forgot your password?", "Create an account", "New here?",
	"Already have an account?", "Mail me a link", "Edit post", "Edit history", "Current version",
	"Markdown source", "Mark all read", "Notifications", "Nothing yet", "joined", "Threads started",
	"Posts", "Older posts", "How to search", "Search titles and posts", "exact phrase",
	"Where the forum stands", "Nobody has taken a stance", "Delete this post?", "Cancel",
	"Opening post", "Title", "Category", "Preview", "Stance on the question", "Back to",
	"Breadcrumb", "See it in the whole thread", "Earlier in this conversation", "Menu", "Main menu",
	"You have not flagged anything", "Insightful",
	// The thread page, its reply forms, flag form and moderator tools; settings; the queue
	// and the log.
	"Reply", "Flag", "Edit", "Delete", "Moderate", "Post reply", "Your reply", "Sort replies",
	"Oldest", "Newest", "Order of replies", "Do controlled openings", "took a stance", "Helps",
	"Why should moderators", "Send flag", "Note for the log", "Moderator tools", "Pin site-wide",
	"Reason shown on the thread", "Language of the post", "Detect automatically", "started",
	"Private feed", "API token", "Muted people", "Sessions", "Profile", "Export your data",
	"Delete account", "Change password", "Sign out", "Mail me about", "Review queue",
	"As flagged", "Who flagged", "Destructive", "Every moderator act", "Filter", "Spam", "Hide post",
}

// codeAttrRE ends in an attribute whose value names things for CSS and scripts, never shown.
var codeAttrRE = regexp.MustCompile(`\s(?:class|id|for|name|data-[a-z-]+)="[^"<>]*$`)

var tagRE = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<!--.*?-->`)

// Every converted page, rendered in Korean for a visitor and a member, holds none of the
// English labels it replaced: in text or in attributes (aria-label, title, placeholder).
func TestKoreanPagesHaveNoEnglishLabels(t *testing.T) {
	e := newEnv(t)
	u := e.user("minsu", forum.RoleMember)
	th, root := e.fx.Thread(u, "평양 마라톤 재개에 대한 생각", "외국인 주자들이 참가했습니다")
	e.fx.Reply(th, u, root, "좋은 소식입니다", forum.StanceNone)
	other := e.user("seoyeon", forum.RoleMember)
	flagged := e.fx.Reply(th, other, root, "도움이 된다고 생각합니다", forum.StanceHelps)
	e.user("jiwoo", forum.RoleModerator)
	member := e.login("minsu")
	if resp, body := member.post("/settings/language", url.Values{"lang": {"ko"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save language: %d %s", resp.StatusCode, body)
	}
	mod := e.login("jiwoo")
	if resp, body := mod.post("/settings/language", url.Values{"lang": {"ko"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the moderator's language: %d %s", resp.StatusCode, body)
	}
	// An open flag for the queue.
	if resp, body := member.post("/p/"+strconv.FormatInt(flagged.ID, 10)+"/flag", url.Values{"reason": {"spam"}}); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		t.Fatalf("flag: %d %s", resp.StatusCode, body)
	}
	visitor := e.client()
	visitor.get("/lang/ko")
	threadPath := "/t/" + strconv.FormatInt(th.ID, 10)
	pid := strconv.FormatInt(root.ID, 10)
	pages := []struct {
		c    *client
		path string
	}{
		{visitor, "/"}, {visitor, "/c"}, {visitor, "/c/" + build.DefaultCategory}, {visitor, "/login"},
		{visitor, "/register"}, {visitor, "/forgot"}, {visitor, "/u/minsu"}, {visitor, "/search"},
		{visitor, "/search?q=" + url.QueryEscape("마라톤")}, {visitor, "/p/" + pid + "/history"},
		{visitor, "/no-such-page"},
		{member, "/"}, {member, "/new"}, {member, "/notifications"}, {member, "/me/flags"},
		{member, "/p/" + pid + "/edit"}, {member, "/p/" + pid + "/delete"}, {member, "/u/minsu"},
		{visitor, threadPath}, {member, threadPath}, {mod, threadPath}, {member, "/settings"},
		{mod, "/mod/flags"}, {mod, "/modlog"}, {visitor, "/modlog"},
	}
	for _, p := range pages {
		resp, body := p.c.get(p.path)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d", p.path, resp.StatusCode)
			continue
		}
		if !strings.Contains(body, `<html lang="ko">`) {
			t.Errorf("%s: not a Korean page", p.path)
			continue
		}
		text := tagRE.ReplaceAllString(body, "")
		for _, l := range englishLabels {
			if i := wordIndex(text, l); i >= 0 {
				t.Errorf("%s: English %q left: …%s…", p.path, l, text[max(0, i-120):min(len(text), i+120)])
			}
		}
	}
}

// wordIndex finds s in text where it is not part of a longer word or identifier
// (class="replies-count" is no label), or -1.
func wordIndex(text, s string) int {
	isWord := func(b byte) bool {
		return b == '-' || b == '_' || b == '/' || b == '.' || b == '#' ||
			'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
	}
	for from := 0; ; {
		i := strings.Index(text[from:], s)
		if i < 0 {
			return -1
		}
		i += from
		j := i + len(s)
		// class="replies", id="reply", data-reason="reply" are names, not labels.
		inData := codeAttrRE.MatchString(text[max(0, i-80):i])
		if (i == 0 || !isWord(text[i-1])) && (j >= len(text) || !isWord(text[j])) && !inData {
			return i
		}
		from = i + 1
	}
}
