// Package soak drives running forum instances the way a crowd of browsers would —
// writers posting replies, readers reading, live-event streams open on every instance —
// while something breaks PostgreSQL underneath them, and records what a user would
// notice: every acknowledged reply, every 5xx, every event each stream received.
//
// scripts/soak.sh (`make soak`) starts the database, the instances and the faults; the
// test behind the `soak` build tag runs Run and checks the database afterwards.
package soak

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Account is a writer's login.
type Account struct{ Name, Password string }

// Config is one run's shape.
type Config struct {
	URLs     []string  // the instances' base URLs; requests alternate between them
	Accounts []Account // one writer each
	Readers  int       // anonymous readers
	Threads  int       // threads written into; each is watched by one stream per instance
	Duration time.Duration
	Drain    time.Duration // how long an unanswered reply keeps retrying after Duration
	CatchUp  time.Duration // how long the streams may take to deliver after the writers stop
	Think    time.Duration // mean pause between one person's requests
	Timeout  time.Duration // one request's bound
	// Mailers ask for password resets, one request per MailThink on average, until
	// Duration ends.
	Mailers   []Mailer
	MailThink time.Duration
	// Ready is called once every writer is logged in and every stream is open, just
	// before the clock starts (the fault schedule starts counting from it).
	Ready func()
}

// Ack is a reply the forum acknowledged with a 303 to the new post.
type Ack struct {
	Key      string // the form's idempotency key
	PostID   int64
	ThreadID int64
	Attempts int // sends of the same form until the 303 came
}

// Result is what the run saw; the database check is the caller's.
type Result struct {
	Started   time.Time // when the clock started (the fault schedule's zero)
	Requests  int
	Statuses  map[int]int
	Failures  []Failure // every 5xx and every request without an answer
	Acks      []Ack
	Sent      []string       // every idempotency key sent, acknowledged or not
	Abandoned int            // replies still unanswered when the drain ran out
	Rejected  map[string]int // replies refused with a 4xx, by status and message
	Streams   []*Stream
	Forgots   []Forgot // every POST /forgot the mailers sent
}

// run is one Run's shared state.
type run struct {
	cfg     Config
	rec     *recorder
	threads []int64
	stopAt  time.Time // no new replies or reads after this
	drainAt time.Time // unanswered replies are given up after this

	mu      sync.Mutex
	acks    []Ack
	sent    []string
	parents map[int64][]int64 // thread → acknowledged direct replies, for nested replies
	posts   []int64           // every acknowledged reply, for readers
	give    int
	forgots []Forgot
}

// Run sets up (finds the threads, opens the streams, logs the writers in), calls Ready,
// drives the forum for cfg.Duration, lets unanswered replies retry for cfg.Drain, waits
// up to cfg.CatchUp for the streams, and returns what it saw.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if len(cfg.URLs) == 0 || len(cfg.Accounts) == 0 || cfg.Threads < 1 {
		return nil, errors.New("soak: need instances, accounts and at least one thread")
	}
	r := &run{cfg: cfg, rec: newRecorder(), parents: map[int64][]int64{}}
	setupCtx, cancelSetup := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelSetup()
	if err := r.findThreads(setupCtx); err != nil {
		return nil, err
	}

	streamCtx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	var streams []*Stream
	var streamsDone, opened sync.WaitGroup
	progress := make(chan struct{}, 1)
	for inst := range cfg.URLs {
		for _, th := range r.threads {
			s := &Stream{Instance: inst, ThreadID: th, seen: map[int64]bool{}, progress: progress}
			streams = append(streams, s)
			var once sync.Once
			opened.Add(1)
			streamsDone.Go(func() { s.watch(streamCtx, cfg.URLs, r.rec, func() { once.Do(opened.Done) }) })
		}
	}
	if err := waitGroup(setupCtx, &opened); err != nil {
		return nil, fmt.Errorf("soak: open event streams: %w", err)
	}

	browsers := make([]*browser, len(cfg.Accounts))
	if err := r.logIn(setupCtx, browsers); err != nil {
		return nil, err
	}

	r.rec.arm()
	if cfg.Ready != nil {
		cfg.Ready()
	}
	res := &Result{Started: time.Now(), Streams: streams}
	r.stopAt = res.Started.Add(cfg.Duration)
	r.drainAt = r.stopAt.Add(cfg.Drain)
	driveCtx, stopDriving := context.WithDeadline(ctx, r.drainAt.Add(cfg.Timeout))
	defer stopDriving()
	var writers, readers, mailers sync.WaitGroup
	for w, b := range browsers {
		writers.Go(func() { r.writer(driveCtx, w, b) })
	}
	for i := range cfg.Readers {
		readers.Go(func() { r.reader(driveCtx, i) })
	}
	for i, m := range cfg.Mailers {
		mailers.Go(func() { r.mailer(driveCtx, i, m) })
	}
	writers.Wait()
	readers.Wait()
	mailers.Wait()

	r.catchUp(ctx, streams, progress)
	stopStreams()
	streamsDone.Wait()

	r.mu.Lock()
	res.Acks, res.Sent, res.Abandoned, res.Forgots = r.acks, r.sent, r.give, r.forgots
	r.mu.Unlock()
	r.rec.mu.Lock()
	res.Requests, res.Statuses, res.Failures = r.rec.requests, r.rec.statuses, r.rec.failures
	res.Rejected = r.rec.rejection
	r.rec.mu.Unlock()
	return res, nil
}

func waitGroup(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// findThreads picks the newest cfg.Threads open threads from the API, waiting for the
// first instance to be ready.
func (r *run) findThreads(ctx context.Context) error {
	b := newBrowser(r.cfg.URLs, r.rec, r.cfg.Timeout)
	var last error
	for {
		a, err := b.do(ctx, 0, "/api/v1/threads", nil)
		if err == nil && a.status == http.StatusOK {
			var list struct {
				Threads []struct {
					ID     int64 `json:"id"`
					Locked bool  `json:"locked"`
				} `json:"threads"`
			}
			if err := json.Unmarshal(a.body, &list); err != nil {
				return fmt.Errorf("soak: thread list: %w", err)
			}
			for _, t := range list.Threads {
				if !t.Locked && len(r.threads) < r.cfg.Threads {
					r.threads = append(r.threads, t.ID)
				}
			}
			if len(r.threads) < r.cfg.Threads {
				return fmt.Errorf("soak: %d open threads, want %d (was the database seeded?)", len(r.threads), r.cfg.Threads)
			}
			return nil
		}
		if err == nil {
			err = fmt.Errorf("status %d", a.status)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("soak: list threads: %w", last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// logIn logs every writer in, two at a time: each login costs the server an argon2id
// hash, and all of them come from one address. A refused login is tried again.
func (r *run) logIn(ctx context.Context, browsers []*browser) error {
	sem := make(chan struct{}, 2)
	errs := make([]error, len(browsers))
	var wg sync.WaitGroup
	for i, acc := range r.cfg.Accounts {
		browsers[i] = newBrowser(r.cfg.URLs, r.rec, r.cfg.Timeout)
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = r.logInOne(ctx, browsers[i], i%len(r.cfg.URLs), acc)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (r *run) logInOne(ctx context.Context, b *browser, inst int, acc Account) error {
	for {
		err := func() error {
			a, err := b.do(ctx, inst, "/login", nil)
			if err != nil {
				return err
			}
			form, err := formFields(a.body, "/login", "")
			if err != nil {
				return err
			}
			form.Set("username", acc.Name)
			form.Set("password", acc.Password)
			if a, err = b.do(ctx, inst, "/login", form); err != nil {
				return err
			}
			if a.status != http.StatusSeeOther {
				return fmt.Errorf("status %d", a.status)
			}
			return nil
		}()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("soak: log in %s: %w", acc.Name, err)
		case <-time.After(time.Second):
		}
	}
}

// pause waits about d (uniformly 0–2d) unless ctx ends first.
func pause(ctx context.Context, d time.Duration) bool {
	if d > 0 {
		d = rand.N(2 * d)
	}
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// writer posts replies until the clock runs out, as a person in a browser does: load
// the thread, fill in its reply form, send it, and on an error or no answer send the
// same form again (same idem key), to the other instance, after a growing pause.
func (r *run) writer(ctx context.Context, w int, b *browser) {
	inst := w % len(r.cfg.URLs)
	next := func() int { i := inst; inst = (inst + 1) % len(r.cfg.URLs); return i }
	if !pause(ctx, r.cfg.Think) { // people do not all click at the same instant
		return
	}
	for n := 1; time.Now().Before(r.stopAt); n++ {
		th := r.threads[rand.N(len(r.threads))]
		form, ok := r.replyForm(ctx, b, next, th)
		if !ok {
			return
		}
		form.Set("body", fmt.Sprintf("Soak reply %d from %s: controlled openings %s the country's relations.",
			n, r.cfg.Accounts[w].Name, []string{"help", "hinder", "complicate"}[rand.N(3)]))
		if st := []string{"", "helps", "hinders", "mixed"}[rand.N(4)]; st != "" {
			form.Set("stance", st)
		}
		if parent := r.parent(th); parent != 0 && rand.N(3) == 0 {
			form.Set("parent_id", strconv.FormatInt(parent, 10))
		}
		r.send(ctx, b, next, th, form)
		if !pause(ctx, r.cfg.Think) {
			return
		}
	}
}

// replyForm loads a thread page and returns its reply form's fields, retrying until the
// clock runs out.
func (r *run) replyForm(ctx context.Context, b *browser, next func() int, th int64) (url.Values, bool) {
	path := "/t/" + strconv.FormatInt(th, 10)
	for try := 0; time.Now().Before(r.stopAt); try++ {
		a, err := b.do(ctx, next(), path, nil)
		if err == nil && a.status == http.StatusOK {
			form, err := formFields(a.body, path+"/reply", "parent_id")
			if err == nil && form.Get("idem") != "" && form.Get("csrf_token") != "" {
				return form, true
			}
			slog.Warn("soak: thread page without a reply form", "thread", th, "err", err)
		}
		if !pause(ctx, backoff(try)) {
			break
		}
	}
	return nil, false
}

// send posts one reply form until it is acknowledged or refused, or the drain runs out.
func (r *run) send(ctx context.Context, b *browser, next func() int, th int64, form url.Values) {
	key := form.Get("idem")
	r.mu.Lock()
	r.sent = append(r.sent, key)
	r.mu.Unlock()
	path := "/t/" + strconv.FormatInt(th, 10) + "/reply"
	for try := 0; ; try++ {
		if time.Now().After(r.drainAt) || ctx.Err() != nil {
			r.mu.Lock()
			r.give++
			r.mu.Unlock()
			return
		}
		a, err := b.do(ctx, next(), path, form)
		wait := backoff(try)
		switch {
		case err != nil || a.status >= 500:
			// no answer or a server error: the reply may or may not be written; send again
		case a.status == http.StatusSeeOther:
			id, err := postID(a.header.Get("Location"))
			if err != nil {
				slog.Error("soak: acknowledged without a post id", "err", err)
				r.rec.rejected(a.status, "no post id in Location")
				return
			}
			r.ack(Ack{Key: key, PostID: id, ThreadID: th, Attempts: try + 1}, form.Get("parent_id") == "")
			return
		case a.status == http.StatusTooManyRequests:
			if s, err := strconv.Atoi(a.header.Get("Retry-After")); err == nil && s > 0 {
				wait = time.Duration(s) * time.Second / 2 // pause draws 0–2×
			}
		default:
			r.rec.rejected(a.status, message(a.body))
			return
		}
		if !pause(ctx, wait) {
			continue // the loop's first check gives up
		}
	}
}

// backoff is the mean pause before try number try+1: 200 ms doubling to 3 s.
func backoff(try int) time.Duration {
	return min(200*time.Millisecond<<min(try, 4), 3*time.Second)
}

// postID reads the new post's id from a reply's redirect, "/t/ID#pPOST".
func postID(location string) (int64, error) {
	_, frag, ok := strings.Cut(location, "#p")
	if !ok {
		return 0, fmt.Errorf("redirect %q names no post", location)
	}
	id, err := strconv.ParseInt(frag, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("redirect %q names no post", location)
	}
	return id, nil
}

func (r *run) ack(a Ack, direct bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.acks = append(r.acks, a)
	r.posts = append(r.posts, a.PostID)
	if direct {
		r.parents[a.ThreadID] = append(r.parents[a.ThreadID], a.PostID)
	}
}

// parent is a recent direct reply in thread th to answer, or 0.
func (r *run) parent(th int64) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	ps := r.parents[th]
	if len(ps) == 0 {
		return 0
	}
	return ps[len(ps)-1-rand.N(min(len(ps), 50))]
}

// reader reads what visitors read, anonymously, alternating instances.
func (r *run) reader(ctx context.Context, i int) {
	b := newBrowser(r.cfg.URLs, r.rec, r.cfg.Timeout)
	inst := i % len(r.cfg.URLs)
	if !pause(ctx, r.cfg.Think) {
		return
	}
	for time.Now().Before(r.stopAt) {
		th := strconv.FormatInt(r.threads[rand.N(len(r.threads))], 10)
		paths := []string{"/", "/t/" + th, "/t/" + th + "?sort=new", "/api/v1/threads/" + th,
			"/api/v1/threads", "/t/" + th + "/feed.rss"}
		r.mu.Lock()
		if len(r.posts) > 0 {
			paths = append(paths, "/p/"+strconv.FormatInt(r.posts[rand.N(len(r.posts))], 10))
		}
		r.mu.Unlock()
		_, _ = b.do(ctx, inst, paths[rand.N(len(paths))], nil) // the recorder keeps the status
		inst = (inst + 1) % len(r.cfg.URLs)
		if !pause(ctx, r.cfg.Think) {
			return
		}
	}
}

// catchUp waits until every stream has delivered every acknowledged reply of its
// thread, or cfg.CatchUp has passed.
func (r *run) catchUp(ctx context.Context, streams []*Stream, progress <-chan struct{}) {
	r.mu.Lock()
	acks := append([]Ack(nil), r.acks...)
	r.mu.Unlock()
	timeout := time.NewTimer(r.cfg.CatchUp)
	defer timeout.Stop()
	for Missing(acks, streams) > 0 {
		select {
		case <-progress:
		case <-timeout.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// Missing counts (stream, acknowledged reply of its thread) pairs not delivered.
func Missing(acks []Ack, streams []*Stream) int {
	n := 0
	for _, s := range streams {
		for _, a := range acks {
			if a.ThreadID == s.ThreadID && !s.Seen(a.PostID) {
				n++
			}
		}
	}
	return n
}
