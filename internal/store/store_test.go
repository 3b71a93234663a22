package store_test

// The store's write paths on a real PostgreSQL. Every write to a thread must bump the
// thread's version in the transaction that makes the change, and leave every kept
// counter equal to a recount from the rows it summarises.
//
// "Same transaction" is read from the rows themselves: a row's xmin is the id of the
// transaction that last wrote it, so the thread row and the row the write created or
// changed carry the same xmin exactly when one transaction wrote both.

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forum/internal/fixture"
	"forum/internal/forum"
	"forum/internal/store"
	"forum/internal/testdb"
)

const threshold = 3 // distinct open flaggers that hide a post pending review

// world is one test's database, store and fixture builder.
type world struct {
	db *testdb.DB
	st *store.Store
	fx *fixture.Builder
}

func newWorld(t *testing.T) *world {
	t.Helper()
	db := testdb.New(t)
	st := store.New(db.DB)
	return &world{db: db, st: st, fx: fixture.New(t, st, nil)}
}

// row names one database row whose xmin a test compares with its thread's.
type row struct {
	what  string
	query string // selects the row's xmin as text
	args  []any
}

func postRow(id int64) row {
	return row{"post " + strconv.FormatInt(id, 10), `SELECT xmin::text FROM posts WHERE id = $1`, []any{id}}
}

func userRow(id int64) row {
	return row{"user " + strconv.FormatInt(id, 10), `SELECT xmin::text FROM users WHERE id = $1`, []any{id}}
}

func categoryRow(id int) row {
	return row{"category " + strconv.Itoa(id), `SELECT xmin::text FROM categories WHERE id = $1`, []any{id}}
}

func stanceRow(threadID, userID int64) row {
	return row{fmt.Sprintf("stance of user %d", userID),
		`SELECT xmin::text FROM stances WHERE thread_id = $1 AND user_id = $2`, []any{threadID, userID}}
}

// flagRow is userID's newest flag on postID.
func flagRow(postID, userID int64) row {
	return row{fmt.Sprintf("flag of user %d", userID),
		`SELECT xmin::text FROM flags WHERE post_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1`, []any{postID, userID}}
}

// revisionRow is postID's newest kept revision.
func revisionRow(postID int64) row {
	return row{"newest revision", `SELECT xmin::text FROM post_revisions WHERE post_id = $1 ORDER BY id DESC LIMIT 1`, []any{postID}}
}

// logRow is the newest moderation log row, which must be about this target and action.
func logRow(action forum.LogAction, targetType string, targetID int64) row {
	return row{fmt.Sprintf("mod_log %s of %s %d", action, targetType, targetID), `
		SELECT xmin::text FROM mod_log WHERE id = (SELECT max(id) FROM mod_log)
			AND action = $1 AND target_type = $2 AND target_id = $3`, []any{action, targetType, targetID}}
}

func threadRow(id int64) row {
	return row{"thread " + strconv.FormatInt(id, 10), `SELECT xmin::text FROM threads WHERE id = $1`, []any{id}}
}

func (w *world) xmin(t *testing.T, r row) string {
	t.Helper()
	var x string
	if err := w.db.Get(&x, r.query, r.args...); err != nil {
		t.Fatalf("xmin of %s: %v", r.what, err)
	}
	return x
}

func (w *world) version(t *testing.T, threadID int64) int64 {
	t.Helper()
	var v int64
	if err := w.db.Get(&v, `SELECT version FROM threads WHERE id = $1`, threadID); err != nil {
		t.Fatal(err)
	}
	return v
}

// wantSameTx fails unless every row was last written by the transaction that last wrote
// the first.
func (w *world) wantSameTx(t *testing.T, first row, rows ...row) {
	t.Helper()
	want := w.xmin(t, first)
	for _, r := range rows {
		if got := w.xmin(t, r); got != want {
			t.Errorf("%s was written by transaction %s, %s by %s: not one transaction", r.what, got, first.what, want)
		}
	}
}

// wantBumped fails unless the thread's version rose above before, in the transaction
// that wrote rows.
func (w *world) wantBumped(t *testing.T, threadID, before int64, rows ...row) {
	t.Helper()
	if v := w.version(t, threadID); v <= before {
		t.Errorf("thread %d version %d, want more than %d", threadID, v, before)
	}
	w.wantSameTx(t, threadRow(threadID), rows...)
}

// recounts are the kept counters and flags against the rows they summarise. Each query
// returns one line per disagreement.
var recounts = []string{
	// threads.reply_count counts every reply ever written, whatever became of it: a
	// hidden, deleted or removed reply keeps its place in the tree (as a placeholder)
	// and in the count. CreateReply is the only writer; nothing decrements it.
	`SELECT format('thread %s reply_count: kept %s, recount %s', t.id, t.reply_count, r.n)
	FROM threads t CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM posts p WHERE p.thread_id = t.id AND p.depth > 0) r
	WHERE t.reply_count <> r.n`,

	// The materialised path the next two recounts rely on: a post's path is its
	// parent's path and its own id, its depth the path's length less one.
	`SELECT format('post %s path %s, depth %s, parent %s with path %s', p.id, p.path, p.depth, p.parent_id, q.path)
	FROM posts p LEFT JOIN posts q ON q.id = p.parent_id
	WHERE p.path[cardinality(p.path)] <> p.id OR p.depth <> cardinality(p.path) - 1
		OR (p.parent_id IS NULL) <> (p.depth = 0)
		OR (q.id IS NOT NULL AND (q.thread_id <> p.thread_id OR p.path <> q.path || p.id))`,

	// Children: one level below, under the post's path; status does not matter.
	`SELECT format('post %s child_count: kept %s, recount %s', p.id, p.child_count, r.n)
	FROM posts p CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM posts c WHERE c.thread_id = p.thread_id
			AND cardinality(c.path) = cardinality(p.path) + 1
			AND c.path[1:cardinality(p.path)] = p.path) r
	WHERE p.child_count <> r.n`,

	// Descendants: every post of the thread whose path extends this post's.
	`SELECT format('post %s descendant_count: kept %s, recount %s', p.id, p.descendant_count, r.n)
	FROM posts p CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM posts d WHERE d.thread_id = p.thread_id
			AND cardinality(d.path) > cardinality(p.path)
			AND d.path[1:cardinality(p.path)] = p.path) r
	WHERE p.descendant_count <> r.n`,

	`SELECT format('category %s thread_count: kept %s, recount %s', c.slug, c.thread_count, r.n)
	FROM categories c CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM threads t WHERE t.category_id = c.id) r
	WHERE c.thread_count <> r.n`,

	// Opening posts and replies, whatever their status.
	`SELECT format('user %s post_count: kept %s, recount %s', u.username, u.post_count, r.n)
	FROM users u CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM posts p WHERE p.author_id = u.id) r
	WHERE u.post_count <> r.n`,

	`SELECT format('post %s edit_count: kept %s, recount of revisions %s', p.id, p.edit_count, r.n)
	FROM posts p CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM post_revisions v WHERE v.post_id = p.id) r
	WHERE p.edit_count <> r.n`,

	`SELECT format('thread %s stances helps/hinders/mixed: kept %s/%s/%s, recount %s/%s/%s', t.id,
		t.stance_helps, t.stance_hinders, t.stance_mixed, r.helps, r.hinders, r.mixed)
	FROM threads t CROSS JOIN LATERAL (
		SELECT count(*) FILTER (WHERE s.stance = 'helps') AS helps,
			count(*) FILTER (WHERE s.stance = 'hinders') AS hinders,
			count(*) FILTER (WHERE s.stance = 'mixed') AS mixed
		FROM stances s WHERE s.thread_id = t.id) r
	WHERE (t.stance_helps, t.stance_hinders, t.stance_mixed) <> (r.helps, r.hinders, r.mixed)`,

	// A person's stance is the one their newest stance-taking post in the thread took.
	`SELECT format('stance of user %s in thread %s: %s, but post %s took %s', s.user_id, s.thread_id, s.stance, p.id, p.stance)
	FROM stances s JOIN posts p ON p.id = s.post_id
	WHERE p.stance IS DISTINCT FROM s.stance OR p.thread_id <> s.thread_id OR p.author_id <> s.user_id
		OR p.id <> (SELECT max(q.id) FROM posts q WHERE q.thread_id = s.thread_id AND q.author_id = s.user_id AND q.stance IS NOT NULL)`,

	// The forum-wide stance (forumstance.go): each person's is the stance of their newest
	// counted stance in any thread; the totals count those; each stance's newest week
	// row holds its total.
	`SELECT format('forum stance of user %s: kept %s, recount %s', u.user_id, f.stance, n.stance)
	FROM (SELECT user_id FROM stances UNION SELECT user_id FROM forum_stances) u
	LEFT JOIN forum_stances f ON f.user_id = u.user_id
	LEFT JOIN LATERAL (SELECT stance FROM stances s WHERE s.user_id = u.user_id ORDER BY post_id DESC LIMIT 1) n ON true
	WHERE f.stance IS DISTINCT FROM n.stance`,
	`SELECT format('forum stance total %s: kept %s, recount %s, newest week row %s', t.stance, t.people, r.n, w.people)
	FROM forum_stance_totals t
	CROSS JOIN LATERAL (SELECT count(*) AS n FROM forum_stances f WHERE f.stance = t.stance) r
	LEFT JOIN LATERAL (SELECT people FROM forum_stance_weeks h WHERE h.stance = t.stance ORDER BY week DESC LIMIT 1) w ON true
	WHERE t.people <> r.n OR t.people <> COALESCE(w.people, 0)`,

	`SELECT format('thread %s opening_status/visible: kept %s/%s, opening post %s is %s', t.id,
		t.opening_status, t.visible, p.id, p.status)
	FROM threads t JOIN posts p ON p.thread_id = t.id AND p.depth = 0
	WHERE t.opening_status <> p.status OR t.visible <> (p.status IN ('visible', 'deleted'))`,

	`SELECT format('thread %s has %s opening posts', t.id, r.n)
	FROM threads t CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM posts p WHERE p.thread_id = t.id AND p.depth = 0) r
	WHERE r.n <> 1`,

	// Every hide or delete on the record of the post's author: each logged hide_post or
	// delete_post act, including those a later restore undid.
	`SELECT format('user %s hidden_count: kept %s, recount from mod_log %s', u.username, u.hidden_count, r.n)
	FROM users u CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM mod_log l JOIN posts p ON l.target_type = 'post' AND p.id = l.target_id
		WHERE p.author_id = u.id AND l.action IN ('hide_post', 'delete_post')) r
	WHERE u.hidden_count <> r.n`,

	`SELECT format('user %s suspension_count: kept %s, recount from mod_log %s', u.username, u.suspension_count, r.n)
	FROM users u CROSS JOIN LATERAL (
		SELECT count(*) AS n FROM mod_log l
		WHERE l.target_type = 'user' AND l.target_id = u.id AND l.action = 'suspend_user') r
	WHERE u.suspension_count <> r.n`,
}

// checkCounters reports every kept counter that disagrees with a recount.
func checkCounters(t *testing.T, db *testdb.DB) {
	t.Helper()
	for _, q := range recounts {
		var bad []string
		if err := db.Select(&bad, q); err != nil {
			t.Fatalf("recount: %v\n%s", err, q)
		}
		for _, b := range bad {
			t.Errorf("counter disagrees with recount: %s", b)
		}
	}
}

// TestCheckCountersCatchesDrift proves the recounts can fail: each counter nudged off
// by one directly in SQL is reported.
func TestCheckCountersCatchesDrift(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.fx.User("alice", forum.RoleMember)
	bob := w.fx.User("bob", forum.RoleMember)
	th, op := w.fx.Thread(alice, "Counting replies", "Opening")
	w.fx.Reply(th, bob, op, "a reply", forum.StanceHelps)
	for _, nudge := range []struct{ name, sql string }{
		{"ReplyCount", `UPDATE threads SET reply_count = reply_count + 1`},
		{"ChildCount", `UPDATE posts SET child_count = child_count + 1 WHERE depth = 0`},
		{"DescendantCount", `UPDATE posts SET descendant_count = descendant_count + 1 WHERE depth = 1`},
		{"Path", `UPDATE posts SET path = path || 0::bigint WHERE depth = 0`},
		{"ThreadCount", `UPDATE categories SET thread_count = thread_count + 1`},
		{"PostCount", `UPDATE users SET post_count = post_count + 1 WHERE username = 'bob'`},
		{"EditCount", `UPDATE posts SET edit_count = edit_count + 1 WHERE depth = 1`},
		{"StanceTally", `UPDATE threads SET stance_mixed = stance_mixed + 1`},
		{"StanceRow", `UPDATE stances SET stance = 'mixed'`},
		{"Visible", `UPDATE threads SET visible = false`},
		{"OpeningStatus", `UPDATE threads SET opening_status = 'deleted'`},
		{"HiddenCount", `UPDATE users SET hidden_count = hidden_count + 1 WHERE username = 'alice'`},
		{"SuspensionCount", `UPDATE users SET suspension_count = suspension_count + 1 WHERE username = 'alice'`},
	} {
		t.Run(nudge.name, func(t *testing.T) {
			tx := w.db.MustBegin()
			defer tx.Rollback() //nolint:errcheck // the nudge is undone for the next one
			tx.MustExec(nudge.sql)
			n := 0
			for _, q := range recounts {
				var bad []string
				if err := tx.Select(&bad, q); err != nil {
					t.Fatal(err)
				}
				n += len(bad)
			}
			if n == 0 {
				t.Error("no recount noticed")
			}
		})
	}
	checkCounters(t, w.db)
}

// TestXminTellsTransactionsApart proves the premise of wantSameTx: two rows written by
// separate transactions carry different xmins, and by one transaction the same.
func TestXminTellsTransactionsApart(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.fx.User("alice", forum.RoleMember)
	th, op := w.fx.Thread(alice, "Transactions apart", "Opening")
	w.db.MustExec(`UPDATE posts SET edit_count = edit_count WHERE id = $1`, op.ID)
	w.db.MustExec(`UPDATE threads SET version = version + 1 WHERE id = $1`, th.ID)
	if a, b := w.xmin(t, postRow(op.ID)), w.xmin(t, threadRow(th.ID)); a == b {
		t.Fatalf("rows written by two transactions share xmin %s", a)
	}
	tx := w.db.MustBegin()
	tx.MustExec(`UPDATE posts SET edit_count = edit_count WHERE id = $1`, op.ID)
	tx.MustExec(`UPDATE threads SET version = version + 1 WHERE id = $1`, th.ID)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	w.wantSameTx(t, threadRow(th.ID), postRow(op.ID))
}

func TestWritesBumpTheThreadVersionInTheirTransaction(t *testing.T) {
	t.Parallel()

	t.Run("ThreadIsWrittenWithItsOpeningPostAndCountersInOneTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		cat := w.fx.Category("general")
		th, err := w.st.CreateThread(t.Context(), store.NewThread{CategoryID: cat.ID, AuthorID: alice.ID,
			Title: "A brand new thread", BodySource: "Opening", BodyHTML: "<p>Opening</p>"})
		if err != nil {
			t.Fatal(err)
		}
		if th.Version != 1 {
			t.Errorf("new thread version %d, want 1", th.Version)
		}
		var op int64
		if err := w.db.Get(&op, `SELECT id FROM posts WHERE thread_id = $1 AND depth = 0`, th.ID); err != nil {
			t.Fatal(err)
		}
		w.wantSameTx(t, threadRow(th.ID), postRow(op), categoryRow(cat.ID), userRow(alice.ID))
		checkCounters(t, w.db)
	})

	t.Run("ReplyToOpeningPostBumpsVersionInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		bob := w.fx.User("bob", forum.RoleMember)
		th, op := w.fx.Thread(alice, "Replies at the top", "Opening")
		before := w.version(t, th.ID)
		p := w.fx.Reply(th, bob, nil, "a top-level reply", forum.StanceHelps)
		w.wantBumped(t, th.ID, before, postRow(p.ID), postRow(op.ID), userRow(bob.ID), stanceRow(th.ID, bob.ID))
		checkCounters(t, w.db)
	})

	t.Run("NestedReplyBumpsVersionInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		bob := w.fx.User("bob", forum.RoleMember)
		th, op := w.fx.Thread(alice, "Replies in depth", "Opening")
		a := w.fx.Reply(th, bob, nil, "level one", forum.StanceNone)
		b := w.fx.Reply(th, alice, a, "level two", forum.StanceMixed)
		before := w.version(t, th.ID)
		c := w.fx.Reply(th, bob, b, "level three", forum.StanceHinders)
		// Every ancestor's counters move in the reply's transaction.
		w.wantBumped(t, th.ID, before, postRow(c.ID), postRow(b.ID), postRow(a.ID), postRow(op.ID),
			userRow(bob.ID), stanceRow(th.ID, bob.ID))
		checkCounters(t, w.db)
	})

	t.Run("ChangedStanceBumpsVersionInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		bob := w.fx.User("bob", forum.RoleMember)
		th, _ := w.fx.Thread(alice, "Changing one's mind", "Opening")
		first := w.fx.Reply(th, bob, nil, "it helps", forum.StanceHelps)
		w.fx.Reply(th, bob, first, "no stance this time", forum.StanceNone)
		before := w.version(t, th.ID)
		p := w.fx.Reply(th, bob, nil, "on reflection it hinders", forum.StanceHinders)
		w.wantBumped(t, th.ID, before, postRow(p.ID), stanceRow(th.ID, bob.ID))
		got, err := w.st.ThreadByID(t.Context(), th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.StanceHelps != 0 || got.StanceHinders != 1 || got.StanceMixed != 0 {
			t.Errorf("stances helps/hinders/mixed %d/%d/%d, want 0/1/0: one person counts once, with their newest",
				got.StanceHelps, got.StanceHinders, got.StanceMixed)
		}
		checkCounters(t, w.db)
	})

	t.Run("EditBumpsVersionInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		th, op := w.fx.Thread(alice, "Edits", "Opening")
		p := w.fx.Reply(th, alice, op, "first words", forum.StanceNone)
		before := w.version(t, th.ID)
		if err := w.st.EditPost(t.Context(), p.ID, alice.ID, "second words", "<p>second words</p>", nil); err != nil {
			t.Fatal(err)
		}
		w.wantBumped(t, th.ID, before, postRow(p.ID), revisionRow(p.ID))
		checkCounters(t, w.db)
	})

	t.Run("ModeratorEditBumpsVersionAndLogsInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		mod := w.fx.User("mod", forum.RoleModerator)
		th, op := w.fx.Thread(alice, "Redactions", "Opening")
		before := w.version(t, th.ID)
		if err := w.st.EditPost(t.Context(), op.ID, mod.ID, "[redacted]", "<p>[redacted]</p>", nil); err != nil {
			t.Fatal(err)
		}
		w.wantBumped(t, th.ID, before, postRow(op.ID), revisionRow(op.ID), logRow(forum.LogEditPost, "post", op.ID))
		checkCounters(t, w.db)
	})

	t.Run("AuthorDeleteBumpsVersionInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		th, _ := w.fx.Thread(alice, "Taking it back", "Opening")
		p := w.fx.Reply(th, alice, nil, "regrettable", forum.StanceNone)
		w.fx.Reply(th, alice, p, "below the regrettable one", forum.StanceNone)
		before := w.version(t, th.ID)
		if err := w.st.DeletePost(t.Context(), p.ID, alice.ID, ""); err != nil {
			t.Fatal(err)
		}
		w.wantBumped(t, th.ID, before, postRow(p.ID))
		checkCounters(t, w.db)
	})

	t.Run("AuthorDeletingOpeningPostKeepsThreadListedInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		th, op := w.fx.Thread(alice, "An opening taken back", "Opening")
		before := w.version(t, th.ID)
		if err := w.st.DeletePost(t.Context(), op.ID, alice.ID, ""); err != nil {
			t.Fatal(err)
		}
		w.wantBumped(t, th.ID, before, postRow(op.ID))
		checkCounters(t, w.db)
	})

	t.Run("ModeratorDeleteBumpsVersionAndLogsInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		bob := w.fx.User("bob", forum.RoleMember)
		mod := w.fx.User("mod", forum.RoleModerator)
		th, _ := w.fx.Thread(alice, "Removals", "Opening")
		p := w.fx.Reply(th, bob, nil, "out of line", forum.StanceNone)
		before := w.version(t, th.ID)
		if err := w.st.DeletePost(t.Context(), p.ID, mod.ID, "rule 2"); err != nil {
			t.Fatal(err)
		}
		// A removal goes on the author's record, like a "delete" decision.
		w.wantBumped(t, th.ID, before, postRow(p.ID), logRow(forum.LogDeletePost, "post", p.ID), userRow(bob.ID))
		checkCounters(t, w.db)
	})

	t.Run("ModeratorRemovingOpeningPostUnlistsThreadInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		mod := w.fx.User("mod", forum.RoleModerator)
		th, op := w.fx.Thread(alice, "A removed opening", "Opening")
		before := w.version(t, th.ID)
		if err := w.st.DeletePost(t.Context(), op.ID, mod.ID, "rule 1"); err != nil {
			t.Fatal(err)
		}
		w.wantBumped(t, th.ID, before, postRow(op.ID), logRow(forum.LogDeletePost, "post", op.ID), userRow(alice.ID))
		if got, _ := w.st.ThreadByID(t.Context(), th.ID); got == nil || got.Visible {
			t.Error("thread still listed after its opening post was removed")
		}
		checkCounters(t, w.db)
	})

	t.Run("FlagBelowThresholdBumpsVersionInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		bob := w.fx.User("bob", forum.RoleMember)
		th, _ := w.fx.Thread(alice, "Flags below the line", "Opening")
		p := w.fx.Reply(th, alice, nil, "questionable", forum.StanceNone)
		before := w.version(t, th.ID)
		res, err := w.st.FlagPost(t.Context(), p.ID, bob.ID, forum.ReasonSpam, "", threshold)
		if err != nil {
			t.Fatal(err)
		}
		if res.Hidden || res.Flaggers != 1 {
			t.Errorf("flag result %+v, want 1 flagger and no hide", res)
		}
		w.wantBumped(t, th.ID, before, flagRow(p.ID, bob.ID))
		checkCounters(t, w.db)
	})

	t.Run("FlagReachingThresholdHidesPostInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		th, _ := w.fx.Thread(alice, "Flags over the line", "Opening")
		p := w.fx.Reply(th, alice, nil, "offensive", forum.StanceNone)
		flaggers := flagUsers(w, 3)
		for _, u := range flaggers[:2] {
			if _, err := w.st.FlagPost(t.Context(), p.ID, u.ID, forum.ReasonAbuse, "", threshold); err != nil {
				t.Fatal(err)
			}
		}
		before := w.version(t, th.ID)
		last := flaggers[2]
		res, err := w.st.FlagPost(t.Context(), p.ID, last.ID, forum.ReasonAbuse, "", threshold)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Hidden || res.Flaggers != threshold {
			t.Errorf("flag result %+v, want %d flaggers and a hide", res, threshold)
		}
		w.wantBumped(t, th.ID, before, flagRow(p.ID, last.ID), postRow(p.ID))
		if s := w.status(t, p.ID); s != forum.StatusPending {
			t.Errorf("post status %q, want pending", s)
		}
		checkCounters(t, w.db)
	})

	t.Run("FlagHidingOpeningPostUnlistsThreadInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		th, op := w.fx.Thread(alice, "A flagged opening", "Opening")
		flaggers := flagUsers(w, 3)
		for _, u := range flaggers[:2] {
			if _, err := w.st.FlagPost(t.Context(), op.ID, u.ID, forum.ReasonAbuse, "", threshold); err != nil {
				t.Fatal(err)
			}
		}
		before := w.version(t, th.ID)
		if _, err := w.st.FlagPost(t.Context(), op.ID, flaggers[2].ID, forum.ReasonSpam, "", threshold); err != nil {
			t.Fatal(err)
		}
		w.wantBumped(t, th.ID, before, flagRow(op.ID, flaggers[2].ID), postRow(op.ID))
		checkCounters(t, w.db)
	})

	for _, tc := range []struct {
		name     string
		action   forum.Decision
		setup    forum.Decision // a decision taken first; "" = none (the post is pending)
		want     forum.PostStatus
		opening  bool // decide on the opening post rather than a reply
		onRecord bool // the decision goes on the author's record (users row written)
	}{
		{name: "DismissBumpsVersionInItsTransaction", action: forum.DecideDismiss, want: forum.StatusVisible},
		{name: "HideBumpsVersionInItsTransaction", action: forum.DecideHide, want: forum.StatusHidden, onRecord: true},
		{name: "RestoreBumpsVersionInItsTransaction", action: forum.DecideRestore, setup: forum.DecideHide, want: forum.StatusVisible},
		{name: "DeleteDecisionBumpsVersionInItsTransaction", action: forum.DecideDelete, want: forum.StatusRemoved, onRecord: true},
		{name: "HideOfOpeningPostBumpsVersionInItsTransaction", action: forum.DecideHide, want: forum.StatusHidden, opening: true, onRecord: true},
		{name: "RestoreOfOpeningPostBumpsVersionInItsTransaction", action: forum.DecideRestore, setup: forum.DecideDelete, want: forum.StatusVisible, opening: true},
		{name: "DismissWithoutStatusChangeBumpsVersionInItsTransaction", action: forum.DecideDismiss, setup: forum.DecideHide, want: forum.StatusHidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			alice := w.fx.User("alice", forum.RoleMember)
			mod := w.fx.User("mod", forum.RoleModerator)
			th, op := w.fx.Thread(alice, "Decisions", "Opening")
			p := op
			if !tc.opening {
				p = w.fx.Reply(th, alice, nil, "under review", forum.StanceNone)
			}
			for _, u := range flagUsers(w, threshold) { // hidden pending review
				if _, err := w.st.FlagPost(t.Context(), p.ID, u.ID, forum.ReasonSpam, "", threshold); err != nil {
					t.Fatal(err)
				}
			}
			if tc.setup != "" {
				if err := w.st.Decide(t.Context(), store.Decision{PostID: p.ID, ModeratorID: mod.ID, Action: tc.setup}); err != nil {
					t.Fatal(err)
				}
			}
			before := w.version(t, th.ID)
			var openFlags []int64
			if err := w.db.Select(&openFlags, `SELECT id FROM flags WHERE post_id = $1 AND resolved_at IS NULL`, p.ID); err != nil {
				t.Fatal(err)
			}
			if err := w.st.Decide(t.Context(), store.Decision{PostID: p.ID, ModeratorID: mod.ID, Action: tc.action, Note: "decided"}); err != nil {
				t.Fatal(err)
			}
			rows := []row{postRow(p.ID), logRow(tc.action.LogAction(), "post", p.ID)}
			for _, id := range openFlags {
				rows = append(rows, row{"resolved flag " + strconv.FormatInt(id, 10), `SELECT xmin::text FROM flags WHERE id = $1`, []any{id}})
			}
			if tc.onRecord {
				rows = append(rows, userRow(alice.ID))
			}
			w.wantBumped(t, th.ID, before, rows...)
			if s := w.status(t, p.ID); s != tc.want {
				t.Errorf("post status %q, want %q", s, tc.want)
			}
			checkCounters(t, w.db)
		})
	}

	for _, setting := range []forum.ThreadSetting{forum.SettingLock, forum.SettingUnlock, forum.SettingPin, forum.SettingUnpin} {
		name := strings.ToUpper(string(setting[:1])) + string(setting[1:])
		t.Run(name+"BumpsVersionAndLogsInItsTransaction", func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			alice := w.fx.User("alice", forum.RoleMember)
			mod := w.fx.User("mod", forum.RoleModerator)
			th, _ := w.fx.Thread(alice, "Thread settings", "Opening")
			if setting == forum.SettingUnlock || setting == forum.SettingUnpin { // something to undo
				undo := map[forum.ThreadSetting]forum.ThreadSetting{forum.SettingUnlock: forum.SettingLock, forum.SettingUnpin: forum.SettingPin}[setting]
				if err := w.st.SetThread(t.Context(), th.ID, mod.ID, undo, ""); err != nil {
					t.Fatal(err)
				}
			}
			before := w.version(t, th.ID)
			if err := w.st.SetThread(t.Context(), th.ID, mod.ID, setting, "because"); err != nil {
				t.Fatal(err)
			}
			w.wantBumped(t, th.ID, before, logRow(setting.LogAction(), "thread", th.ID))
			got, err := w.st.ThreadByID(t.Context(), th.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Locked != (setting == forum.SettingLock) || got.Pinned != (setting == forum.SettingPin) {
				t.Errorf("after %s: locked %v, pinned %v", setting, got.Locked, got.Pinned)
			}
			checkCounters(t, w.db)
		})
	}

	t.Run("SuspendWritesUserAndLogInOneTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		bob := w.fx.User("bob", forum.RoleMember)
		mod := w.fx.User("mod", forum.RoleModerator)
		if err := w.st.Suspend(t.Context(), bob.ID, mod.ID, time.Now().Add(24*time.Hour), "cool off"); err != nil {
			t.Fatal(err)
		}
		w.wantSameTx(t, userRow(bob.ID), logRow(forum.LogSuspendUser, "user", bob.ID))
		checkCounters(t, w.db)
	})

	t.Run("RerenderBumpsEachThreadInItsTransaction", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		bob := w.fx.User("bob", forum.RoleMember)
		th1, _ := w.fx.Thread(alice, "First to rerender", "Opening one")
		th2, op2 := w.fx.Thread(bob, "Second to rerender", "Opening two")
		r := w.fx.Reply(th2, alice, op2, "a reply", forum.StanceNone)
		w.fx.Reply(th2, bob, r, "a nested reply", forum.StanceHelps)
		before := map[int64]int64{th1.ID: w.version(t, th1.ID), th2.ID: w.version(t, th2.ID)}
		render := func(src string) (string, error) { return "<p>v2 " + src + "</p>", nil }
		n, err := w.st.Rerender(t.Context(), render)
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("rerendered %d posts, want 4", n)
		}
		var posts []struct {
			ID       int64 `db:"id"`
			ThreadID int64 `db:"thread_id"`
		}
		if err := w.db.Select(&posts, `SELECT id, thread_id FROM posts`); err != nil {
			t.Fatal(err)
		}
		for _, p := range posts {
			w.wantBumped(t, p.ThreadID, before[p.ThreadID], postRow(p.ID))
		}
		checkCounters(t, w.db)

		t.Run("UnchangedHTMLIsLeftAlone", func(t *testing.T) {
			v := w.version(t, th2.ID)
			if n, err := w.st.Rerender(t.Context(), render); err != nil || n != 0 {
				t.Fatalf("second rerender: %d posts, %v", n, err)
			}
			if got := w.version(t, th2.ID); got != v {
				t.Errorf("version %d after a rerender that changed nothing, want %d", got, v)
			}
		})
	})
}

// flagUsers creates n established members to flag with: trusted, so their flags count
// toward the threshold (forum.TrustedFlagger).
func flagUsers(w *world, n int) []*forum.User {
	us := make([]*forum.User, n)
	for i := range us {
		us[i] = w.fx.Established(fmt.Sprintf("flagger%02d", i), forum.RoleMember)
	}
	return us
}

func (w *world) status(t *testing.T, postID int64) forum.PostStatus {
	t.Helper()
	var s forum.PostStatus
	if err := w.db.Get(&s, `SELECT status FROM posts WHERE id = $1`, postID); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConcurrentWrites(t *testing.T) {
	t.Parallel()

	t.Run("TwentyRepliesAtOnceAreAllCounted", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		th, op := w.fx.Thread(w.fx.User("alice", forum.RoleMember), "A busy thread", "Opening")
		const n = 20
		authors := make([]*forum.User, n)
		for i := range authors {
			authors[i] = w.fx.User(fmt.Sprintf("replier%02d", i), forum.RoleMember)
		}
		before := w.version(t, th.ID)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, u := range authors {
			wg.Go(func() {
				<-start
				_, errs[i] = w.st.CreateReply(t.Context(), store.NewReply{ThreadID: th.ID, AuthorID: u.ID,
					BodySource: "me too", BodyHTML: "<p>me too</p>", Stance: forum.Stances[i%len(forum.Stances)]})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("reply %d: %v", i, err)
			}
		}
		got, err := w.st.ThreadByID(t.Context(), th.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ReplyCount != n || got.Version != before+n {
			t.Errorf("reply_count %d, version %d; want %d and %d", got.ReplyCount, got.Version, n, before+n)
		}
		if p, _ := w.st.PostByID(t.Context(), op.ID); p == nil || p.ChildCount != n || p.DescendantCount != n {
			t.Errorf("opening post counts %+v, want %d children and descendants", p, n)
		}
		checkCounters(t, w.db)
	})

	t.Run("TenFlagsAtOnceHideThePostOnce", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		alice := w.fx.User("alice", forum.RoleMember)
		th, _ := w.fx.Thread(alice, "A contested post", "Opening")
		p := w.fx.Reply(th, alice, nil, "contested", forum.StanceNone)
		const n = 10
		flaggers := flagUsers(w, n)
		results := make([]*store.FlagResult, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, u := range flaggers {
			wg.Go(func() {
				<-start
				results[i], errs[i] = w.st.FlagPost(t.Context(), p.ID, u.ID, forum.ReasonSpam, "", threshold)
			})
		}
		close(start)
		wg.Wait()
		hides := 0
		var counts []int
		for i, err := range errs {
			if err != nil {
				t.Fatalf("flag %d: %v", i, err)
			}
			counts = append(counts, results[i].Flaggers)
			if results[i].Hidden {
				hides++
			}
		}
		slices.Sort(counts)
		if want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}; !slices.Equal(counts, want) {
			t.Errorf("flaggers seen by each flag %v, want each count once: %v", counts, want)
		}
		post, err := w.st.PostByID(t.Context(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		// mod_version moves with every status change: exactly one means one hide.
		if hides != 1 || post.Status != forum.StatusPending || post.ModVersion != 1 {
			t.Errorf("%d flags reported a hide; post %s with mod_version %d; want one hide to pending", hides, post.Status, post.ModVersion)
		}
		var open int
		if err := w.db.Get(&open, `SELECT count(*) FROM flags WHERE post_id = $1 AND resolved_at IS NULL`, p.ID); err != nil {
			t.Fatal(err)
		}
		if open != n {
			t.Errorf("%d open flags, want %d", open, n)
		}
		checkCounters(t, w.db)
	})
}

// suspend bars u from writing for a day, directly in SQL.
func (w *world) suspend(t *testing.T, u *forum.User) {
	t.Helper()
	if _, err := w.db.Exec(`UPDATE users SET suspended_until = now() + interval '1 day' WHERE id = $1`, u.ID); err != nil {
		t.Fatal(err)
	}
}

func TestWritesRefuseASuspendedActor(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.fx.User("alice", forum.RoleMember)
	admin := w.fx.User("admin", forum.RoleAdmin)
	th, op := w.fx.Thread(alice, "Suspensions", "Opening")
	target := w.fx.Reply(th, alice, nil, "a post to act on", forum.StanceNone)
	cat := w.fx.Category("general")
	n := 0
	// fresh makes a new account with a post of its own in the thread, then suspends it.
	fresh := func(t *testing.T, role forum.Role) (*forum.User, *forum.Post) {
		t.Helper()
		n++
		u := w.fx.User(fmt.Sprintf("suspended%02d", n), role)
		p := w.fx.Reply(th, u, nil, fmt.Sprintf("written before suspension %d", n), forum.StanceNone)
		w.suspend(t, u)
		return u, p
	}
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		role  forum.Role
		write func(u *forum.User, own *forum.Post) error
	}{
		{"CreateThread", forum.RoleMember, func(u *forum.User, _ *forum.Post) error {
			_, err := w.st.CreateThread(ctx, store.NewThread{CategoryID: cat.ID, AuthorID: u.ID, Title: "Not allowed", BodySource: "x", BodyHTML: "x"})
			return err
		}},
		{"CreateReply", forum.RoleMember, func(u *forum.User, _ *forum.Post) error {
			_, err := w.st.CreateReply(ctx, store.NewReply{ThreadID: th.ID, ParentID: op.ID, AuthorID: u.ID, BodySource: "x", BodyHTML: "x"})
			return err
		}},
		{"EditPost", forum.RoleMember, func(u *forum.User, own *forum.Post) error {
			return w.st.EditPost(ctx, own.ID, u.ID, "changed", "<p>changed</p>", nil)
		}},
		{"DeletePost", forum.RoleMember, func(u *forum.User, own *forum.Post) error {
			return w.st.DeletePost(ctx, own.ID, u.ID, "")
		}},
		{"FlagPost", forum.RoleMember, func(u *forum.User, _ *forum.Post) error {
			_, err := w.st.FlagPost(ctx, target.ID, u.ID, forum.ReasonSpam, "", threshold)
			return err
		}},
		{"ModeratorEditPost", forum.RoleModerator, func(u *forum.User, _ *forum.Post) error {
			return w.st.EditPost(ctx, target.ID, u.ID, "redacted", "<p>redacted</p>", nil)
		}},
		{"ModeratorDeletePost", forum.RoleModerator, func(u *forum.User, _ *forum.Post) error {
			return w.st.DeletePost(ctx, target.ID, u.ID, "")
		}},
		{"Decide", forum.RoleModerator, func(u *forum.User, _ *forum.Post) error {
			return w.st.Decide(ctx, store.Decision{PostID: target.ID, ModeratorID: u.ID, Action: forum.DecideHide})
		}},
		{"SetThread", forum.RoleModerator, func(u *forum.User, _ *forum.Post) error {
			return w.st.SetThread(ctx, th.ID, u.ID, forum.SettingLock, "")
		}},
		{"Suspend", forum.RoleModerator, func(u *forum.User, _ *forum.Post) error {
			return w.st.Suspend(ctx, alice.ID, u.ID, time.Now().Add(time.Hour), "")
		}},
		{"SuspendByAdmin", forum.RoleAdmin, func(u *forum.User, _ *forum.Post) error {
			return w.st.Suspend(ctx, admin.ID, u.ID, time.Now().Add(time.Hour), "") // even before "nobody suspends an admin"
		}},
	} {
		t.Run(tc.name+"RefusesSuspendedActor", func(t *testing.T) {
			u, own := fresh(t, tc.role)
			before := w.version(t, th.ID)
			err := tc.write(u, own)
			if code := forum.ErrorCode(err); code != forum.ESuspended {
				t.Errorf("error %v (code %q), want code %q", err, code, forum.ESuspended)
			}
			if v := w.version(t, th.ID); v != before {
				t.Errorf("a refused write moved the thread's version from %d to %d", before, v)
			}
			checkCounters(t, w.db)
		})
	}
}

func TestWritesCheckRulesUnderTheLock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	alice := w.fx.User("alice", forum.RoleMember)
	bob := w.fx.User("bob", forum.RoleMember)
	mod := w.fx.User("mod", forum.RoleModerator)

	// refused runs a write that must fail with want (matched by errors.Is) and change
	// nothing of the thread.
	refused := func(t *testing.T, threadID int64, want error, write func() error) {
		t.Helper()
		before := w.version(t, threadID)
		if err := write(); !errors.Is(err, want) {
			t.Errorf("error %v, want %v", err, want)
		}
		if v := w.version(t, threadID); v != before {
			t.Errorf("a refused write moved the thread's version from %d to %d", before, v)
		}
		checkCounters(t, w.db)
	}
	reply := func(th *forum.Thread, parent *forum.Post, u *forum.User) func() error {
		return func() error {
			n := store.NewReply{ThreadID: th.ID, AuthorID: u.ID, BodySource: "x", BodyHTML: "<p>x</p>"}
			if parent != nil {
				n.ParentID = parent.ID
			}
			_, err := w.st.CreateReply(ctx, n)
			return err
		}
	}

	t.Run("ReplyToLockedThreadIsRefused", func(t *testing.T) {
		th, op := w.fx.Thread(alice, "Locked for replies", "Opening")
		if err := w.st.SetThread(ctx, th.ID, mod.ID, forum.SettingLock, ""); err != nil {
			t.Fatal(err)
		}
		refused(t, th.ID, forum.ErrThreadLocked, reply(th, nil, bob))
		refused(t, th.ID, forum.ErrThreadLocked, reply(th, op, mod))
	})

	t.Run("AuthorEditInLockedThreadIsRefusedButModeratorMayRedact", func(t *testing.T) {
		th, _ := w.fx.Thread(alice, "Locked for edits", "Opening")
		p := w.fx.Reply(th, bob, nil, "to be frozen", forum.StanceNone)
		if err := w.st.SetThread(ctx, th.ID, mod.ID, forum.SettingLock, ""); err != nil {
			t.Fatal(err)
		}
		refused(t, th.ID, forum.ErrThreadLocked, func() error { return w.st.EditPost(ctx, p.ID, bob.ID, "changed", "<p>changed</p>", nil) })
		if err := w.st.EditPost(ctx, p.ID, mod.ID, "[redacted]", "<p>[redacted]</p>", nil); err != nil {
			t.Errorf("moderator's redaction in a locked thread: %v", err)
		}
	})

	t.Run("ReplyToHiddenThreadIsRefused", func(t *testing.T) {
		th, op := w.fx.Thread(alice, "Hidden for replies", "Opening")
		if err := w.st.Decide(ctx, store.Decision{PostID: op.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
			t.Fatal(err)
		}
		refused(t, th.ID, forum.ErrThreadHidden, reply(th, nil, bob))
	})

	t.Run("ReplyToHiddenReplyIsRefused", func(t *testing.T) {
		th, _ := w.fx.Thread(alice, "A hidden parent", "Opening")
		p := w.fx.Reply(th, bob, nil, "soon hidden", forum.StanceNone)
		if err := w.st.Decide(ctx, store.Decision{PostID: p.ID, ModeratorID: mod.ID, Action: forum.DecideHide}); err != nil {
			t.Fatal(err)
		}
		refused(t, th.ID, forum.ErrParentGone, reply(th, p, alice))
	})

	t.Run("ReplyToPostOfAnotherThreadIsRefused", func(t *testing.T) {
		th, _ := w.fx.Thread(alice, "This thread", "Opening")
		other, _ := w.fx.Thread(alice, "Another thread", "Opening")
		elsewhere := w.fx.Reply(other, bob, nil, "over there", forum.StanceNone)
		refused(t, th.ID, forum.ErrParentElsewhere, reply(th, elsewhere, bob))
	})

	t.Run("EditOfDeletedPostIsRefused", func(t *testing.T) {
		th, _ := w.fx.Thread(alice, "Deleted posts", "Opening")
		p := w.fx.Reply(th, bob, nil, "gone soon", forum.StanceNone)
		if err := w.st.DeletePost(ctx, p.ID, bob.ID, ""); err != nil {
			t.Fatal(err)
		}
		refused(t, th.ID, forum.ErrPostGone, func() error { return w.st.EditPost(ctx, p.ID, bob.ID, "back", "<p>back</p>", nil) })
		refused(t, th.ID, forum.ErrPostGone, func() error { return w.st.DeletePost(ctx, p.ID, bob.ID, "") })
	})

	t.Run("EditOfSomeoneElsesPostIsRefused", func(t *testing.T) {
		th, op := w.fx.Thread(alice, "Not yours", "Opening")
		refused(t, th.ID, forum.ErrNotYours, func() error { return w.st.EditPost(ctx, op.ID, bob.ID, "mine now", "<p>mine now</p>", nil) })
		refused(t, th.ID, forum.ErrNotYours, func() error { return w.st.DeletePost(ctx, op.ID, bob.ID, "") })
	})

	t.Run("FlagOfOwnPostIsRefused", func(t *testing.T) {
		th, op := w.fx.Thread(alice, "Own posts", "Opening")
		refused(t, th.ID, forum.ErrOwnPost, func() error {
			_, err := w.st.FlagPost(ctx, op.ID, alice.ID, forum.ReasonSpam, "", threshold)
			return err
		})
	})

	t.Run("MemberMayNotLockThread", func(t *testing.T) {
		th, _ := w.fx.Thread(alice, "Members and locks", "Opening")
		refused(t, th.ID, forum.ErrModeratorsOnly, func() error { return w.st.SetThread(ctx, th.ID, bob.ID, forum.SettingLock, "") })
	})

	t.Run("HidingAPostItsAuthorDeletedIsRefused", func(t *testing.T) {
		th, _ := w.fx.Thread(alice, "Withdrawn words", "Opening")
		p := w.fx.Reply(th, bob, nil, "withdrawn", forum.StanceNone)
		if err := w.st.DeletePost(ctx, p.ID, bob.ID, ""); err != nil {
			t.Fatal(err)
		}
		for _, d := range []forum.Decision{forum.DecideHide, forum.DecideDelete} {
			refused(t, th.ID, forum.ErrDecisionGone, func() error {
				return w.st.Decide(ctx, store.Decision{PostID: p.ID, ModeratorID: mod.ID, Action: d})
			})
		}
	})

	t.Run("DecisionOnAStaleViewIsAConflict", func(t *testing.T) {
		th, _ := w.fx.Thread(alice, "Two moderators", "Opening")
		p := w.fx.Reply(th, bob, nil, "reviewed twice", forum.StanceNone)
		seen := 0
		if err := w.st.Decide(ctx, store.Decision{PostID: p.ID, ModeratorID: mod.ID, Action: forum.DecideHide, SeenVersion: &seen}); err != nil {
			t.Fatal(err)
		}
		before := w.version(t, th.ID)
		err := w.st.Decide(ctx, store.Decision{PostID: p.ID, ModeratorID: mod.ID, Action: forum.DecideRestore, SeenVersion: &seen})
		if forum.ErrorCode(err) != forum.EConflict {
			t.Errorf("second decision on the same view: %v, want a conflict", err)
		}
		if v := w.version(t, th.ID); v != before {
			t.Errorf("a refused decision moved the thread's version from %d to %d", before, v)
		}
		checkCounters(t, w.db)
	})
}
