package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	build "forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
)

// The payload sweep stores every payload of the hostile corpora (../shared/corpora beside
// the checkout, and internal/markup/testdata) where the forum shows user text — thread titles, post
// bodies, flag notes and moderators' notes — then opens every page that shows them in
// Chromium, as a moderator (who sees the most), and fails on any sign that a payload
// ran or tried to: a JavaScript dialog, a call to alert/confirm/prompt/print, a CSP
// violation, a console error or uncaught exception (the harness's watch), or markup in
// the DOM that no template of ours writes.

// The corpora, as the web package's fuzz target reads them.
const (
	sweepXSSCorpus     = "../../../shared/corpora/xss-payloads.txt" // outside the repository, beside the checkout
	sweepHostileCorpus = "../markup/testdata/hostile.txt"
)

// Sweep shape. Posts are batched so that each page shows many payloads: a body thread
// holds store.FeedLimit posts, so its feed carries all of them, and the flagged posts
// fill one page of the review queue (queuePerPage in internal/web).
const (
	sweepTitleThreads  = 240 // eight pages of the category's listing
	sweepBodyThreads   = 6
	sweepPostsInThread = store.FeedLimit
	sweepQueuePosts    = 25
	sweepFlagNoteRunes = forum.MaxFlagNote
	sweepModNoteRunes  = 500               // the decide form's maxlength
	sweepWriters       = 4                 // concurrent store writers while building the forum
	sweepBudget        = 180 * time.Second // about 20 s on an idle two-core machine
)

// payloadBinding is the CDP binding the hooks below call; bindings are not governed by
// the page's CSP, so a hook can report even from a page that forbids inline script.
const payloadBinding = "__forumPayloadRan"

// payloadHooks is added to every new document before its own scripts: the dialog
// functions that payloads call (alert(1), prompt(8), confirm(...)) report instead of
// opening a dialog. Added through DevTools, it runs whatever the page's CSP says.
const payloadHooks = `(() => {
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    const report = function () {
      window.` + payloadBinding + `(JSON.stringify({call: name, args: Array.from(arguments, String).slice(0, 2),
        url: String(location.href)}));
    };
    try { Object.defineProperty(window, name, {value: report, writable: false, configurable: false}); } catch (e) {}
  }
})();`

// streamsClosedOnPagehide closes a page's EventSource streams when the page is hidden.
// Chromium keeps recent pages alive in its back/forward cache, and a thread page kept
// there keeps its live-reply stream (live.js) open; after six thread pages every one of
// the six connections HTTP/1.1 allows per host is taken, and the next page waits about a
// minute. That is live.js's to fix (close on pagehide, reopen on pageshow); the sweep
// opens more thread pages than that, so it closes the streams itself.
const streamsClosedOnPagehide = `(() => {
  const Native = window.EventSource;
  if (!Native) return;
  const open = new Set();
  window.EventSource = function (url, init) {
    const s = new Native(url, init);
    open.add(s);
    return s;
  };
  window.EventSource.prototype = Native.prototype;
  addEventListener('pagehide', () => { for (const s of open) s.close(); open.clear(); });
})();`

// domAudit lists markup on the current page that no template of ours writes: event
// handler attributes, script other than our own static files, frames and plugins,
// javascript:/data:/vbscript: URLs, forms posting elsewhere, meta refreshes, and
// anything in a post body outside the sanitiser's allow-list. It runs through DevTools,
// so the page's CSP does not stop it, and on the feeds' reader view (readerView) too.
const domAudit = `(() => {
  const out = [], html = 'http://www.w3.org/1999/xhtml';
  const say = (el, what) => out.push('<' + el.localName + (el.id ? '#' + el.id : '') + '> ' + what);
  const squeeze = v => String(v).replace(/[\u0000-\u0020]/g, '').toLowerCase();
  const badURL = v => /^(javascript|data|vbscript):/.test(squeeze(v));
  const urlAttrs = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background', 'srcset'];
  for (const el of document.getElementsByTagName('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) say(el, 'has the event handler ' + a.name + '=' + JSON.stringify(a.value.slice(0, 80)));
      if (urlAttrs.includes(a.name.toLowerCase()) && badURL(a.value)) say(el, a.name + '=' + JSON.stringify(a.value.slice(0, 80)));
      if (a.name.toLowerCase() === 'srcdoc') say(el, 'has srcdoc');
    }
    const n = el.localName.toLowerCase();
    // Ours: a file under /static/, or the one JSON block of words the layout puts in the
    // head for the scripts (data, never run).
    const wordsBlock = el.id === 'script-words' && el.type === 'application/json' && !el.src &&
      el.parentElement === document.head && document.querySelectorAll('script#script-words').length === 1;
    if (n === 'script' && !(el.namespaceURI === html && el.src && el.src.startsWith(location.origin + '/static/')) && !wordsBlock) say(el, 'is a script not of ours');
    if (['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base', 'portal', 'fencedframe'].includes(n)) say(el, 'is not ours');
    if (n === 'meta' && el.hasAttribute('http-equiv')) say(el, 'has http-equiv');
    if (n === 'form' && el.namespaceURI === html && new URL(el.action, location.href).origin !== location.origin) say(el, 'posts to ' + el.action);
  }
  const allowed = new Set(['p', 'br', 'hr', 'em', 'strong', 'del', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre',
    'h3', 'h4', 'h5', 'h6', 'a', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'label']);
  for (const body of document.querySelectorAll('.post-body')) {
    for (const el of body.querySelectorAll('*')) {
      if (el.namespaceURI !== html || !allowed.has(el.localName)) say(el, 'in a post body is outside the allow-list');
      for (const a of el.attributes) {
        const ok = (el.localName === 'a' && (a.name === 'href' || a.name === 'rel')) ||
          (el.localName === 'code' && a.name === 'class') || (el.localName === 'ol' && a.name === 'start') ||
          ((el.localName === 'th' || el.localName === 'td') && a.name === 'align' && /^(left|center|right)$/.test(a.value)) ||
          (el.localName === 'input' && ((a.name === 'type' && a.value === 'checkbox') ||
            ((a.name === 'disabled' || a.name === 'checked') && a.value === '')));
        if (!ok) say(el, 'in a post body has ' + a.name);
      }
      // A task list's checkbox shows a state and cannot be changed.
      if (el.localName === 'input' && !(el.type === 'checkbox' && el.disabled)) say(el, 'is an input a reader can use');
    }
  }
  return out;
})()`

// readerView parses the feed Chromium shows as text and renders each item's HTML (RSS
// content:encoded and description, Atom content) into the page, as a feed reader would.
// It returns the document's type, the feed's root element and how many items it
// rendered.
const readerView = `(() => {
  const text = document.body ? document.body.textContent : '';
  const xml = new DOMParser().parseFromString(text, 'application/xml');
  if (xml.getElementsByTagName('parsererror').length) return document.contentType + ' unparseable';
  let n = 0;
  for (const item of xml.querySelectorAll('item, entry')) {
    for (const el of item.children) {
      if (!['encoded', 'content', 'description'].includes(el.localName)) continue;
      const div = document.createElement('div');
      div.className = 'post-body';
      div.innerHTML = el.textContent;
      document.body.append(div);
    }
    n++;
  }
  return document.contentType + ' ' + xml.documentElement.localName + ' ' + n;
})()`

// settle resolves after the page has run its pending tasks and painted once, so events
// a payload would cause after load (autofocus, a failed image, a CSP report) have been
// delivered before the page is judged.
const settle = `new Promise(resolve => requestAnimationFrame(() => setTimeout(() => resolve(true), 0)))`

// payloadCorpus is every distinct non-blank line of the corpora.
func payloadCorpus(t *testing.T) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, name := range []string{sweepHostileCorpus, sweepXSSCorpus} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("read the payload corpus (the public one is ../shared/corpora/xss-payloads.txt beside the checkout): %v", err)
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.TrimSpace(line) != "" && !seen[line] {
				seen[line] = true
				out = append(out, line)
			}
		}
	}
	return out
}

// pack joins payloads with sep into as few strings of at most maxRunes runes as it can
// in order; a payload longer than maxRunes is cut. Each result is trimmed, as the forms
// trim what they receive.
func pack(payloads []string, sep string, maxRunes int) []string {
	var out []string
	cur := ""
	flush := func() {
		if s := strings.TrimSpace(cur); s != "" {
			out = append(out, s)
		}
		cur = ""
	}
	for _, p := range payloads {
		if utf8.RuneCountInString(p) > maxRunes {
			p = string([]rune(p)[:maxRunes])
		}
		if cur != "" && utf8.RuneCountInString(cur)+utf8.RuneCountInString(sep)+utf8.RuneCountInString(p) > maxRunes {
			flush()
		}
		if cur != "" {
			cur += sep
		}
		cur += p
	}
	flush()
	return out
}

// accepted is the payloads the domain's validate accepts; a payload it rejects (a
// control character, say) never reaches a page, and the web tests cover the rejection.
func accepted(payloads []string, validate func(string) error) (ok []string, rejected int) {
	for _, p := range payloads {
		if validate(p) != nil {
			rejected++
			continue
		}
		ok = append(ok, p)
	}
	return ok, rejected
}

// chunk splits payloads into n nearly equal runs.
func chunk(payloads []string, n int) [][]string {
	out := make([][]string, n)
	for i, p := range payloads {
		out[i*n/len(payloads)] = append(out[i*n/len(payloads)], p)
	}
	return out
}

// payloadForum is what the sweep wrote.
type payloadForum struct {
	titles      map[string]bool // every thread title
	bodyThreads []*forum.Thread
	nested      int64 // a post with replies below it, for /p/:id
	flagNotes   []string
	modNotes    []string
	author      *forum.User
	mod         *forum.User
	rejected    map[string]int // payloads the field's validation refuses, by field
	packed      int            // titles the title payloads pack into, before sampling
}

// writePayloads stores payloads through the store, concurrently: post bodies (packed
// across the body threads' posts), flag notes (on one queue page of posts), moderators'
// notes (dismissals of unflagged posts, in the public log) and thread titles. Titles
// are the exception to "every payload": at 200 characters each the corpus would need
// over 2,000 threads and 80 listing pages, so an even sample of the packed titles is
// written; FuzzWritePath checks every payload as a title on every run.
func writePayloads(t *testing.T, s *site, payloads []string) *payloadForum {
	t.Helper()
	ctx := t.Context()
	pf := &payloadForum{titles: map[string]bool{}, rejected: map[string]int{}}
	pf.author = s.user("payload_author", forum.RoleMember)
	pf.mod = s.user("payload_mod", forum.RoleModerator)
	cat := s.category("payloads")

	// What each field's validation accepts: a title may be cut to fit, so only its
	// characters count; the packing keeps every string within its limit.
	titleOK, rejected := accepted(payloads, func(p string) error { return forum.ValidText(p, "title") })
	pf.rejected["title"] = rejected
	bodyOK, rejected := accepted(payloads, forum.ValidateBody)
	pf.rejected["body"] = rejected
	noteOK, rejected := accepted(payloads, func(p string) error { return forum.ValidText(p, "note") })
	pf.rejected["note"] = rejected

	packed := pack(titleOK, " ", forum.MaxTitleRunes)
	pf.packed = len(packed)
	n := min(sweepTitleThreads, len(packed))
	titles := make([]string, n)
	for i := range titles {
		title := packed[i*len(packed)/n]
		for utf8.RuneCountInString(title) < forum.MinTitleRunes {
			title += " ~"
		}
		if err := forum.ValidateTitle(title); err != nil {
			t.Fatalf("packed title %q: %v", title, err)
		}
		titles[i] = title
		pf.titles[title] = true
	}
	if len(titles) < sweepBodyThreads {
		t.Fatalf("only %d titles from %d payloads", len(titles), len(payloads))
	}
	bodies := chunk(bodyOK, sweepBodyThreads*sweepPostsInThread)
	body := func(i int) (string, string, error) {
		src := strings.Join(bodies[i], "\n\n")
		if err := forum.ValidateBody(src); err != nil {
			return "", "", err
		}
		html, err := s.md.Render(src)
		return src, html, err
	}

	// run calls fn(i) for i in [0, n) on sweepWriters goroutines; the first error fails
	// the test once they are done.
	run := func(what string, n int, fn func(i int) error) {
		t.Helper()
		var (
			mu    sync.Mutex
			first error
			wg    sync.WaitGroup
		)
		next := make(chan int)
		for range sweepWriters {
			wg.Go(func() {
				for i := range next {
					if err := fn(i); err != nil {
						mu.Lock()
						if first == nil {
							first = fmt.Errorf("%s %d: %w", what, i, err)
						}
						mu.Unlock()
					}
				}
			})
		}
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		if first != nil {
			t.Fatal(first)
		}
	}

	// The body threads, each an opening post and its replies; every third reply answers
	// the reply before it, so the tree nests.
	pf.bodyThreads = make([]*forum.Thread, sweepBodyThreads)
	posts := make([][]*forum.Post, sweepBodyThreads)
	run("body thread", sweepBodyThreads, func(i int) error {
		src, html, err := body(i * sweepPostsInThread)
		if err != nil {
			return err
		}
		th, err := s.store.CreateThread(ctx, store.NewThread{CategoryID: cat.ID, AuthorID: pf.author.ID,
			Title: titles[i], BodySource: src, BodyHTML: html})
		if err != nil {
			return err
		}
		pf.bodyThreads[i] = th
		var prev *forum.Post
		for j := 1; j < sweepPostsInThread; j++ {
			src, html, err := body(i*sweepPostsInThread + j)
			if err != nil {
				return err
			}
			r := store.NewReply{ThreadID: th.ID, AuthorID: pf.author.ID, BodySource: src, BodyHTML: html}
			if prev != nil && j%3 == 0 {
				r.ParentID = prev.ID
			}
			p, err := s.store.CreateReply(ctx, r)
			if err != nil {
				return err
			}
			posts[i] = append(posts[i], p)
			prev = p
		}
		return nil
	})
	pf.nested = posts[0][1].ID // reply 3 answers reply 2

	// The other titles, each on a thread of its own.
	const plain = "A thread whose title is hostile."
	plainHTML, err := s.md.Render(plain)
	if err != nil {
		t.Fatal(err)
	}
	run("thread", len(titles)-sweepBodyThreads, func(i int) error {
		_, err := s.store.CreateThread(ctx, store.NewThread{CategoryID: cat.ID, AuthorID: pf.author.ID,
			Title: titles[sweepBodyThreads+i], BodySource: plain, BodyHTML: plainHTML})
		return err
	})

	// Flag notes: sweepQueuePosts posts (the first replies of each thread, in turn), each
	// flagged by as many members as it takes to carry every note. The threshold is out of
	// reach, so the posts stay visible in their threads too.
	pf.flagNotes = pack(noteOK, " ", sweepFlagNoteRunes)
	var queued []*forum.Post
	for j := 0; len(queued) < sweepQueuePosts; j++ {
		for i := 0; i < sweepBodyThreads && len(queued) < sweepQueuePosts; i++ {
			queued = append(queued, posts[i][j])
		}
	}
	flaggers := make([]*forum.User, (len(pf.flagNotes)+sweepQueuePosts-1)/sweepQueuePosts)
	run("flagger", len(flaggers), func(i int) error {
		u, err := s.store.CreateUser(ctx, fmt.Sprintf("flagger_%02d", i), "not-a-password-hash", forum.RoleMember)
		flaggers[i] = u
		return err
	})
	run("flag", len(pf.flagNotes), func(i int) error {
		note := pf.flagNotes[i]
		reason, err := forum.ValidateFlag(string(forum.ReasonOther), note)
		if err != nil {
			return fmt.Errorf("note %q: %w", note, err)
		}
		_, err = s.store.FlagPost(ctx, queued[i%sweepQueuePosts].ID, flaggers[i/sweepQueuePosts].ID, reason, note, 1<<30)
		return err
	})

	// Moderators' notes: dismissals of unflagged posts (the last reply of each thread),
	// which keep them visible and log the note in public. One writer per target post:
	// decisions on one post queue on its lock anyway.
	pf.modNotes = pack(noteOK, " ", sweepModNoteRunes)
	var targets []int64
	for i := range min(sweepWriters, sweepBodyThreads) {
		targets = append(targets, posts[i][len(posts[i])-1].ID)
	}
	perTarget := (len(pf.modNotes) + len(targets) - 1) / len(targets)
	run("decision", len(targets), func(w int) error {
		for i := w * perTarget; i < min((w+1)*perTarget, len(pf.modNotes)); i++ {
			if err := s.store.Decide(ctx, store.Decision{PostID: targets[w], ModeratorID: pf.mod.ID,
				Action: forum.DecideDismiss, Note: pf.modNotes[i]}); err != nil {
				return err
			}
		}
		return nil
	})
	return pf
}

// payloadBrowser is the harness's browser with the payload hooks installed and a watch
// for JavaScript dialogs.
func payloadBrowser(t *testing.T, s *site) *browser {
	t.Helper()
	b := newBrowserBudget(t, s, sweepBudget)
	err := chromedp.Listen(b.tab, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			b.problem("JavaScript %s dialog opened at %s: %q", ev.Type, ev.URL, ev.Message)
			// An open dialog stalls the page; close it from outside the event loop.
			go func() {
				ctx, cancel := context.WithTimeout(b.tab, 5*time.Second)
				defer cancel()
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
			}()
		case *runtime.EventBindingCalled:
			if ev.Name == payloadBinding {
				b.problem("a payload ran: %s", ev.Payload)
			}
		}
	})
	if err != nil {
		t.Fatalf("watch dialogs: %v", err)
	}
	b.do("install the payload hooks", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, runtime.AddBinding, runtime.AddBindingParams{Name: payloadBinding}); err != nil {
			return fmt.Errorf("add binding: %w", err)
		}
		for _, src := range []string{payloadHooks, streamsClosedOnPagehide} {
			if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
				return err
			}
		}
		return nil
	}))
	return b
}

// sweepPage opens path, waits for the page to settle, and fails the test on anything
// the watch reported or the DOM audit found there.
func (b *browser) sweepPage(path string) {
	b.t.Helper()
	b.open(path)
	b.audit(path)
}

// audit lets the page settle, then fails the test on what the watch reported and what
// the DOM audit finds.
func (b *browser) audit(path string) {
	b.t.Helper()
	b.settle()
	found := eval[[]string](b, domAudit)
	for _, p := range b.takeProblems() {
		// A feed is an XML document without <link rel=icon>, so Chromium asks for
		// /favicon.ico, which the forum does not serve. That 404 is no payload's doing.
		if !strings.Contains(p, "/favicon.ico: Failed to load resource") {
			found = append(found, p)
		}
	}
	// A broken sanitiser trips thousands of these; the first few say what broke.
	const shown = 10
	for _, p := range found[:min(len(found), shown)] {
		b.t.Errorf("%s: %s", path, p)
	}
	if len(found) > shown {
		b.t.Errorf("%s: and %d more", path, len(found)-shown)
	}
}

// settle waits until the page has run its pending tasks and painted once (see settle).
func (b *browser) settle() {
	b.t.Helper()
	b.do("let the page settle", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](settle, chromedp.EvalAwaitPromise)(ctx, t)
		return err
	}))
}

// nextPage is the href of the page's rel=next link, or "".
func (b *browser) nextPage() string {
	b.t.Helper()
	return eval[string](b, `(document.querySelector('a[rel=next]') || {}).href || ''`)
}

// texts is the text of every element matching sel.
func (b *browser) texts(sel string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.textContent)`, sel))
}

// relPath makes an absolute URL on the site a path for open.
func relPath(t *testing.T, abs string) string {
	t.Helper()
	u, err := url.Parse(abs)
	if err != nil {
		t.Fatalf("next page %q: %v", abs, err)
	}
	return u.RequestURI()
}

// TestPayloadSweep posts every payload of the corpora and opens every page that shows
// them in headless Chromium, as a moderator: the listing pages (every title), each body
// thread (every body), a post page, search results, the review queue (every flag note),
// the moderation log (every moderator's note) and the feeds. No payload may run or try
// to, and every title and note must read back as the text that was written. It ends by
// proving, in the same tab, that its watch catches payloads that do get through.
func TestPayloadSweep(t *testing.T) {
	start := time.Now()
	s := newSite(t)
	payloads := payloadCorpus(t)
	pf := writePayloads(t, s, payloads)
	wrote := time.Since(start)

	b := payloadBrowser(t, s)
	b.login(pf.mod.Username)
	pages := 0
	visit := func(path string) {
		t.Helper()
		b.sweepPage(path)
		pages++
	}

	// Every title, page by page through the listing, read back as text.
	seen := map[string]bool{}
	for next := "/c/payloads"; next != ""; {
		visit(next)
		for _, title := range b.texts("a.thread-title") {
			if !pf.titles[title] {
				t.Errorf("%s: a thread title reads %q, which is no title the sweep wrote", next, title)
			}
			seen[title] = true
		}
		if n := b.nextPage(); n != "" {
			next = relPath(t, n)
		} else {
			next = ""
		}
	}
	if len(seen) != len(pf.titles) {
		t.Errorf("the listing showed %d of the %d titles", len(seen), len(pf.titles))
	}

	// Every body: each body thread on one page.
	for _, th := range pf.bodyThreads {
		path := fmt.Sprintf("/t/%d", th.ID)
		visit(path)
		if n := b.count(".post-body"); n != sweepPostsInThread {
			t.Errorf("%s shows %d post bodies, want %d", path, n, sweepPostsInThread)
		}
	}
	visit(fmt.Sprintf("/p/%d", pf.nested))

	// Search: results for a word many payloads share, and payloads as the query itself,
	// which the page writes back into its search box.
	visit("/search?q=alert")
	if b.count(".search-result") == 0 {
		t.Error("searching for alert found nothing: the payloads are not searchable")
	}
	for _, q := range []string{`"><script>alert(1)</script>`, `'-prompt(8)-'`, `<svg/onload=alert(1)>`, `javascript:alert(1)//`} {
		visit("/search?q=" + url.QueryEscape(q))
		if got := eval[string](b, `document.getElementById('search-q').value`); got != q {
			t.Errorf("searching for %q: the search box holds %q", q, got)
		}
	}

	// Every flag note, on one page of the review queue.
	visit("/mod/flags")
	if n := b.count(".queue-item"); n != sweepQueuePosts {
		t.Errorf("the review queue shows %d posts, want %d", n, sweepQueuePosts)
	}
	queued := strings.Join(b.texts(".flag-list li"), "\n")
	var missing []string
	for _, note := range pf.flagNotes {
		if !strings.Contains(queued, "“"+note+"”") {
			missing = append(missing, note)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the review queue does not show %d of the %d flag notes as written, among them %q",
			len(missing), len(pf.flagNotes), missing[:min(len(missing), 3)])
	}

	// Every moderator's note, page by page through the log.
	logged := map[string]bool{}
	for next := "/modlog"; next != ""; {
		visit(next)
		for _, note := range b.texts("li.modlog-item .modlog-note") {
			logged[note] = true
		}
		if n := b.nextPage(); n != "" {
			next = relPath(t, n)
		} else {
			next = ""
		}
	}
	missing = nil
	for _, note := range pf.modNotes {
		if !logged[note] {
			missing = append(missing, note)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the moderation log does not show %d of the %d moderators' notes as written, among them %q",
			len(missing), len(pf.modNotes), missing[:min(len(missing), 3)])
	}

	// The feeds, as Chromium shows an XML document.
	feeds := []string{"/feed", "/c/payloads/feed", "/modlog/feed", "/u/" + pf.author.Username + "/feed"}
	for _, th := range pf.bodyThreads {
		feeds = append(feeds, fmt.Sprintf("/t/%d/feed", th.ID))
	}
	// Chromium shows a feed as plain text, whatever its Content-Type (it sniffs <rss>
	// and <feed>), so nothing in it can run there. A feed reader renders each item's
	// HTML: the reader view puts every item's content and description into the page as
	// HTML (in .post-body, so the audit holds it to the post allow-list), where the CSP
	// watch, the hooks and the audit see what it would do.
	for _, f := range feeds {
		for ext, root := range map[string]string{".rss": "rss", ".atom": "feed"} {
			path := f + ext
			b.open(path)
			got := eval[string](b, readerView)
			if want := "text/plain " + root; !strings.HasPrefix(got, want+" ") {
				t.Errorf("%s: the reader view says %q, want %q and a count of items", path, got, want)
			}
			b.audit(path)
			pages++
		}
	}

	t.Logf("%d payloads (refused by validation: %v) as %d titles, %d posts in %d threads, %d flag notes and %d moderator notes; written in %v; %d pages opened in %v",
		len(payloads), pf.rejected, len(pf.titles), sweepBodyThreads*sweepPostsInThread, sweepBodyThreads,
		len(pf.flagNotes), len(pf.modNotes), wrote.Round(time.Millisecond), pages, time.Since(start.Add(wrote)).Round(time.Millisecond))

	// Last, proof that this tab's watch was able to see what it did not see above.
	checkWatchCatches(t, s, b)
	b.open("/about") // a clean last page for the screenshot
}

// checkWatchCatches proves the sweep's watch can fail, in the sweep's own tab. Stored
// HTML is written unsanitised (as a broken renderer would), so payloads reach a page:
// under the forum's CSP the browser must report the blocked attempts and the DOM audit
// must find their markup; with the CSP bypassed the hooks must see them call alert; and
// a real dialog must be reported and closed.
func checkWatchCatches(t *testing.T, s *site, b *browser) {
	t.Helper()
	fx := build.New(t, s.store, s.md)
	fx.Render = func(src string) (string, error) { return src, nil }
	author := s.user("raw_author", forum.RoleMember)
	th, _ := fx.ThreadIn("raw", author, "Unsanitised bodies", `<p>opening</p>`)
	fx.Reply(th, author, nil, `<img src="x" onerror="alert(1)">`, forum.StanceNone)
	fx.Reply(th, author, nil, `<script>alert(2)</script>`, forum.StanceNone)
	path := fmt.Sprintf("/t/%d", th.ID)

	b.open(path)
	b.settle()
	audit := strings.Join(eval[[]string](b, domAudit), "\n")
	got := strings.Join(b.takeProblems(), "\n")
	for _, want := range []string{"securitypolicyviolation", "has the event handler onerror", "is a script not of ours"} {
		if !strings.Contains(got+"\n"+audit, want) {
			t.Errorf("under the CSP the sweep missed %q; the watch reported:\n%s\nthe audit found:\n%s", want, got, audit)
		}
	}

	// The reader view of the thread's feed must find them too.
	b.open(path + "/feed.rss")
	if got := eval[string](b, readerView); !strings.HasSuffix(got, " rss 3") {
		t.Errorf("the reader view of the raw thread's feed says %q, want 3 items", got)
	}
	b.settle()
	audit = strings.Join(eval[[]string](b, domAudit), "\n")
	got = strings.Join(b.takeProblems(), "\n")
	for _, want := range []string{"securitypolicyviolation", "has the event handler onerror", "<script> in a post body"} {
		if !strings.Contains(got+"\n"+audit, want) {
			t.Errorf("in the feed's reader view the sweep missed %q; the watch reported:\n%s\nthe audit found:\n%s", want, got, audit)
		}
	}

	// Without the CSP the payloads run: the hooks must see it.
	bypassCSP := func(on bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: on})
			return err
		})
	}
	b.do("bypass the CSP", bypassCSP(true))
	b.open(path)
	b.settle()
	got = strings.Join(b.takeProblems(), "\n")
	for _, want := range []string{`"call":"alert","args":["1"]`, `"call":"alert","args":["2"]`} {
		if !strings.Contains(got, want) {
			t.Errorf("with the CSP bypassed the hooks missed %s; the watch reported:\n%s", want, got)
		}
	}
	b.do("turn the CSP back on", bypassCSP(false))

	// A dialog the hooks did not stop must be reported and closed. An isolated world
	// has its own window wrappers, which the hooks never touched, so alert there is the
	// browser's own; settle cannot finish while the dialog stays open.
	b.do("open a real dialog", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		tree, err := chromedp.Call(ctx, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return err
		}
		world, err := chromedp.Call(ctx, page.CreateIsolatedWorld, page.CreateIsolatedWorldParams{
			FrameID: tree.FrameTree.Frame.ID, WorldName: "dialog-check"})
		if err != nil {
			return err
		}
		_, err = chromedp.Call(ctx, runtime.Evaluate, runtime.EvaluateParams{
			Expression: `setTimeout(() => alert("dialog-check"), 0)`, ContextID: world.ExecutionContextID})
		return err
	}))
	b.settle()
	if got := strings.Join(b.takeProblems(), "\n"); !strings.Contains(got, "dialog opened") || !strings.Contains(got, "dialog-check") {
		t.Errorf("the watch did not report the alert dialog; it reported:\n%s", got)
	}
}
