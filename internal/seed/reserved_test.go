package seed_test

import (
	"testing"

	"forum/internal/forum"
	"forum/internal/seed"
)

// The seed's account is the forum's own: nobody may register it or a look-alike of it.
func TestTeamUserIsReserved(t *testing.T) {
	if !forum.IsReserved(seed.TeamUser) {
		t.Fatalf("seed.TeamUser %q is missing from forum.ReservedNames", seed.TeamUser)
	}
}
