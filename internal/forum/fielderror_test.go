package forum

import (
	"fmt"
	"testing"
)

// TestErrorField: each validation rule names the form field its error concerns, through
// a wrapped chain too, and an error about no field names none.
func TestErrorField(t *testing.T) {
	_, badEmail := NormalizeEmail("not an address")
	_, badNote := ValidateFlag("other", "")
	_, badStance := ParseStance("sideways")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"Title", ValidateTitle("Hm"), "title"},
		{"TitleControl", ValidateTitle("Five\x01chars"), "title"},
		{"Body", ValidateBody("   "), "body"},
		{"BodyNUL", ValidateBody("a\x00b"), "body"},
		{"Username", ValidateUsername("No Spaces"), "username"},
		{"Password", ValidatePassword("bob", "short"), "password"},
		{"Email", badEmail, "email"},
		{"FlagNote", badNote, "note"},
		{"Stance", badStance, "stance"},
		{"Wrapped", fmt.Errorf("create thread: %w", ValidateTitle("Hm")), "title"},
		{"NoField", Errorf(EConflict, "changed meanwhile"), ""},
		{"NotDomain", fmt.Errorf("disk full"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil && tc.want != "" {
				t.Fatal("no error")
			}
			if got := ErrorField(tc.err); got != tc.want {
				t.Fatalf("ErrorField(%v) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
}
