package forum

import (
	"strings"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		name, user, pw string
		says           string // part of the refusal; "" = accepted
	}{
		{"Passphrase", "alice", "a long enough passphrase", ""},
		{"WordsAndSeparators", "alice", "marathon-runner-7", ""},
		{"PlaceNames", "alice", "pyongyang marathon", ""},
		{"LongRandom", "alice", "xK9#mQ2$vL7pZ4wR8nT3" + strings.Repeat("q7X!", 59), ""},
		{"UsernameInsideAWord", "ann", "bannister river cloud", ""},

		{"TooShort", "alice", "xK9#mQ2$vL7", "at least 12 characters"},
		{"TooLong", "alice", strings.Repeat("xK9#", 65), "at most 256 characters"},
		{"Digits", "alice", "1234567890ab", "too easy to guess"},
		{"CommonPassword", "alice", "1234567890123", "a commonly used password"},
		{"Spaces", "alice", strings.Repeat(" ", 12), "repeated characters"},
		{"NUL", "alice", "a long enough\x00passphrase", "control characters"},
		{"Newline", "alice", "a long enough\npassphrase", "control characters"},
		{"InvalidUTF8", "alice", "a long enough \xff passphrase", "control characters"},
		{"CommonWordWithNumbers", "alice", "Marathon2025", "a commonly used password and numbers"},
		{"Keyboard", "alice", "qwertyuiopasdf", "too easy to guess"},
		{"UsernameAndYear", "alice", "alice2025alice", "your username and numbers"},
		{"UsernameRepeated", "alice", "alicealiceALICE", "your username"},
		{"Username", "alice12345678", "alice12345678", "must not be your username"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidatePassword(tc.user, tc.pw)
			switch {
			case tc.says == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.says != "" && err == nil:
				t.Fatalf("accepted; want a refusal saying %q", tc.says)
			case tc.says != "" && (ErrorCode(err) != EInvalid || !strings.Contains(ErrorMessage(err), tc.says)):
				t.Fatalf("got %v; want an %s error saying %q", err, EInvalid, tc.says)
			}
		})
	}
}

// TestWeakPasswordMessage pins the whole sentence once: what is wrong, then what to do.
func TestWeakPasswordMessage(t *testing.T) {
	got := ErrorMessage(ValidatePassword("bob", "sunshine2025"))
	want := "This password is too easy to guess: it is built from a commonly used password and numbers. " +
		"Try a few unrelated words together."
	if got != want {
		t.Fatalf("message\n got %q\nwant %q", got, want)
	}
}
