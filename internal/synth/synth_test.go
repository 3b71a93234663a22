package synth_test

import (
	"testing"

	"forum/internal/markup"
	"forum/internal/seed"
	"forum/internal/store"
	"forum/internal/synth"
	"forum/internal/testdb"
)

// A synthetic forum must look to the application like one people wrote: every kept
// count equal to a recount, every tree well formed, bodies rendered, and pages readable.
func TestSyntheticForumIsConsistent(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := t.Context()
	st := store.New(db.DB)
	md := markup.New()
	if _, err := seed.Run(ctx, st, md); err != nil {
		t.Fatal(err)
	}
	stats, err := synth.Load(ctx, db.DB.DB, md, synth.Options{Posts: 4000, Seed: 7, PasswordHash: "!synthetic"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d posts in %v", stats.Posts, stats.Elapsed)
	if stats.Posts != 4000 || stats.Users < 50 || stats.Threads < 20 {
		t.Fatalf("loaded %+v; want 4000 posts by at least 50 people in at least 20 threads", stats)
	}
	// Each of these counts rows that break an invariant; all must be zero.
	for what, q := range map[string]string{
		"threads whose reply count is not their replies": `
			SELECT count(*) FROM threads t WHERE reply_count <> (SELECT count(*) - 1 FROM posts WHERE thread_id = t.id)`,
		"threads whose last post is not their newest": `
			SELECT count(*) FROM threads t WHERE last_post_id <> (SELECT max(id) FROM posts WHERE thread_id = t.id)`,
		"posts whose child count is wrong": `
			SELECT count(*) FROM posts p WHERE child_count <> (SELECT count(*) FROM posts c WHERE c.parent_id = p.id)`,
		"posts whose descendant count is wrong": `
			SELECT count(*) FROM posts p WHERE descendant_count <>
				(SELECT count(*) FROM posts d WHERE d.thread_id = p.thread_id AND d.path[1:p.depth+1] = p.path AND d.id <> p.id)`,
		"replies older than their parent, or with a wrong path or top": `
			SELECT count(*) FROM posts c JOIN posts p ON p.id = c.parent_id
			WHERE c.created_at < p.created_at OR c.id < p.id OR c.path <> p.path || c.id OR c.depth <> p.depth + 1
				OR c.top_id <> CASE WHEN c.depth = 1 THEN c.id ELSE p.top_id END`,
		"stance tallies unequal to the stances kept": `
			SELECT count(*) FROM threads t WHERE stance_helps + stance_hinders + stance_mixed <>
				(SELECT count(*) FROM stances WHERE thread_id = t.id)`,
		"stances in a category that takes none": `
			SELECT count(*) FROM posts p JOIN threads t ON t.id = p.thread_id JOIN categories c ON c.id = t.category_id
			WHERE c.meta AND p.stance IS NOT NULL`,
		"visitors' reply counts unequal to the visible replies": `
			SELECT count(*) FROM threads t WHERE public_reply_count <>
				(SELECT count(*) FROM posts WHERE thread_id = t.id AND depth > 0 AND status = 'visible')`,
		"forum-wide stance totals unequal to a recount": `
			SELECT count(*) FROM forum_stance_totals s WHERE people <>
				(SELECT count(*) FROM (SELECT DISTINCT ON (user_id) stance FROM stances ORDER BY user_id, post_id DESC) x
				 WHERE x.stance = s.stance)`,
		"unread counts unequal to unread notifications": `
			SELECT count(*) FROM unread_counts u WHERE notifications <>
				(SELECT count(*) FROM notifications WHERE user_id = u.user_id AND read_at IS NULL)`,
		"auto-hidden posts without their flags": `
			SELECT count(*) FROM posts p WHERE status = 'pending' AND (SELECT count(*) FROM flags WHERE post_id = p.id) < 3`,
		"bodies outside 50–3,000 characters or not rendered": `
			SELECT count(*) FROM posts p JOIN users u ON u.id = p.author_id
			WHERE u.username LIKE 's-%' AND (char_length(body_source) NOT BETWEEN 50 AND 3000 OR body_html NOT LIKE '<%')`,
	} {
		var bad int
		if err := db.GetContext(ctx, &bad, q); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if bad != 0 {
			t.Errorf("%d %s", bad, what)
		}
	}
	// The shape: a long tail of thread sizes, some deep chains, Markdown features.
	var deepest, bigThread, oneReply, mentions int
	if err := db.GetContext(ctx, &deepest, `SELECT max(depth) FROM posts`); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &bigThread, `SELECT max(reply_count) FROM threads`); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &oneReply, `SELECT count(*) FROM threads WHERE reply_count <= 3`); err != nil {
		t.Fatal(err)
	}
	if err := db.GetContext(ctx, &mentions, `SELECT count(*) FROM posts WHERE body_html LIKE '%class="mention"%'`); err != nil {
		t.Fatal(err)
	}
	if deepest < 20 || bigThread < 300 || oneReply < stats.Threads/3 || mentions == 0 {
		t.Errorf("shape: deepest reply %d (want ≥ 20), biggest thread %d replies (want ≥ 300), %d of %d threads with ≤ 3 replies (want a third), %d posts with mentions",
			deepest, bigThread, oneReply, stats.Threads, mentions)
	}
	// The application reads it: the biggest thread's first page and a search.
	ids, err := synth.ThreadsNear(ctx, db.DB.DB, bigThread)
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Tree(ctx, store.TreeQuery{ThreadID: ids[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Posts) < 100 {
		t.Errorf("the biggest thread's first page has %d posts", len(page.Posts))
	}
	// Ids grow with time, as in a live forum.
	var disorder int
	if err := db.GetContext(ctx, &disorder, `
		SELECT count(*) FROM (SELECT p.created_at < lag(p.created_at) OVER (ORDER BY p.id) AS back
			FROM posts p JOIN users u ON u.id = p.author_id WHERE u.username LIKE 's-%') x WHERE back`); err != nil {
		t.Fatal(err)
	}
	if disorder != 0 {
		t.Errorf("%d posts are older than the post before them", disorder)
	}
}
