package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"time"

	"golang.org/x/term"

	"forum/internal/config"
	"forum/internal/markup"
	"forum/internal/password"
	"forum/internal/seed"
	"forum/internal/store"
	"forum/internal/synth"
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

// synthFlags are `forum seed --synthetic`'s.
type synthFlags struct {
	on    bool
	posts int
	seed  uint64
}

func (f *synthFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&f.on, "synthetic", false, "fill the database with a synthetic forum")
	fs.IntVar(&f.posts, "posts", 100_000, "posts to create, opening posts included")
	fs.Uint64Var(&f.seed, "seed", 1, "the same seed makes the same forum")
}

// synthCmd migrates, seeds the categories and opening threads, and loads a synthetic
// forum on top, with a progress bar on stderr.
func synthCmd(ctx context.Context, cfg *config.Config, st *store.Store, f synthFlags) error {
	if err := migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	md := markup.New()
	if _, err := seed.Run(ctx, st, md); err != nil {
		return err
	}
	hasher, err := password.New(password.Default(), password.Limits{})
	if err != nil {
		return err
	}
	hash, err := hasher.Hash(ctx, synth.Password)
	if err != nil {
		return err
	}
	stats, err := synth.Load(ctx, st.DB().DB, md, synth.Options{Posts: f.posts, Seed: f.seed, PasswordHash: hash,
		Progress: os.Stderr, ProgressEvery: progressEvery(os.Stderr)})
	if err != nil {
		return err
	}
	slog.Info("synthetic forum loaded", "users", stats.Users, "threads", stats.Threads, "posts", stats.Posts,
		"seconds", stats.Elapsed.Seconds(), "posts_per_second", float64(stats.Posts)/stats.Elapsed.Seconds())
	return nil
}

// progressEvery redraws the bar often on a terminal and every few seconds into a file.
func progressEvery(f *os.File) time.Duration {
	if term.IsTerminal(int(f.Fd())) {
		return 200 * time.Millisecond
	}
	return 5 * time.Second
}
