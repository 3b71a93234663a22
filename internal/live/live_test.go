package live_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/lib/pq"

	"forum/internal/live"
	"forum/internal/testdb"
)

// startHub runs a hub on a fresh test database until the test ends.
func startHub(t *testing.T) (*testdb.DB, *live.Hub) {
	t.Helper()
	db := testdb.New(t)
	hub, err := live.New(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go hub.Run(ctx)
	return db, hub
}

// TestHubRecoversAfterLosingItsConnection: when the LISTEN connection is cut, every
// subscriber's channel closes (its stream ends and the reader reconnects), subscribing
// fails until the connection is back, and then notifications flow again.
func TestHubRecoversAfterLosingItsConnection(t *testing.T) {
	db, hub := startHub(t)

	notify := func(threadID string) {
		t.Helper()
		if _, err := db.Exec(`SELECT pg_notify($1, $2)`, live.Channel, `{"thread_id": `+threadID+`}`); err != nil {
			t.Fatal(err)
		}
	}
	wake, leave, err := hub.Subscribe(7)
	if err != nil {
		t.Fatal(err)
	}
	defer leave()
	userWake, leaveUser, err := hub.SubscribeUser(7)
	if err != nil {
		t.Fatal(err)
	}
	defer leaveUser()
	notify("7")
	select {
	case <-wake:
	case <-time.After(2 * time.Second):
		t.Fatal("no wake-up for a notification while connected")
	}

	var name string
	if err := db.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	// A database cannot close itself to connections: the admin connection is on another.
	admin, err := sql.Open("postgres", testdb.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	allow := func(on bool) {
		t.Helper()
		if _, err := admin.Exec(`ALTER DATABASE ` + pq.QuoteIdentifier(name) + ` ALLOW_CONNECTIONS ` + strconv.FormatBool(on)); err != nil {
			t.Fatal(err)
		}
	}
	// Closed to new connections (a superuser's too), so the listener stays down until
	// reopened; then its connection is cut.
	allow(false)
	t.Cleanup(func() { allow(true) })
	if _, err := db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'`); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-wake:
		if ok {
			t.Fatal("a wake-up instead of the channel closing")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the subscriber's channel stayed open after the connection was lost")
	}
	if _, ok := <-userWake; ok {
		t.Fatal("a person's channel stayed open after the connection was lost")
	}
	if _, _, err := hub.Subscribe(7); !errors.Is(err, live.ErrDown) {
		t.Fatalf("Subscribe while down: %v, want ErrDown", err)
	}
	if _, _, err := hub.SubscribeUser(7); !errors.Is(err, live.ErrDown) {
		t.Fatalf("SubscribeUser while down: %v, want ErrDown", err)
	}

	allow(true)
	deadline := time.Now().Add(15 * time.Second)
	for {
		wake, leave, err = hub.Subscribe(7)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub did not reconnect: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer leave()
	// Twice: the hub wakes everyone once right after reconnecting (notifications may
	// have been lost); the second wake-up can only come from LISTEN working again.
	for range 2 {
		notify("7")
		select {
		case _, ok := <-wake:
			if !ok {
				t.Fatal("channel closed after reconnecting")
			}
		case <-time.After(2 * time.Second):
			t.Fatal("no wake-up for a notification after reconnecting")
		}
	}
}
