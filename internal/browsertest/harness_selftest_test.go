package browsertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestHarnessCatchesPageErrors proves the journeys' error watch works: a page under the
// forum's own Content-Security-Policy with inline script and style, a console.error and
// an uncaught exception must each be reported. A watch that saw nothing here would let
// every journey pass blind. It also proves axe-core reports a page built to fail.
func TestHarnessCatchesPageErrors(t *testing.T) {
	s := newSite(t)
	resp, _ := httpGet(t, s.URL+"/about")
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("the forum's CSP is not the one this test expects: %q", csp)
	}

	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		switch r.URL.Path {
		case "/inline":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><title>inline</title>
<link rel="icon" href="data:,"></head><body>
<p style="color: red">inline style</p><script>document.title = "ran"</script></body></html>`))
		case "/throws":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!doctype html><html lang="en"><head><title>throws</title>
<link rel="icon" href="data:,"><script src="/throw.js"></script></head><body><p>x</p></body></html>`))
		case "/inaccessible":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!doctype html><html><head><title>inaccessible</title>
<link rel="icon" href="data:,"></head><body><main><img src="data:,">
<form><input name="q"></form></main></body></html>`))
		case "/throw.js":
			w.Header().Set("Content-Type", "text/javascript")
			_, _ = w.Write([]byte(`console.error("harness-console-error"); throw new Error("harness-exception");`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(bad.Close)

	b := newBrowser(t, s)
	b.do("open a page that breaks the CSP", chromedp.Navigate(bad.URL+"/inline"))
	if title := eval[string](b, `document.title`); title == "ran" {
		t.Fatal("inline script ran: the test page's CSP was not applied")
	}
	b.do("open a page that throws", chromedp.Navigate(bad.URL+"/throws"), chromedp.Sleep(300e6))
	got := strings.Join(b.takeProblems(), "\n")
	t.Logf("reported:\n%s", got)
	for _, want := range []string{
		"securitypolicyviolation", // the injected listener, for the inline script and style
		`"directive":"script-src-elem"`,
		`"directive":"style-src-attr"`,
		"Content Security Policy", // Chromium's own log entry
		"console.error: \"harness-console-error\"",
		"harness-exception",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the error watch missed %q; it reported:\n%s", want, got)
		}
	}
	// axe-core must find the faults of a page built to fail, or its silence about the
	// forum's pages would mean nothing.
	b.do("open an inaccessible page", chromedp.Navigate(bad.URL+"/inaccessible"))
	found := map[string]string{}
	for _, v := range b.axe() {
		found[v.ID] = v.Impact
	}
	for _, id := range []string{"html-has-lang", "image-alt", "label"} {
		if found[id] != "serious" && found[id] != "critical" {
			t.Errorf("axe-core did not report %s as serious or critical; it found %v", id, found)
		}
	}

	// Leave a clean page for the last-page screenshot.
	b.open("/about")
}
