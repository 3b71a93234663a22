-- +goose Up
-- A username's skeleton (forum.Skeleton: look-alike characters folded to one form) is
-- unique, so a new name that reads like an existing one is refused by the insert itself.
ALTER TABLE users ADD COLUMN skeleton text;

-- forum.Skeleton in SQL, for the backfill below. Stored names are ASCII (the CHECK on
-- users.username), so NFKC has nothing to do here. New rows get the Go value from the
-- store; internal/store's tests hold this function equal to it.
-- +goose StatementBegin
CREATE FUNCTION username_skeleton(name text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT replace(replace(translate(lower(name), '01i5_-', 'olls'), 'rn', 'm'), 'vv', 'w')
$$;
-- +goose StatementEnd

-- Existing users may already collide ("mod1" and "modl"). The backfill must not fail, and
-- nobody's name changes: the oldest holder of a skeleton keeps it and the others are left
-- NULL (NULLs never collide). Nothing is lost by that: the skeleton stays taken by the
-- oldest, so new look-alikes of every one of them are still refused.
UPDATE users u SET skeleton = k.skeleton
FROM (
    SELECT DISTINCT ON (username_skeleton(username)) id, username_skeleton(username) AS skeleton
    FROM users
    ORDER BY username_skeleton(username), created_at, id
) k
WHERE u.id = k.id;

ALTER TABLE users ADD CONSTRAINT users_skeleton_key UNIQUE (skeleton);

-- +goose Down
ALTER TABLE users DROP CONSTRAINT users_skeleton_key;
ALTER TABLE users DROP COLUMN skeleton;
DROP FUNCTION username_skeleton(text);
