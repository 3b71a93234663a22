package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"forum/internal/forum"
)

// TestReplyLimitHoldsUnderConcurrentSends: a reply's count is taken in its own
// transaction (store.NewReply.Limit), so a writer firing many replies at once through
// two instances gets exactly the limit written and the rest refused with 429, never a
// reply past the limit, and no refused reply leaves anything on the page.
func TestReplyLimitHoldsUnderConcurrentSends(t *testing.T) {
	t.Parallel()
	a := newLimitedEnvOn(t, nil, nil) // replies: 3 an hour for an established account
	b := newLimitedEnvOn(t, a.db, nil)
	author := a.fx.Established("veteran", forum.RoleMember)
	f := a.thread(author, "Many at once, one limit")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	ca, cb := a.login("veteran"), b.login("veteran")
	ca.get(tpath)
	cb.get(tpath)
	const sends = 8
	statuses := make([]int, sends)
	errs := make([]error, sends)
	var wg sync.WaitGroup
	for i := range sends {
		c := ca
		if i%2 == 1 {
			c = cb
		}
		// Sent on the client's own http.Client with the token already held: client.post
		// keeps the last page's token, which concurrent sends would race on.
		form := url.Values{"body": {fmt.Sprintf("burst reply number %d", i)}, "csrf_token": {c.csrf}}
		base := c.e.http.URL
		wg.Go(func() {
			resp, err := c.http.PostForm(base+tpath+"/reply", form)
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	written, refused := 0, 0
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			written++
		case http.StatusTooManyRequests:
			refused++
		}
	}
	if written != 3 || refused != sends-3 {
		t.Fatalf("statuses %v: %d written and %d refused, want 3 and %d", statuses, written, refused, sends-3)
	}
	resp, body := a.client().get(tpath)
	wantStatus(t, resp, body, http.StatusOK)
	shown := 0
	for i := range sends {
		if strings.Contains(body, fmt.Sprintf("burst reply number %d", i)) {
			shown++
		}
	}
	if shown != 3 {
		t.Fatalf("the thread shows %d of the burst's replies, want 3", shown)
	}
}
