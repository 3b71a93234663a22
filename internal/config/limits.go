package config

import (
	"fmt"
	"strings"
	"time"

	"forum/internal/forum"
)

// limitSettings name the variable of each rate limit. A value is one or more
// COUNT/WINDOW terms separated by commas, WINDOW a whole number with s, m, h or d:
// FORUM_LIMIT_REPLIES=10/1m,120/1h is at most 10 replies in any minute and 120 in any
// hour (forum.ParseLimits). README's configuration table lists them with their defaults.
var limitSettings = []struct {
	env   string
	field func(*forum.Limits) *[]forum.Limit
}{
	{"FORUM_LIMIT_REPLIES", func(l *forum.Limits) *[]forum.Limit { return &l.Replies }},
	{"FORUM_LIMIT_REPLIES_NEW", func(l *forum.Limits) *[]forum.Limit { return &l.RepliesNew }},
	{"FORUM_LIMIT_THREADS", func(l *forum.Limits) *[]forum.Limit { return &l.Threads }},
	{"FORUM_LIMIT_THREADS_NEW", func(l *forum.Limits) *[]forum.Limit { return &l.ThreadsNew }},
	{"FORUM_LIMIT_EDITS", func(l *forum.Limits) *[]forum.Limit { return &l.Edits }},
	{"FORUM_LIMIT_FLAGS", func(l *forum.Limits) *[]forum.Limit { return &l.Flags }},
	{"FORUM_LIMIT_INSIGHTFUL", func(l *forum.Limits) *[]forum.Limit { return &l.Insightful }},
	{"FORUM_LIMIT_REGISTRATIONS", func(l *forum.Limits) *[]forum.Limit { return &l.Registrations }},
	{"FORUM_LIMIT_LOGIN_PAIR", func(l *forum.Limits) *[]forum.Limit { return &l.LoginPair }},
	{"FORUM_LIMIT_LOGIN_ADDRESS", func(l *forum.Limits) *[]forum.Limit { return &l.LoginAddress }},
	{"FORUM_LIMIT_PASSWORD_RESETS", func(l *forum.Limits) *[]forum.Limit { return &l.PasswordResets }},
	{"FORUM_LIMIT_PASSWORD_RESETS_ADDRESS", func(l *forum.Limits) *[]forum.Limit { return &l.PasswordResetsAddress }},
	{"FORUM_LIMIT_EMAIL_CONFIRMATIONS", func(l *forum.Limits) *[]forum.Limit { return &l.EmailConfirmations }},
	{"FORUM_LIMIT_PREVIEWS", func(l *forum.Limits) *[]forum.Limit { return &l.Previews }},
}

// loadLimits reads the rate limits over forum.DefaultLimits. The account's login pace is
// FORUM_LIMIT_LOGIN_ACCOUNT (one term: failures that go at once, and the quiet window
// that forgets them) with FORUM_LOGIN_DELAY_MAX, the longest wait it imposes.
func loadLimits(getenv func(string) string) (forum.Limits, error) {
	l := forum.DefaultLimits()
	for _, s := range limitSettings {
		raw := strings.TrimSpace(getenv(s.env))
		if raw == "" {
			continue
		}
		field := s.field(&l)
		parsed, err := forum.ParseLimits((*field)[0].Name, raw)
		if err != nil {
			return l, fmt.Errorf("%s: %w", s.env, err)
		}
		*field = parsed
	}
	if raw := strings.TrimSpace(getenv("FORUM_LIMIT_LOGIN_ACCOUNT")); raw != "" {
		parsed, err := forum.ParseLimits(l.LoginAccount.Name, raw)
		if err == nil && len(parsed) != 1 {
			err = fmt.Errorf("one COUNT/WINDOW term, e.g. 10/15m")
		}
		if err != nil {
			return l, fmt.Errorf("FORUM_LIMIT_LOGIN_ACCOUNT: %w", err)
		}
		l.LoginAccount.Limit = parsed[0]
	}
	var err error
	l.LoginAccount.MaxDelay, err = durationSetting("FORUM_LOGIN_DELAY_MAX", getenv("FORUM_LOGIN_DELAY_MAX"),
		l.LoginAccount.MaxDelay, time.Second, 5*time.Minute)
	return l, err
}
