package forum_test

import (
	"strings"
	"testing"

	"forum/internal/forum"
)

func TestValidText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		says string // "" = valid
	}{
		{"plain words", ""},
		{"tab\tcr\rlf\n", ""},
		{"한국어 and émoji 🏃", ""},
		{"", ""},
		{"bad \xff byte", "not valid UTF-8"},
		{"nul \x00 byte", "NUL"},
		{"bell \a", "control character 0x07"},
		{"escape \x1b[31m", "control character 0x1B"},
	} {
		err := forum.ValidText(tc.in, "field")
		switch {
		case tc.says == "" && err != nil:
			t.Errorf("ValidText(%q) = %v, want nil", tc.in, err)
		case tc.says != "" && (err == nil || forum.ErrorCode(err) != forum.EInvalid ||
			!strings.Contains(forum.ErrorMessage(err), tc.says) || !strings.Contains(forum.ErrorMessage(err), "field")):
			t.Errorf("ValidText(%q) = %v, want an invalid-input error saying %q and naming the field", tc.in, err, tc.says)
		}
	}
}

func TestValidateIdemKey(t *testing.T) {
	for key, ok := range map[string]bool{
		"": true, "0123456789abcdef0123456789abcdef": true,
		strings.Repeat("k", forum.MaxIdemKeyLen): true, strings.Repeat("k", forum.MaxIdemKeyLen+1): false,
	} {
		if err := forum.ValidateIdemKey(key); (err == nil) != ok || (err != nil && forum.ErrorCode(err) != forum.EInvalid) {
			t.Errorf("ValidateIdemKey(%d bytes) = %v, want ok=%v", len(key), err, ok)
		}
	}
}
