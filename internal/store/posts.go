package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"forum/internal/forum"
)

const postColumns = `p.id, p.thread_id, p.parent_id, p.author_id, ` + sqlAuthorName + ` AS author_name, p.path,
	p.depth, p.top_id, p.body_source, p.body_html, COALESCE(p.stance, '') AS stance, p.status,
	p.author_deleted, p.created_at, p.edited_at, p.edit_count, p.child_count, p.descendant_count, p.mod_version,
	u.role AS author_role, p.deleted_at, COALESCE(p.deleted_from, '') AS deleted_from, COALESCE(p.deleted_version, 0) AS deleted_version,
	p.insightful_count, COALESCE(p.lang, '') AS lang`

// postRow scans a post; the path arrives as a PostgreSQL array.
type postRow struct {
	forum.Post
	PathArray pq.Int64Array `db:"path"`
}

func (r postRow) post() forum.Post {
	p := r.Post
	p.Path = []int64(r.PathArray)
	return p
}

// PostByID loads one post with its author's name.
func (s *Store) PostByID(ctx context.Context, id int64) (*forum.Post, error) {
	var r postRow
	err := s.reader(ctx).GetContext(ctx, &r, `SELECT `+postColumns+` FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1`, id)
	if err != nil {
		return nil, notFound(err, "Post")
	}
	p := r.post()
	return &p, nil
}

// PostByIdempotencyKey finds the post an earlier send of the same form wrote (a plain
// read: a resend after an acknowledged write is answered without counting it again).
func (s *Store) PostByIdempotencyKey(ctx context.Context, authorID int64, key string) (*forum.Post, error) {
	var r postRow
	err := s.db.GetContext(ctx, &r, `SELECT `+postColumns+` FROM posts p JOIN users u ON u.id = p.author_id
		WHERE p.author_id = $1 AND p.idempotency_key = $2`, authorID, key)
	if err != nil {
		return nil, notFound(err, "Post")
	}
	p := r.post()
	return &p, nil
}

// NewReply is a reply about to be written. ParentID 0 means the opening post.
type NewReply struct {
	ThreadID       int64
	ParentID       int64
	AuthorID       int64 // the acting user
	BodySource     string
	BodyHTML       string
	Stance         forum.Stance
	WithdrawStance bool // take back the author's counted stance (forum.StanceChoice); Stance is then empty
	IdempotencyKey string
	Mentions       []string // known @names in order of appearance; the first forum.MaxMentions notify
	Lang           string   // chosen or detected (forum.PostLang); "" takes the parent's (forum.ReplyLang)
	// Limit is counted (Store.Take) in the reply's transaction, and Decide rules on the
	// counts there: one statement and no commit of its own, where a separate Take paid
	// a round trip and a flush per reply. A refused or failed reply rolls its count
	// back; the row stays locked to the commit, so concurrent replies of one writer,
	// through any instance, are counted one after the other.
	Limit  []forum.Counter
	Decide func([]forum.Count) error
}

// CreateReply writes a reply and everything it changes in one transaction: the parent's
// and ancestors' counters, the thread's counters, activity and version, the author's post
// count and stance. The thread row is locked first, so concurrent replies to one thread
// queue up and forum.CanReply sees a lock or a hide taken meanwhile. A repeated
// idempotency key returns the post written the first time. The live event and the
// notifications are written in the transaction and announced after it (announce.go).
func (s *Store) CreateReply(ctx context.Context, n NewReply) (*forum.Post, error) {
	var id int64
	var written *postRow  // the reply as its INSERT returned it: no read after commit
	var news announcement // sent after the commit (announce.go)
	err := s.inThreadTx(ctx, n.ThreadID, func(tx *sqlxTx) error {
		news, written = announcement{}, nil
		u, err := actor(ctx, tx, n.AuthorID)
		if err != nil {
			return err
		}
		if n.IdempotencyKey != "" {
			found, err := postByIdempotencyKey(ctx, tx, n.AuthorID, n.IdempotencyKey, &id)
			if err != nil || found {
				return err // the same form sent twice: the first write stands
			}
		}
		if len(n.Limit) > 0 { // a resend found above is not counted again
			counts, err := take(ctx, tx.SelectContext, n.Limit)
			if err != nil {
				return err
			}
			if err := n.Decide(counts); err != nil {
				return err
			}
		}
		t, err := lockThread(ctx, tx, n.ThreadID)
		if err != nil {
			return err
		}
		var parent postRow
		if n.ParentID == 0 {
			err = tx.GetContext(ctx, &parent, `SELECT `+postColumns+` FROM posts p JOIN users u ON u.id = p.author_id
				WHERE p.thread_id = $1 AND p.depth = 0`, n.ThreadID)
		} else {
			err = tx.GetContext(ctx, &parent, `SELECT `+postColumns+` FROM posts p JOIN users u ON u.id = p.author_id
				WHERE p.id = $1`, n.ParentID)
		}
		if err != nil {
			return notFound(err, "The post you replied to was")
		}
		if err := forum.CanReply(u, t, &parent.Post, s.now()); err != nil {
			return err
		}
		if err := forum.CanTakeStance(t, n.Stance); err != nil {
			return err
		}
		// The reply and its counts in one statement (one round trip instead of four):
		// the parent's and ancestors' counters, the thread's counters, activity and
		// version, the author's post count. The UPDATE of posts sees only the rows
		// before the INSERT, so it touches the ancestors alone. It returns the reply as
		// PostByID would read it (the author's row as it was before this statement,
		// which changes only post_count), so nothing is read back after the commit.
		written = &postRow{}
		err = tx.GetContext(ctx, written, `
			WITH id AS (SELECT nextval(pg_get_serial_sequence('posts', 'id')) AS id), ins AS (
				INSERT INTO posts (id, thread_id, parent_id, author_id, path, depth, top_id,
					body_source, body_html, stance, idempotency_key, lang)
				SELECT id.id, $1, $2, $3, $4::bigint[] || id.id, $5,
					CASE WHEN $5 = 1 THEN id.id ELSE $6 END, $7, $8, NULLIF($9, ''), NULLIF($10, ''), NULLIF($11, '')
				FROM id RETURNING *
			), ancestors AS (
				UPDATE posts SET descendant_count = descendant_count + 1,
					child_count = child_count + CASE WHEN id = $2 THEN 1 ELSE 0 END
				WHERE id = ANY($4)
			), thread AS (
				UPDATE threads SET reply_count = reply_count + 1, public_reply_count = public_reply_count + 1,
					last_activity_at = now(), version = version + 1, last_post_id = (SELECT id FROM ins)
				WHERE id = $1
			), author AS (
				UPDATE users SET post_count = post_count + 1 WHERE id = $3
			)
			SELECT `+postColumns+` FROM ins p JOIN users u ON u.id = p.author_id`,
			n.ThreadID, parent.ID, n.AuthorID, parent.PathArray, parent.Depth+1, parent.TopID,
			n.BodySource, n.BodyHTML, n.Stance, n.IdempotencyKey, forum.ReplyLang(n.Lang, parent.Lang))
		if err != nil {
			return fmt.Errorf("insert and count reply: %w", err)
		}
		id = written.ID
		if n.Stance != forum.StanceNone {
			if err := setStance(ctx, tx, n.ThreadID, n.AuthorID, id, n.Stance); err != nil {
				return err
			}
		} else if n.WithdrawStance {
			if err := withdrawStance(ctx, tx, n.ThreadID, n.AuthorID); err != nil {
				return err
			}
		}
		// The notifications (none in an unlisted thread), the event and the writer's
		// watch in one statement (announce.go).
		news, err = recordReply(ctx, tx, newPost{ThreadID: n.ThreadID, PostID: id, AuthorID: n.AuthorID,
			RepliedTo: parent.AuthorID, Mentions: forum.MentionsToNotify(n.Mentions)}, t.Visible)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reply in thread %d: %w", n.ThreadID, err)
	}
	s.announce(ctx, news)
	if written == nil { // the same form sent twice: the first write, read back
		return s.PostByID(ctx, id)
	}
	p := written.post()
	return &p, nil
}

// postByIdempotencyKey takes the key's lock and looks for the post an earlier send of the
// same form wrote; found reports whether there was one (its id is stored in id).
func postByIdempotencyKey(ctx context.Context, tx *sqlxTx, authorID int64, key string, id *int64) (bool, error) {
	if err := lockIdempotencyKey(ctx, tx, authorID, key); err != nil {
		return false, err
	}
	err := tx.GetContext(ctx, id, `SELECT id FROM posts WHERE author_id = $1 AND idempotency_key = $2`, authorID, key)
	switch {
	case err == nil:
		return true, nil
	case isNoRows(err):
		return false, nil
	}
	return false, fmt.Errorf("check idempotency key: %w", err)
}

// setStance records a user's latest stance in a thread and moves the thread's tally:
// each person counts once, with their newest stance.
func setStance(ctx context.Context, tx *sqlxTx, threadID, userID, postID int64, stance forum.Stance) error {
	var old forum.Stance
	err := tx.GetContext(ctx, &old, `
		WITH prev AS (SELECT stance FROM stances WHERE thread_id = $1 AND user_id = $2 FOR UPDATE)
		SELECT COALESCE((SELECT stance FROM prev), '')`, threadID, userID)
	if err != nil {
		return fmt.Errorf("read stance: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO stances (thread_id, user_id, stance, post_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (thread_id, user_id) DO UPDATE SET stance = EXCLUDED.stance, post_id = EXCLUDED.post_id,
			updated_at = now()`, threadID, userID, stance, postID); err != nil {
		return fmt.Errorf("save stance: %w", err)
	}
	if old == stance {
		// The thread's tally stands, but this is now the person's newest stance.
		return moveForumStance(ctx, tx, userID)
	}
	// Column names come from the fixed stance list, never from input.
	update := "stance_" + string(stance) + " = stance_" + string(stance) + " + 1"
	if old != forum.StanceNone {
		update += ", stance_" + string(old) + " = stance_" + string(old) + " - 1"
	}
	if _, err := tx.ExecContext(ctx, `UPDATE threads SET `+update+` WHERE id = $1`, threadID); err != nil {
		return fmt.Errorf("tally stance: %w", err)
	}
	return moveForumStance(ctx, tx, userID)
}

// TreeQuery selects one page of a thread's tree: top-level replies after a cursor, taken
// while their subtrees fit the post budget, down to MaxDepth, and cut where the page's
// stored HTML reaches the byte budget.
type TreeQuery struct {
	ThreadID int64
	After    int64 // top-level reply id the previous page ended at; 0 = first page
	Newest   bool  // top-level replies newest first
	Budget   int   // posts per page (always at least one top-level reply)
	MaxDepth int
	Bytes    int // stored HTML per page; 0 means forum.PageHTMLBudget (the opening post and one reply always show)

	// Top: top-level replies most marked insightful first, then oldest (forum.SortTop);
	// the cursor is (AfterCount, After), the insightful_count and id of the last one shown.
	Top        bool
	AfterCount int64
}

// TreePage is the posts of one page in path order (depth-first, siblings oldest first),
// the opening post first.
type TreePage struct {
	Posts     []forum.Post
	NextAfter int64 // cursor for the next page; 0 when this is the last
	NextCount int64 // with Top: the insightful_count half of the cursor
	Truncated bool  // the last subtree was cut at the budget
	// Replies (down to MaxDepth) on the pages before this one in its order, all of them
	// and the public ones: where this page's "showing replies X–Y" starts.
	Before, BeforePublic int
}

// Tree loads one page of a thread in a single query, whatever the thread's size: the
// top-level replies come from posts_thread_depth_idx, their subtrees from
// posts_thread_top_idx, and each post's kept descendant_count prices a subtree without
// counting rows. The candidates are read narrow (ids and octet_length(body_html), which
// PostgreSQL takes from a TOASTed value's header without reading it), summed in reading
// order, and only the posts within the byte budget are read whole: a thread of huge
// posts pages sooner instead of loading megabytes.
func (s *Store) Tree(ctx context.Context, q TreeQuery) (*TreePage, error) {
	if q.Budget <= 0 {
		q.Budget = 200
	}
	if q.MaxDepth <= 0 {
		q.MaxDepth = 8
	}
	if q.Bytes <= 0 {
		q.Bytes = forum.PageHTMLBudget
	}
	cmp, order, earlier := "p.id > $2", "p.id", "b.top_id <= $2"
	if q.Newest {
		cmp, order = "($2::bigint = 0 OR p.id < $2)", "p.id DESC" // bigint: "$2 = 0" alone makes $2 an integer
		earlier = "$2::bigint <> 0 AND b.top_id >= $2"
	}
	args := []any{q.ThreadID, q.After, q.Budget, q.MaxDepth, q.Bytes}
	if q.Top {
		// posts_thread_top_order_idx holds -insightful_count, so the keyset is one row
		// comparison the index scan starts from (EXPLAIN: no sort, no skipped rows).
		cmp, order, earlier = "$2::bigint = 0", "-p.insightful_count, p.id", "false"
		if q.After != 0 {
			cmp = "(-p.insightful_count, p.id) > (-$6::int, $2::bigint)"
			earlier = `b.top_id IN (SELECT x.id FROM posts x WHERE x.thread_id = $1 AND x.depth = 1
				AND (-x.insightful_count, x.id) <= (-$6::int, $2::bigint))`
			args = append(args, q.AfterCount)
		}
	}
	var rows []struct {
		postRow
		More       bool   `db:"more"`
		Before     int    `db:"before"`
		BeforePub  int    `db:"before_public"`
		Loaded     int    `db:"loaded"`      // candidates read before the byte budget
		DroppedTop *int64 `db:"dropped_top"` // the top-level reply of the first post the byte budget left out
	}
	err := s.reader(ctx).SelectContext(ctx, &rows, `
		WITH tops AS (
			SELECT p.id, p.descendant_count, p.insightful_count FROM posts p
			WHERE p.thread_id = $1 AND p.depth = 1 AND `+cmp+`
			ORDER BY `+order+` LIMIT $3 + 1
		), priced AS (
			SELECT id, sum(1 + descendant_count) OVER (ORDER BY `+strings.ReplaceAll(order, "p.", "")+`) AS upto,
				1 + descendant_count AS cost
			FROM tops p
		), chosen AS (
			-- Whole subtrees while they fit; the first always, however large.
			SELECT id FROM priced WHERE upto <= $3 OR upto = cost
		), cand AS (
			SELECT p.id, p.depth, p.top_id, k.upto AS rank, p.path, octet_length(p.body_html) AS size FROM posts p
			LEFT JOIN priced k ON k.id = p.top_id -- the page's order of its top-level replies
			WHERE p.thread_id = $1 AND p.depth <= $4
				AND (p.depth = 0 OR p.top_id IN (SELECT id FROM chosen))
			ORDER BY p.path
			LIMIT $3 * 2 + 1
		), before AS (
			-- The earlier pages' replies, counted on posts_thread_top_idx (none on page one).
			SELECT count(*) AS n, count(*) FILTER (WHERE b.status = '`+string(forum.StatusVisible)+`') AS public
			FROM posts b WHERE b.thread_id = $1 AND b.depth BETWEEN 1 AND $4 AND `+earlier+`
		), sized AS (
			-- Reading order: the opening post, then each top-level reply's subtree in the
			-- page's order. The opening post and the first reply show whatever their size.
			SELECT id, top_id, sum(size) OVER w <= $5 OR row_number() OVER w <= 2 AS fits,
				row_number() OVER w AS n
			FROM cand p
			WINDOW w AS (ORDER BY p.depth = 0 DESC, p.rank, p.path)
		)
		SELECT `+postColumns+`, `+sqlStanceCurrent+`,
			(SELECT count(*) FROM tops) > (SELECT count(*) FROM chosen) AS more,
			(SELECT n FROM before) AS before, (SELECT public FROM before) AS before_public,
			(SELECT count(*) FROM cand) AS loaded,
			(SELECT top_id FROM sized WHERE NOT fits ORDER BY n LIMIT 1) AS dropped_top
		FROM sized JOIN posts p ON p.id = sized.id JOIN users u ON u.id = p.author_id
		`+sqlStanceJoin+`
		WHERE sized.fits
		ORDER BY p.path`, args...)
	if err != nil {
		return nil, fmt.Errorf("load tree of thread %d: %w", q.ThreadID, err)
	}
	page := &TreePage{Posts: make([]forum.Post, len(rows))}
	for i, r := range rows {
		page.Posts[i] = r.post()
	}
	if len(rows) == 0 {
		return page, nil
	}
	// The last top-level reply shown, in the page's order.
	var last int64
	for _, p := range page.Posts {
		if p.TopID != nil && (last == 0 || (*p.TopID > last) != q.Newest) {
			last = *p.TopID
		}
	}
	if q.Top {
		last, page.NextCount = lastTop(page.Posts)
	}
	r := rows[0]
	page.Before, page.BeforePublic = r.Before, r.BeforePub
	cut := len(rows) < r.Loaded // the byte budget left posts out
	page.Truncated = r.Loaded == q.Budget*2+1 || (cut && r.DroppedTop != nil && *r.DroppedTop == last)
	if r.More || page.Truncated || cut {
		// The next page starts after the last top-level reply shown (all of it, or the
		// part that fitted; its rest stays reachable through /p/:id).
		page.NextAfter = last
	}
	return page, nil
}

// Subtree loads a post's ancestors (opening post first) and the post with its replies
// down to maxDepth levels below it, capped at limit posts and at forum.PageHTMLBudget
// bytes of stored HTML (the ancestors and the post always show), in one query; the
// budget is summed from narrow rows as in Tree. truncated reports a cut.
func (s *Store) Subtree(ctx context.Context, post *forum.Post, maxDepth, limit int) (posts []forum.Post, truncated bool, err error) {
	next := append([]int64(nil), post.Path...)
	next[len(next)-1]++
	var rows []struct {
		postRow
		Loaded int `db:"loaded"`
	}
	err = s.db.SelectContext(ctx, &rows, `
		WITH cand AS (
			SELECT p.id, p.path, octet_length(p.body_html) AS size FROM posts p
			WHERE p.thread_id = $1 AND (
				p.id = ANY($2)
				OR (p.path >= $2 AND p.path < $3 AND p.depth <= $4))
			ORDER BY p.path
			LIMIT $5
		), sized AS (
			SELECT id, sum(size) OVER w <= $6 OR row_number() OVER w <= $7 AS fits
			FROM cand p WINDOW w AS (ORDER BY p.path)
		)
		SELECT `+postColumns+`, `+sqlStanceCurrent+`, (SELECT count(*) FROM cand) AS loaded
		FROM sized JOIN posts p ON p.id = sized.id JOIN users u ON u.id = p.author_id
		`+sqlStanceJoin+`
		WHERE sized.fits
		ORDER BY p.path`, post.ThreadID, pq.Int64Array(post.Path), pq.Int64Array(next), post.Depth+maxDepth,
		limit+len(post.Path), forum.PageHTMLBudget, len(post.Path))
	if err != nil {
		return nil, false, fmt.Errorf("load subtree of post %d: %w", post.ID, err)
	}
	posts = make([]forum.Post, len(rows))
	for i, r := range rows {
		posts[i] = r.post()
	}
	if len(rows) > 0 {
		truncated = rows[0].Loaded == limit+len(post.Path) || len(rows) < rows[0].Loaded
	}
	return posts, truncated, nil
}

// EditPost replaces a post's body as editorID, keeping the old version as a revision,
// in one transaction that also bumps the thread's version. forum.CanEdit decides under
// the thread's and the post's locks; a moderator's edit of someone else's post is logged.
// The post's status does not change: an edit never lifts a hide.
//
// Mentions are the edited text's known @names: people it newly mentions are notified as
// by a new post, nobody twice for one post.
func (s *Store) EditPost(ctx context.Context, postID, editorID int64, source, html string, mentions []string) error {
	return s.EditPostLang(ctx, postID, editorID, source, html, mentions, "")
}

// EditPostLang is EditPost with the edited text's detected language; "" keeps the
// post's language (forum.EditLang).
func (s *Store) EditPostLang(ctx context.Context, postID, editorID int64, source, html string, mentions []string, lang string) error {
	return s.inPostTx(ctx, postID, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, editorID)
		if err != nil {
			return err
		}
		t, p, err := lockPost(ctx, tx, postID)
		if err != nil {
			return err
		}
		if err := forum.CanEdit(u, t, p, s.now()); err != nil {
			return err
		}
		if source == p.BodySource {
			return nil
		}
		since := p.CreatedAt
		if p.EditedAt != nil {
			since = *p.EditedAt
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO post_revisions (post_id, body_source, body_html, editor_id, created_at, replaced_at)
			VALUES ($1, $2, $3, $4, $5, clock_timestamp())`, postID, p.BodySource, p.BodyHTML, editorID, since); err != nil {
			return fmt.Errorf("keep revision of post %d: %w", postID, err)
		}
		if _, err := tx.ExecContext(ctx, `
			-- clock_timestamp(), not now(): the time under the lock, so the edit and a
			-- moderator's act on the post are stamped in the order they happened.
			UPDATE posts SET body_source = $2, body_html = $3, edited_at = clock_timestamp(), edit_count = edit_count + 1,
				mod_version = mod_version + 1, -- a moderator who looked before the edit must look again
				lang = NULLIF($4, '')
			WHERE id = $1`, postID, source, html, forum.EditLang(lang, p.Lang)); err != nil {
			return fmt.Errorf("edit post %d: %w", postID, err)
		}
		if err := bumpThread(ctx, tx, t.ID); err != nil {
			return err
		}
		if err := addEvent(ctx, tx, t.ID, postID, "edit"); err != nil {
			return err
		}
		if len(mentions) > 0 && t.Visible && p.Status == forum.StatusVisible {
			if err := notifyNewPost(ctx, tx, newPost{ThreadID: t.ID, PostID: postID, AuthorID: p.AuthorID,
				Mentions: forum.MentionsToNotify(mentions), Edit: true}); err != nil {
				return err
			}
		}
		if forum.EditIsModeration(u, p) {
			return logAct(ctx, tx, editorID, forum.LogEditPost, "post", postID, "", "")
		}
		return nil
	})
}

// DeletePost soft-deletes a post as byID (forum.DeletionBy says what that does): by its
// author a visible post becomes "[deleted]" and a hidden one stays hidden; by a
// moderator it is "[removed]" and the act is logged. Its replies stay where they are.
func (s *Store) DeletePost(ctx context.Context, postID, byID int64, note string) error {
	return s.inPostTx(ctx, postID, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, byID)
		if err != nil {
			return err
		}
		t, p, err := lockPost(ctx, tx, postID)
		if err != nil {
			return err
		}
		if err := forum.CanDelete(u, p, s.now()); err != nil {
			return err
		}
		d := forum.DeletionBy(u, p)
		if d.AuthorDeleted != p.AuthorDeleted {
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET author_deleted = $2 WHERE id = $1`, postID, d.AuthorDeleted); err != nil {
				return fmt.Errorf("delete post %d: %w", postID, err)
			}
		}
		notified, err := setPostStatus(ctx, tx, p, t, d.Status)
		if err != nil {
			return err
		}
		if err := recountUnread(ctx, tx, notified); err != nil {
			return err
		}
		if !d.ByModerator {
			// The author may take this back for a while (forum.CanUndoDelete): keep the
			// status to return to and the version a moderator's act would move past.
			if _, err := tx.ExecContext(ctx, `UPDATE posts SET deleted_at = $2, deleted_from = $3, deleted_version = mod_version
				WHERE id = $1`, postID, s.now(), p.Status); err != nil {
				return fmt.Errorf("keep undo of post %d: %w", postID, err)
			}
		}
		if d.ByModerator {
			// The same act as deciding "delete" from the queue: it goes on the author's record.
			if _, err := tx.ExecContext(ctx, `UPDATE users SET hidden_count = hidden_count + 1 WHERE id = $1`, p.AuthorID); err != nil {
				return fmt.Errorf("count removal: %w", err)
			}
			return logAct(ctx, tx, byID, forum.LogDeletePost, "post", postID, "", note)
		}
		return nil
	})
}

func bumpThread(ctx context.Context, tx *sqlxTx, threadID int64) error {
	if _, err := tx.ExecContext(ctx, `UPDATE threads SET version = version + 1 WHERE id = $1`, threadID); err != nil {
		return fmt.Errorf("bump thread %d: %w", threadID, err)
	}
	return notifyVersions(ctx, tx, threadID) // versionnotify.go
}

// Revisions lists a post's earlier versions, oldest first.
func (s *Store) Revisions(ctx context.Context, postID int64) ([]forum.Revision, error) {
	var revs []forum.Revision
	err := s.db.SelectContext(ctx, &revs, `
		SELECT r.id, r.post_id, r.body_source, r.body_html, `+sqlAuthorName+` AS editor_name, r.created_at, r.replaced_at
		FROM post_revisions r JOIN users u ON u.id = r.editor_id
		WHERE r.post_id = $1 ORDER BY r.id`, postID)
	if err != nil {
		return nil, fmt.Errorf("list revisions of post %d: %w", postID, err)
	}
	return revs, nil
}

// PostPage is one page of a person's posts.
type PostPage struct {
	Posts []UserPost
	Next  string // cursor for the following page; "" on the last page
}

// UserPost is a post listed on its author's page, with what places it: its thread's
// title and, for a reply, the post it answers.
type UserPost struct {
	forum.Post
	ThreadTitle string `db:"thread_title"`
	ThreadSlug  string `db:"thread_slug"`
	// The parent, read in the same query (its HTML cut to parentHTMLBytes, enough for an
	// excerpt); zero for an opening post.
	Parent forum.Post
}

// parentHTMLBytes is how much of a parent's stored HTML a person's page reads: enough
// for its excerpt.
const parentHTMLBytes = 2000

// UserPosts lists a person's public posts, newest first, after a cursor from a previous
// page's Next (the last post's id; "" for the first page).
func (s *Store) UserPosts(ctx context.Context, userID int64, before string, limit int) (*PostPage, error) {
	keyset, args, err := beforeID(before, "p.id", userID, limit+1)
	if err != nil {
		return nil, err
	}
	// The candidates are read narrow (ids and sizes); only those within the page's byte
	// budget are read whole, so a person's thirty largest posts do not make a huge page.
	var rows []struct {
		postRow
		Candidates   int               `db:"candidates"`
		ThreadTitle  string            `db:"thread_title"`
		ThreadSlug   string            `db:"thread_slug"`
		ParentAuthor *int64            `db:"parent_author_id"`
		ParentName   *string           `db:"parent_author_name"`
		ParentStatus *forum.PostStatus `db:"parent_status"`
		ParentHTML   *string           `db:"parent_html"`
		ParentDepth  *int              `db:"parent_depth"`
	}
	err = s.db.SelectContext(ctx, &rows, `
		WITH cand AS (
			SELECT p.id, octet_length(p.body_html) AS size FROM posts p
				JOIN threads t ON t.id = p.thread_id -- as in the person's feed: listed threads only
			WHERE p.author_id = $1 AND `+sqlPublicPost+` AND t.visible `+keyset+`
			ORDER BY p.id DESC LIMIT $2
		), fit AS (
			SELECT id, sum(size) OVER w <= `+budgetSQL+` OR row_number() OVER w = 1 AS fits
			FROM cand WINDOW w AS (ORDER BY id DESC)
		)
		SELECT `+postColumns+`, (SELECT count(*) FROM cand) AS candidates,
			t.title AS thread_title, t.slug AS thread_slug,
			pp.author_id AS parent_author_id, `+sqlDisplayName("pu")+` AS parent_author_name,
			pp.status AS parent_status, left(pp.body_html, `+fmt.Sprint(parentHTMLBytes)+`) AS parent_html,
			pp.depth AS parent_depth
		FROM posts p JOIN users u ON u.id = p.author_id JOIN threads t ON t.id = p.thread_id
			LEFT JOIN posts pp ON pp.id = p.parent_id
			LEFT JOIN users pu ON pu.id = pp.author_id
		WHERE p.id IN (SELECT id FROM fit WHERE fits)
		ORDER BY p.id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("list posts of user %d: %w", userID, err)
	}
	posts := make([]UserPost, len(rows))
	for i, r := range rows {
		posts[i] = UserPost{Post: r.post(), ThreadTitle: r.ThreadTitle, ThreadSlug: r.ThreadSlug}
		if r.ParentAuthor != nil {
			posts[i].Parent = forum.Post{ID: *r.ParentID, ThreadID: r.ThreadID, AuthorID: *r.ParentAuthor,
				AuthorName: *r.ParentName, Status: *r.ParentStatus, BodyHTML: *r.ParentHTML, Depth: *r.ParentDepth}
		}
	}
	page := &PostPage{}
	if len(rows) > 0 && len(rows) < rows[0].Candidates && len(rows) <= limit {
		// The byte budget ended the page before the row limit did.
		page.Posts, page.Next = posts, forum.NewCursor(posts[len(posts)-1].ID).String()
		return page, nil
	}
	page.Posts, page.Next = forum.Paginate(posts, limit, func(p UserPost) forum.Cursor {
		return forum.NewCursor(p.ID)
	})
	return page, nil
}

// UserCounts is what a person's page counts, by the rules of its lists: posts anyone may
// read in listed threads (UserPosts) and listed threads started (FindThreads).
type UserCounts struct {
	Posts   int `db:"posts"`
	Threads int `db:"threads"`
}

// CountUserPosts counts a person's listed posts and threads in one query, on
// posts_author_idx and threads_author_idx: no scan per post.
func (s *Store) CountUserPosts(ctx context.Context, userID int64) (UserCounts, error) {
	var n UserCounts
	err := s.db.GetContext(ctx, &n, `
		SELECT (SELECT count(*) FROM posts p JOIN threads t ON t.id = p.thread_id
				WHERE p.author_id = $1 AND `+sqlPublicPost+` AND t.visible) AS posts,
			(SELECT count(*) FROM threads t WHERE t.author_id = $1 AND t.visible) AS threads`, userID)
	if err != nil {
		return n, fmt.Errorf("count posts of user %d: %w", userID, err)
	}
	return n, nil
}

// Rerender re-renders every post's stored HTML from its source in batches, bumping
// each touched thread's version. It returns how many posts it rewrote.
func (s *Store) Rerender(ctx context.Context, render func(string) (string, error)) (int, error) {
	var after int64
	total := 0
	for {
		var batch []struct {
			ID     int64  `db:"id"`
			Source string `db:"body_source"`
			HTML   string `db:"body_html"`
		}
		if err := s.db.SelectContext(ctx, &batch, `
			SELECT id, body_source, body_html FROM posts WHERE id > $1 ORDER BY id LIMIT 500`, after); err != nil {
			return total, fmt.Errorf("rerender: load batch after %d: %w", after, err)
		}
		if len(batch) == 0 {
			return total, nil
		}
		err := s.inTx(ctx, func(tx *sqlxTx) error {
			for _, p := range batch {
				html, err := render(p.Source)
				if err != nil {
					return fmt.Errorf("render post %d: %w", p.ID, err)
				}
				if html == p.HTML {
					continue
				}
				var threadID int64
				if err := tx.GetContext(ctx, &threadID, `
					WITH p AS (UPDATE posts SET body_html = $2 WHERE id = $1 RETURNING thread_id)
					UPDATE threads SET version = version + 1 WHERE id = (SELECT thread_id FROM p) RETURNING id`, p.ID, html); err != nil {
					return fmt.Errorf("rerender post %d: %w", p.ID, err)
				}
				if err := notifyVersions(ctx, tx, threadID); err != nil {
					return err
				}
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		after = batch[len(batch)-1].ID
	}
}

// PageOf says where the thread page that holds a top-level reply starts, for a thread
// read oldest first with budget posts per page: 0 when the first page holds it (the
// subtrees before it and its own fit the budget, or it is the first), else after the
// top-level reply just before it, so the page starts with its subtree. It reads at most
// budget+1 top-level rows and one index probe, however long the thread. (A page the
// byte budget ends sooner is not foreseen: the reply is then on the page after.)
func (s *Store) PageOf(ctx context.Context, threadID, topID int64, budget int) (int64, error) {
	var r struct {
		Upto    int   `db:"upto"`
		InFirst bool  `db:"in_first"`
		Prev    int64 `db:"prev"`
	}
	err := s.db.GetContext(ctx, &r, `
		WITH firsts AS (
			SELECT id, descendant_count FROM posts WHERE thread_id = $1 AND depth = 1 ORDER BY id LIMIT $3 + 1
		)
		SELECT (SELECT COALESCE(sum(1 + descendant_count), 0) FROM firsts WHERE id <= $2) AS upto,
			EXISTS (SELECT 1 FROM firsts WHERE id = $2) AS in_first,
			COALESCE((SELECT max(id) FROM posts WHERE thread_id = $1 AND depth = 1 AND id < $2), 0) AS prev`,
		threadID, topID, budget)
	if err != nil {
		return 0, fmt.Errorf("page of post %d in thread %d: %w", topID, threadID, err)
	}
	if r.Prev == 0 || (r.InFirst && r.Upto <= budget) {
		return 0, nil
	}
	return r.Prev, nil
}
