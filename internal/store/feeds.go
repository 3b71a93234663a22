package store

import (
	"context"
	"fmt"

	"github.com/lib/pq"

	"forum/internal/forum"
)

// FeedLimit is how many items a feed carries: the newest 50.
const FeedLimit = 50

// FeedScope picks the posts of one feed. The zero value is the whole forum's new threads.
type FeedScope struct {
	CategoryID int         // a category's new threads
	ThreadID   int64       // every post of a thread
	AuthorID   int64       // a person's posts
	Below      *forum.Post // replies anywhere below this post, at any depth
}

// A feed is read in two steps, and both run the same "window": the ids of the posts the
// feed shows, chosen by an index that serves the feed's order, visible posts only, at
// most FeedLimit of them (the thread window reads at most FeedLimit per reply depth).
//
//  1. FeedStamps reads the window's narrow columns only — post id, thread version,
//     created and edited times — never a body. The web layer hashes them into the ETag
//     and takes the newest time as Last-Modified, and answers 304 without step 2.
//  2. FeedPosts reads the same window with bodies, names and titles to build the feed.
//
// Why (post id, thread version) pairs are an exact validator: an item's content is its
// body, edit time, author name (usernames never change) and thread title; each write to
// a thread — reply, edit, delete, hide, restore, re-render — bumps threads.version in
// the same transaction, so any change to an item changes its pair. A post that is hidden
// or deleted leaves the window, and the post that takes its place enters it, so the set
// of ids changes even if some code path forgot to bump the version. Hashing the whole
// list (not a sum or a max) means no two different windows share a validator. The cost
// is that a reply anywhere in a listed thread also changes the forum feed's ETag: a
// spurious 200, never a wrong 304.
//
// Last-Modified is weaker than the ETag: a hide records no time, so a client that sends
// only If-Modified-Since sees a hide at the feed's next new post or edit. Feed readers
// send If-None-Match, which wins whenever both are present.
func feedWindow(sc FeedScope) (string, []any) {
	switch {
	case sc.CategoryID != 0:
		// threads_category_idx serves this order; the walk stops at the 50th thread whose
		// opening post is visible (posts_thread_depth_idx finds each opening post).
		return `SELECT p.id FROM threads t
			JOIN posts p ON p.thread_id = t.id AND p.depth = 0
			WHERE t.category_id = $1 AND ` + sqlPublicPost + `
			ORDER BY t.pinned DESC, t.last_activity_at DESC, t.id DESC
			LIMIT ` + limitSQL, []any{sc.CategoryID}
	case sc.ThreadID != 0:
		return threadWindow(0), []any{sc.ThreadID}
	case sc.AuthorID != 0:
		// posts_author_idx serves this order directly; each post's thread is one probe.
		return `SELECT p.id FROM posts p JOIN threads t ON t.id = p.thread_id
			WHERE p.author_id = $1 AND ` + sqlPublicPost + ` AND t.visible
			ORDER BY p.id DESC
			LIMIT ` + limitSQL, []any{sc.AuthorID}
	case sc.Below != nil && sc.Below.Depth == 0:
		// Everything below an opening post is the thread without that post.
		return threadWindow(1), []any{sc.Below.ThreadID}
	case sc.Below != nil:
		// A subtree is one range of posts_thread_path_idx: the post's path is a prefix
		// of every descendant's, and next (its last element plus one) bounds the range.
		// The range is as long as the subtree (descendant_count), which for a reply below
		// the top level is one sub-conversation, not the thread.
		next := append([]int64(nil), sc.Below.Path...)
		next[len(next)-1]++
		return `SELECT p.id FROM posts p
			WHERE p.thread_id = $1 AND p.path > $2 AND p.path < $3 AND ` + sqlPublicPost + `
			ORDER BY p.id DESC
			LIMIT ` + limitSQL, []any{sc.Below.ThreadID, pq.Int64Array(sc.Below.Path), pq.Int64Array(next)}
	}
	// The front page's index, threads_activity_idx, serves the forum's window. A new
	// thread is the most recent activity the moment it is written, so it always enters
	// the window, and the items are then listed by publication date, newest first.
	return `SELECT p.id FROM threads t
		JOIN posts p ON p.thread_id = t.id AND p.depth = 0
		WHERE ` + sqlPublicPost + `
		ORDER BY t.last_activity_at DESC, t.id DESC
		LIMIT ` + limitSQL, nil
}

// limitSQL is FeedLimit as SQL text (a constant, never input).
var limitSQL = fmt.Sprint(FeedLimit)

// threadWindow picks a thread's newest visible posts from depth minDepth down. No index
// orders a thread's posts by id, but posts_thread_depth_idx (thread_id, depth, id) orders
// each depth level: the newest FeedLimit of every level are index range scans read
// backwards, and the newest FeedLimit of their union are the thread's newest. The cost
// grows with the thread's depth, never with its size. Depths are contiguous (a reply's
// parent is one level up), so max(depth), one index probe, lists them.
func threadWindow(minDepth int) string {
	return `SELECT p.id
		FROM generate_series(` + fmt.Sprint(minDepth) + `, (SELECT max(depth) FROM posts WHERE thread_id = $1)) AS lvl(depth)
		CROSS JOIN LATERAL (
			SELECT p.id FROM posts p
			WHERE p.thread_id = $1 AND p.depth = lvl.depth AND ` + sqlPublicPost + `
			ORDER BY p.id DESC
			LIMIT ` + limitSQL + `
		) p
		ORDER BY p.id DESC
		LIMIT ` + limitSQL
}

// feedQuery reads columns of a feed's items, newest first: the one definition of which
// rows a feed holds, shared by its validator and its items so the two cannot disagree. A
// thread whose opening post is hidden lends no post and no title to any feed. The items
// also stop where their stored HTML reaches forum.PageHTMLBudget (the newest always
// shows), so fifty huge posts do not make a 20 MB feed; octet_length reads a TOASTed
// body's size from its header, so the validator still reads no body.
func feedQuery(sc FeedScope, columns string) (string, []any) {
	window, args := feedWindow(sc)
	return `SELECT ` + columns + `
		FROM (
			SELECT w.id, sum(octet_length(p.body_html)) OVER w <= ` + budgetSQL + ` OR row_number() OVER w = 1 AS fits
			FROM (` + window + `) w
			JOIN posts p ON p.id = w.id
			JOIN threads t ON t.id = p.thread_id
			WHERE t.visible
			WINDOW w AS (ORDER BY p.id DESC)
		) w
		JOIN posts p ON p.id = w.id
		JOIN threads t ON t.id = p.thread_id
		JOIN users u ON u.id = p.author_id
		WHERE w.fits
		ORDER BY p.id DESC`, args
}

// budgetSQL is forum.PageHTMLBudget as SQL text (a constant, never input).
var budgetSQL = fmt.Sprint(forum.PageHTMLBudget)

// FeedStamps reads what a feed's validator needs — each item's id, thread version and
// times — without reading any item's body. See feedWindow.
func (s *Store) FeedStamps(ctx context.Context, sc FeedScope) ([]forum.FeedPost, error) {
	q, args := feedQuery(sc, `p.id, p.thread_id, t.version AS thread_version, p.created_at, p.edited_at`)
	var out []forum.FeedPost
	if err := s.reader(ctx).SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("read feed validator: %w", err)
	}
	return out, nil
}

// FeedPosts reads a feed's items, newest first: the rows of FeedStamps with the stored
// HTML, author names and thread titles.
func (s *Store) FeedPosts(ctx context.Context, sc FeedScope) ([]forum.FeedPost, error) {
	q, args := feedQuery(sc, `p.id, p.thread_id, t.version AS thread_version, t.title AS thread_title,
		t.slug AS thread_slug, p.depth, `+sqlAuthorName+` AS author_name, p.body_html, p.created_at, p.edited_at,
		COALESCE(p.lang, '') AS lang`)
	var out []forum.FeedPost
	if err := s.reader(ctx).SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("read feed items: %w", err)
	}
	return out, nil
}

// ModLogNewest is the newest moderation log entry's id and time (nil when the log is
// empty): the whole validator of the log's feed, because the log is append-only and a
// moderator's name never changes. One probe of mod_log's primary key.
func (s *Store) ModLogNewest(ctx context.Context) (*forum.LogEntry, error) {
	var out []forum.LogEntry
	if err := s.reader(ctx).SelectContext(ctx, &out,
		`SELECT id, created_at FROM mod_log ORDER BY id DESC LIMIT 1`); err != nil {
		return nil, fmt.Errorf("read newest moderation log entry: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return &out[0], nil
}
