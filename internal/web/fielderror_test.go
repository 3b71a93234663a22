package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	html "golang.org/x/net/html"

	"forum/internal/forum"
	"forum/internal/web"
)

// wantFieldError asserts what a person sees after a rejected form: the message directly
// under the input it concerns (in the same field wrapper), the input marked invalid and
// described by it, and no copy of it in a summary at the top.
func wantFieldError(t *testing.T, page, inputID, msg string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	inputs := findAll(doc, func(n *html.Node) bool { return attrOf(n, "id") == inputID })
	if len(inputs) != 1 {
		t.Fatalf("%d elements with id %q, want 1", len(inputs), inputID)
	}
	input := inputs[0]
	errID := ""
	for _, n := range findAll(doc, func(n *html.Node) bool { return hasClass(n, "field-error") }) {
		if strings.Contains(textOf(n), msg) {
			if n.Parent != input.Parent {
				t.Fatalf("the message %q is not beside #%s but in <%s class=%q>", msg, inputID, n.Parent.Data, attrOf(n.Parent, "class"))
			}
			errID = attrOf(n, "id")
		}
	}
	if errID == "" {
		t.Fatalf("no .field-error saying %q in the page:\n%.3000s", msg, page)
	}
	if attrOf(input, "aria-invalid") != "true" {
		t.Errorf("#%s is not aria-invalid", inputID)
	}
	if !slices.Contains(strings.Fields(attrOf(input, "aria-describedby")), errID) {
		t.Errorf("#%s aria-describedby=%q does not name #%s", inputID, attrOf(input, "aria-describedby"), errID)
	}
	for _, n := range findAll(doc, func(n *html.Node) bool { return hasClass(n, "form-error") }) {
		t.Errorf("the message is also at the top: %q", textOf(n))
	}
}

// TestFieldErrors: a rejected form says what is wrong under the field concerned and
// keeps what was typed, on every form that takes text.
func TestFieldErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice := e.user("alice", forum.RoleMember)
	f := e.thread(alice, "Where the errors go")
	c := e.login("alice")

	t.Run("NewThreadTitleTooShort", func(t *testing.T) {
		form := e.formOf(t, c, "/new", "/t")
		form.fields.Set("title", "Hm")
		form.fields.Set("body", "An opening post worth keeping.")
		form.fields.Set("stance", "mixed")
		resp, body := c.post("/t", form.fields)
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantFieldError(t, body, "title", "Titles are 5–200 characters.")
		kept := parseForm(t, body, "/t")
		for name, want := range map[string]string{"title": "Hm", "body": "An opening post worth keeping.",
			"stance": "mixed", "category": form.fields.Get("category")} {
			if got := kept.fields.Get(name); got != want {
				t.Errorf("kept %s = %q, want %q", name, got, want)
			}
		}
	})

	t.Run("RegisterBadUsername", func(t *testing.T) {
		anon := e.client()
		resp, body := anon.post("/register", url.Values{"username": {"no spaces"}, "password": {"a long and unguessable phrase"},
			"email": {"kept@example.org"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantFieldError(t, body, "username", "Usernames are 3–32 characters")
		kept := parseForm(t, body, "/register")
		if kept.fields.Get("email") != "kept@example.org" || kept.fields.Get("username") == "" {
			t.Errorf("kept username %q, email %q", kept.fields.Get("username"), kept.fields.Get("email"))
		}
	})

	t.Run("RegisterShortPassword", func(t *testing.T) {
		anon := e.client()
		resp, body := anon.post("/register", url.Values{"username": {"bob"}, "password": {"short"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantFieldError(t, body, "password", "Passwords need at least")
		if got := parseForm(t, body, "/register").fields.Get("username"); got != "bob" {
			t.Errorf("kept username %q, want bob", got)
		}
	})

	t.Run("ReplyEmptyBodyKeepsStance", func(t *testing.T) {
		tpath := "/t/" + strconv.FormatInt(f.thread.ID, 10)
		form := e.formOf(t, c, tpath, tpath+"/reply")
		form.fields.Set("body", "   ")
		form.fields.Set("stance", "hinders")
		resp, body := c.post(tpath+"/reply", form.fields)
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantFieldError(t, body, "reply-body", "Write something before posting.")
		if got := parseForm(t, body, tpath+"/reply").fields.Get("stance"); got != "hinders" {
			t.Errorf("kept stance %q, want hinders", got)
		}
	})

	t.Run("EditTooLongKeepsText", func(t *testing.T) {
		path := "/p/" + strconv.FormatInt(f.root, 10) + "/edit"
		long := strings.Repeat("marathon ", forum.MaxBodyRunes/9+1)
		resp, body := c.post(path, url.Values{"body": {long}})
		wantStatus(t, resp, body, http.StatusRequestEntityTooLarge)
		wantFieldError(t, body, "body", "Posts can be at most")
		if got := parseForm(t, body, path).fields.Get("body"); got != strings.TrimSpace(long) {
			t.Errorf("the text was not kept: %d characters back of %d", len(got), len(long))
		}
	})

	t.Run("SettingsBadEmail", func(t *testing.T) {
		resp, body := c.post(web.RouteSettingsEmail, url.Values{"email": {"not an address"}})
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantFieldError(t, body, "new_email", "Enter an e-mail address")
		if got := parseForm(t, body, web.RouteSettingsEmail).fields.Get("email"); got != "not an address" {
			t.Errorf("kept email %q", got)
		}
	})
}
