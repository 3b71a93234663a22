-- +goose Up
-- Bumped by every moderation decision on a post: the decide form carries the value the
-- moderator saw, so two moderators deciding at once cannot both win.
ALTER TABLE posts ADD COLUMN mod_version integer NOT NULL DEFAULT 0;

-- False while a thread's opening post is hidden or removed: listings and feeds skip it
-- without joining the opening post.
ALTER TABLE threads ADD COLUMN visible boolean NOT NULL DEFAULT true;

-- +goose Down
ALTER TABLE threads DROP COLUMN visible;
ALTER TABLE posts DROP COLUMN mod_version;
