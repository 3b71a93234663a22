package soak

import (
	"strings"
	"testing"
	"time"
)

// The soak's mail check must call a run good only when every queued mail arrived once,
// to its address, with its own link, and every acknowledged reset request queued one.
func TestCheckMail(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	hash := func(tok string) string { return "h-" + tok }
	tokens := map[string]int64{"h-tokA": 7, "h-tokB": 7}
	rows := []OutboxRow{
		{ID: 1, UserID: 7, Username: "ann", Kind: ResetKind, To: "ann@example.org", CreatedAt: at(1010), Sent: true, Attempts: 1},
		{ID: 2, UserID: 7, Username: "ann", Kind: ResetKind, To: "ann@example.org", CreatedAt: at(5010), Sent: true, Attempts: 2},
		{ID: 3, UserID: 8, Username: "bob", Kind: "notification", To: "bob@example.org", CreatedAt: at(6000), Sent: true, Attempts: 1},
	}
	deliveries := func() []Delivery {
		return []Delivery{
			{At: at(1500), MessageID: "<outbox.1.abc@127.0.0.1>", To: []string{"ann@example.org"}, ResetLink: "http://127.0.0.1:1/reset/tokA"},
			{At: at(30000), MessageID: "<outbox.2.abd@127.0.0.1>", To: []string{"ann@example.org"}, ResetLink: "http://127.0.0.1:2/reset/tokB"},
			{At: at(6200), MessageID: "<outbox.3.abe@127.0.0.1>", To: []string{"bob@example.org"}},
		}
	}
	forgots := func() []Forgot {
		return []Forgot{
			{Account: "ann", Sent: at(1000), Received: at(1020), Status: 200, Acked: true},
			{Account: "ann", Sent: at(3000), Received: at(3020), Status: 503},
			{Account: "ann", Sent: at(5000), Received: at(5020), Status: 200, Acked: true},
		}
	}

	t.Run("AllDeliveredOnce", func(t *testing.T) {
		c := CheckMail(rows, deliveries(), forgots(), tokens, hash)
		if c.Bad() {
			t.Fatalf("a clean run is bad: %+v", c)
		}
		if c.Delivered != 3 || c.ForgotAcked != 2 || c.ForgotWritten != 2 || c.Retried != 1 {
			t.Errorf("delivered %d, acked %d, written %d, retried %d; want 3, 2, 2, 1", c.Delivered, c.ForgotAcked, c.ForgotWritten, c.Retried)
		}
		if c.Delay(1) != 25*time.Second-10*time.Millisecond {
			t.Errorf("max delay %s, want 24.99s", c.Delay(1))
		}
	})
	t.Run("LostMail", func(t *testing.T) {
		c := CheckMail(rows, deliveries()[1:], forgots(), tokens, hash)
		if !c.Bad() || len(c.Lost) != 1 || c.Lost[0].ID != 1 {
			t.Errorf("mail 1 never arrived, but lost = %+v", c.Lost)
		}
	})
	t.Run("DoubledMail", func(t *testing.T) {
		d := deliveries()
		c := CheckMail(rows, append(d, d[2]), forgots(), tokens, hash)
		if !c.Bad() || c.Doubled[3] != 2 {
			t.Errorf("mail 3 arrived twice, but doubled = %v", c.Doubled)
		}
	})
	t.Run("AcknowledgedResetWithoutMail", func(t *testing.T) {
		c := CheckMail(rows[1:], deliveries()[1:], forgots(), tokens, hash)
		if !c.Bad() || len(c.ForgotLost) != 1 || !c.ForgotLost[0].Sent.Equal(at(1000)) {
			t.Errorf("the request at 1s was acknowledged and queued nothing, but lost = %+v", c.ForgotLost)
		}
	})
	t.Run("UnacknowledgedRequestMayWrite", func(t *testing.T) {
		r := append(append([]OutboxRow(nil), rows...),
			OutboxRow{ID: 4, UserID: 7, Username: "ann", Kind: ResetKind, To: "ann@example.org", CreatedAt: at(3010), Sent: true, Attempts: 1})
		d := append(deliveries(), Delivery{At: at(3100), MessageID: "<outbox.4.x@h>", To: []string{"ann@example.org"}, ResetLink: "http://h/reset/tokA"})
		c := CheckMail(r, d, forgots(), tokens, hash)
		if c.Bad() || c.ForgotUnacked != 1 {
			t.Errorf("bad %v, unacknowledged with a row %d; want false, 1", c.Bad(), c.ForgotUnacked)
		}
	})
	t.Run("WrongLinkOrAddressOrStray", func(t *testing.T) {
		d := deliveries()
		d[0].ResetLink = "http://127.0.0.1:1/reset/forged"
		d[2].To = []string{"ann@example.org"}
		d = append(d, Delivery{MessageID: "<someone.else@example.org>"})
		c := CheckMail(rows, d, forgots(), tokens, hash)
		if len(c.BadLink) != 1 || len(c.Misaddress) != 1 || len(c.Stray) != 1 || !c.Bad() {
			t.Errorf("bad links %d, misaddressed %d, stray %d; want 1 each", len(c.BadLink), len(c.Misaddress), len(c.Stray))
		}
	})
	t.Run("FailedOrUnsentRow", func(t *testing.T) {
		r := append([]OutboxRow(nil), rows...)
		r[2].Sent, r[2].Failed = false, true
		c := CheckMail(r, deliveries(), forgots(), tokens, hash)
		if len(c.Failed) != 1 || !c.Bad() {
			t.Errorf("failed = %+v, want mail 3", c.Failed)
		}
	})
}

func TestReadDeliveries(t *testing.T) {
	log := `{"at":"2025-04-06T08:00:00.5Z","message_id":"<outbox.42.k1@127.0.0.1>","to":["a@example.org"],"subject":"Set a new password"}` + "\n\n"
	ds, err := ReadDeliveries(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || OutboxID(ds[0].MessageID) != 42 || ds[0].To[0] != "a@example.org" {
		t.Errorf("deliveries = %+v, want one for outbox row 42", ds)
	}
	if OutboxID("<42@example.org>") != 0 {
		t.Error("a Message-ID the sender did not make names a row")
	}
	if _, err := ReadDeliveries(strings.NewReader("not json\n")); err == nil {
		t.Error("a broken line was read")
	}
}

// A mail the sink had before the database went away and that was marked sent only after
// it came back is the at-least-once window the soak means to hit; one marked before the
// fault, or received after it, is not.
func TestMarkedAcross(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	faults := []Window{{Kind: "kill", Start: at(90), End: at(92)}}
	rows := []OutboxRow{
		{ID: 1, Sent: true, SentAt: at(91.8)}, // accepted at 89.5, marked once the database took connections
		{ID: 2, Sent: true, SentAt: at(89.1)}, // marked before the fault
		{ID: 3, Sent: true, SentAt: at(93)},   // claimed and sent after the return
		{ID: 4},                               // never sent
	}
	got := []Delivery{
		{At: at(89.5), MessageID: "<outbox.1.a@h>"},
		{At: at(89), MessageID: "<outbox.2.a@h>"},
		{At: at(92.9), MessageID: "<outbox.3.a@h>"},
	}
	if n := MarkedAcross(rows, got, faults); n != 1 {
		t.Errorf("marked across the outage: %d, want 1 (mail 1)", n)
	}
}
