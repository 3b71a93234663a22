package main

import (
	"context"

	"forum/internal/store"
)

func seedCmd(ctx context.Context, st *store.Store) error { return nil }

func rerenderCmd(ctx context.Context, st *store.Store) error { return nil }
