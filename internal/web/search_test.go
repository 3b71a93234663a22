package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/store"
)

func TestSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ann := e.user("ann", forum.RoleMember)
	ben := e.user("ben", forum.RoleMember)
	race := e.thread(ann, "The marathon route past the stadium")
	other, err := e.store.UpsertCategory(t.Context(), forum.Category{Slug: "tourism", Name: "Tourism"})
	if err != nil {
		t.Fatal(err)
	}
	tour, err := e.store.CreateThread(t.Context(), store.NewThread{CategoryID: other.ID, AuthorID: ben.ID,
		Title: "Tour groups and visas", BodySource: "Which agency arranged the tour groups?", BodyHTML: "<p>x</p>"})
	if err != nil {
		t.Fatal(err)
	}
	tourFix := fixture{thread: tour}
	e.reply(race, ben, 0, "The Arch of Triumph was the best part of the route")
	e.reply(race, ann, 0, "Triumph is a strong word for a route nobody could time")
	e.reply(tourFix, ann, 0, "Only Russian tourists were allowed since 2024, then the arch opened to runners")
	hidden := e.reply(race, ben, 0, "secretword appears only in a hidden post")
	if _, err := e.db.Exec(`UPDATE posts SET status = 'hidden' WHERE id = $1`, hidden.ID); err != nil {
		t.Fatal(err)
	}
	e.reply(race, ann, 0, `<script>alert("x")</script> hostileterm <img src=x onerror=alert(1)>`)

	search := func(q string) []string {
		t.Helper()
		resp, body := e.client().get("/api/v1/search?q=" + url.QueryEscape(q))
		wantStatus(t, resp, body, http.StatusOK)
		var out struct {
			Results []struct {
				ThreadTitle string `json:"thread_title"`
				Author      string `json:"author"`
				Snippet     string `json:"snippet_html"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range out.Results {
			got = append(got, r.Author+": "+r.Snippet)
		}
		return got
	}

	t.Run("PhraseRanksTitleAboveBody", func(t *testing.T) {
		got := search(`"marathon route"`)
		if len(got) == 0 || !strings.HasPrefix(got[0], "ann: ") {
			t.Fatalf("results %v", got)
		}
		got = search("route")
		if len(got) < 3 || !strings.HasPrefix(got[0], "ann: Opening post") {
			t.Fatalf("title match not first: %v", got)
		}
	})
	t.Run("NegatedWord", func(t *testing.T) {
		got := search("triumph -nobody")
		if len(got) != 1 || !strings.Contains(got[0], "<mark>Triumph</mark> was the best") {
			t.Fatalf("results %v", got)
		}
	})
	t.Run("AuthorFilter", func(t *testing.T) {
		for _, r := range search("route author:ben") {
			if !strings.HasPrefix(r, "ben: ") {
				t.Fatalf("result by someone else: %v", r)
			}
		}
		if len(search("route author:ben")) != 1 {
			t.Fatal("author filter lost ben's post")
		}
	})
	t.Run("CategoryFilter", func(t *testing.T) {
		got := search("arch in:tourism")
		if len(got) != 1 || !strings.Contains(got[0], "Russian") {
			t.Fatalf("results %v", got)
		}
	})
	t.Run("HiddenPostsAbsent", func(t *testing.T) {
		if got := search("secretword"); len(got) != 0 {
			t.Fatalf("hidden post found: %v", got)
		}
	})
	t.Run("HostileSnippetInert", func(t *testing.T) {
		got := search("hostileterm")
		if len(got) != 1 {
			t.Fatalf("results %v", got)
		}
		// The snippet is the text a reader saw: tags the database holds are gone, not shown.
		if strings.Contains(got[0], "<script") || strings.Contains(got[0], "<img") || !strings.Contains(got[0], "<mark>hostileterm</mark>") {
			t.Fatalf("snippet not inert: %q", got[0])
		}
		_, body := e.client().get("/search?q=hostileterm")
		wantContains(t, body, "<mark>hostileterm</mark>")
		if strings.Contains(body, `<script>alert`) {
			t.Fatal("search page renders the script")
		}
	})
	t.Run("EmptyAndOddQueriesAreFriendly", func(t *testing.T) {
		for _, q := range []string{"", "   ", `"unclosed`, "-", "or or or", "the", "!!!"} {
			resp, body := e.client().get("/search?q=" + url.QueryEscape(q))
			wantStatus(t, resp, body, http.StatusOK)
		}
		resp, body := e.client().get("/search?q=%ff%fe") // not text: refused before the handler
		wantStatus(t, resp, body, http.StatusBadRequest)
		wantContains(t, body, "query parameter “q” is not valid UTF-8")
		resp, body = e.client().get("/search?q=route&before=junk")
		wantStatus(t, resp, body, http.StatusBadRequest) // a bad page link, like every listing's
		wantContains(t, body, "That page link is not valid")
	})
	t.Run("MoreLinkPages", func(t *testing.T) {
		for i := range 25 {
			e.reply(race, ann, 0, "pagination filler word number "+strings.Repeat("x", i+1))
		}
		resp, body := e.client().get("/api/v1/search?q=filler")
		wantStatus(t, resp, body, http.StatusOK)
		var page struct {
			Results []json.RawMessage `json:"results"`
			Next    string            `json:"next"`
		}
		_ = json.Unmarshal([]byte(body), &page)
		if len(page.Results) != 20 || page.Next == "" {
			t.Fatalf("first page: %d results, next %q", len(page.Results), page.Next)
		}
		_, body = e.client().get(page.Next)
		_ = json.Unmarshal([]byte(body), &page)
		if len(page.Results) != 5 {
			t.Fatalf("second page: %d results", len(page.Results))
		}
	})
}
