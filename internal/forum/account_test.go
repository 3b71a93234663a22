package forum_test

import (
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" = refused
	}{
		{"alice@example.org", "alice@example.org"},
		{"  Alice.Smith+forum@Example.ORG \n", "Alice.Smith+forum@Example.ORG"}, // trimmed, case kept
		{"", ""},
		{"   ", ""},
		{"alice", ""},
		{"alice@", ""},
		{"@example.org", ""},
		{"alice@localhost", ""}, // no dot: not a domain the public reaches
		{"Alice <alice@example.org>", ""},
		{"<alice@example.org>", ""},
		{"alice@example.org (home)", ""},
		{"alice smith@example.org", ""},
		{"alice@exa\tmple.org", ""},
		{"a@b.c, d@e.f", ""},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".org", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".org"}, // 254
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".org", ""},                                                                // 255
	} {
		got, err := forum.NormalizeEmail(tc.in)
		if tc.want == "" {
			if err == nil || forum.ErrorCode(err) != forum.EInvalid {
				t.Errorf("NormalizeEmail(%q) = %q, %v; want refused as invalid", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if !forum.SameEmail("Alice@Example.org", "alice@example.ORG") || forum.SameEmail("alice@example.org", "alice2@example.org") {
		t.Error("SameEmail does not compare without case")
	}
}

func TestValidateBio(t *testing.T) {
	if err := forum.ValidateBio(strings.Repeat("é", forum.MaxBioLen)); err != nil {
		t.Fatalf("a bio of %d characters (more bytes) refused: %v", forum.MaxBioLen, err)
	}
	if err := forum.ValidateBio(strings.Repeat("a", forum.MaxBioLen+1)); forum.ErrorCode(err) != forum.ETooLarge {
		t.Fatalf("a bio over the bound: %v", err)
	}
}

func TestEmailTokenUsable(t *testing.T) {
	now := time.Date(2025, 4, 6, 7, 0, 0, 0, time.UTC)
	used := now.Add(-time.Minute)
	for _, tc := range []struct {
		name string
		tok  forum.EmailToken
		want string // "" = usable; else a word of the refusal
	}{
		{"Fresh", forum.EmailToken{Purpose: forum.TokenReset, ExpiresAt: now.Add(time.Minute)}, ""},
		{"Used", forum.EmailToken{Purpose: forum.TokenReset, ExpiresAt: now.Add(time.Minute), UsedAt: &used}, "already been used"},
		{"ExpiresNow", forum.EmailToken{Purpose: forum.TokenReset, ExpiresAt: now}, "expired"},
		{"Expired", forum.EmailToken{Purpose: forum.TokenConfirm, ExpiresAt: now.Add(-time.Second)}, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.tok.Usable(now)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if forum.ErrorCode(err) != forum.ENotFound || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a not-found saying %q", err, tc.want)
			}
		})
	}
}
