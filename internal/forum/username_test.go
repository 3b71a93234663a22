package forum_test

import (
	"strings"
	"testing"

	"forum/internal/forum"
)

func TestNormalizeUsername(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{"mod1", "mod1"},
		{"  Mod1 ", "mod1"},
		{"ｍｏｄ１", "mod1"},             // full-width letters and digit
		{"ＭＯＤ＿１", "mod_1"},           // full-width capitals and low line
		{"ﬁsh", "fish"},              // the fi ligature
		{"mod①", "mod1"},             // circled digit
		{"mo\u0301d", "mód"},         // a composed accent stays, and the rule refuses it
		{"mod\u200b1", "mod\u200b1"}, // a zero-width space survives NFKC, and the rule refuses it
	} {
		if got := forum.NormalizeUsername(tc.raw); got != tc.want {
			t.Errorf("NormalizeUsername(%q) = %q, want %q", tc.raw, got, tc.want)
		}
	}
	long := strings.Repeat("ａ", 200) // 600 bytes: not normalised, and refused by the rule
	if err := forum.ValidateUsername(forum.NormalizeUsername(long)); err == nil {
		t.Errorf("an overlong full-width name was accepted")
	}
}

func TestSkeleton(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"mod1", "modl"},
		{"modl", "modl"},
		{"modi", "modl"},
		{"m0d1", "modl"},
		{"mod_1", "modl"},
		{"mod-1", "modl"},
		{"MOD1", "modl"},
		{"ｍｏｄ１", "modl"},
		{"--mod__1--", "modl"}, // separators repeated and at the ends
		{"forum-team", "forumteam"},
		{"forum_team", "forumteam"},
		{"forumteam", "forumteam"},
		{"5ecret", "secret"},
		{"barn", "bam"},
		{"bam", "bam"},
		{"vvolf", "wolf"},
		{"r-n", "m"},
		{"rrnn", "rmn"},
		{"vvv", "wv"},
		{"alice", "allce"},
		{"bob", "bob"},
		{"___", ""},
	} {
		got := forum.Skeleton(tc.name)
		if got != tc.want {
			t.Errorf("Skeleton(%q) = %q, want %q", tc.name, got, tc.want)
		}
		if again := forum.Skeleton(got); again != got {
			t.Errorf("Skeleton(%q) = %q is not a fixed point: %q", tc.name, got, again)
		}
	}
	// Distinct-looking names stay distinct.
	for _, pair := range [][2]string{{"mod1", "mod2"}, {"alice", "alicia"}, {"bob", "rob"}, {"ann", "anne"}} {
		if forum.Skeleton(pair[0]) == forum.Skeleton(pair[1]) {
			t.Errorf("%q and %q share a skeleton", pair[0], pair[1])
		}
	}
}

func TestValidateNewUsername(t *testing.T) {
	for _, tc := range []struct {
		name string
		code string // "" when accepted
	}{
		{"ri_jong_ok", ""},
		{"mod1", ""},   // not reserved: only "mod" itself and its look-alikes are
		{"admin1", ""}, // likewise
		{"admin", forum.EInvalid},
		{"adm1n", forum.EInvalid},
		{"administrator", forum.EInvalid},
		{"moderator", forum.EInvalid},
		{"m0d", forum.EInvalid},
		{"root", forum.EInvalid},
		{"r00t", forum.EInvalid},
		{"system", forum.EInvalid},
		{"sy5tem", forum.EInvalid},
		{"deleted", forum.EInvalid},
		{"anonymous", forum.EInvalid},
		{"staff", forum.EInvalid},
		{"support", forum.EInvalid},
		{"forum-team", forum.EInvalid},
		{"forum_team", forum.EInvalid},
		{"-forumteam-", forum.EInvalid},
		{"official", forum.EInvalid},
		{"0fficial", forum.EInvalid},
		{"null", forum.EInvalid},
		{"nu11", forum.EInvalid},
		{"undefined", forum.EInvalid},
		{"---", forum.EInvalid},   // no letters at all
		{"ab", forum.EInvalid},    // the contract's rule still applies
		{"Admin", forum.EInvalid}, // not normalised here: upper case is refused by the rule
	} {
		err := forum.ValidateNewUsername(tc.name)
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("ValidateNewUsername(%q) = %v, want accepted", tc.name, err)
		case tc.code != "" && forum.ErrorCode(err) != tc.code:
			t.Errorf("ValidateNewUsername(%q) = %v, want code %s", tc.name, err, tc.code)
		}
	}
	// Every reserved name is refused as itself, whatever else the list holds.
	for _, n := range forum.ReservedNames {
		if !forum.IsReserved(n) {
			t.Errorf("IsReserved(%q) = false", n)
		}
	}
	if err := forum.ValidateNewUsername("admin"); err != forum.ErrNameReserved {
		t.Errorf("admin: got %v, want ErrNameReserved", err)
	}
}
