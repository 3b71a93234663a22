// Package bench is `make bench`'s load generator: closed-loop workers on 127.0.0.1 for a
// fixed time per scenario, the latency distribution, and a baseline server that answers
// with recorded bytes from memory, so every figure is a ratio measured in the same run.
package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// A Request is one request a worker sends; Check says whether its answer counts as a
// success (a status, say); nil accepts any 2xx or 3xx.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Form   url.Values
	Client *http.Client // a logged-in person's; nil for a visitor's
	Check  func(status int) bool
}

// Result is one scenario's figures.
type Result struct {
	Name        string        `json:"name"`
	Target      string        `json:"target"` // "forum" or "baseline"
	Requests    int           `json:"requests"`
	Errors      int           `json:"errors"`
	Bytes       int64         `json:"bytes"` // response body bytes, in all
	Seconds     float64       `json:"seconds"`
	RPS         float64       `json:"rps"`
	P50         time.Duration `json:"p50_ns"`
	P99         time.Duration `json:"p99_ns"`
	FirstErrors []string      `json:"first_errors,omitempty"`
}

// Client is a keep-alive HTTP client for one worker set: enough idle connections for
// every worker, no redirects followed (a 303 after a post is its success).
func Client(workers int, jar http.CookieJar) *http.Client {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        workers * 2,
		MaxIdleConnsPerHost: workers * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true, // the scenario's Accept-Encoding decides, as a browser's would
	}
	return &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Run drives next's requests with the given number of workers for d, each sending its
// next request as soon as the previous one is answered, and measures them.
func Run(ctx context.Context, name, target string, workers int, d time.Duration, visitor *http.Client, next func(worker, i int) Request) Result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	type sample struct {
		lat   []time.Duration
		bytes int64
		errs  int
		first []string
	}
	samples := make([]sample, workers)
	began := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &samples[w]
			for i := 0; ctx.Err() == nil; i++ {
				r := next(w, i)
				start := time.Now()
				n, err := do(ctx, visitor, r)
				if ctx.Err() != nil && err != nil {
					return // cut off by the clock: not the server's error
				}
				s.lat = append(s.lat, time.Since(start))
				s.bytes += n
				if err != nil {
					s.errs++
					if len(s.first) < 3 {
						s.first = append(s.first, err.Error())
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	res := Result{Name: name, Target: target, Seconds: elapsed.Seconds()}
	var all []time.Duration
	for _, s := range samples {
		all = append(all, s.lat...)
		res.Bytes += s.bytes
		res.Errors += s.errs
		if len(res.FirstErrors) < 3 {
			res.FirstErrors = append(res.FirstErrors, s.first...)
		}
	}
	res.Requests = len(all)
	res.RPS = float64(res.Requests) / elapsed.Seconds()
	slices.Sort(all)
	res.P50, res.P99 = quantile(all, 0.50), quantile(all, 0.99)
	return res
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(int(float64(len(sorted))*q), len(sorted)-1)]
}

// do sends r and reads its answer whole; an unexpected status is an error.
func do(ctx context.Context, visitor *http.Client, r Request) (int64, error) {
	var body io.Reader
	method := r.Method
	if r.Form != nil {
		body = strings.NewReader(r.Form.Encode())
		if method == "" {
			method = http.MethodPost
		}
	}
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return 0, err
	}
	for k, v := range r.Header {
		req.Header[k] = v
	}
	if r.Form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	c := r.Client
	if c == nil {
		c = visitor
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return n, err
	}
	ok := resp.StatusCode < 400
	if r.Check != nil {
		ok = r.Check(resp.StatusCode)
	}
	if !ok {
		return n, fmt.Errorf("%s %s: status %d", method, r.URL, resp.StatusCode)
	}
	return n, nil
}
