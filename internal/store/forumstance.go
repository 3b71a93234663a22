package store

import (
	"context"
	"fmt"
	"time"

	"forum/internal/forum"
)

// moveForumStance brings userID's forum-wide stance up to date after their stance in a
// thread changed (forum/forumstance.go says what it is), moving the kept totals and this
// week's history row with it. Called in the same transaction as the thread's tally, after
// the thread row and the user's counters: locks go thread, user row, the person's
// forum_stances row, then the totals rows in forum.Stances order, so two people's moves
// never wait on each other crosswise, and one person's moves in two threads queue on
// their row (a reply has one author, so each transaction holds one such row).
func moveForumStance(ctx context.Context, tx *sqlxTx, userID int64) error {
	// Taking the person's row (made on their first stance) is their lock; it returns the
	// forum-wide stance as it stood.
	var old *forum.Stance
	if err := tx.GetContext(ctx, &old, `
		INSERT INTO forum_stances (user_id) VALUES ($1)
		ON CONFLICT (user_id) DO UPDATE SET user_id = EXCLUDED.user_id
		RETURNING stance`, userID); err != nil {
		return fmt.Errorf("lock forum stance of user %d: %w", userID, err)
	}
	was := forum.StanceNone
	if old != nil {
		was = *old
	}
	// Read under that lock, so a move in another thread committed meanwhile is seen
	// (stances_user_idx).
	var now forum.Stance
	if err := tx.GetContext(ctx, &now, `
		SELECT COALESCE((SELECT stance FROM stances WHERE user_id = $1 ORDER BY post_id DESC LIMIT 1), '')`,
		userID); err != nil {
		return fmt.Errorf("read newest stance of user %d: %w", userID, err)
	}
	if now == was {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE forum_stances SET stance = NULLIF($2, ''), updated_at = now() WHERE user_id = $1`,
		userID, now); err != nil {
		return fmt.Errorf("save forum stance of user %d: %w", userID, err)
	}
	for _, st := range forum.Stances {
		delta := 0
		switch st {
		case now:
			delta = 1
		case was:
			delta = -1
		default:
			continue
		}
		// The week's row is written under the total's row lock, so it always ends with the
		// latest total.
		if _, err := tx.ExecContext(ctx, `
			WITH t AS (UPDATE forum_stance_totals SET people = people + $2 WHERE stance = $1 RETURNING people)
			INSERT INTO forum_stance_weeks (stance, week, people)
			SELECT $1, date_trunc('week', now() AT TIME ZONE 'UTC')::date, people FROM t
			ON CONFLICT (stance, week) DO UPDATE SET people = EXCLUDED.people`, st, delta); err != nil {
			return fmt.Errorf("count forum stance %s: %w", st, err)
		}
	}
	return nil
}

// ForumStance is the forum-wide split now and its history.
type ForumStance struct {
	Now   forum.StanceCounts
	Marks []forum.StanceMark // every mark from since on, and each stance's last before it
}

// ForumStance reads the kept totals and the history from since on in one query: three
// rows of totals, at most three marks a week, and one mark per stance before since to
// carry in (a probe of the history's primary key each). Nothing is counted.
func (s *Store) ForumStance(ctx context.Context, since time.Time) (*ForumStance, error) {
	var marks []struct {
		Total  bool         `db:"total"`
		Week   time.Time    `db:"week"`
		Stance forum.Stance `db:"stance"`
		People int          `db:"people"`
	}
	if err := s.db.SelectContext(ctx, &marks, `
		SELECT true AS total, DATE '2000-01-03' AS week, stance, people FROM forum_stance_totals
		UNION ALL
		SELECT false, week, stance, people FROM forum_stance_weeks
		WHERE stance IN ('helps', 'hinders', 'mixed') AND week >= $1 -- the primary key, stance by stance
		UNION ALL
		SELECT false, w.week, w.stance, w.people
		FROM unnest(ARRAY['helps', 'hinders', 'mixed']) s (stance),
		LATERAL (SELECT week, stance, people FROM forum_stance_weeks h
			WHERE h.stance = s.stance AND h.week < $1 ORDER BY h.week DESC LIMIT 1) w`,
		since.UTC().Format(time.DateOnly)); err != nil {
		return nil, fmt.Errorf("read forum stance: %w", err)
	}
	out := &ForumStance{}
	for _, m := range marks {
		if m.Total {
			out.Now.Set(m.Stance, m.People)
			continue
		}
		out.Marks = append(out.Marks, forum.StanceMark{Week: m.Week, Stance: m.Stance, People: m.People})
	}
	return out, nil
}
