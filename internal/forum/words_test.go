package forum

import (
	"errors"
	"testing"
)

// A rule's error names its catalog message and data and keeps its English message for
// logs; the layers that show it word it (internal/web errtext.go, internal/mail).
func TestErrorsNameTheirMessages(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		key  string
		data map[string]any
		msg  string
	}{
		{"ShortPassword", ValidatePassword("minsu", "short"), "error.password_short", map[string]any{"Min": MinPasswordLen}, "Passwords need at least 12 characters."},
		{"Locked", ErrThreadLocked, "error.thread_locked", nil, ErrThreadLocked.Message},
		{"NameTaken", NameTaken("minsu"), "error.name_taken", map[string]any{"Name": "minsu"}, `The username "minsu" is taken. Please choose another.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *Error
			if !errors.As(tc.err, &e) {
				t.Fatalf("%v is not a *forum.Error", tc.err)
			}
			if e.Key != tc.key || e.Message != tc.msg || len(e.Data) != len(tc.data) {
				t.Fatalf("key %q data %v message %q; want %q %v %q", e.Key, e.Data, e.Message, tc.key, tc.data, tc.msg)
			}
			for k, v := range tc.data {
				if e.Data[k] != v {
					t.Errorf("data %s = %v, want %v", k, e.Data[k], v)
				}
			}
		})
	}
	// A rate limit's refusal names what was counted in its own message, the wait as data.
	e := RateLimited("x", 0)
	if e.Key != "" {
		t.Errorf("RateLimited alone names %q", e.Key)
	}
	var rl *Error
	errors.As(rateLimitKey(RateLimited("Too many replies in a short time.", 90e9), "replies"), &rl)
	if rl.Key != "error.too_many.replies" || rl.Data["Wait"] != rl.RetryAfter {
		t.Errorf("rate limit: %q %v", rl.Key, rl.Data)
	}
}
