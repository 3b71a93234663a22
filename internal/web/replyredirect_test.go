package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forum/internal/forum"
)

// TestReplyLandsOnItsPage: a reply in a long thread sends its writer to the thread page
// that shows it, not to page one; one near the top stays on page one; one deeper than
// the page shows goes to its own page.
func TestReplyLandsOnItsPage(t *testing.T) {
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("bob", forum.RoleMember)
	th, op := e.fx.Thread(alice, "A long thread of many answers", "go on")
	var tops []*forum.Post
	for i := range 230 { // more than one page's 200 posts
		tops = append(tops, e.fx.Reply(th, alice, op, "answer "+strconv.Itoa(i), forum.StanceNone))
	}
	bob := e.login("bob")
	tpath := "/t/" + strconv.FormatInt(th.ID, 10)
	follow := func(parent *forum.Post) (string, string) {
		t.Helper()
		resp, body := bob.post(tpath+"/reply", url.Values{"body": {"a reply to " + strconv.FormatInt(parent.ID, 10)},
			"parent_id": {strconv.FormatInt(parent.ID, 10)}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		loc := resp.Header.Get("Location")
		id := postIDFrom(t, resp)
		page, _, _ := strings.Cut(loc, "#")
		resp, body = bob.get(page)
		wantStatus(t, resp, body, http.StatusOK)
		if !strings.Contains(body, `id="p`+strconv.FormatInt(id, 10)+`"`) {
			t.Errorf("the reply to %d is not on the page its writer was sent to (%s)", parent.ID, loc)
		}
		return loc, body
	}

	if loc, _ := follow(tops[len(tops)-1]); !strings.Contains(loc, "?after=") {
		t.Errorf("a reply on the last page sent its writer to %s, page one", loc)
	}
	if loc, _ := follow(tops[2]); strings.Contains(loc, "?after=") || !strings.HasPrefix(loc, tpath+"#p") {
		t.Errorf("a reply on page one sent its writer to %s", loc)
	}
	// A chain deeper than the thread page shows.
	parent := tops[3]
	for i := range 8 {
		parent = e.fx.Reply(th, alice, parent, "deeper "+strconv.Itoa(i), forum.StanceNone)
	}
	if loc, _ := follow(parent); !strings.HasPrefix(loc, "/p/") {
		t.Errorf("a reply deeper than the page shows sent its writer to %s", loc)
	}
}
