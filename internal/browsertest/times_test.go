package browsertest

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"forum/internal/forum"
)

// anHourLater moves the page's clock an hour ahead, as if the page had been kept in a
// cache for an hour before it was read. time.js reads the clock through Date.now.
const anHourLater = `(function () { var now = Date.now; Date.now = function () { return now.call(Date) + 3600e3; }; })();`

// TestRelativeTimesInTheBrowser: a thread page rendered half an hour after a reply and
// read an hour later says how long ago the reply was when it is read: time.js words every
// <time data-relative> from the browser's clock in hours and minutes, and the full time
// stays in the tooltip. On the same page, an answer to the reply says "in reply to" with
// a link to it, and a quote is drawn apart from the reply tree's lines.
func TestRelativeTimesInTheBrowser(t *testing.T) {
	s := newSite(t)
	s.category("general")
	alice := s.user("alice", forum.RoleMember)
	bob := s.user("bob", forum.RoleMember)
	th, _ := s.thread(alice, "general", "How long ago was that?", "When did people answer?")
	p := s.reply(bob, th, nil, "", "> When did people answer?\n\nAn answer from half an hour ago.")
	answer := s.reply(alice, th, p, "", "And an answer to that.")
	// 20 s past the half hour, so the minute does not turn while the test runs.
	created := time.Now().Add(-30*time.Minute - 20*time.Second).UTC()
	if _, err := s.store.DB().ExecContext(t.Context(), `UPDATE posts SET created_at = $2 WHERE id = $1`, p.ID, created); err != nil {
		t.Fatal(err)
	}
	path := "/t/" + strconv.FormatInt(th.ID, 10)
	sel := "#p" + strconv.FormatInt(p.ID, 10) + " .post-meta time[data-relative]"

	// The server's text, which a cache would keep: half an hour.
	resp, body := httpGet(t, s.URL+path)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	if !strings.Contains(string(body), `data-relative>30 min ago</time>`) {
		t.Fatalf("the server did not word the reply's time as 30 min ago:\n%s", body)
	}

	b := newBrowser(t, s)
	b.do("move the page's clock an hour ahead", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
			page.AddScriptToEvaluateOnNewDocumentParams{Source: anHourLater})
		return err
	}))
	b.open(path) // deferred scripts have run once the page has loaded
	if got := b.text(sel); got != "1 h 30 min ago" {
		t.Errorf("an hour later the reply's time reads %q, want %q", got, "1 h 30 min ago")
	}
	if got, want := b.attr(sel, "title"), created.Format("2 Jan 2006 15:04 UTC"); got != want {
		t.Errorf("the tooltip reads %q, want the full time %q", got, want)
	}
	if got, want := b.attr(sel, "datetime"), created.Format(time.RFC3339); got != want {
		t.Errorf("datetime is %q, want %q", got, want)
	}

	// The answer to bob's reply says so, and its link lands on bob's reply.
	link := "#p" + strconv.FormatInt(answer.ID, 10) + " a.reply-to"
	if got := b.text(link); got != "in reply to bob" {
		t.Errorf("the depth-2 answer's link reads %q", got)
	}
	if !eval[bool](b, `document.querySelector(document.querySelector(`+strconv.Quote(link)+`).getAttribute("href")) !== null`) {
		t.Errorf("the link %s points at no post on the page", b.attr(link, "href"))
	}

	// A quote is not drawn like the reply tree's line: another edge and a tinted panel.
	for _, scheme := range []string{"light", "dark"} {
		b.do("emulate "+scheme, b.colorScheme(scheme))
		look := eval[[]string](b, `(function () {
			var q = getComputedStyle(document.querySelector(".post-body blockquote"));
			var l = getComputedStyle(document.querySelector("ol.replies ol.replies"));
			return [q.borderLeftWidth + " " + q.borderLeftColor, l.borderLeftWidth + " " + l.borderLeftColor, q.backgroundColor];
		})()`)
		if look[0] == look[1] || look[2] == "rgba(0, 0, 0, 0)" {
			t.Errorf("%s: the quote's edge %q, the tree's line %q, the quote's background %q", scheme, look[0], look[1], look[2])
		}
	}
}
