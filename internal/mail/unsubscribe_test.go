package mail_test

import (
	"bytes"
	"strings"
	"testing"

	"forum/internal/mail"
)

func TestUnsubscribeToken(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	tok := mail.UnsubscribeToken(key, 42)
	if id, ok := mail.UnsubscribeUser(key, tok); !ok || id != 42 {
		t.Fatalf("UnsubscribeUser(UnsubscribeToken(42)) = %d, %v", id, ok)
	}
	if !strings.HasPrefix(mail.UnsubscribePath(key, 42), mail.UnsubscribePrefix+"42.") {
		t.Errorf("path %q", mail.UnsubscribePath(key, 42))
	}
	_, mac, _ := strings.Cut(tok, ".")
	other := mail.UnsubscribeToken(key, 43)
	_, otherMAC, _ := strings.Cut(other, ".")
	for name, forged := range map[string]string{
		"AnotherKey":        mail.UnsubscribeToken(bytes.Repeat([]byte{8}, 32), 42),
		"AnotherPersonsMAC": "42." + otherMAC,
		"IDChanged":         "43." + mac,
		"IDWithLeadingZero": "042." + mac,
		"NoMAC":             "42",
		"EmptyMAC":          "42.",
		"MACCutShort":       tok[:len(tok)-1],
		"PaddedMAC":         tok + "=",
		"NegativeID":        "-42." + mac,
		"Long":              tok + strings.Repeat("A", 100),
		"Empty":             "",
	} {
		if id, ok := mail.UnsubscribeUser(key, forged); ok {
			t.Errorf("%s: %q accepted for user %d", name, forged, id)
		}
	}
}
