package web

import (
	"errors"
	"html"
	"html/template"
	"net/http"
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

const searchPerPage = 20

type searchResult struct {
	forum.SearchHit
	Snippet template.HTML
}

type searchView struct {
	Query   string
	Results []searchResult
	Next    string
	Message string
}

// runSearch parses and runs a query; a query it cannot use is a friendly message, not
// an error.
func (s *Server) runSearch(c *gin.Context) (searchView, error) {
	v := searchView{Query: c.Query("q")}
	if !utf8.ValidString(v.Query) || strings.ContainsRune(v.Query, 0) || utf8.RuneCountInString(v.Query) > 500 {
		v.Message = "That search could not be read. Try a few plain words."
		return v, nil
	}
	q := forum.ParseSearch(v.Query)
	if q.Empty() {
		v.Message = "Type a few words to search thread titles and posts. Use \"quotes\" for a phrase, -word to leave a word out, author:name and in:category to narrow it down."
		return v, nil
	}
	page, err := s.store.Search(c.Request.Context(), q, c.Query("before"), searchPerPage)
	if err != nil {
		if errors.Is(err, forum.ErrBadCursor) { // the same 400 as every listing's bad page link
			return v, err
		}
		if forum.ErrorCode(err) == forum.EInvalid {
			v.Message = forum.ErrorMessage(err)
			return v, nil
		}
		return v, err
	}
	for _, h := range page.Hits {
		v.Results = append(v.Results, searchResult{SearchHit: h, Snippet: s.snippet(h.Headline)})
	}
	v.Next = page.Next
	if len(v.Results) == 0 {
		v.Message = "No posts match that search. Try fewer or different words."
	}
	return v, nil
}

// snippet makes ts_headline's output safe: the text is escaped first, only then do the
// highlight markers become <b>, and the result goes through the sanitiser once more.
func (s *Server) snippet(headline string) template.HTML {
	escaped := html.EscapeString(headline)
	escaped = strings.ReplaceAll(escaped, store.HighlightStart, "<b>")
	escaped = strings.ReplaceAll(escaped, store.HighlightStop, "</b>")
	return template.HTML(s.markup.SanitizeSnippet(escaped)) //nolint:gosec // sanitised just above
}

func (s *Server) search(c *gin.Context) {
	v, err := s.runSearch(c)
	if err != nil {
		s.error(c, err)
		return
	}
	title := "Search"
	if v.Query != "" {
		title = "Search: " + v.Query
	}
	s.html(c, http.StatusOK, "search", title, v)
}

func (s *Server) apiSearch(c *gin.Context) {
	v, err := s.runSearch(c)
	if err != nil {
		s.error(c, err)
		return
	}
	type hit struct {
		forum.SearchHit
		URL     string `json:"url"`
		Snippet string `json:"snippet_html"`
	}
	hits := make([]hit, 0, len(v.Results))
	for _, r := range v.Results {
		hits = append(hits, hit{SearchHit: r.SearchHit, URL: s.cfg.BaseURL + "/p/" + itoa(r.PostID), Snippet: string(r.Snippet)})
	}
	resp := gin.H{"query": v.Query, "results": hits, "next": nil, "message": v.Message}
	if v.Next != "" {
		resp["next"] = RouteAPISearch + "?q=" + urlQueryEscape(v.Query) + "&before=" + urlQueryEscape(v.Next)
	}
	c.JSON(http.StatusOK, resp)
}
