package soak

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Delivery is one message the soak's SMTP sink (internal/soak/mailsink) accepted: one
// JSON line of its log, written before the sink answers that it took the message.
type Delivery struct {
	At        time.Time `json:"at"`
	MessageID string    `json:"message_id"`
	To        []string  `json:"to"`
	Subject   string    `json:"subject"`
	ResetLink string    `json:"reset_link,omitempty"` // the /reset/ link in the text, if any
}

// ResetLinkRE finds a password-reset link in a mail's text; group 1 is the token.
var ResetLinkRE = regexp.MustCompile(`https?://[^\s<>"]+/reset/([A-Za-z0-9_-]+)`)

// ReadDeliveries parses the sink's log.
func ReadDeliveries(r io.Reader) ([]Delivery, error) {
	var out []Delivery
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var d Delivery
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			return nil, fmt.Errorf("mail log line %d: %w", n, err)
		}
		out = append(out, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read mail log: %w", err)
	}
	return out, nil
}

// outboxIDRE reads the outbox row id from a Message-ID: the sender writes
// <outbox.ID.CREATED@host> (internal/mail/sender.go).
var outboxIDRE = regexp.MustCompile(`^<?outbox\.([0-9]+)\.`)

// OutboxID is the mail_outbox id a Message-ID names, or 0.
func OutboxID(messageID string) int64 {
	m := outboxIDRE.FindStringSubmatch(messageID)
	if m == nil {
		return 0
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// OutboxRow is what the check reads of one mail_outbox row.
type OutboxRow struct {
	ID        int64
	UserID    int64  // 0: the account was deleted
	Username  string // of UserID
	Kind      string
	To        string
	CreatedAt time.Time
	Sent      bool
	SentAt    time.Time // zero unless Sent
	Failed    bool
	Attempts  int
	LastError string
}

// MailCheck is the outbox's account of a run: what was queued, what the sink got, and
// how the acknowledged password-reset requests map onto the queue.
type MailCheck struct {
	Queued   int            // rows
	ByKind   map[string]int // rows by kind
	Sent     int            // rows marked sent
	Failed   []OutboxRow    // rows marked failed
	Unsent   []OutboxRow    // rows neither sent nor failed
	Retried  int            // rows sent after more than one attempt
	Received int            // messages the sink accepted

	Delivered  int             // rows whose mail arrived exactly once
	Lost       []OutboxRow     // rows whose mail never arrived
	Doubled    map[int64]int   // row → messages received for it, when more than one
	Stray      []Delivery      // messages that name no row
	Misaddress []Delivery      // messages whose recipient is not their row's
	BadLink    []Delivery      // reset mails whose link is not a reset token of the row's account
	Delays     []time.Duration // queued → first received, per delivered row, ascending

	ForgotAcked   int      // POST /forgot answered 200 "on its way"
	ForgotWritten int      // acknowledged requests with their row
	ForgotLost    []Forgot // acknowledged requests with no row in their time
	ForgotDoubled []Forgot // acknowledged requests with more than one row in their time
	ForgotUnacked int      // reset rows written by a request that got no acknowledgement
	ForgotOutside int      // reset rows in no request's time (the server finished after the client gave up)
}

// ResetKind is the outbox kind of a password-reset mail.
const ResetKind = "password_reset"

// timeSlack widens a request's time when matching its row: created_at is PostgreSQL's
// clock (the transaction's start, to the microsecond), the request's ends the driver's.
const timeSlack = 5 * time.Millisecond

// CheckMail compares the outbox with what the sink received and with the driver's
// password-reset requests. resetTokens maps the hex SHA-256 of every reset token written
// to its account (email_tokens); hash is the digest a link's token is stored as.
func CheckMail(rows []OutboxRow, got []Delivery, forgots []Forgot, resetTokens map[string]int64, hash func(string) string) MailCheck {
	c := MailCheck{Queued: len(rows), ByKind: map[string]int{}, Received: len(got), Doubled: map[int64]int{}}
	byID := make(map[int64]OutboxRow, len(rows))
	for _, r := range rows {
		byID[r.ID] = r
		c.ByKind[r.Kind]++
		switch {
		case r.Sent:
			c.Sent++
			if r.Attempts > 1 {
				c.Retried++
			}
		case r.Failed:
			c.Failed = append(c.Failed, r)
		default:
			c.Unsent = append(c.Unsent, r)
		}
	}

	first := map[int64]time.Time{}
	count := map[int64]int{}
	for _, d := range got {
		id := OutboxID(d.MessageID)
		r, ok := byID[id]
		if !ok {
			c.Stray = append(c.Stray, d)
			continue
		}
		count[id]++
		if at, seen := first[id]; !seen || d.At.Before(at) {
			first[id] = d.At
		}
		if len(d.To) != 1 || d.To[0] != r.To {
			c.Misaddress = append(c.Misaddress, d)
		}
		if r.Kind == ResetKind {
			m := ResetLinkRE.FindStringSubmatch(d.ResetLink)
			if m == nil || resetTokens[hash(m[1])] != r.UserID || r.UserID == 0 {
				c.BadLink = append(c.BadLink, d)
			}
		}
	}
	for _, r := range rows {
		n := count[r.ID]
		switch {
		case n == 0:
			c.Lost = append(c.Lost, r)
		case n > 1:
			c.Doubled[r.ID] = n
		default:
			c.Delivered++
		}
		if n > 0 {
			c.Delays = append(c.Delays, first[r.ID].Sub(r.CreatedAt))
		}
	}
	slices.Sort(c.Delays)

	// Each account's requests are sent one after another, so their times do not overlap
	// and a reset row belongs to the request whose time holds its created_at.
	resets := map[string][]time.Time{}
	for _, r := range rows {
		if r.Kind == ResetKind {
			resets[r.Username] = append(resets[r.Username], r.CreatedAt)
		}
	}
	matched := 0
	for _, f := range forgots {
		n := 0
		for _, at := range resets[f.Account] {
			if !at.Before(f.Sent.Add(-timeSlack)) && !at.After(f.Received.Add(timeSlack)) {
				n++
			}
		}
		matched += n
		switch {
		case !f.Acked:
			c.ForgotUnacked += n
			continue
		case n == 0:
			c.ForgotLost = append(c.ForgotLost, f)
		case n > 1:
			c.ForgotDoubled = append(c.ForgotDoubled, f)
		default:
			c.ForgotWritten++
		}
		c.ForgotAcked++
	}
	c.ForgotOutside = c.ByKind[ResetKind] - matched
	return c
}

// MarkedAcross counts the rows whose mail the sink had before a fault began but whose
// "sent" mark was written after it began — for mail the sink held until the postmaster
// was dead, only once the database was back: the sender's at-least-once window
// (internal/mail/sender.go), survived without a duplicate if CheckMail finds none.
// (A fault's End is when the schedule saw the database again, later than PostgreSQL
// accepted the first connection, so it does not bound the mark.)
func MarkedAcross(rows []OutboxRow, got []Delivery, faults []Window) int {
	first := map[int64]time.Time{}
	for _, d := range got {
		id := OutboxID(d.MessageID)
		if at, ok := first[id]; !ok || d.At.Before(at) {
			first[id] = d.At
		}
	}
	n := 0
	for _, r := range rows {
		at, ok := first[r.ID]
		if !ok || !r.Sent {
			continue
		}
		for _, w := range faults {
			if at.Before(w.Start) && r.SentAt.After(w.Start) {
				n++
				break
			}
		}
	}
	return n
}

// Bad reports whether the run lost or doubled a mail, or sent a wrong one.
func (c MailCheck) Bad() bool {
	return len(c.Failed) > 0 || len(c.Unsent) > 0 || len(c.Lost) > 0 || len(c.Doubled) > 0 ||
		len(c.Stray) > 0 || len(c.Misaddress) > 0 || len(c.BadLink) > 0 ||
		len(c.ForgotLost) > 0 || len(c.ForgotDoubled) > 0
}

// Delay is the p-th quantile (0–1) of the delays, or 0 without any.
func (c MailCheck) Delay(p float64) time.Duration {
	if len(c.Delays) == 0 {
		return 0
	}
	i := int(p * float64(len(c.Delays)-1))
	return c.Delays[min(max(i, 0), len(c.Delays)-1)]
}

// kinds lists the row counts by kind, most first.
func (c MailCheck) kinds() string {
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range c.ByKind {
		all = append(all, kv{k, n})
	}
	slices.SortFunc(all, func(a, b kv) int { return cmp.Or(b.n-a.n, cmp.Compare(a.k, b.k)) })
	s := ""
	for i, x := range all {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d %s", x.n, x.k)
	}
	return s
}
