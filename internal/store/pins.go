package store

import (
	"context"
	"fmt"

	"forum/internal/forum"
)

// PinThread pins a thread in scope (forum.PinSite: on the front page and in its category;
// forum.PinCategory: in its category only, which also takes a site-wide pin back to its
// category) and logs which, in one transaction under the thread's lock.
func (s *Store) PinThread(ctx context.Context, threadID, moderatorID int64, scope forum.PinScope, note string) error {
	if scope != forum.PinSite && scope != forum.PinCategory {
		return forum.Errorf(forum.EInvalid, "Unknown pin scope.").T("error.pin_scope_unknown")
	}
	return s.inThreadTx(ctx, threadID, func(tx *sqlxTx) error {
		u, err := actor(ctx, tx, moderatorID)
		if err != nil {
			return err
		}
		if err := forum.CanPin(u, s.now()); err != nil {
			return err
		}
		if _, err := lockThread(ctx, tx, threadID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE threads SET pinned = true, pinned_site = $2, version = version + 1 WHERE id = $1`,
			threadID, scope == forum.PinSite); err != nil {
			return fmt.Errorf("pin thread %d %s-wide: %w", threadID, scope, err)
		}
		if err := notifyVersions(ctx, tx, threadID); err != nil { // versionnotify.go
			return err
		}
		return logAct(ctx, tx, moderatorID, scope.LogAction(), "thread", threadID, "", note)
	})
}

// PinLogged reports whether anyone has ever pinned or unpinned the thread (the public
// log keeps every act), so the seed pins its question once and leaves it to moderators.
func (s *Store) PinLogged(ctx context.Context, threadID int64) (bool, error) {
	var found bool
	err := s.db.GetContext(ctx, &found, `
		SELECT EXISTS (SELECT 1 FROM mod_log WHERE target_type = 'thread' AND target_id = $1
			AND action IN ($2, $3, $4))`, threadID, forum.LogPinThread, forum.LogPinThreadSite, forum.LogUnpinThread)
	if err != nil {
		return false, fmt.Errorf("read pins of thread %d: %w", threadID, err)
	}
	return found, nil
}
