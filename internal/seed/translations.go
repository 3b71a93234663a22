package seed

import (
	"context"
	"errors"
	"fmt"

	"forum/internal/forum"
	"forum/internal/markup"
	"forum/internal/store"
)

// translate seeds the Translations, each in its original's category, and links each to
// its original both ways (a relation the thread pages show, not text in the posts). A
// thread is found by its title as in Run, so running it again creates nothing; a forum
// seeded before translations existed gets them and their links.
func translate(ctx context.Context, st *store.Store, md *markup.Renderer, teamID int64, cats map[string]int) (created int, err error) {
	originals := map[string]Thread{}
	for _, t := range Threads {
		originals[t.Title] = t
	}
	for _, tr := range Translations {
		orig, ok := originals[tr.Of]
		if !ok {
			return created, fmt.Errorf("seed: translation %q of unknown thread %q", tr.Title, tr.Of)
		}
		origID, err := st.ThreadIDByTitle(ctx, teamID, orig.Title)
		if err != nil {
			return created, fmt.Errorf("seed: original of %q: %w", tr.Title, err)
		}
		id, err := st.ThreadIDByTitle(ctx, teamID, tr.Title)
		if errors.Is(err, forum.ErrNotFound) {
			html, err := md.Render(tr.Body)
			if err != nil {
				return created, err
			}
			th, err := st.CreateThread(ctx, store.NewThread{
				CategoryID: cats[orig.Category], AuthorID: teamID, Title: tr.Title,
				BodySource: tr.Body, BodyHTML: html, IdempotencyKey: "seed:" + tr.Title, Lang: tr.Lang,
			})
			if err != nil {
				return created, fmt.Errorf("seed thread %q: %w", tr.Title, err)
			}
			id = th.ID
			created++
		} else if err != nil {
			return created, err
		}
		if err := st.LinkTranslations(ctx, origID, id); err != nil {
			return created, fmt.Errorf("seed: %w", err)
		}
	}
	return created, nil
}
