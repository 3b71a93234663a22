package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

// TestLiveRepliesInTheListenersLanguage: a live reply, its reply count and the stance
// tally arrive in the language of whoever listens: Korean controls for a reader whose
// setting is Korean, English for a visitor on the same thread at the same time.
func TestLiveRepliesInTheListenersLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	author := e.user("live_ko_author", forum.RoleMember)
	e.user("live_ko_reader", forum.RoleMember)
	f := e.thread(author, "Live replies in two languages")
	threadPath := "/t/" + strconv.FormatInt(f.thread.ID, 10)

	reader := e.login("live_ko_reader")
	resp, body := reader.post("/settings/language", url.Values{"lang": {"ko"}})
	wantStatus(t, resp, body, http.StatusSeeOther)
	resp, body = reader.get(threadPath)
	wantStatus(t, resp, body, http.StatusOK)
	korean, _, stopKorean := openStreamAs(t, reader.http, e.http.URL+threadPath+"/events", "")
	defer stopKorean()
	visitor, _, stopVisitor := openStream(t, e, f.thread.ID, "")
	defer stopVisitor()

	p := e.fx.Reply(f.thread, author, nil, "a reply both streams carry", forum.StanceHelps)

	ko := next(t, korean, 2*time.Second)
	if ko.data.PostID != p.ID {
		t.Fatalf("Korean listener got %+v, want post %d", ko.data, p.ID)
	}
	wantContains(t, ko.data.Node, "<summary>답글</summary>", "<summary>신고</summary>")
	for _, en := range []string{">Reply<", ">Flag<", "Reply to live_ko_author"} {
		if strings.Contains(ko.data.Node, en) {
			t.Errorf("the Korean listener's live reply carries %q:\n%s", en, ko.data.Node)
		}
	}
	if c := ko.data.Counts; c == nil || c.RepliesHTML != "답글 1개" || c.Tally == nil ||
		!strings.Contains(c.Tally.HTML, "도움이 된다: 1 (100%)") {
		t.Fatalf("Korean listener's counts %+v, want 답글 1개 and a Korean tally", c)
	}

	en := next(t, visitor, 2*time.Second)
	if en.data.PostID != p.ID {
		t.Fatalf("visitor got %+v, want post %d", en.data, p.ID)
	}
	if c := en.data.Counts; c == nil || c.RepliesHTML != "1 reply" || c.Tally == nil ||
		!strings.Contains(c.Tally.HTML, "Helps: 1 (100%)") {
		t.Fatalf("visitor's counts %+v, want 1 reply and an English tally", c)
	}
	if strings.Contains(en.data.Node, "답글") {
		t.Errorf("the English visitor's live reply is Korean:\n%s", en.data.Node)
	}
}
