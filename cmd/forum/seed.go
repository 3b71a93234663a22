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

func rerenderCmd(ctx context.Context, st *store.Store) error {
	n, err := st.Rerender(ctx, markup.New().RenderStored)
	if err != nil {
		return err
	}
	slog.Info("rerendered", "posts_changed", n)
	return nil
}
