package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"forum/internal/forum"
)

// A plan is the whole synthetic forum's shape, decided before anything is written:
// who wrote what, where, when and in reply to whom. Bodies are not kept: each post's
// text is drawn again from its own seed when it is written, so a million posts cost
// tens of bytes each here.
type plan struct {
	users   int
	threads []pthread
	posts   []ppost // in writing order: by time, parents before children
}

type pthread struct {
	category int // index into the categories
	author   int
	at       int64 // unix seconds of the opening post
	posts    int   // opening post included
	last     int   // index in plan.posts of its newest post
}

type ppost struct {
	thread int32
	parent int32 // index in plan.posts; -1 for an opening post
	top    int32 // the depth-1 ancestor (itself at depth 1); -1 for an opening post
	author int32
	depth  int16
	stance forum.Stance
	status forum.PostStatus
	at     int64
	// Kept counters, filled once the tree is known.
	children, descendants int32
}

// Sizes the plan guarantees, so `make bench` always has its scenarios: a thread with
// about 200 replies, one with about 1,000, and the mega-thread.
const (
	benchSmall = 200
	benchLarge = 1000
	megaSize   = 10_000
)

// makePlan shapes n posts: thread sizes from a long tail (most threads a handful of
// replies, a few hundreds), reply trees mostly shallow with some long chains, authors
// from a Zipf law (a few people write much of it), over the last year.
func makePlan(r *rand.Rand, n, categories int, debating func(int) bool, now time.Time) *plan {
	p := &plan{users: min(max(n/25, 50), 40_000)}
	var sizes []int
	fixed := []int{megaSize, benchLarge, benchSmall}
	if n < 40_000 { // small plans (tests) scale the fixed threads down
		fixed = []int{max(n/10, 2), max(n/40, 2), max(n/100, 2)}
	}
	total := 0
	for _, s := range fixed {
		sizes = append(sizes, s+1)
		total += s + 1
	}
	for total < n {
		// Pareto with alpha 1.3: median about 2 replies, mean about 20, a few in the hundreds.
		s := int(math.Floor(1.0 * math.Pow(1-r.Float64(), -1/1.3)))
		s = min(s, 3000, n-total)
		sizes = append(sizes, s)
		total += s
	}
	zipf := rand.NewZipf(r, 1.1, 4, uint64(p.users-1))
	start := now.Add(-365 * 24 * time.Hour).Unix()
	span := now.Unix() - start
	p.threads = make([]pthread, len(sizes))
	var posts []ppost
	for ti, size := range sizes {
		th := &p.threads[ti]
		th.category = r.IntN(categories)
		th.author = int(zipf.Uint64())
		th.at = start + r.Int64N(span*9/10)
		th.posts = size
		base := int32(len(posts))
		posts = append(posts, ppost{thread: int32(ti), parent: -1, top: -1, author: int32(th.author),
			status: forum.StatusVisible, at: th.at})
		chain := ti < len(fixed) || size > 60 && r.IntN(8) == 0 // some threads have a chain 20+ deep
		for i := 1; i < size; i++ {
			idx := base + int32(i)
			prev := idx - 1
			var parent int32
			switch k := r.IntN(100); {
			case chain && i <= 25:
				parent = prev
			case k < 45:
				parent = base
			case k < 80:
				parent = base + int32(r.IntN(i))
			default:
				parent = prev
			}
			pp := ppost{thread: int32(ti), parent: parent, author: int32(zipf.Uint64()),
				depth: posts[parent].depth + 1, status: forum.StatusVisible}
			if pp.depth == 1 {
				pp.top = idx
			} else {
				pp.top = posts[parent].top
			}
			// Replies come within hours of what they answer, and never before it.
			pp.at = max(posts[parent].at, posts[prev].at) + 1 + r.Int64N(3*3600)
			if debating(th.category) && r.IntN(4) == 0 {
				pp.stance = forum.Stances[r.IntN(len(forum.Stances))]
			}
			switch k := r.IntN(1000); {
			case k < 10:
				pp.status = forum.StatusHidden
			case k < 15:
				pp.status = forum.StatusDeleted
			case k < 18:
				pp.status = forum.StatusPending
			}
			posts = append(posts, pp)
		}
	}
	// Writing order: by time, so ids grow with time as they do in a live forum; a reply
	// is always later than its parent, so parents come first.
	order := make([]int32, len(posts))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		if c := posts[a].at - posts[b].at; c != 0 {
			return int(max(min(c, 1), -1))
		}
		return int(a - b)
	})
	rank := make([]int32, len(posts))
	for newIdx, old := range order {
		rank[old] = int32(newIdx)
	}
	p.posts = make([]ppost, len(posts))
	for newIdx, old := range order {
		pp := posts[old]
		if pp.parent >= 0 {
			pp.parent = rank[pp.parent]
		}
		if pp.top >= 0 {
			pp.top = rank[pp.top]
		}
		p.posts[newIdx] = pp
	}
	for i := range p.posts {
		pp := &p.posts[i]
		p.threads[pp.thread].last = i
		if pp.parent >= 0 {
			p.posts[pp.parent].children++
			for a := pp.parent; a >= 0; a = p.posts[a].parent {
				p.posts[a].descendants++
			}
		}
	}
	return p
}
