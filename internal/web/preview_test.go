package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"forum/internal/config"
	"forum/internal/forum"
	"forum/internal/web"
)

// previewDraft is Markdown with what a post may hold and a mention of a real person.
const previewDraft = "**Bold** claim, @carol.\n\n| where | when |\n|:--|--:|\n| Pyongyang | April |\n\n- [x] registered\n- [ ] trained"

// TestPreview: the Preview button renders a draft through the posting pipeline and
// writes nothing; its page keeps the text, and its Post button sends it where the form
// it came from would have, with that form's hidden fields.
func TestPreview(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	e.user("carol", forum.RoleMember)
	f := e.thread(alice, "Previews before posting")
	first := e.reply(f, alice, 0, "a reply to answer")
	tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
	c := e.login("alice")

	t.Run("RendersLikeAPostAndWritesNothing", func(t *testing.T) {
		before := e.writes(t, f.thread.ID)
		form := e.formOf(t, c, tpath, "/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply")
		form.fields.Set("body", previewDraft)
		resp, body := c.post(form.preview(t), form.fields)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "<strong>Bold</strong> claim",
			`<a class="mention" href="/u/carol">@carol</a>`,
			`<th align="left">where</th>`, `<td align="right">April</td>`,
			`<label><input checked="" disabled="" type="checkbox"> registered</label>`)

		// The script's request: the same HTML as JSON.
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+web.RoutePreview, strings.NewReader(url.Values{"body": {previewDraft}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", c.csrf)
		resp, body = c.do(req)
		wantStatus(t, resp, body, http.StatusOK)
		var got struct{ HTML string }
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("answer is not JSON: %v: %.300s", err, body)
		}
		if !strings.Contains(got.HTML, `<a class="mention" href="/u/carol">@carol</a>`) || !strings.Contains(got.HTML, "<table>") {
			t.Fatalf("JSON html = %q", got.HTML)
		}

		if after := e.writes(t, f.thread.ID); after != before {
			t.Fatalf("a preview wrote: %+v before, %+v after", before, after)
		}
	})

	t.Run("PostButtonRepliesToTheParent", func(t *testing.T) {
		form := e.formOf(t, c, "/p/"+id(first), "/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply")
		const text = "A *considered* answer <to> the reply, & more."
		form.fields.Set("body", text)
		form.fields.Set("stance", "mixed")
		resp, body := c.post(form.preview(t), form.fields)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "<em>considered</em>")

		page := parseForm(t, body, "/t/"+strconv.FormatInt(f.thread.ID, 10)+"/reply")
		for name, want := range map[string]string{"body": text, "parent_id": id(first),
			"idem": form.fields.Get("idem"), "thread": strconv.FormatInt(f.thread.ID, 10), "stance": "mixed"} {
			if got := page.fields.Get(name); got != want {
				t.Errorf("the preview page's %s = %q, want %q", name, got, want)
			}
		}
		resp, body = c.post(page.action, page.fields)
		wantStatus(t, resp, body, http.StatusSeeOther)
		var parent int64
		var source, stance string
		if err := e.db.QueryRow(`SELECT parent_id, body_source, stance FROM posts WHERE id = $1`,
			postIDFrom(t, resp)).Scan(&parent, &source, &stance); err != nil {
			t.Fatal(err)
		}
		if parent != first.ID || source != text || stance != "mixed" {
			t.Fatalf("posted parent %d, source %q, stance %q; want %d, the text, mixed", parent, source, stance, first.ID)
		}
		// The same form sent again (a second click on Post) writes nothing more.
		resp, body = c.post(page.action, page.fields)
		wantStatus(t, resp, body, http.StatusSeeOther)
		if n := e.count(t, `SELECT count(*) FROM posts WHERE body_source = $1`, text); n != 1 {
			t.Fatalf("%d posts of the text after posting twice", n)
		}
	})

	t.Run("PostButtonStartsTheThread", func(t *testing.T) {
		form := e.formOf(t, c, web.RouteNewThread, web.RouteCreateThread)
		form.fields.Set("category", f.cat.Slug)
		form.fields.Set("title", "A thread previewed first")
		form.fields.Set("body", "Opening with a list:\n\n1. one\n2. two")
		resp, body := c.post(form.preview(t), form.fields)
		wantStatus(t, resp, body, http.StatusOK)
		wantContains(t, body, "<li>one</li>", "A thread previewed first")
		page := parseForm(t, body, web.RouteCreateThread)
		for _, name := range []string{"category", "title", "body", "idem"} {
			if got, want := page.fields.Get(name), form.fields.Get(name); got != want {
				t.Errorf("the preview page's %s = %q, want %q", name, got, want)
			}
		}
		resp, body = c.post(page.action, page.fields)
		wantStatus(t, resp, body, http.StatusSeeOther)
		if n := e.count(t, `SELECT count(*) FROM threads WHERE title = 'A thread previewed first'`); n != 1 {
			t.Fatalf("%d threads so titled", n)
		}
	})

	t.Run("RefusedDraftKeepsItsText", func(t *testing.T) {
		deep := strings.Repeat("> ", forum.MaxNesting+1) + "too deep <b>&"
		for _, tc := range []struct {
			name, body string
			status     int
			says       string
		}{
			{"TooDeep", deep, http.StatusBadRequest, "levels deep"},
			{"Empty", "   ", http.StatusBadRequest, "Write something"},
			{"TooLong", strings.Repeat("long words ", 2000), http.StatusRequestEntityTooLarge, "at most 20000 characters"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := c.post(web.RoutePreview, url.Values{"body": {tc.body}, "thread": {strconv.FormatInt(f.thread.ID, 10)}})
				wantStatus(t, resp, body, tc.status)
				wantContains(t, body, tc.says, `aria-invalid="true"`)
				page := parseForm(t, body, tpath+"/reply")
				if got := page.fields.Get("body"); got != forum.NormalizeBody(tc.body) {
					t.Fatalf("the text box holds %.80q, want the draft", got)
				}
			})
		}
	})

	t.Run("NeedsCSRFToken", func(t *testing.T) {
		resp, body := c.postRaw(web.RoutePreview, url.Values{"body": {"x"}})
		wantStatus(t, resp, body, http.StatusForbidden)
		wantContains(t, body, "Reload the page")
	})

	t.Run("VisitorIsAskedToLogIn", func(t *testing.T) {
		v := e.client()
		resp, body := v.post(web.RoutePreview, url.Values{"body": {"x"}})
		wantStatus(t, resp, body, http.StatusUnauthorized)
		wantContains(t, body, "Log in")
		req, _ := http.NewRequest(http.MethodPost, e.http.URL+web.RoutePreview, strings.NewReader("body=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", v.csrf)
		resp, body = v.do(req)
		wantStatus(t, resp, body, http.StatusUnauthorized)
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"error"`) {
			t.Fatalf("the script's refusal is %q: %.200s", resp.Header.Get("Content-Type"), body)
		}
	})
}

// TestPreviewLimit: previews are counted per account; past the limit a 429 with
// Retry-After, the draft kept on the page, and JSON for the script.
func TestPreviewLimit(t *testing.T) {
	t.Parallel()
	e := newLimitedEnvOn(t, nil, func(c *config.Config) {
		c.Limits.Previews = []forum.Limit{{Name: "previews", Max: 2, Window: time.Hour}}
	})
	e.fx.Category("general")
	e.user("previewer", forum.RoleMember)
	c := e.login("previewer")
	for range 2 {
		resp, body := c.post(web.RoutePreview, url.Values{"body": {"draft"}})
		wantStatus(t, resp, body, http.StatusOK)
	}
	resp, body := c.post(web.RoutePreview, url.Values{"body": {"my third draft"}})
	wantRefused(t, resp, body, "previews in a short time", "60 minutes", "my third draft")
	// The script's request gets JSON with the same Retry-After.
	req, _ := http.NewRequest(http.MethodPost, e.http.URL+web.RoutePreview, strings.NewReader("body=draft"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	resp, body = c.do(req)
	wantStatus(t, resp, body, http.StatusTooManyRequests)
	if resp.Header.Get("Retry-After") == "" || !strings.Contains(body, `"error":"Too many previews`) {
		t.Fatalf("Retry-After %q, body %.200s", resp.Header.Get("Retry-After"), body)
	}
}

// writeCounts are the rows a post writes: a preview must leave them as they were.
type writeCounts struct{ Posts, Notifications, Events, Mail, Version int }

func (e *env) writes(t *testing.T, threadID int64) writeCounts {
	t.Helper()
	return writeCounts{
		Posts:         e.count(t, `SELECT count(*) FROM posts`),
		Notifications: e.count(t, `SELECT count(*) FROM notifications`),
		Events:        e.count(t, `SELECT count(*) FROM thread_events`),
		Mail:          e.count(t, `SELECT count(*) FROM mail_outbox`),
		Version:       e.count(t, `SELECT version FROM threads WHERE id = $1`, threadID),
	}
}

// pageForm is a form as a browser would send it: its action, its fields with their
// current values, and the formaction of its Preview button.
type pageForm struct {
	action, previewAction string
	fields                url.Values
}

// preview is where the form's Preview button sends it; the test fails without one.
func (f pageForm) preview(t *testing.T) string {
	t.Helper()
	if f.previewAction == "" {
		t.Fatalf("the form to %s has no Preview button", f.action)
	}
	return f.previewAction
}

// formOf loads path as c and returns its form posting to action.
func (e *env) formOf(t *testing.T, c *client, path, action string) pageForm {
	t.Helper()
	resp, body := c.get(path)
	wantStatus(t, resp, body, http.StatusOK)
	return parseForm(t, body, action)
}

// parseForm finds the form posting to action in page (the one with a Preview button
// when several do, as the thread page's reply box and each post's own reply form) and
// reads it as a browser would: hidden and text inputs, checked radios, textareas,
// selected options.
func parseForm(t *testing.T, page, action string) pageForm {
	t.Helper()
	doc, err := xhtml.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var forms []pageForm
	var find func(*xhtml.Node)
	find = func(n *xhtml.Node) {
		if n.DataAtom == atom.Form && attrOf(n, "action") == action {
			forms = append(forms, readForm(n, action))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	for _, f := range forms {
		if f.previewAction != "" {
			return f
		}
	}
	if len(forms) == 0 {
		t.Fatalf("no form posting to %s in the page:\n%.2000s", action, page)
	}
	return forms[0]
}

func readForm(form *xhtml.Node, action string) pageForm {
	f := pageForm{action: action, fields: url.Values{}}
	var read func(*xhtml.Node)
	read = func(n *xhtml.Node) {
		name := attrOf(n, "name")
		switch n.DataAtom {
		case atom.Input:
			if typ := attrOf(n, "type"); (typ != "radio" && typ != "checkbox") || hasAttrOf(n, "checked") {
				f.fields.Set(name, attrOf(n, "value"))
			}
		case atom.Textarea:
			var b strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				b.WriteString(c.Data)
			}
			// The parser drops one newline right after <textarea>, as browsers do.
			f.fields.Set(name, b.String())
		case atom.Select:
			for o := n.FirstChild; o != nil; o = o.NextSibling {
				if o.DataAtom == atom.Option && (hasAttrOf(o, "selected") || f.fields.Get(name) == "") {
					f.fields.Set(name, attrOf(o, "value"))
				}
			}
		case atom.Button:
			if fa := attrOf(n, "formaction"); fa != "" {
				f.previewAction = fa
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			read(c)
		}
	}
	read(form)
	delete(f.fields, "")
	return f
}

func attrOf(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val // the parser has decoded character references
		}
	}
	return ""
}

func hasAttrOf(n *xhtml.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
