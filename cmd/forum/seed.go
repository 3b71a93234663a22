package main

import (
	"context"
	"log/slog"

	"forum/internal/markup"
	"forum/internal/seed"
	"forum/internal/store"
)

func seedCmd(ctx context.Context, st *store.Store) error {
	n, err := seed.Run(ctx, st, markup.New())
	if err != nil {
		return err
	}
	slog.Info("seeded", "threads_created", n)
	return nil
}

// rerenderCmd renders every post again from its source, with its @mentions of people who
// exist now linked (as they were when it was written, and for names registered since).
func rerenderCmd(ctx context.Context, st *store.Store) error {
	md := markup.New()
	n, err := st.Rerender(ctx, func(src string) (string, error) {
		known, err := st.KnownUsernames(ctx, md.MentionCandidates(src, markup.MaxMentionLinks))
		if err != nil {
			return "", err
		}
		return md.RenderStoredMentions(src, func(name string) bool { return known[name] })
	})
	if err != nil {
		return err
	}
	slog.Info("rerendered", "posts_changed", n)
	return nil
}
