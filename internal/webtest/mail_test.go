package webtest_test

import (
	"context"
	"testing"
	"time"

	"forum/internal/mailtest"
	"forum/internal/store"
	"forum/internal/testdb"
	"forum/internal/webtest"
)

// A test server with Options.Mail sends what its outbox holds to the test SMTP server.
func TestInstanceSendsMailToTheTestServer(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	smtp := mailtest.Start(t)
	inst := webtest.Start(t, db, webtest.Options{Mail: smtp})
	if err := inst.Store.EnqueueMail(context.Background(), store.OutMail{Kind: "test", To: "ada@example.org",
		Subject: "Hello", Text: "Read " + inst.URL + "/t/1\n", HTML: "<p>Read</p>"}); err != nil {
		t.Fatal(err)
	}
	got := smtp.Wait(t, 1, 10*time.Second)[0]
	if got.Subject != "Hello" || got.To[0] != "ada@example.org" || got.Text != "Read "+inst.URL+"/t/1\n" {
		t.Fatalf("received %q to %q: %q", got.Subject, got.To, got.Text)
	}
	if got.Header.Get("From") != `"Forum" <forum@example.org>` {
		t.Fatalf("From %q", got.Header.Get("From"))
	}
}
