package seed

import (
	"context"
	"fmt"

	"forum/internal/forum"
	"forum/internal/store"
)

// pin pins a seeded thread site-wide when the seed says so and no moderator has pinned or
// unpinned it since: seeding again changes nothing, and never undoes a moderator's unpin.
// Forums seeded before pins had scopes get theirs on the next run.
func pin(ctx context.Context, st *store.Store, teamID, threadID int64, t Thread) error {
	if !t.PinSite {
		return nil
	}
	touched, err := st.PinLogged(ctx, threadID)
	if err != nil || touched {
		return err
	}
	if err := st.PinThread(ctx, threadID, teamID, forum.PinSite, "The forum's own question."); err != nil {
		return fmt.Errorf("seed: pin %q site-wide: %w", t.Title, err)
	}
	return nil
}
