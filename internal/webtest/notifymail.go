package webtest

import (
	"context"
	"testing"

	"forum/internal/config"
	"forum/internal/mail"
	"forum/internal/store"
	"forum/internal/web"
	webfiles "forum/web"
)

// startNotifier runs the notification mail job as `forum serve` does, with cfg's batch
// interval (a test's Options.Config sets it short) and the sender's poll, until t ends.
func startNotifier(t testing.TB, cfg *config.Config, st *store.Store) {
	t.Helper()
	composer, err := mail.NewComposer(webfiles.FS, web.SiteName, cfg.BaseURL)
	if err != nil {
		t.Fatal(err)
	}
	n := mail.NewNotifier(st, composer, mail.NotifierOptions{SessionKey: cfg.SessionKey, Poll: cfg.Mail.Poll, Batch: cfg.MailBatch, Lang: cfg.DefaultLang})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		n.Run(ctx)
	}()
	t.Cleanup(func() { // before the store and the database, set up earlier, go away
		cancel()
		<-done
	})
}
