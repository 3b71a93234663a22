package store_test

import (
	"slices"
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/store"
)

// TestTreeByteBudget: a page of a thread stops where its stored HTML reaches the byte
// budget, in the page's reading order, always showing the opening post and one reply,
// and says where the next page starts and whether a subtree was cut.
func TestTreeByteBudget(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.fx.Render = func(s string) (string, error) { return "<p>" + s + "</p>", nil } // sizes to the byte
	u := w.fx.User("writer", forum.RoleMember)
	th, op := w.fx.Thread(u, "A thread of even posts", "opening")
	body := strings.Repeat("x", 1000-len("<p></p>")) // every reply is 1000 bytes of HTML
	var tops []int64
	family := map[int64][]int64{} // each top-level reply with its two replies, in path order
	for range 3 {
		top := w.fx.Reply(th, u, nil, body, forum.StanceNone)
		tops = append(tops, top.ID)
		family[top.ID] = []int64{top.ID}
		for range 2 {
			family[top.ID] = append(family[top.ID], w.fx.Reply(th, u, top, body, forum.StanceNone).ID)
		}
	}
	opBytes := len(op.BodyHTML)
	posts := func(ids ...[]int64) []int64 { return slices.Concat(append([][]int64{{op.ID}}, ids...)...) }

	for _, tc := range []struct {
		name      string
		bytes     int
		newest    bool
		want      []int64 // in path order
		next      int64
		truncated bool
	}{
		{"EverythingFits", 1 << 20, false, posts(family[tops[0]], family[tops[1]], family[tops[2]]), 0, false},
		{"CutBetweenSubtrees", opBytes + 3000, false, posts(family[tops[0]]), tops[0], false},
		{"CutInsideASubtree", opBytes + 4000, false, posts(family[tops[0]], family[tops[1]][:1]), tops[1], true},
		{"OpeningPostAndOneReplyWhateverTheirSize", 1, false, posts(family[tops[0]][:1]), tops[0], true},
		{"NewestFirstKeepsTheNewest", opBytes + 3000, true, posts(family[tops[2]]), tops[2], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page, err := w.st.Tree(t.Context(), store.TreeQuery{ThreadID: th.ID, Newest: tc.newest, Bytes: tc.bytes})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, p := range page.Posts {
				got = append(got, p.ID)
			}
			if !slices.Equal(got, tc.want) || page.NextAfter != tc.next || page.Truncated != tc.truncated {
				t.Fatalf("posts %v, next %d, truncated %v; want %v, %d, %v",
					got, page.NextAfter, page.Truncated, tc.want, tc.next, tc.truncated)
			}
		})
	}
}
