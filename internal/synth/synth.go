// Package synth fills a database with a realistic synthetic forum for `make bench`:
// people, threads of long-tailed sizes, reply trees of realistic shape, Markdown bodies
// rendered by the real pipeline, stances, flags and notifications, bulk-loaded with COPY.
package synth

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"
	"github.com/schollz/progressbar/v3"

	"forum/internal/forum"
	"forum/internal/markup"
)

// Password is every synthetic person's password, so a load test can log in as them.
// The accounts exist only in a benchmark's database.
const Password = "synthetic-bench-password"

// NamePrefix starts every synthetic username: a load test lists them by it.
const NamePrefix = "s-"

// Options shapes a load.
type Options struct {
	Posts        int       // posts in all, opening posts included
	Seed         uint64    // the same seed makes the same forum
	PasswordHash string    // Password's hash (argon2id), computed once by the caller
	Progress     io.Writer // where the progress bar goes; nil for none
	// ProgressEvery is how often the bar is redrawn: often on a terminal, seldom into a
	// log, where each redraw is a line. Zero means every 200 ms.
	ProgressEvery time.Duration
	Now           time.Time // the newest post is shortly before this; zero means now
}

// Stats says what was loaded.
type Stats struct {
	Users, Threads, Posts int
	MegaThreadID          int64 // the 10,000-reply thread
	Elapsed               time.Duration
}

// Load adds a synthetic forum to a migrated database that already has its categories
// (`forum seed`). It is meant for an otherwise empty benchmark database: it bypasses the
// store's rules and writes rows and kept counts directly, in one transaction.
func Load(ctx context.Context, db *sql.DB, md *markup.Renderer, o Options) (*Stats, error) {
	began := time.Now()
	if o.Posts < 100 {
		return nil, fmt.Errorf("synthetic: at least 100 posts, not %d", o.Posts)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	cats, err := categories(ctx, db)
	if err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	pl := makePlan(r, o.Posts, len(cats), func(i int) bool { return !cats[i].meta }, o.Now)

	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("synthetic: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	// A bulk load into our own fresh database: no fsync wait per commit, and foreign keys
	// not checked row by row (the plan is consistent by construction); both need only
	// this transaction, and the second a superuser — without one the checks just run.
	// The server's statement bound is for requests; a bulk load takes minutes.
	if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0`); err != nil {
		return nil, fmt.Errorf("synthetic: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT r; SET LOCAL session_replication_role = replica`); err != nil {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT r`); err != nil {
			return nil, fmt.Errorf("synthetic: %w", err)
		}
	}
	l := &loader{tx: tx, md: md, plan: pl, cats: cats, seed: o.Seed, now: o.Now, hash: o.PasswordHash}
	bar := newBar(o.Progress, o.Posts, cmp.Or(o.ProgressEvery, 200*time.Millisecond))
	steps := []func(context.Context) error{l.ids, l.dropIndexes, l.users, l.threads,
		func(ctx context.Context) error { return l.posts(ctx, bar) },
		l.stances, l.flags, l.notifications, l.recreateIndexes, l.counts}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("synthetic: commit: %w", err)
	}
	if bar != nil {
		_ = bar.Finish()
	}
	if err := analyze(ctx, db); err != nil {
		return nil, err
	}
	return &Stats{Users: pl.users, Threads: len(pl.threads), Posts: len(pl.posts),
		MegaThreadID: l.threadID[0], Elapsed: time.Since(began)}, nil
}

func newBar(w io.Writer, n int, every time.Duration) *progressbar.ProgressBar {
	if w == nil {
		return nil
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("posts"),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("posts"),
		progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(every),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
}

type category struct {
	id   int
	meta bool
}

func categories(ctx context.Context, db *sql.DB) ([]category, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, meta FROM categories ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("synthetic: categories: %w", err)
	}
	defer rows.Close()
	var cs []category
	for rows.Next() {
		var c category
		if err := rows.Scan(&c.id, &c.meta); err != nil {
			return nil, fmt.Errorf("synthetic: categories: %w", err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("synthetic: categories: %w", err)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("synthetic: no categories; run `forum seed` first")
	}
	return cs, nil
}

type loader struct {
	tx   *sql.Tx
	md   *markup.Renderer
	plan *plan
	cats []category
	seed uint64
	now  time.Time
	hash string

	userID, threadID, postID []int64
	names, titles            []string
	indexes                  []string // definitions of the indexes dropped for the load
}

// ids reserves id ranges from the tables' sequences, so rows can carry their ids (and
// parents theirs) in COPY.
func (l *loader) ids(ctx context.Context) error {
	reserve := func(table string, n int) ([]int64, error) {
		var last int64
		err := l.tx.QueryRowContext(ctx, `
			SELECT setval(pg_get_serial_sequence($1, 'id'),
				GREATEST((SELECT COALESCE(max(id), 0) FROM `+pq.QuoteIdentifier(table)+`),
					(SELECT last_value FROM `+seqName(table)+`)) + $2)`, table, n).Scan(&last)
		if err != nil {
			return nil, fmt.Errorf("synthetic: reserve %s ids: %w", table, err)
		}
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = last - int64(n) + 1 + int64(i)
		}
		return ids, nil
	}
	var err error
	if l.userID, err = reserve("users", l.plan.users); err != nil {
		return err
	}
	// Threads get ids in the order their opening posts were written.
	tids, err := reserve("threads", len(l.plan.threads))
	if err != nil {
		return err
	}
	l.threadID = make([]int64, len(l.plan.threads))
	next := 0
	for _, pp := range l.plan.posts {
		if pp.parent < 0 {
			l.threadID[pp.thread] = tids[next]
			next++
		}
	}
	l.postID, err = reserve("posts", len(l.plan.posts))
	return err
}

func seqName(table string) string { return table + "_id_seq" }

// dropIndexes drops the secondary indexes of the big tables for the load and remembers
// them: building an index once at the end is many times faster than a million inserts.
func (l *loader) dropIndexes(ctx context.Context) error {
	rows, err := l.tx.QueryContext(ctx, `
		SELECT i.indexname, i.indexdef FROM pg_indexes i
		WHERE i.schemaname = current_schema() AND i.tablename IN ('posts', 'notifications', 'stances', 'flags')
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`)
	if err != nil {
		return fmt.Errorf("synthetic: list indexes: %w", err)
	}
	var names []string
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return fmt.Errorf("synthetic: list indexes: %w", err)
		}
		names = append(names, name)
		l.indexes = append(l.indexes, def)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("synthetic: list indexes: %w", err)
	}
	for _, n := range names {
		if _, err := l.tx.ExecContext(ctx, `DROP INDEX `+pq.QuoteIdentifier(n)); err != nil {
			return fmt.Errorf("synthetic: drop index %s: %w", n, err)
		}
	}
	return nil
}

func (l *loader) recreateIndexes(ctx context.Context) error {
	if _, err := l.tx.ExecContext(ctx, `SET LOCAL maintenance_work_mem = '512MB'`); err != nil {
		return fmt.Errorf("synthetic: %w", err)
	}
	for _, def := range l.indexes {
		if _, err := l.tx.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("synthetic: %s: %w", def, err)
		}
	}
	return nil
}

// copyIn streams rows into table's columns with COPY.
func (l *loader) copyIn(ctx context.Context, table string, cols []string, rows func(put func(...any) error) error) error {
	stmt, err := l.tx.PrepareContext(ctx, pq.CopyIn(table, cols...))
	if err != nil {
		return fmt.Errorf("synthetic: copy %s: %w", table, err)
	}
	put := func(v ...any) error {
		_, err := stmt.ExecContext(ctx, v...)
		return err
	}
	if err := rows(put); err != nil {
		stmt.Close()
		return fmt.Errorf("synthetic: copy %s: %w", table, err)
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		stmt.Close()
		return fmt.Errorf("synthetic: copy %s: %w", table, err)
	}
	if err := stmt.Close(); err != nil {
		return fmt.Errorf("synthetic: copy %s: %w", table, err)
	}
	return nil
}

func (l *loader) users(ctx context.Context) error {
	r := rand.New(rand.NewPCG(l.seed, 1))
	seen := map[string]bool{}
	l.names = make([]string, l.plan.users)
	created := l.now.Add(-400 * 24 * time.Hour)
	return l.copyIn(ctx, "users", []string{"id", "username", "skeleton", "password_hash", "role", "created_at", "auto_watch"},
		func(put func(...any) error) error {
			for i := range l.plan.users {
				name := NamePrefix + username(r, i)
				for seen[forum.Skeleton(name)] {
					name = NamePrefix + username(r, i) + "x"
				}
				seen[forum.Skeleton(name)] = true
				l.names[i] = name
				role := forum.RoleMember
				if i%500 == 7 {
					role = forum.RoleModerator
				}
				if err := put(l.userID[i], name, forum.Skeleton(name), l.hash, string(role), created, false); err != nil {
					return err
				}
			}
			return nil
		})
}

func (l *loader) threads(ctx context.Context) error {
	r := rand.New(rand.NewPCG(l.seed, 2))
	l.titles = make([]string, len(l.plan.threads))
	return l.copyIn(ctx, "threads", []string{"id", "category_id", "author_id", "title", "slug", "created_at",
		"last_activity_at", "reply_count", "last_post_id", "version"},
		func(put func(...any) error) error {
			for i, th := range l.plan.threads {
				t := title(r)
				l.titles[i] = t
				last := l.plan.posts[th.last]
				if err := put(l.threadID[i], l.cats[th.category].id, l.userID[th.author], t, forum.Slugify(t),
					time.Unix(th.at, 0), time.Unix(last.at, 0), th.posts-1, l.postID[th.last], th.posts); err != nil {
					return err
				}
			}
			return nil
		})
}

// A chunk of posts rendered by a worker, written in order by the one COPY.
type chunk struct {
	from   int
	source []string
	html   []string
	err    error
	done   chan struct{}
}

const chunkSize = 512

// posts renders every body through the real Markdown pipeline on all cores while one
// COPY writes them in order.
func (l *loader) posts(ctx context.Context, bar *progressbar.ProgressBar) error {
	n := len(l.plan.posts)
	chunks := make(chan *chunk, runtime.GOMAXPROCS(0)*2)
	work := make(chan *chunk)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				l.render(c)
				close(c.done)
			}
		}()
	}
	go func() { // hands out chunks in order; the writer takes them in the same order
		defer close(chunks)
		defer close(work)
		for from := 0; from < n; from += chunkSize {
			c := &chunk{from: from, done: make(chan struct{})}
			select {
			case chunks <- c:
			case <-ctx.Done():
				return
			}
			select {
			case work <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	err := l.copyIn(ctx, "posts", []string{"id", "thread_id", "parent_id", "author_id", "path", "depth", "top_id",
		"body_source", "body_html", "stance", "status", "created_at", "child_count", "descendant_count", "title",
		"author_deleted", "lang"},
		func(put func(...any) error) error {
			path := make([]int64, 0, 64)
			for c := range chunks {
				<-c.done
				if c.err != nil {
					return c.err
				}
				for k := range c.source {
					i := c.from + k
					pp := l.plan.posts[i]
					path = path[:0]
					for a := int32(i); a >= 0; a = l.plan.posts[a].parent {
						path = append(path, l.postID[a])
					}
					for x, y := 0, len(path)-1; x < y; x, y = x+1, y-1 {
						path[x], path[y] = path[y], path[x]
					}
					var parent, top any
					if pp.parent >= 0 {
						parent = l.postID[pp.parent]
						top = l.postID[pp.top]
					}
					var stance any
					if pp.stance != forum.StanceNone {
						stance = string(pp.stance)
					}
					if err := put(l.postID[i], l.threadID[pp.thread], parent, l.userID[pp.author],
						pq.Array(path), pp.depth, top, c.source[k], c.html[k], stance, string(pp.status),
						time.Unix(pp.at, 0), pp.children, pp.descendants, l.openingTitle(pp),
						pp.status == forum.StatusDeleted, textLang(c.source[k])); err != nil {
						return err
					}
				}
				if bar != nil {
					_ = bar.Add(len(c.source))
				}
			}
			return nil
		})
	cancel()
	wg.Wait()
	return err
}

// openingTitle is what a post carries for search: an opening post its thread's title,
// as a new thread's does; a reply nothing.
func (l *loader) openingTitle(pp ppost) string {
	if pp.parent >= 0 {
		return ""
	}
	return l.titles[pp.thread]
}

// render makes a chunk's bodies: each post's text from its own seed (the same forum for
// the same seed whatever the number of workers), through the real pipeline.
func (l *loader) render(c *chunk) {
	end := min(c.from+chunkSize, len(l.plan.posts))
	for i := c.from; i < end; i++ {
		r := rand.New(rand.NewPCG(l.seed, uint64(i)+1000))
		names := func() string { return l.names[r.IntN(len(l.names))] }
		src := body(r, bodyLength(r), names)
		html, err := l.md.RenderStoredMentions(src, func(name string) bool { return strings.HasPrefix(name, NamePrefix) })
		if err != nil {
			c.err = fmt.Errorf("render post %d: %w", i, err)
			return
		}
		c.source = append(c.source, src)
		c.html = append(c.html, html)
	}
}

// stances keeps each person's newest stance per thread and the threads' tallies.
func (l *loader) stances(ctx context.Context) error {
	type key struct{ thread, user int32 }
	latest := map[key]int{}
	for i, pp := range l.plan.posts {
		if pp.stance != forum.StanceNone && pp.status == forum.StatusVisible {
			latest[key{pp.thread, pp.author}] = i
		}
	}
	err := l.copyIn(ctx, "stances", []string{"thread_id", "user_id", "stance", "post_id", "updated_at"},
		func(put func(...any) error) error {
			for k, i := range latest {
				pp := l.plan.posts[i]
				if err := put(l.threadID[k.thread], l.userID[k.user], string(pp.stance), l.postID[i], time.Unix(pp.at, 0)); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	_, err = l.tx.ExecContext(ctx, `
		UPDATE threads t SET stance_helps = s.h, stance_hinders = s.n, stance_mixed = s.m
		FROM (SELECT thread_id, count(*) FILTER (WHERE stance = 'helps') AS h,
			count(*) FILTER (WHERE stance = 'hinders') AS n, count(*) FILTER (WHERE stance = 'mixed') AS m
			FROM stances GROUP BY thread_id) s
		WHERE t.id = s.thread_id`)
	if err != nil {
		return fmt.Errorf("synthetic: stance tallies: %w", err)
	}
	return nil
}

// flags: every auto-hidden post has three open flags; a few visible posts have one.
func (l *loader) flags(ctx context.Context) error {
	r := rand.New(rand.NewPCG(l.seed, 3))
	reasons := []string{"spam", "abuse", "off_topic", "misinformation"}
	return l.copyIn(ctx, "flags", []string{"post_id", "user_id", "reason", "created_at", "updated_at"},
		func(put func(...any) error) error {
			for i, pp := range l.plan.posts {
				flaggers := 0
				switch {
				case pp.status == forum.StatusPending:
					flaggers = 3
				case pp.status == forum.StatusVisible && r.IntN(400) == 0:
					flaggers = 1
				}
				for f := range flaggers {
					u := (int(pp.author) + 1 + f) % l.plan.users
					at := time.Unix(pp.at+3600, 0)
					if err := put(l.postID[i], l.userID[u], pick(r, reasons), at, at); err != nil {
						return err
					}
				}
			}
			return nil
		})
}

// notifications: each reply tells the author of the post it answers; the older ones read.
func (l *loader) notifications(ctx context.Context) error {
	weekAgo := l.now.Add(-7 * 24 * time.Hour).Unix()
	err := l.copyIn(ctx, "notifications", []string{"user_id", "post_id", "thread_id", "actor_id", "reason", "created_at", "read_at"},
		func(put func(...any) error) error {
			for i, pp := range l.plan.posts {
				if pp.parent < 0 || pp.status != forum.StatusVisible {
					continue
				}
				to := l.plan.posts[pp.parent].author
				if to == pp.author {
					continue
				}
				at := time.Unix(pp.at, 0)
				var read any
				if pp.at < weekAgo {
					read = at.Add(time.Hour)
				}
				if err := put(l.userID[to], l.postID[i], l.threadID[pp.thread], l.userID[pp.author], "reply", at, read); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return err
	}
	_, err = l.tx.ExecContext(ctx, `
		INSERT INTO unread_counts (user_id, notifications)
		SELECT user_id, count(*) FROM notifications WHERE read_at IS NULL AND user_id = ANY($1) GROUP BY user_id
		ON CONFLICT (user_id) DO UPDATE SET notifications = EXCLUDED.notifications`, pq.Array(l.userID))
	if err != nil {
		return fmt.Errorf("synthetic: unread counts: %w", err)
	}
	return nil
}

// counts sets the kept counters that are sums over the loaded rows.
func (l *loader) counts(ctx context.Context) error {
	for _, q := range []string{
		`UPDATE users u SET post_count = c.n FROM (SELECT author_id, count(*) AS n FROM posts GROUP BY author_id) c
		 WHERE u.id = c.author_id AND u.username LIKE '` + NamePrefix + `%'`,
		`UPDATE categories k SET thread_count = c.n FROM (SELECT category_id, count(*) AS n FROM threads GROUP BY category_id) c
		 WHERE k.id = c.category_id`,
		// What visitors count: replies anyone may read.
		`UPDATE threads t SET public_reply_count = c.n FROM (SELECT thread_id, count(*) AS n FROM posts
			WHERE depth > 0 AND status = 'visible' GROUP BY thread_id) c
		 WHERE t.id = c.thread_id`,
		// The forum-wide stance: each person's newest counted stance, its totals, and
		// this week's row of the history (the load has no earlier history to replay).
		`INSERT INTO forum_stances (user_id, stance)
		 SELECT DISTINCT ON (user_id) user_id, stance FROM stances ORDER BY user_id, post_id DESC
		 ON CONFLICT (user_id) DO UPDATE SET stance = EXCLUDED.stance`,
		`INSERT INTO forum_stance_totals (stance, people)
		 SELECT s, (SELECT count(*) FROM forum_stances f WHERE f.stance = s) FROM unnest(ARRAY['helps', 'hinders', 'mixed']) s
		 ON CONFLICT (stance) DO UPDATE SET people = EXCLUDED.people`,
		`INSERT INTO forum_stance_weeks (week, stance, people)
		 SELECT date_trunc('week', now() AT TIME ZONE 'UTC')::date, stance, people FROM forum_stance_totals WHERE people > 0
		 ON CONFLICT (stance, week) DO UPDATE SET people = EXCLUDED.people`,
	} {
		if _, err := l.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("synthetic: kept counts: %w", err)
		}
	}
	return nil
}

// ThreadsNear returns, for each wanted reply count, the id of the listed thread whose
// reply count is nearest: how a load test finds its 200- and 1,000-reply threads.
func ThreadsNear(ctx context.Context, db *sql.DB, replies ...int) ([]int64, error) {
	ids := make([]int64, len(replies))
	for i, n := range replies {
		err := db.QueryRowContext(ctx, `
			SELECT id FROM threads WHERE visible ORDER BY abs(reply_count - $1), id LIMIT 1`, n).Scan(&ids[i])
		if err != nil {
			return nil, fmt.Errorf("thread near %d replies: %w", n, err)
		}
	}
	return ids, nil
}
