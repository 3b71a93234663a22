package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forum/internal/forum"
)

// Writes that are never doubled or misapplied: a double click, and an author's edit
// racing a moderator's hide or removal, under real concurrency on a real database.

// sendForm posts form to path with c's cookies and CSRF token, without touching c's state
// (safe from several goroutines), and returns the status and the body.
func sendForm(t *testing.T, c *client, path string, form url.Values) (int, string) {
	f := url.Values{"csrf_token": {c.csrf}}
	for k, v := range form {
		f[k] = v
	}
	req, err := http.NewRequest(http.MethodPost, c.e.http.URL+path, strings.NewReader(f.Encode()))
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDoubleClickPostsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	f := e.thread(alice, "Double clicks on the reply button")
	c := e.login("alice")
	c.get("/t/" + strconv.FormatInt(f.thread.ID, 10)) // the page the form is on: its CSRF token

	// Thirty trials of two clicks 0–5 ms apart, each trial with its own form (idem key).
	const trials = 30
	for i := range trials {
		gap := time.Duration(i%6) * time.Millisecond
		form := url.Values{"body": {"click " + strconv.Itoa(i)}, "idem": {"double-click-" + strconv.Itoa(i)}}
		var wg sync.WaitGroup
		var codes [2]int
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if k == 1 {
					time.Sleep(gap) // the second click, gap after the first: the input, not a wait
				}
				codes[k], _ = sendForm(t, c, "/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply", form)
			}()
		}
		wg.Wait()
		if codes[0] != http.StatusSeeOther || codes[1] != http.StatusSeeOther {
			t.Fatalf("trial %d (%v apart): answers %v, want two 303s", i, gap, codes)
		}
		if n := e.ruleCount(t, `SELECT count(*) FROM posts WHERE thread_id = $1 AND body_source = $2`,
			f.thread.ID, "click "+strconv.Itoa(i)); n != 1 {
			t.Fatalf("trial %d (%v apart): %d posts stored, want 1", i, gap, n)
		}
	}
}

func TestEditRacingModeration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("mod", forum.RoleModerator)
	author, mod := e.login("alice"), e.login("mod")
	f := e.thread(alice, "Edits racing moderators")
	author.get("/t/" + strconv.FormatInt(f.thread.ID, 10))
	mod.get("/t/" + strconv.FormatInt(f.thread.ID, 10))

	race := func(t *testing.T, action string, trial int) (editCode, decideCode int, p *forum.Post) {
		reply := e.reply(f, alice, 0, "before "+strconv.Itoa(trial))
		id := strconv.FormatInt(reply.ID, 10)
		var wg sync.WaitGroup
		start := make(chan struct{})
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			editCode, _ = sendForm(t, author, "/p/"+id+"/edit", url.Values{"body": {"after " + strconv.Itoa(trial)}})
		}()
		go func() {
			defer wg.Done()
			<-start
			decideCode, _ = sendForm(t, mod, "/mod/posts/"+id+"/decide", url.Values{"action": {action}})
		}()
		close(start)
		wg.Wait()
		p, err := e.store.PostByID(t.Context(), reply.ID)
		if err != nil {
			t.Fatal(err)
		}
		return editCode, decideCode, p
	}

	t.Run("EditRacingHideLeavesThePostHidden", func(t *testing.T) {
		for i := range 15 {
			editCode, decideCode, p := race(t, "hide", i)
			// An author may edit a hidden post to fix it, so the edit lands either way;
			// the hide stands either way.
			if editCode != http.StatusSeeOther || decideCode != http.StatusSeeOther {
				t.Fatalf("trial %d: edit answered %d, hide %d; want 303 and 303", i, editCode, decideCode)
			}
			if p.Status != forum.StatusHidden || p.BodySource != "after "+strconv.Itoa(i) || p.EditCount != 1 {
				t.Fatalf("trial %d: post is %s with %q after %d edits; want hidden, edited once", i, p.Status, p.BodySource, p.EditCount)
			}
		}
	})

	t.Run("EditRacingRemovalNeverLandsOnARemovedPost", func(t *testing.T) {
		landed, refused := 0, 0
		for i := range 15 {
			editCode, decideCode, p := race(t, "delete", i)
			if decideCode != http.StatusSeeOther || p.Status != forum.StatusRemoved {
				t.Fatalf("trial %d: removal answered %d and left the post %s", i, decideCode, p.Status)
			}
			switch editCode {
			case http.StatusSeeOther: // the edit came first: it is kept, before the removal
				landed++
				if p.BodySource != "after "+strconv.Itoa(i) {
					t.Fatalf("trial %d: the edit answered 303 but the body is %q", i, p.BodySource)
				}
				if n := e.ruleCount(t, `SELECT count(*) FROM mod_log WHERE target_id = $1 AND action = 'delete_post'
					AND created_at >= $2`, p.ID, *p.EditedAt); n != 1 {
					t.Fatalf("trial %d: the edit landed after the removal", i)
				}
			case http.StatusConflict: // the removal came first: the edit is refused, nothing changed
				refused++
				if p.BodySource != "before "+strconv.Itoa(i) || p.EditCount != 0 {
					t.Fatalf("trial %d: the edit was refused but the post reads %q after %d edits", i, p.BodySource, p.EditCount)
				}
			default:
				t.Fatalf("trial %d: the edit answered %d, want 303 or 409", i, editCode)
			}
		}
		t.Logf("edits that landed before the removal: %d; refused after it: %d", landed, refused)
	})

	t.Run("DecisionOnAVersionTheAuthorEditedSinceIsAConflict", func(t *testing.T) {
		reply := e.reply(f, alice, 0, "the text the moderator reviewed")
		id := strconv.FormatInt(reply.ID, 10)
		seen := strconv.Itoa(reply.ModVersion)
		resp, body := author.post("/p/"+id+"/edit", url.Values{"body": {"a different text"}})
		wantStatus(t, resp, body, http.StatusSeeOther)
		resp, body = mod.post("/mod/posts/"+id+"/decide", url.Values{"action": {"dismiss"}, "version": {seen}})
		wantStatus(t, resp, body, http.StatusConflict)
		wantContains(t, body, "Its author edited this post while you were looking at it")
	})
}
