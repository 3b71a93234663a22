package web

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"

	"forum/internal/forum"
)

// maxDepth is the deepest level a thread page shows; deeper replies are one
// "continue this thread" link away.
const maxDepth = 8

// treeBudget is how many posts one page of a thread shows at most.
const treeBudget = 200

// node is one post placed in the tree for a template. What the template asks of each
// post is worked out once here, so rendering a large tree does no per-field method
// calls through reflection.
type node struct {
	Post     forum.Post
	Children []*node
	Readable bool     // the viewer may read the content
	CanEdit  bool     // the viewer may edit it (deleting: CanDelete)
	CanReply bool     // the viewer may reply to it
	Stances  bool     // its reply form offers a stance (forum.Thread.TakesStances)
	CanFlag  bool     // the viewer may flag it
	CanMod   bool     // the viewer is a moderator: hide, restore or delete from here
	Continue bool     // at the depth limit, with replies on their own page
	Focused  bool     // the post a /p/:id page is about
	New      bool     // written since the viewer's last visit (forum.IsNewTo)
	Muted    bool     // by someone the viewer muted: shown collapsed (forum.CollapsedFor)
	ReplyTo  *replyTo // beyond the first level: the "in reply to NAME" link; nil otherwise
	CSRF     string   // the form token for the node's inline forms
	Viewer   *forum.User

	Stance  *stanceField // its reply form's stance choice, shared by the page's nodes
	Earlier bool         // its stance is no longer its author's counted one: labelled "was: ..."

	Insight insight // its "Insightful · N" control (insightful.go)

	// Safe deleting (deletes.go): the author's Delete (a confirmation), their Undo while
	// forum.CanUndoDelete allows, and a moderator's actions for the post's state.
	CanDelete  bool
	CanUndo    bool
	ModActions []forum.ModAction
}

// treeCtx is what every node of one page shares.
type treeCtx struct {
	User     *forum.User
	Thread   *forum.Thread
	CSRF     string
	MaxDepth int
	Focus    int64          // the post a /p/:id page is about
	Since    int64          // the viewer's read position: later posts are new (0: none are)
	Muted    map[int64]bool // the people the viewer muted
	// Stance is the reply forms' stance choice for the viewer; nil offers it as to a
	// participant without a stance.
	Stance *stanceField
	// Listener is who reads a live stream (also its User: their controls; nil for a
	// visitor), whose mutes apply, so a muted author's reply arrives folded.
	Listener *forum.User
	// Marked is the posts the viewer marked insightful; Here the page's address, where
	// the insightful form returns (withInsight fills both).
	Marked map[int64]bool
	Here   string
	// Lang is a live stream's interface language: its listener's (the request's).
	Lang string
}

// newNode asks the policy once per post what the viewer may do with it.
func newNode(p forum.Post, ctx *treeCtx, now time.Time) *node {
	u, t := ctx.User, ctx.Thread
	n := &node{
		Post: p, Readable: forum.CanRead(u, &p),
		CanEdit:  u != nil && forum.CanEdit(u, t, &p, now) == nil,
		CanReply: forum.CanReply(u, t, &p, now) == nil,
		Stances:  t.TakesStances(), Stance: ctx.Stance,
		Earlier:  p.Stance != forum.StanceNone && p.StanceCurrent != nil && !*p.StanceCurrent,
		CanFlag:  forum.CanFlag(u, &p, now) == nil,
		CanMod:   forum.MayModerate(u, now) == nil,
		Continue: p.Depth >= ctx.MaxDepth && p.ChildCount > 0,
		Focused:  ctx.Focus == p.ID, CSRF: ctx.CSRF, Viewer: u,
		Muted: forum.CollapsedFor(cmp.Or(u, ctx.Listener), &p, ctx.Muted),
	}
	n.New = !n.Muted && forum.IsNewTo(u, &p, ctx.Since) // a muted voice is not news
	n.Insight = newInsight(&p, ctx, n.Readable, now)
	n.CanDelete = u != nil && u.ID == p.AuthorID && forum.CanDelete(u, &p, now) == nil
	n.CanUndo = u != nil && forum.CanUndoDelete(u, &p, now) == nil
	n.ModActions = forum.PostModActions(u, &p, now)
	return n
}

// buildTree turns posts in path order into a forest: a post whose parent is not in
// the list (the opening post, or a subtree's top) becomes a root.
func buildTree(posts []forum.Post, ctx *treeCtx, newestFirst bool) []*node {
	byID := make(map[int64]*node, len(posts))
	var roots []*node
	now := time.Now()
	if ctx.Stance == nil {
		ctx.Stance = newStanceField(forum.StanceNone, "")
	}
	for _, p := range posts {
		n := newNode(p, ctx, now)
		byID[p.ID] = n
		if p.ParentID != nil {
			if parent, ok := byID[*p.ParentID]; ok {
				parent.Children = append(parent.Children, n)
				if p.Depth >= 2 {
					// The focused post's parent sits among the /p/:id page's ancestors,
					// which need not be full posts; its own page always is.
					href := "#p" + strconv.FormatInt(parent.Post.ID, 10)
					if n.Focused {
						href = postHref(parent.Post.ID)
					}
					n.ReplyTo = newReplyTo(&parent.Post, parent.Readable, href)
				}
				continue
			}
			if p.Depth >= 2 { // a subtree's top: the parent is not loaded, so not named
				n.ReplyTo = &replyTo{Href: postHref(*p.ParentID), Parent: unknownParent}
			}
		}
		roots = append(roots, n)
	}
	if newestFirst {
		for _, n := range byID {
			for i, j := 0, len(n.Children)-1; i < j; i, j = i+1, j-1 {
				n.Children[i], n.Children[j] = n.Children[j], n.Children[i]
			}
		}
	}
	return roots
}

// replyTo is a reply's link to the post it answers.
type replyTo struct {
	Href string // "#p{id}" when the parent is on the page, else "/p/{id}"
	Name string // the parent's author as the viewer may see it
	// Parent is why the author is not named, for the template to word: hiddenParent or
	// unknownParent; empty when Name is.
	Parent string
}

// hiddenParent is a parent the viewer may not read: its author is not shown either.
const hiddenParent = "hidden"

// unknownParent is a parent that was not loaded with the page.
const unknownParent = "unknown"

// newReplyTo names parent as its node shows it: readable is forum.CanRead for the viewer,
// and AuthorName already reads "[deleted]" for a deleted account (the store's rule).
func newReplyTo(parent *forum.Post, readable bool, href string) *replyTo {
	if !readable {
		return &replyTo{Href: href, Parent: hiddenParent}
	}
	return &replyTo{Href: href, Name: parent.AuthorName}
}

func postHref(id int64) string { return "/p/" + strconv.FormatInt(id, 10) }

func newIdemKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
