package web

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"forum/internal/forum"
)

// maxDepth is the deepest level a thread page shows; deeper replies are one
// "continue this thread" link away.
const maxDepth = 8

// treeBudget is how many posts one page of a thread shows at most.
const treeBudget = 200

// node is one post placed in the tree for a template.
type node struct {
	Post     forum.Post
	Children []*node
	ctx      *treeCtx
}

// treeCtx is what every node of one page shares.
type treeCtx struct {
	User     *forum.User
	CSRF     string
	Locked   bool
	MaxDepth int
	Focus    int64 // the post a /p/:id page is about
}

// Readable reports whether the viewer may read this post's content.
func (n *node) Readable() bool { return n.Post.Readable(n.ctx.User) }

// CanEdit reports whether the viewer may edit or delete this post.
func (n *node) CanEdit() bool { return n.Post.CanEdit(n.ctx.User) }

// CanReply reports whether the viewer may reply to this post.
func (n *node) CanReply() bool {
	u := n.ctx.User
	return u != nil && !n.ctx.Locked && n.Post.Public() && !u.Suspended(time.Now())
}

// CanFlag reports whether the viewer may flag this post.
func (n *node) CanFlag() bool {
	u := n.ctx.User
	return u != nil && n.Post.Public() && u.ID != n.Post.AuthorID
}

// Continue reports a post at the depth limit whose replies live on its own page.
func (n *node) Continue() bool {
	return n.Post.Depth >= n.ctx.MaxDepth && n.Post.ChildCount > 0
}

// Focused marks the post a /p/:id page is about.
func (n *node) Focused() bool { return n.ctx.Focus == n.Post.ID }

// CSRF is the form token for the node's inline forms.
func (n *node) CSRF() string { return n.ctx.CSRF }

// Viewer is the logged-in user, if any.
func (n *node) Viewer() *forum.User { return n.ctx.User }

// IdemKey is a fresh idempotency key for a reply form.
func (n *node) IdemKey() string { return newIdemKey() }

// buildTree turns posts in path order into a forest: a post whose parent is not in
// the list (the opening post, or a subtree's top) becomes a root.
func buildTree(posts []forum.Post, ctx *treeCtx, newestFirst bool) []*node {
	byID := make(map[int64]*node, len(posts))
	var roots []*node
	for _, p := range posts {
		n := &node{Post: p, ctx: ctx}
		byID[p.ID] = n
		if p.ParentID != nil {
			if parent, ok := byID[*p.ParentID]; ok {
				parent.Children = append(parent.Children, n)
				continue
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

func newIdemKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
