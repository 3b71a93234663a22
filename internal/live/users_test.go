package live_test

import (
	"testing"
	"time"

	"forum/internal/live"
	"forum/internal/store"
)

// TestHubWakesUsers: a NOTIFY on the user channel wakes exactly the people it names, or
// every person for {"all":true}, and never a thread that happens to share the id; a
// thread's NOTIFY wakes no person.
func TestHubWakesUsers(t *testing.T) {
	db, hub := startHub(t)

	sub := func(user bool, id int64) <-chan struct{} {
		t.Helper()
		subscribe := hub.Subscribe
		if user {
			subscribe = hub.SubscribeUser
		}
		ch, leave, err := subscribe(id)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(leave)
		return ch
	}
	alice, bob, thread := sub(true, 1), sub(true, 2), sub(false, 1)
	marker := sub(true, 99) // woken last: everything notified before it has been delivered

	notify := func(t *testing.T, channel, payload string) {
		t.Helper()
		if _, err := db.Exec(`SELECT pg_notify($1, $2)`, channel, payload); err != nil {
			t.Fatal(err)
		}
	}
	woken := func(t *testing.T, ch <-chan struct{}) bool {
		select {
		case _, ok := <-ch:
			if !ok {
				t.Fatal("channel closed")
			}
			return true
		default:
			return false
		}
	}
	// expect sends the notification and then a marker, waits for the marker (the hub
	// delivers in order), and then checks who was woken.
	expect := func(t *testing.T, channel, payload string, wantAlice, wantBob, wantThread bool) {
		t.Helper()
		notify(t, channel, payload)
		notify(t, store.UserChannel, `{"users":[99]}`)
		select {
		case <-marker:
		case <-time.After(2 * time.Second):
			t.Fatal("the marker's notification did not arrive")
		}
		// A wanted wake is awaited (on a loaded machine it may trail the marker); an
		// unwanted one must not have come by the time the marker did.
		await := func(ch <-chan struct{}, want bool) bool {
			if !want {
				return woken(t, ch)
			}
			select {
			case <-ch:
				return true
			case <-time.After(2 * time.Second):
				return false
			}
		}
		if got := [3]bool{await(alice, wantAlice), await(bob, wantBob), await(thread, wantThread)}; got != [3]bool{wantAlice, wantBob, wantThread} {
			t.Fatalf("%s %s woke [alice bob thread] = %v, want %v", channel, payload, got,
				[3]bool{wantAlice, wantBob, wantThread})
		}
	}
	t.Run("NamedUsersOnly", func(t *testing.T) {
		expect(t, store.UserChannel, `{"users":[1,3]}`, true, false, false)
	})
	t.Run("AllWakesEveryUser", func(t *testing.T) {
		expect(t, store.UserChannel, `{"all":true}`, true, true, false)
	})
	t.Run("ThreadEventsWakeNoUser", func(t *testing.T) {
		expect(t, live.Channel, `{"thread_id":1}`, false, false, true)
	})
	t.Run("BadPayloadIsIgnored", func(t *testing.T) {
		expect(t, store.UserChannel, `not json`, false, false, false)
	})
}
