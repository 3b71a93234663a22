package web

import (
	"errors"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
	"forum/internal/store"
)

// Search routes.
const (
	RouteSearch    = "/search"
	RouteAPISearch = "/api/v1/search"
)

type searchResult struct {
	forum.SearchHit
	Snippet template.HTML
}

// searchThread is one thread's hits on a page, under one heading.
type searchThread struct {
	ThreadID     int64
	Title        string
	Slug         string
	CategorySlug string
	Hits         []searchResult
}

// searchSuggestion is a search without one of the query's filters.
type searchSuggestion struct {
	Label string
	URL   string
}

type searchView struct {
	Query   string
	Results []searchResult // rank order, for the API
	Threads []searchThread // the same hits grouped, for the page
	// Total matches counted (at most the count cap; TotalCapped past it) and the range
	// this page shows, 1-based.
	Total       int
	TotalCapped bool
	From, To    int64
	Next        string // the next page's cursor
	NextURL     string
	FirstURL    string // on later pages
	Message     string
	// Help shows the syntax with the categories (no query, or no results);
	// Suggestions are the query without each of its filters.
	Help        bool
	Categories  []forum.Category
	Suggestions []searchSuggestion
}

// CountText is "N results" or "more than N results".
func (v searchView) CountText() string {
	if v.TotalCapped {
		return "more than " + groupDigits(int64(v.Total)) + " results"
	}
	if v.Total == 1 {
		return "1 result"
	}
	return groupDigits(int64(v.Total)) + " results"
}

// runSearch parses and runs a query; a query it cannot use is a friendly message, not
// an error.
// route prefixes the page links: "" for the page, RouteAPISearch for the API.
func (s *Server) runSearch(c *gin.Context, route string) (searchView, error) {
	v := searchView{Query: c.Query("q")}
	if !utf8.ValidString(v.Query) || strings.ContainsRune(v.Query, 0) || utf8.RuneCountInString(v.Query) > 500 {
		v.Message = s.T(c, "search.msg_unreadable")
		return v, nil
	}
	q := forum.ParseSearch(v.Query)
	if q.Empty() {
		v.Message = s.T(c, "search.msg_empty")
		v.Help = true
		return v, nil
	}
	before := c.Query("before")
	page, err := s.store.Search(c.Request.Context(), q, before, s.cfg.Search.PerPage, s.cfg.Search.CountMax, s.cfg.Search.RankMax)
	if err != nil {
		if errors.Is(err, forum.ErrBadCursor) { // the same 400 as every listing's bad page link
			return v, err
		}
		if forum.ErrorCode(err) == forum.EInvalid {
			v.Message = errText(c, err)
			return v, nil
		}
		return v, err
	}
	for _, h := range page.Hits {
		v.Results = append(v.Results, searchResult{SearchHit: h, Snippet: s.snippet(h.Headline)})
	}
	v.Threads = groupByThread(v.Results)
	v.Total, v.TotalCapped = page.Total, page.TotalCapped
	v.From, v.To = page.Offset+1, page.Offset+int64(len(v.Results))
	v.Next = page.Next
	// The page's links are relative ("?q=…"), like every listing's pager; the API's
	// are absolute paths.
	if v.Next != "" {
		v.NextURL = route + searchURL("", v.Query, v.Next)
	}
	if before != "" {
		v.FirstURL = route + searchURL("", v.Query, "")
	}
	if len(v.Results) == 0 {
		v.Message = s.T(c, "search.msg_none")
		v.Help = true
		v.Suggestions = dropFilters(q)
	}
	return v, nil
}

// searchURL is a search page's link, the query encoded as a query parameter (a "&" or
// "#" in what was typed stays in the search).
func searchURL(route, q, before string) string {
	vals := url.Values{"q": {q}}
	if before != "" {
		vals.Set("before", before)
	}
	return route + "?" + vals.Encode()
}

// groupByThread puts a page's hits under their threads, each thread where its best
// (first) hit was, the hits in rank order within it.
func groupByThread(results []searchResult) []searchThread {
	var out []searchThread
	at := map[int64]int{}
	for _, r := range results {
		i, ok := at[r.ThreadID]
		if !ok {
			i = len(out)
			at[r.ThreadID] = i
			out = append(out, searchThread{ThreadID: r.ThreadID, Title: r.ThreadTitle, Slug: r.ThreadSlug, CategorySlug: r.CategorySlug})
		}
		out[i].Hits = append(out[i].Hits, r)
	}
	return out
}

// dropFilters suggests the query without each filter it has.
func dropFilters(q forum.SearchQuery) []searchSuggestion {
	var out []searchSuggestion
	build := func(author, category string) string {
		parts := []string{q.Text}
		if author != "" {
			parts = append(parts, "author:"+author)
		}
		if category != "" {
			parts = append(parts, "in:"+category)
		}
		return strings.TrimSpace(strings.Join(parts, " "))
	}
	if q.Author != "" {
		if rest := build("", q.Category); rest != "" {
			out = append(out, searchSuggestion{Label: "without author:" + q.Author, URL: searchURL(RouteSearch, rest, "")})
		}
	}
	if q.Category != "" {
		if rest := build(q.Author, ""); rest != "" {
			out = append(out, searchSuggestion{Label: "without in:" + q.Category, URL: searchURL(RouteSearch, rest, "")})
		}
	}
	return out
}

// snippet makes ts_headline's output safe: the text is escaped first, only then do the
// highlight markers become <mark>, and the result goes through the sanitiser once more.
// The headline is plain text (post_plain_text), so escaping shows it as it was read.
func (s *Server) snippet(headline string) template.HTML {
	// ts_headline leaves doubled spaces where it dropped tag-shaped words.
	escaped := html.EscapeString(strings.Join(strings.Fields(headline), " "))
	escaped = strings.ReplaceAll(escaped, store.HighlightStart, "<mark>")
	escaped = strings.ReplaceAll(escaped, store.HighlightStop, "</mark>")
	return template.HTML(s.markup.SanitizeSnippet(escaped)) //nolint:gosec // sanitised just above
}

func (s *Server) search(c *gin.Context) {
	v, err := s.runSearch(c, "")
	if err != nil {
		s.error(c, err)
		return
	}
	if v.Help {
		// The syntax help links the real categories; without them it still helps.
		if cats, err := s.store.Categories(c.Request.Context()); err == nil {
			v.Categories = cats
		}
	}
	title := "Search"
	if v.Query != "" {
		title = "Search: " + v.Query
	}
	s.html(c, http.StatusOK, "search", title, v)
}

func (s *Server) apiSearch(c *gin.Context) {
	v, err := s.runSearch(c, RouteAPISearch)
	if err != nil {
		s.error(c, err)
		return
	}
	type hit struct {
		forum.SearchHit
		URL     string `json:"url"`
		Snippet string `json:"snippet_html"`
	}
	type thread struct {
		ID       int64   `json:"thread_id"`
		Title    string  `json:"thread_title"`
		URL      string  `json:"url"`
		Category string  `json:"category"`
		PostIDs  []int64 `json:"post_ids"`
	}
	hits := make([]hit, 0, len(v.Results))
	for _, r := range v.Results {
		hits = append(hits, hit{SearchHit: r.SearchHit, URL: s.cfg.BaseURL + "/p/" + itoa(r.PostID), Snippet: string(r.Snippet)})
	}
	threads := make([]thread, 0, len(v.Threads))
	for _, t := range v.Threads {
		th := thread{ID: t.ThreadID, Title: t.Title, URL: s.cfg.BaseURL + threadURL(t.ThreadID, t.Slug), Category: t.CategorySlug}
		for _, h := range t.Hits {
			th.PostIDs = append(th.PostIDs, h.PostID)
		}
		threads = append(threads, th)
	}
	resp := gin.H{"query": v.Query, "results": hits, "next": nil, "message": v.Message,
		"threads": threads, "total": v.Total, "total_capped": v.TotalCapped}
	if len(hits) > 0 {
		resp["from"], resp["to"] = v.From, v.To
	}
	if v.NextURL != "" {
		resp["next"] = v.NextURL
	}
	c.JSON(http.StatusOK, resp)
}

// groupDigits writes n with thousands separated by commas: 1,000.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
