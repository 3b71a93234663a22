package seed_test

import (
	"html"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"forum/internal/seed"
	"forum/internal/testdb"
	"forum/internal/webtest"
)

// Each opening thread exists in Korean, in its original's category, and each links to
// the other once however often the seed runs: both links lead to a page (200) showing
// the other thread, and the Korean one is marked lang="ko".
func TestSeedTranslationsLinkBothWays(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	in := webtest.Start(t, db, webtest.Options{})
	for range 2 {
		if _, err := seed.Run(t.Context(), in.Store, in.Markup); err != nil {
			t.Fatal(err)
		}
	}
	team, err := in.Store.UserByName(t.Context(), seed.TeamUser)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) string {
		t.Helper()
		resp, err := http.Get(in.HTTP.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, resp.StatusCode)
		}
		return string(b)
	}
	if len(seed.Translations) != len(seed.Threads) {
		t.Errorf("%d translations of %d opening threads", len(seed.Translations), len(seed.Threads))
	}
	for _, tr := range seed.Translations {
		enID, err := in.Store.ThreadIDByTitle(t.Context(), team.ID, tr.Of)
		if err != nil {
			t.Fatal(err)
		}
		koID, err := in.Store.ThreadIDByTitle(t.Context(), team.ID, tr.Title)
		if err != nil {
			t.Fatal(err)
		}
		var row struct {
			Lang  string `db:"lang"`
			Same  bool   `db:"same"`
			Links int    `db:"links"`
		}
		if err := db.Get(&row, `SELECT ko.lang, ko.category_id = en.category_id AS same,
				(SELECT count(*) FROM thread_translations WHERE thread_id IN ($1, $2)) AS links
			FROM (SELECT t.category_id, p.lang FROM threads t JOIN posts p ON p.thread_id = t.id AND p.depth = 0 WHERE t.id = $2) ko,
				threads en WHERE en.id = $1`, enID, koID); err != nil {
			t.Fatal(err)
		}
		if row.Lang != "ko" || !row.Same || row.Links != 2 {
			t.Errorf("%q: lang %q, same category %v, %d links after seeding twice; want ko, true, 2", tr.Title, row.Lang, row.Same, row.Links)
		}
		en := get("/t/" + strconv.FormatInt(enID, 10))
		if !strings.Contains(en, `href="/t/`+strconv.FormatInt(koID, 10)+`/`) || !strings.Contains(en, "한국어로 읽기") {
			t.Errorf("%q: the English thread does not link to its Korean one", tr.Of)
		}
		ko := get("/t/" + strconv.FormatInt(koID, 10))
		if !strings.Contains(ko, `href="/t/`+strconv.FormatInt(enID, 10)+`/`) || !strings.Contains(ko, "Read in English") ||
			!strings.Contains(ko, `<div class="post-body" dir="auto" lang="ko">`) {
			t.Errorf("%q: the Korean thread does not link to its English one, or is not marked ko", tr.Title)
		}
		// Following the links, as they are written: each leads to the other thread's page.
		for page, want := range map[string]string{en: tr.Title, ko: tr.Of} {
			m := linkRE.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no translation link on the page of %q", want)
			}
			if !strings.Contains(get(m[1]), "<h1 class=\"thread-heading\">"+html.EscapeString(want)+"</h1>") {
				t.Errorf("the link %s does not lead to %q", m[1], want)
			}
		}
	}
}

var linkRE = regexp.MustCompile(`<p class="translations"><a href="([^"]+)"`)
