-- +goose Up
-- A pin's scope: pinned stays "pinned in its category" (every pin is), pinned_site adds
-- "and at the top of the front page". A site-wide pin without pinned cannot exist.
ALTER TABLE threads ADD COLUMN pinned_site boolean NOT NULL DEFAULT false;
ALTER TABLE threads ADD CONSTRAINT threads_pin_scope_check CHECK (pinned OR NOT pinned_site);
-- The front page's order, site-wide pins first (threads_category_idx serves a category's,
-- where every pin comes first). Partial: the listing only ever reads listed threads.
CREATE INDEX threads_front_idx ON threads (pinned_site DESC, last_activity_at DESC, id DESC) WHERE visible;

-- The forum-wide stance, kept. A person's forum-wide stance is the stance of their newest
-- counted stance in any thread (stances row with the highest post_id); withdrawing it falls
-- back to their newest remaining one, or to none. One row per person who ever took one
-- (stance NULL: none now); the row is each person's lock while it moves.
CREATE TABLE forum_stances (
    user_id    bigint PRIMARY KEY REFERENCES users (id),
    stance     text CHECK (stance IN ('helps', 'hinders', 'mixed')),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- Serves "newest remaining stance of this person".
CREATE INDEX stances_user_idx ON stances (user_id, post_id DESC);
-- How many people hold each stance now: forum_stances counted, kept.
CREATE TABLE forum_stance_totals (
    stance text PRIMARY KEY CHECK (stance IN ('helps', 'hinders', 'mixed')),
    people integer NOT NULL DEFAULT 0 CHECK (people >= 0)
);
-- The totals as they stood at the end of each week (week: its Monday, UTC), written with
-- every change; a week without a row for a stance carries the previous week's number.
CREATE TABLE forum_stance_weeks (
    week   date NOT NULL,
    stance text NOT NULL CHECK (stance IN ('helps', 'hinders', 'mixed')),
    people integer NOT NULL CHECK (people >= 0),
    PRIMARY KEY (stance, week)
);

INSERT INTO forum_stances (user_id, stance)
SELECT DISTINCT ON (user_id) user_id, stance FROM stances ORDER BY user_id, post_id DESC;
INSERT INTO forum_stance_totals (stance, people)
SELECT s, (SELECT count(*) FROM forum_stances f WHERE f.stance = s)
FROM unnest(ARRAY['helps', 'hinders', 'mixed']) s;
-- History starts with the first stance: a forum without any draws no chart.
INSERT INTO forum_stance_weeks (week, stance, people)
SELECT date_trunc('week', now() AT TIME ZONE 'UTC')::date, stance, people FROM forum_stance_totals WHERE people > 0;

-- +goose Down
DROP TABLE forum_stance_weeks, forum_stance_totals, forum_stances;
DROP INDEX stances_user_idx;
DROP INDEX threads_front_idx;
ALTER TABLE threads DROP CONSTRAINT threads_pin_scope_check;
ALTER TABLE threads DROP COLUMN pinned_site;
