package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/mailtest"
	"forum/internal/web"
	"forum/internal/webtest"
)

// The words of Go code in the reader's language (issue 18): a rule names its message
// (forum.Error's Key and Data), and the one error path, the forms, the mails and the
// feeds word it from the catalogs.

// koClient is a visitor whose language switch says Korean (the footer's cookie).
func (e *env) koClient() *client {
	c := e.client()
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(e.http.URL)
	jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "ko", Path: "/"}})
	c.http.Jar = jar
	return c
}

// A form refused in Korean says why in Korean, beside the field, and keeps what was typed.
func TestMsgRejectedFormInKorean(t *testing.T) {
	e := newEnv(t)
	ko := e.koClient()
	ko.get(web.RouteRegister)
	resp, body := ko.post(web.RouteRegister, url.Values{"username": {"minsu"}, "password": {"short"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	wantContains(t, body, `id="password-error">비밀번호는 12자 이상이어야 합니다.</p>`, `value="minsu"`)
	wantLacks(t, body, "Passwords need at least")

	// The same refusal in English for an English reader: the message is the request's.
	en := e.client()
	resp, body = en.post(web.RouteRegister, url.Values{"username": {"minsu"}, "password": {"short"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	wantContains(t, body, `id="password-error">Passwords need at least 12 characters.</p>`)
}

// The error page and the JSON API's errors are worded in the reader's language; the
// API's "code" stays the machine's.
func TestMsgErrorsInKorean(t *testing.T) {
	e := newEnv(t)
	resp, body := e.getWith("/no/such/page", "Accept-Language", "ko-KR,ko;q=0.9")
	wantStatus(t, resp, body, http.StatusNotFound)
	wantContains(t, body, "<h1>찾을 수 없습니다</h1>", "이 주소에는 페이지가 없습니다.", "옮겨졌거나 삭제되었을 수 있습니다.")
	wantLacks(t, body, "There is no page at this address.")

	for _, tc := range []struct{ lang, want string }{
		{"ko", "글타래를 찾을 수 없습니다."},
		{"en", "Thread not found."},
	} {
		resp, body := e.getWith("/api/v1/threads/987654", "Accept-Language", tc.lang)
		wantStatus(t, resp, body, http.StatusNotFound)
		var got struct {
			Error, Code string
			Status      int
		}
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("%s: %v: %s", tc.lang, err, body)
		}
		if got.Error != tc.want || got.Code != forum.ENotFound || got.Status != http.StatusNotFound {
			t.Errorf("%s: %+v, want error %q, code %q", tc.lang, got, tc.want, forum.ENotFound)
		}
	}
}

// A mail goes in its recipient's language: their setting, else the site's default —
// not the language of whoever asked for it.
func TestMsgMailInRecipientLanguage(t *testing.T) {
	smtp := mailtest.Start(t)
	e := newEnvWith(t, webtest.Options{Mail: smtp})
	minsu, alice := e.user("minsu", forum.RoleMember), e.user("alice", forum.RoleMember)
	e.setEmail(t, minsu, "minsu@example.org")
	e.setEmail(t, alice, "alice@example.org")
	if err := e.store.SetUserLang(context.Background(), minsu.ID, "ko"); err != nil {
		t.Fatal(err)
	}
	// Both asked from a Korean browser: alice has no setting, so hers is in the default.
	for _, name := range []string{"minsu", "alice"} {
		resp, body := e.forgot(t, e.koClient(), name)
		wantStatus(t, resp, body, http.StatusOK)
	}
	got := smtp.Wait(t, 2, 20*time.Second)
	by := map[string]mailtest.Received{}
	for _, m := range got {
		by[m.To[0]] = m
	}
	ko, en := by["minsu@example.org"], by["alice@example.org"]
	if ko.Subject != "평양 마라톤 포럼 새 비밀번호 설정" {
		t.Errorf("Korean subject %q", ko.Subject)
	}
	wantContains(t, ko.Text, "minsu 님, 안녕하세요.", "1시간 안에 아래 링크를 열어 주세요.", "링크는 한 번만 쓸 수 있습니다.")
	wantContains(t, ko.HTML, "1시간 안에")
	wantLacks(t, ko.Text, "Hello", "within")
	if en.Subject != "Set a new password for Pyongyang Marathon Forum" {
		t.Errorf("English subject %q", en.Subject)
	}
	wantContains(t, en.Text, "Hello alice,", "within 1 hour")
}

// A feed's fixed texts follow its address (?lang=), never the fetcher's headers, and
// the two languages have different validators.
func TestMsgFeedTitleLocalized(t *testing.T) {
	e := newEnv(t)
	resp, body := e.getWith("/feed.rss?lang=ko")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "<title>평양 마라톤 포럼: 새 글타래</title>", "새로 올라온 글타래, 최신순.")
	koTag := resp.Header.Get("ETag")

	resp, body = e.getWith("/feed.rss", "Accept-Language", "ko-KR,ko;q=0.9")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "<title>Pyongyang Marathon Forum: new threads</title>")
	if resp.Header.Get("ETag") == koTag {
		t.Errorf("English and Korean feeds share the ETag %s", koTag)
	}
	resp, body = e.getWith("/modlog/feed.atom?lang=ko")
	wantStatus(t, resp, body, http.StatusOK)
	wantContains(t, body, "운영 기록 · 평양 마라톤 포럼")
}

// A rate limit's refusal in Korean says how long to wait in Korean, with Retry-After.
func TestMsgRateLimitInKorean(t *testing.T) {
	e := newEnv(t)
	ko := e.koClient()
	var resp *http.Response
	var body string
	for range 100 {
		resp, body = ko.post(web.RouteLogin, url.Values{"username": {"nobody"}, "password": {"wrong password"}})
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
	}
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" {
		t.Fatal("no Retry-After")
	}
	// Which login limit comes first (the pair's, the address's, the account's) is theirs.
	if !strings.Contains(body, "로그인에") || !strings.Contains(body, "뒤에 다시 시도해 주세요.") {
		t.Fatalf("no Korean refusal in:\n%s", body[:min(len(body), 3000)])
	}
}
