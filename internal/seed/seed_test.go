package seed_test

import (
	"strings"
	"testing"

	"forum/internal/markup"
	"forum/internal/seed"
	"forum/internal/store"
	"forum/internal/testdb"
)

func TestSeedIsIdempotent(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	st := store.New(db.DB)
	md := markup.New()
	first, err := seed.Run(t.Context(), st, md)
	if err != nil {
		t.Fatal(err)
	}
	second, err := seed.Run(t.Context(), st, md)
	if err != nil {
		t.Fatal(err)
	}
	all := len(seed.Threads) + len(seed.Translations)
	if first != all || second != 0 {
		t.Fatalf("created %d then %d threads; want %d then 0", first, second, all)
	}
	var threads, cats int
	if err := db.Get(&threads, `SELECT count(*) FROM threads`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&cats, `SELECT count(*) FROM categories`); err != nil {
		t.Fatal(err)
	}
	if threads != all || cats != len(seed.Categories) {
		t.Fatalf("%d threads, %d categories after seeding twice", threads, cats)
	}
}

func TestSeedContentCoversTheCentralQuestion(t *testing.T) {
	found := false
	for _, th := range seed.Threads {
		if strings.Contains(th.Title, "help or hinder") {
			found = true
		}
		if n := len([]rune(th.Title)); n < 5 || n > 200 {
			t.Errorf("title %q has %d characters", th.Title, n)
		}
	}
	if !found {
		t.Fatal("no seeded thread asks whether controlled openings help or hinder")
	}
}
