package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxPage bounds what one answer may hold in memory; a thread page is far smaller.
const maxPage = 8 << 20

// Failure is one request that got a 5xx or no answer at all.
type Failure struct {
	Sent, Received time.Time
	Instance       int
	Method, Path   string
	Status         int    // 0: no answer (timeout, reset)
	RequestID      string // X-Request-ID, to find the server's log line
	Message        string // what the error page or the JSON said
	Err            string
}

// recorder counts every request made while the run is armed (setup is not counted:
// an instance still starting answers /readyz with 503 by design).
type recorder struct {
	mu        sync.Mutex
	armed     bool
	requests  int
	statuses  map[int]int
	failures  []Failure
	rejection map[string]int // 4xx answers to replies, by status and message
}

func newRecorder() *recorder {
	return &recorder{statuses: map[int]int{}, rejection: map[string]int{}}
}

func (r *recorder) arm() {
	r.mu.Lock()
	r.armed = true
	r.mu.Unlock()
}

// record counts one request. ctx is the request's: a request cut off because the run
// ended is nobody's failure and is not counted.
func (r *recorder) record(ctx context.Context, f Failure, err error) {
	if ctx.Err() != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.armed {
		return
	}
	r.requests++
	if err != nil {
		f.Err = err.Error()
		r.failures = append(r.failures, f)
		return
	}
	r.statuses[f.Status]++
	if f.Status >= 500 {
		r.failures = append(r.failures, f)
	}
}

func (r *recorder) rejected(status int, msg string) {
	r.mu.Lock()
	r.rejection[fmt.Sprintf("%d %s", status, msg)]++
	r.mu.Unlock()
}

// browser is one person's browser: a cookie jar shared by both instances (cookies
// belong to the host, not the port, as behind a load balancer) and no automatic
// redirects, so a 303 and its Location are seen.
type browser struct {
	client *http.Client
	urls   []string
	rec    *recorder
}

func newBrowser(urls []string, rec *recorder, timeout time.Duration) *browser {
	jar, _ := cookiejar.New(nil) // New never fails without options
	return &browser{urls: urls, rec: rec, client: &http.Client{
		Jar: jar, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request to instance inst (a form makes it a POST) and records it.
func (b *browser) do(ctx context.Context, inst int, path string, form url.Values) (*answer, error) {
	method, body := http.MethodGet, io.Reader(nil)
	if form != nil {
		method, body = http.MethodPost, strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, b.urls[inst]+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	f := Failure{Sent: time.Now(), Instance: inst, Method: method, Path: path}
	a, err := b.roundTrip(req)
	f.Received = time.Now()
	if a != nil {
		f.Status, f.RequestID = a.status, a.header.Get("X-Request-ID")
		if a.status >= 500 {
			f.Message = message(a.body)
		}
	}
	b.rec.record(ctx, f, err)
	if err != nil {
		return nil, fmt.Errorf("%s %s on instance %d: %w", method, path, inst, err)
	}
	return a, nil
}

func (b *browser) roundTrip(req *http.Request) (*answer, error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	return &answer{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// formFields returns the hidden fields of the first form on page whose action is action
// and that has no field named unless (when unless is not empty): what a browser would
// send from that form.
func formFields(page []byte, action, unless string) (url.Values, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, fmt.Errorf("parse page: %w", err)
	}
	var found url.Values
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Form && attr(n, "action") == action {
			fields := url.Values{}
			hiddenInputs(n, fields)
			if unless == "" || !fields.Has(unless) {
				found = fields
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		return nil, errors.New("no form to " + action + " on the page")
	}
	return found, nil
}

func hiddenInputs(n *html.Node, into url.Values) {
	if n.Type == html.ElementNode && n.DataAtom == atom.Input && attr(n, "type") == "hidden" {
		into.Add(attr(n, "name"), attr(n, "value"))
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		hiddenInputs(c, into)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// message is what an error answer told the user: the JSON "error", the error page's
// message or a refused form's, or else the page's title.
func message(body []byte) string {
	var j struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &j) == nil && j.Error != "" {
		return j.Error
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return ""
	}
	var msg, title string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if msg != "" {
			return
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Title && title == "" {
			title = strings.TrimSpace(text(n))
		}
		if n.Type == html.ElementNode {
			for _, class := range strings.Fields(attr(n, "class")) {
				if class == "error-message" || class == "form-error" {
					msg = strings.TrimSpace(text(n))
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if msg == "" {
		return title
	}
	return msg
}

func text(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(text(c))
	}
	return b.String()
}
