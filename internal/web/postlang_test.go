package web_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
)

// A post's language, detected or chosen, is the lang of its body on the thread page, its
// "lang" in the JSON tree and its xml:lang in the thread's feed: a mixed thread shows each
// post in its own language, a chosen language beats the detector, a reply too short to
// tell takes the language of the post it answers, and a language not on the list is
// refused with the text kept.
func TestPostLanguages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.user("minji", forum.RoleMember)
	c := e.login("minji")

	resp, body := c.post("/t", url.Values{"category": {e.fx.Category("language").Slug},
		"title": {"평양 마라톤 재개에 대한 생각"}, "body": {"외국인 주자들이 참가했습니다. 코스는 김일성경기장을 지났습니다."},
		"idem": {"lang-thread-1"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	threadPath := resp.Header.Get("Location")
	threadID, err := strconv.ParseInt(strings.Split(threadPath, "/")[2], 10, 64)
	if err != nil {
		t.Fatalf("thread location %q: %v", threadPath, err)
	}
	reply := func(form url.Values) int64 {
		t.Helper()
		resp, body := c.post(fmt.Sprintf("/t/%d/reply", threadID), form)
		wantStatus(t, resp, body, http.StatusSeeOther)
		loc := resp.Header.Get("Location")
		id, err := strconv.ParseInt(loc[strings.LastIndex(loc, "#p")+2:], 10, 64)
		if err != nil {
			t.Fatalf("reply location %q: %v", loc, err)
		}
		return id
	}
	english := reply(url.Values{"body": {"I ran it too, and I think the race helps more than it hinders."}})
	korean := reply(url.Values{"body": {"저도 그렇게 생각합니다. 주자들이 정말 많았어요."}})
	chosen := reply(url.Values{"body": {"Kim Il Sung Stadium, the Arch of Triumph, and the finish line"}, "lang": {"ko"}})
	short := reply(url.Values{"body": {"+1"}, "parent_id": {strconv.FormatInt(english, 10)}})

	want := map[int64]string{english: "en", korean: "ko", chosen: "ko", short: "en"}
	resp, api := c.get(fmt.Sprintf("/api/v1/threads/%d", threadID))
	wantStatus(t, resp, api, http.StatusOK)
	langs := map[int64]string{}
	var walk func(raw json.RawMessage)
	walk = func(raw json.RawMessage) {
		var p struct {
			ID      int64             `json:"id"`
			Lang    *string           `json:"lang"`
			Replies []json.RawMessage `json:"replies"`
			Post    json.RawMessage   `json:"post"`
			Root    json.RawMessage   `json:"root"`
		}
		if json.Unmarshal(raw, &p) != nil {
			return
		}
		if p.ID != 0 && p.Lang != nil {
			langs[p.ID] = *p.Lang
		}
		for _, r := range p.Replies {
			walk(r)
		}
		for _, r := range []json.RawMessage{p.Post, p.Root} {
			if r != nil {
				walk(r)
			}
		}
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(api), &doc); err != nil {
		t.Fatalf("tree JSON: %v\n%s", err, api)
	}
	for _, v := range doc {
		walk(v)
	}
	var root struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(doc["tree"], &root); err != nil || root.ID == 0 {
		t.Fatalf("tree root: %v\n%s", err, api)
	}
	want[root.ID] = "ko" // the opening post and its title, detected as Korean
	for id, lang := range want {
		if langs[id] != lang {
			t.Errorf("post %d: lang %q in the JSON tree; want %q\n%s", id, langs[id], lang, api)
		}
	}
	resp, page := c.get(threadPath)
	wantStatus(t, resp, page, http.StatusOK)
	for id, lang := range want {
		if got := bodyLang(t, page, id); got != lang {
			t.Errorf("post %d: lang %q on the page; want %q", id, got, lang)
		}
	}

	resp, atom := c.get(fmt.Sprintf("/t/%d/feed.atom", threadID))
	wantStatus(t, resp, atom, http.StatusOK)
	entries := entryLangs(t, atom)
	for id, lang := range want {
		if entries[fmt.Sprintf("/p/%d", id)] != lang {
			t.Errorf("post %d: xml:lang %q in the feed; want %q\n%s", id, entries[fmt.Sprintf("/p/%d", id)], lang, atom)
		}
	}

	// An edit is detected again: the English reply rewritten in Korean becomes ko.
	resp, body = c.post(fmt.Sprintf("/p/%d/edit", english), url.Values{"body": {"다시 생각해 보니 도움이 된다고 봅니다."}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, page = c.get(threadPath)
	wantStatus(t, resp, page, http.StatusOK)
	if got := bodyLang(t, page, english); got != "ko" {
		t.Errorf("edited post: lang %q; want ko", got)
	}

	// A language not on the list: 400, the reply not written, its text back in the form.
	text := "이 글은 남아 있어야 합니다"
	resp, body = c.post(fmt.Sprintf("/t/%d/reply", threadID), url.Values{"body": {text}, "lang": {"fr"}})
	wantStatus(t, resp, body, http.StatusBadRequest)
	wantContains(t, body, text, "Choose the post&#39;s language")
	resp, page = c.get(threadPath)
	wantStatus(t, resp, page, http.StatusOK)
	if strings.Count(page, text) != 0 {
		t.Errorf("the refused reply was written")
	}
}

// bodyLang is the lang attribute of post id's body on a thread page ("" when none).
func bodyLang(t *testing.T, page string, id int64) string {
	t.Helper()
	re := regexp.MustCompile(`(?s)id="p` + strconv.FormatInt(id, 10) + `"[^>]*>.*?<div class="post-body"([^>]*)>`)
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no body for post %d on the page", id)
	}
	if l := regexp.MustCompile(`lang="([^"]*)"`).FindStringSubmatch(m[1]); l != nil {
		return l[1]
	}
	return ""
}

// entryLangs maps each Atom entry's id path (/p/ID) to its xml:lang.
func entryLangs(t *testing.T, doc string) map[string]string {
	t.Helper()
	var f struct {
		Entries []struct {
			Lang string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
			ID   string `xml:"id"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(doc), &f); err != nil {
		t.Fatalf("feed: %v", err)
	}
	out := map[string]string{}
	for _, e := range f.Entries {
		out[e.ID[strings.Index(e.ID, "/p/"):]] = e.Lang
	}
	return out
}
