package secret

import "testing"

func TestSecret(t *testing.T) {
	a, b := New(), New()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	for _, s := range []string{a, b} {
		if !WellFormed(s) {
			t.Fatalf("New made %q, which WellFormed refuses", s)
		}
	}
	if string(Hash(a)) == string(Hash(b)) || len(Hash(a)) != 32 || string(Hash(a)) != string(Hash(a)) {
		t.Fatal("Hash is not a stable 32-byte digest")
	}
	for _, bad := range []string{"", "short", a + "A", a[:len(a)-1] + "=", a[:len(a)-1] + "+", a[:10] + "/" + a[11:]} {
		if WellFormed(bad) {
			t.Errorf("WellFormed(%q) = true", bad)
		}
	}
}
