package web

import (
	"strconv"
	"strings"
	"testing"
)

// TestPageCacheBudget: the byte budget bounds the cache by its own weight accounting: an
// entry larger than the budget is not kept, and many entries stay under it.
func TestPageCacheBudget(t *testing.T) {
	const budget = 64 << 10
	pc, err := newPageCache(budget, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	pc.store(pc.threadKeyAt("thread", 1, 1, "", "/t/1"), encIdentity, &cachedPage{threadID: 1, body: []byte(strings.Repeat("x", budget+1))})
	pc.entries.CleanUp()
	if n := pc.entries.EstimatedSize(); n != 0 {
		t.Fatalf("an entry over the budget was kept (%d entries)", n)
	}
	body := []byte(strings.Repeat("y", 4000))
	for i := range 200 {
		pc.store(pc.threadKeyAt("thread", int64(i), 1, "", "/t/"+strconv.Itoa(i)), encIdentity, &cachedPage{threadID: int64(i), body: body})
	}
	pc.entries.CleanUp()
	if w := pc.weight(); w > budget || w == 0 {
		t.Fatalf("weight %d with a budget of %d", w, budget)
	}
	if n := pc.entries.EstimatedSize(); n >= 200 || n == 0 {
		t.Fatalf("%d of 200 entries kept in a budget that holds ~15", n)
	}
	// Eviction through NOTIFY drops a thread's entries and its bookkeeping.
	pc.ThreadChanged(199)
	pc.entries.CleanUp()
	if _, ok := pc.entries.GetIfPresent(pc.threadKeyAt("thread", 199, 1, "", "/t/199").base + "|"); ok {
		t.Fatal("a changed thread's page is still cached")
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.threads) > pc.entries.EstimatedSize()+1 {
		t.Fatalf("%d threads tracked for %d entries", len(pc.threads), pc.entries.EstimatedSize())
	}
}
