package forum

import (
	"strconv"
	"time"
)

// The forum's rate limits. Every write a person can repeat is counted in PostgreSQL
// (store.Take) against named limits, so every instance shares the counts; the rules here
// decide. What counts is an attempt: a well-formed request from someone allowed to make
// it, counted after the cheap checks (a signed-in, unsuspended writer; a body within
// bounds) and before the expensive work (Markdown rendering, password hashing, the
// write). A request refused for bad input does not count; one refused later (a thread
// locked meanwhile, a taken username) does, because it cost that work. The same form sent
// twice (a double click) counts twice, though it posts once.

// NewAccountAge is how long an account counts as new: new accounts write under stricter
// limits and their flags do not hide posts (TrustedFlagger).
const NewAccountAge = 24 * time.Hour

// NewAccount reports whether u is younger than NewAccountAge at now.
func NewAccount(u *User, now time.Time) bool { return now.Sub(u.CreatedAt) < NewAccountAge }

// Limits are the forum's rate limits, each an operator's setting (internal/config reads
// them; README lists them). Each []Limit holds one or more windows of the same limit.
type Limits struct {
	Replies    []Limit // replies per account
	RepliesNew []Limit // replies per account younger than NewAccountAge
	Threads    []Limit // new threads per account
	ThreadsNew []Limit // new threads per account younger than NewAccountAge
	Edits      []Limit // edits per account
	Flags      []Limit // flags per account
	Insightful []Limit // insightful marks added or taken back, per account

	Registrations []Limit // new accounts per client address
	LoginPair     []Limit // failed logins per (account, address)
	LoginAddress  []Limit // failed logins per address, whatever the account
	LoginAccount  Pace    // failed logins per account from any address: slowed, never locked

	PasswordResets        []Limit // reset requests per account
	PasswordResetsAddress []Limit // reset requests per address
	EmailConfirmations    []Limit // confirmation links asked for, per account

	Previews []Limit // drafts rendered by Preview, per account
}

// DefaultLimits are the limits the forum runs with unless configured otherwise: roomy for
// a person arguing a point, far below what a script does.
func DefaultLimits() Limits {
	l := func(name string, terms ...Limit) []Limit {
		for i := range terms {
			terms[i].Name = name
		}
		return terms
	}
	return Limits{
		Replies:    l("replies", Limit{Max: 10, Window: time.Minute}, Limit{Max: 120, Window: time.Hour}),
		RepliesNew: l("replies", Limit{Max: 3, Window: time.Minute}, Limit{Max: 40, Window: time.Hour}),
		Threads:    l("threads", Limit{Max: 3, Window: 10 * time.Minute}, Limit{Max: 20, Window: 24 * time.Hour}),
		ThreadsNew: l("threads", Limit{Max: 1, Window: 10 * time.Minute}, Limit{Max: 5, Window: 24 * time.Hour}),
		Edits:      l("edits", Limit{Max: 20, Window: 10 * time.Minute}),
		Flags:      l("flags", Limit{Max: 20, Window: time.Hour}),
		Insightful: l("insightful", Limit{Max: 60, Window: time.Hour}),

		Registrations: l("registrations", Limit{Max: 5, Window: time.Hour}),
		LoginPair:     l("login_pair", Limit{Max: 5, Window: 15 * time.Minute}),
		LoginAddress:  l("login_address", Limit{Max: 20, Window: 15 * time.Minute}),
		LoginAccount: Pace{Limit: Limit{Name: "login_account", Max: 10, Window: 15 * time.Minute},
			MaxDelay: 30 * time.Second},

		PasswordResets:        l("password_resets", Limit{Max: 3, Window: time.Hour}),
		PasswordResetsAddress: l("password_resets_address", Limit{Max: 10, Window: time.Hour}),
		EmailConfirmations:    l("email_confirmations", Limit{Max: 5, Window: time.Hour}, Limit{Max: 10, Window: 24 * time.Hour}),

		// A preview renders Markdown like a post but writes nothing: generous enough for
		// a live preview while someone types, a bound on a script that renders for free.
		Previews: l("previews", Limit{Max: 60, Window: time.Minute}),
	}
}

// Longest is the longest window of any limit: a counter untouched for that long has
// expired whatever it counted, so the store may forget it.
func (l Limits) Longest() time.Duration {
	longest := l.LoginAccount.Window
	for _, ls := range [][]Limit{l.Replies, l.RepliesNew, l.Threads, l.ThreadsNew, l.Edits, l.Flags,
		l.Registrations, l.LoginPair, l.LoginAddress, l.PasswordResets, l.PasswordResetsAddress, l.EmailConfirmations,
		l.Previews, l.Insightful} {
		for _, x := range ls {
			longest = max(longest, x.Window)
		}
	}
	return longest
}

// Attempt is one event to count: Limits[i] counts it under Keys[i]; What names it in
// the refusal ("Too many replies in a short time.").
type Attempt struct {
	What   string
	Limits []Limit
	Keys   []string
}

func attempt(what string, groups ...keyed) Attempt {
	a := Attempt{What: what}
	for _, g := range groups {
		for _, l := range g.limits {
			a.Limits = append(a.Limits, l)
			a.Keys = append(a.Keys, l.Key(g.id))
		}
	}
	return a
}

// keyed is a group of limits and the subject they count for.
type keyed struct {
	limits []Limit
	id     string
}

func userID(u *User) string { return "u" + strconv.FormatInt(u.ID, 10) }

// Counters are the attempt's keys with their windows, for store.Take.
func (a Attempt) Counters() []Counter {
	out := make([]Counter, len(a.Limits))
	for i, l := range a.Limits {
		out[i] = Counter{Key: a.Keys[i], Window: l.Window}
	}
	return out
}

// Check decides the attempt from its counts (store.Take's answer): nil, or ERateLimited
// saying when to try again.
func (a Attempt) Check(now time.Time, counts []Count) error {
	return CheckLimits(now, a.What, a.Limits, counts)
}

// Reply is u writing a reply: stricter while the account is new.
func (l Limits) Reply(u *User, now time.Time) Attempt {
	ls := l.Replies
	if NewAccount(u, now) {
		ls = l.RepliesNew
	}
	return attempt("replies", keyed{ls, userID(u)})
}

// Thread is u starting a thread: stricter while the account is new.
func (l Limits) Thread(u *User, now time.Time) Attempt {
	ls := l.Threads
	if NewAccount(u, now) {
		ls = l.ThreadsNew
	}
	return attempt("new threads", keyed{ls, userID(u)})
}

// Edit is u saving an edit.
func (l Limits) Edit(u *User) Attempt { return attempt("edits", keyed{l.Edits, userID(u)}) }

// Flag is u flagging a post.
func (l Limits) Flag(u *User) Attempt { return attempt("flags", keyed{l.Flags, userID(u)}) }

// MarkInsightful is u marking a post insightful or taking the mark back.
func (l Limits) MarkInsightful(u *User) Attempt {
	return attempt("insightful marks", keyed{l.Insightful, userID(u)})
}

// Preview is u asking for a draft to be rendered.
func (l Limits) Preview(u *User) Attempt { return attempt("previews", keyed{l.Previews, userID(u)}) }

// Registration is someone at addr creating an account.
func (l Limits) Registration(addr string) Attempt {
	return attempt("new accounts from your address", keyed{l.Registrations, addr})
}

// Login is a login attempt for username from addr, counted as a failure in advance (a
// right password gives the counts back): per (account, address) pair, so a stranger's
// failures elsewhere cannot lock a person out, and per address, so one address cannot
// try many accounts. The account itself is paced across all addresses by LoginAccount.
// A name that cannot be an account shares one placeholder, bounding the keys' size.
func (l Limits) Login(username, addr string) Attempt {
	return attempt("failed logins", keyed{l.LoginPair, loginName(username) + "@" + addr},
		keyed{l.LoginAddress, addr})
}

// LoginAccountKey is the key of username's failures from any address, for LoginAccount.
func (l Limits) LoginAccountKey(username string) string {
	return l.LoginAccount.Key(loginName(username))
}

// PasswordResetAddress is someone at addr asking for a password reset, whatever account
// they name. Its refusal (429) says nothing about any account.
func (l Limits) PasswordResetAddress(addr string) Attempt {
	return attempt("password reset requests from your address", keyed{l.PasswordResetsAddress, addr})
}

// PasswordResetAccount is a reset request naming the account called username (or "-"
// for a login that names none, so an unknown login costs the same work). Its refusal
// must look like success: the answer to a reset request never tells whether the
// account exists, so past this limit the request is answered as usual and no mail goes.
func (l Limits) PasswordResetAccount(username string) Attempt {
	return attempt("password reset requests for this account", keyed{l.PasswordResets, loginName(username)})
}

// EmailChange is u asking for a link to confirm an address: each sends a mail to an
// address u names, so it is bounded per account.
func (l Limits) EmailChange(u *User) Attempt {
	return attempt("requests to change your address", keyed{l.EmailConfirmations, userID(u)})
}

func loginName(username string) string {
	if ValidateUsername(username) != nil {
		return "-" // not a possible username: one key for all of them
	}
	return username
}

// Pace is a limit that slows down instead of refusing outright: Max events are free;
// after them each further event must wait after the previous one, one second for the
// first, doubling each time up to MaxDelay. The count starts again after Window without
// an event. Logins use it per account, so however many strangers guess a person's
// password, the right one is at most MaxDelay away.
type Pace struct {
	Limit
	MaxDelay time.Duration
}

// Delay is how long after the previous counted event the next may come, given hits
// counted so far in the run.
func (p Pace) Delay(hits int) time.Duration {
	over := hits - p.Max // 0 for the first event past the free ones
	if over < 0 {
		return 0
	}
	if over >= 30 { // 2^30 s is far past any cap; avoid overflowing the shift
		return p.MaxDelay
	}
	return min(time.Second<<over, p.MaxDelay)
}

// Next decides an event from the run counted so far (c.Hits events, the last at
// c.Start; this event not included): the run's count with this event, or ERateLimited
// with the short wait until it may come. A refused event is not counted, so refusals
// never push the wait further out.
func (p Pace) Next(now time.Time, c Count) (int, error) {
	switch {
	case c.Hits == 0 || !now.Before(c.Start.Add(p.Window)):
		return 1, nil // a quiet Window: a new run
	case c.Hits < p.Max:
		return c.Hits + 1, nil // free, however close to the last
	}
	if wait := c.Start.Add(p.Delay(c.Hits)).Sub(now); wait > 0 {
		return 0, RateLimited("Too many failed logins for this account.", wait).T("error.too_many.account_logins", "Wait", max(wait, time.Second))
	}
	return c.Hits + 1, nil
}
