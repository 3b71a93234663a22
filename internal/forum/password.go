package forum

import (
	"regexp"
	"strings"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// MinPasswordScore is the zxcvbn score (0–4) a new password needs. 3 is "safely
// unguessable": about 10^8 guesses or more, far beyond what the login throttle lets
// anyone try online, and slow against a stolen argon2id hash. 4 (10^10) would refuse
// many memorable passphrases ("pyongyang marathon") for little gain behind a throttle.
const MinPasswordScore = 3

// strengthRunes is how much of a password the estimator reads. Its cost grows with
// the square of the length (about 6 ms at 64 characters, 250 ms at 256); a password
// whose first 64 characters are hard to guess is hard to guess.
const strengthRunes = 64

// passwordStrength refuses a password the estimator scores below MinPasswordScore, with
// what makes it guessable in plain words. The username is one of the estimator's known
// inputs, and a password must be strong without it too: "alice2025alice" is only a year
// to an attacker who knows whose account it is.
func passwordStrength(username, password string) error {
	pw := password
	if r := []rune(pw); len(r) > strengthRunes {
		pw = string(r[:strengthRunes])
	}
	res := zxcvbn.PasswordStrength(pw, []string{username})
	if res.Score < MinPasswordScore {
		return weakPassword(weaknesses(res.Sequence))
	}
	if username == "" {
		return nil
	}
	rest := regexp.MustCompile(`(?i)`+regexp.QuoteMeta(username)).ReplaceAllString(pw, "")
	if rest == pw {
		return nil
	}
	if rest == "" {
		return weakPassword([]string{"your username"})
	}
	if res := zxcvbn.PasswordStrength(rest, nil); res.Score < MinPasswordScore {
		return weakPassword(append([]string{"your username"}, weaknesses(res.Sequence)...))
	}
	return nil
}

func weakPassword(parts []string) error {
	what := "a pattern that is quick to guess"
	if len(parts) > 0 {
		what = strings.Join(parts, " and ")
	}
	return FieldErrorf("password", EInvalid, "This password is too easy to guess: it is built from %s. "+
		"Try a few unrelated words together.", what).T("error.password_weak", "What", what)
}

// weaknesses names, once each and in order, the guessable parts the estimator found.
func weaknesses(seq []*match.Match) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range seq {
		w := weakness(m)
		if w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func weakness(m *match.Match) string {
	digits := strings.Trim(m.Token, "0123456789") == ""
	switch m.Pattern {
	case "dictionary":
		switch m.DictionaryName {
		case "passwords":
			return "a commonly used password"
		case "user_inputs":
			return "your username"
		case "male_names", "female_names", "surnames":
			return "a common name"
		}
		return "a common word"
	case "spatial":
		if digits {
			return "numbers" // "2025" is a shape on a keypad, but to a person just numbers
		}
		return "a row of keys on the keyboard"
	case "repeat":
		return "repeated characters"
	case "sequence":
		return "a sequence such as abc or 123"
	case "regex":
		return "a year"
	case "date":
		return "a date"
	}
	if digits {
		return "numbers"
	}
	return "" // bruteforce: the part the estimator found no pattern in
}
