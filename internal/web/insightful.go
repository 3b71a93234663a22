package web

import (
	"context"
	"log/slog"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/forum"
)

// RouteInsightful toggles the viewer's "insightful" mark on a post (DESIGN.md).
const RouteInsightful = "/p/:id/insightful"

// insight is a post's "Insightful · N" control as its node shows it.
type insight struct {
	Show    bool   // anything to show: a button, or a count worth reading
	CanMark bool   // the viewer may press it (forum.CanMarkInsightful, or a mark to take back)
	Marked  bool   // the viewer's mark is on the post (aria-pressed)
	Count   int    // the post's kept count
	Next    string // where the form returns without JavaScript: this page, at the post
}

// newInsight asks the rule once per post. A visitor and the author see the count only.
func newInsight(p *forum.Post, ctx *treeCtx, readable bool, now time.Time) insight {
	in := insight{Count: p.InsightfulCount, Marked: ctx.Marked[p.ID]}
	if !readable || !p.Public() {
		return insight{}
	}
	in.CanMark = ctx.User != nil && (in.Marked && forum.MayWrite(ctx.User, now) == nil ||
		forum.CanMarkInsightful(ctx.User, p, now) == nil)
	in.Show = in.CanMark || in.Count > 0
	if in.CanMark {
		in.Next = ctx.Here + "#p" + strconv.FormatInt(p.ID, 10)
	}
	return in
}

// withInsight fills in what a page's nodes need for their insightful controls: the
// viewer's marks among the page's posts (one query) and the page's address to return to.
func (s *Server) withInsight(ctx context.Context, c *gin.Context, tc *treeCtx, posts []forum.Post) {
	tc.Here = c.Request.URL.RequestURI()
	if tc.User == nil {
		return
	}
	ids := make([]int64, len(posts))
	for i := range posts {
		ids[i] = posts[i].ID
	}
	marked, err := s.store.MarkedInsightful(ctx, tc.User.ID, ids)
	if err != nil { // the page still reads; the buttons show as not pressed
		slog.WarnContext(ctx, "load insightful marks", "err", err)
		return
	}
	tc.Marked = marked
}

// sortTop orders every level of a tree by forum.SortTop, so replies stay under their
// parents while the most appreciated come first among their siblings.
func sortTop(roots []*node) {
	for _, n := range roots {
		slices.SortStableFunc(n.Children, func(a, b *node) int { return forum.SortTop(&a.Post, &b.Post) })
		sortTop(n.Children)
	}
}

// insightful toggles the viewer's mark: JSON ({"marked", "count"}) for the page's
// script, otherwise a redirect back to the post on the page it was pressed on.
func (s *Server) insightful(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := idParam(c, "post")
	if err != nil {
		s.error(c, err)
		return
	}
	user := currentUser(c)
	if err := s.limiter.take(ctx, s.limits.MarkInsightful(user)); err != nil {
		s.error(c, err)
		return
	}
	// The store asks forum.CanMarkInsightful under the post's lock.
	res, err := s.store.ToggleInsightful(ctx, id, user.ID)
	if err != nil {
		s.error(c, err)
		return
	}
	if wantsJSON(c) {
		c.JSON(http.StatusOK, gin.H{"marked": res.Marked, "count": res.Count})
		return
	}
	next, ok := forum.LocalRedirect(c.PostForm("next"))
	if !ok {
		next = threadURL(res.ThreadID, "") + "#p" + itoa(id)
	}
	c.Redirect(http.StatusSeeOther, next)
}

// threadCursor reads a thread page's ?after=: under the "top" order the insightful_count
// and id of the last top-level reply shown ("3.1234"), otherwise its id (afterParam).
func threadCursor(c *gin.Context, top bool) (after, count int64, err error) {
	if !top {
		after, err = afterParam(c)
		return after, 0, err
	}
	raw := c.Query("after")
	if raw == "" {
		return 0, 0, nil
	}
	cur, err := forum.ParseCursor(raw, 2)
	if err != nil {
		return 0, 0, err
	}
	if cur.Int(0) > math.MaxInt32 { // an insightful_count is an integer column
		return 0, 0, forum.ErrBadCursor
	}
	return cur.Int(1), cur.Int(0), nil
}
