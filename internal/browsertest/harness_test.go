package browsertest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	build "forum/internal/fixture" // aliased: "fixture" is a11y_test.go's lived-in forum
	"forum/internal/forum"
	"forum/internal/markup"
	"forum/internal/multitest"
	"forum/internal/seed"
	"forum/internal/store"
	"forum/internal/testdb"
	"forum/internal/webtest"
)

// readmeScreenshots makes TestScreenshots write the README's images into
// docs/screenshots (see doc.go).
var readmeScreenshots = flag.Bool("readme-screenshots", false,
	"write the README screenshots into docs/screenshots")

// TestMain keeps the server's per-request log lines out of the test output; warnings
// and errors (a 5xx, a failed stream) still show.
func TestMain(m *testing.M) {
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	code := m.Run()
	multitest.Close() // the parts proxy_journey_test.go started, if any
	os.Exit(code)
}

// journeyBudget bounds one test's browser work; a hung page fails the test instead of
// stalling the whole run.
const journeyBudget = 60 * time.Second

// ---------------------------------------------------------------------------------
// The forum under test

// site is one test's forum: a fresh database, the real handler, a real HTTP server
// whose address is also the configured base URL.
type site struct {
	t     *testing.T
	URL   string
	store *store.Store
	md    *markup.Renderer
	fx    *build.Builder // users, threads and replies written through the store
}

func newSite(t *testing.T) *site {
	t.Helper()
	in := webtest.Start(t, testdb.New(t), webtest.Options{})
	return &site{t: t, URL: in.URL, store: in.Store, md: in.Markup, fx: build.New(t, in.Store, in.Markup)}
}

// seed runs the real seed: the event's categories and opening threads.
func (s *site) seed() {
	s.t.Helper()
	if _, err := seed.Run(s.t.Context(), s.store, s.md); err != nil {
		s.t.Fatalf("seed: %v", err)
	}
}

// user creates an account whose password is name+"-password".
func (s *site) user(name string, role forum.Role) *forum.User {
	s.t.Helper()
	return s.fx.User(name, role)
}

// category returns a category by slug: a seeded one, or one created for the test.
func (s *site) category(slug string) *forum.Category {
	s.t.Helper()
	return s.fx.Category(slug)
}

// thread writes a thread directly through the store and returns it with its opening post.
func (s *site) thread(author *forum.User, categorySlug, title, body string) (*forum.Thread, *forum.Post) {
	s.t.Helper()
	return s.fx.ThreadIn(categorySlug, author, title, body)
}

// reply writes a reply directly through the store; parent nil replies to the opening post.
func (s *site) reply(author *forum.User, th *forum.Thread, parent *forum.Post, stance, body string) *forum.Post {
	s.t.Helper()
	return s.fx.Reply(th, author, parent, body, forum.Stance(stance))
}

// ---------------------------------------------------------------------------------
// The browser

// browser is one headless Chromium with one tab, watching for console errors,
// exceptions and CSP violations from the moment the tab opens.
type browser struct {
	t    *testing.T
	site *site
	tab  context.Context // the tab's own context: no deadline
	ctx  context.Context // the tab with this test's deadline; use it for actions
	name string          // file name of the last-page screenshot; "" for none

	mu       sync.Mutex
	problems []string
}

// cspBinding is the name of the function the page calls (through a CDP binding, which
// page CSP does not govern) to report a securitypolicyviolation event.
const cspBinding = "__forumHarnessCSP"

// cspListener is added to every new document before the page's own scripts run.
// Page.addScriptToEvaluateOnNewDocument is not subject to the page's CSP, so this works
// although the forum allows no inline script. (It runs even with script execution
// disabled, so it cannot tell whether JavaScript is on.)
const cspListener = `document.addEventListener('securitypolicyviolation', function (e) {
  window.` + cspBinding + `(JSON.stringify({directive: e.effectiveDirective || e.violatedDirective,
    blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample}));
}, true);`

// chromiumPath finds Debian's chromium; the tests fail, never skip, without it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("browser tests need Debian's chromium package: run scripts/ensure-chromium.sh")
	}
	return p
}

// newBrowser starts Chromium for one test with a fresh profile and opens a tab at
// 1280×900. Cleanup saves a screenshot of the last page and fails the test on any
// problem the tab reported.
func newBrowser(t *testing.T, s *site) *browser {
	t.Helper()
	return newBrowserBudget(t, s, journeyBudget)
}

func newBrowserBudget(t *testing.T, s *site, budget time.Duration) *browser {
	t.Helper()
	exe := chromiumPath(t)
	profile := t.TempDir()
	b := &browser{t: t, site: s, name: screenshotName(t.Name())}

	// The browser cannot outlive the test's budget (plus time for the last screenshot).
	life, stop := context.WithTimeout(context.Background(), budget+30*time.Second)
	alloc, cancelAlloc := chromedp.NewExecAllocator(life,
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	tab, cancelTab := chromedp.NewContext(alloc,
		chromedp.WithListener(b.listen),
		chromedp.WithErrorf(func(format string, args ...any) { t.Logf("chromedp: "+format, args...) }),
	)
	// Cleanups run last-in first-out: the screenshot and the problem check first, then
	// the tab, the browser process, and finally (registered before) the profile dir.
	t.Cleanup(stop)
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelTab)
	b.tab = tab

	// The first action starts the browser and binds it to tab, which has no deadline.
	err := chromedp.Do(tab,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: cspBinding}); err != nil {
				return fmt.Errorf("add binding: %w", err)
			}
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: cspListener})
			return err
		}),
		chromedp.EmulateViewport(1280, 900),
	)
	if err != nil {
		t.Fatalf("start chromium (%s): %v", exe, err)
	}
	ctx, cancel := context.WithTimeout(tab, budget)
	t.Cleanup(cancel)
	b.ctx = ctx
	t.Cleanup(b.finish)
	return b
}

// listen runs in the tab's event loop: it must only record, never call back.
func (b *browser) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			b.problem("console.%s: %s", ev.Type, strings.Join(parts, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		b.problem("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg)
	case *log.EventEntryAdded:
		e := ev.Entry
		// CSP violations arrive as log entries (source security or other) of level error.
		if e.Level == log.EntryLevelError ||
			e.Source == log.EntrySourceSecurity && strings.Contains(e.Text, "Content Security Policy") {
			b.problem("browser log (%s, %s) %s: %s", e.Source, e.Level, e.URL, e.Text)
		}
	case *runtime.EventBindingCalled:
		if ev.Name == cspBinding {
			b.problem("securitypolicyviolation: %s", ev.Payload)
		}
	}
}

func (b *browser) problem(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, fmt.Sprintf(format, args...))
}

// takeProblems returns and forgets what the tab reported so far.
func (b *browser) takeProblems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := b.problems
	b.problems = nil
	return p
}

// finish saves the last page's screenshot and fails the test on any reported problem.
func (b *browser) finish() {
	ctx, cancel := context.WithTimeout(b.tab, 15*time.Second)
	defer cancel()
	if b.name != "" {
		if path, err := b.saveScreenshot(ctx, b.name, 0); err != nil {
			b.t.Logf("screenshot of the last page: %v", err)
		} else {
			b.t.Logf("screenshot of the last page: %s", path)
		}
	}
	for _, p := range b.takeProblems() {
		b.t.Errorf("browser reported: %s", p)
	}
}

// do runs actions, failing the test with what was being done.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v (at %s)", what, err, b.location())
	}
}

// open navigates to a path of the site and requires a 2xx answer.
func (b *browser) open(path string) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.site.URL+path))
	if err != nil {
		b.t.Fatalf("open %s: %v", path, err)
	}
	wantOK(b.t, "GET "+path, resp)
	b.checkWidth()
}

// submit clicks a control that submits a form (or follows a link), waits for the new
// page and requires a 2xx answer after redirects.
func (b *browser) submit(what, sel string) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s (click %s): %v (at %s)", what, sel, err, b.location())
	}
	wantOK(b.t, what, resp)
	b.checkWidth()
}

func wantOK(t *testing.T, what string, resp *network.Response) {
	t.Helper()
	if resp == nil {
		t.Fatalf("%s: no response", what)
	}
	if resp.Status < 200 || resp.Status > 299 {
		t.Fatalf("%s: status %d %s at %s", what, resp.Status, resp.StatusText, resp.URL)
	}
}

func (b *browser) location() string {
	ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "unknown page"
	}
	return loc
}

// text returns the visible text of the first match.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v (at %s)", sel, err, b.location())
	}
	return s
}

// count returns how many elements match sel now, without waiting.
func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}

// attr returns an attribute of the first match.
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	r, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.t.Fatalf("attribute %s of %s: %v (at %s)", name, sel, err, b.location())
	}
	if !r.Exists {
		b.t.Fatalf("%s has no attribute %s (at %s)", sel, name, b.location())
	}
	return r.Value
}

// eval evaluates a JavaScript expression through DevTools (not page script, so CSP
// does not apply) and decodes its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v (at %s)", expr, err, b.location())
	}
	return v
}

// login logs in through the login form as name (password name+"-password").
func (b *browser) login(name string) {
	b.t.Helper()
	b.open("/login")
	b.do("fill the login form",
		chromedp.SendKeys(chromedp.ID("username"), name),
		chromedp.SendKeys(chromedp.ID("password"), name+"-password"),
	)
	b.submit("log in as "+name, `form[action="/login"] button[type=submit]`)
	b.wantSignedIn(name)
}

func (b *browser) wantSignedIn(name string) {
	b.t.Helper()
	if got := b.count(fmt.Sprintf(`.account a[href="/u/%s"]`, name)); got != 1 {
		b.t.Fatalf("after logging in as %s the header does not link to their page (at %s)", name, b.location())
	}
}

// logout uses the header's Log out button.
func (b *browser) logout() {
	b.t.Helper()
	b.submit("log out", `form[action="/logout"] button[type=submit]`)
	if b.count(`.account a[href="/register"]`) != 1 {
		b.t.Fatalf("after logging out the header offers no Join link (at %s)", b.location())
	}
}

// colorScheme emulates prefers-color-scheme: "light" or "dark".
func (b *browser) colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// ---------------------------------------------------------------------------------
// Screenshots

// screenshotDir is $FORUM_SCREENSHOT_DIR (relative paths from the repository root),
// created if missing, or else the test's artifact directory.
func screenshotDir(t *testing.T) (string, error) {
	dir := os.Getenv("FORUM_SCREENSHOT_DIR")
	if dir == "" {
		return t.ArtifactDir(), nil
	}
	if !filepath.IsAbs(dir) {
		root, err := repoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, dir)
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// repoRoot is the directory holding go.mod, above the test's working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func screenshotName(testName string) string {
	return unsafeName.ReplaceAllString(testName, "_") + ".png"
}

// saveScreenshot writes a PNG of the whole page (at most maxHeight CSS pixels tall when
// maxHeight > 0) into the screenshot directory and returns its path.
func (b *browser) saveScreenshot(ctx context.Context, name string, maxHeight float64) (string, error) {
	dir, err := screenshotDir(b.t)
	if err != nil {
		return "", err
	}
	return b.saveScreenshotTo(ctx, filepath.Join(dir, name), maxHeight)
}

func (b *browser) saveScreenshotTo(ctx context.Context, path string, maxHeight float64) (string, error) {
	png, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := chromedp.Call(ctx, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		w, h := m.CSSContentSize.Width, m.CSSContentSize.Height
		if maxHeight > 0 && h > maxHeight {
			h = maxHeight
		}
		r, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: new(true), FromSurface: new(true),
			Clip: &page.Viewport{X: 0, Y: 0, Width: w, Height: h, Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return r.Data, nil
	})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	return path, os.WriteFile(path, png, 0o644)
}

// ---------------------------------------------------------------------------------
// Plain HTTP (what a feed reader does)

func httpGet(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp, body
}
