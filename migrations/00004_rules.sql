-- +goose Up
-- The author's wish to delete a post, kept apart from moderation: deleting a hidden post
-- leaves it hidden, and a moderator's restore brings back only what moderation took away.
ALTER TABLE posts ADD COLUMN author_deleted boolean NOT NULL DEFAULT false;
UPDATE posts SET author_deleted = true WHERE status = 'deleted';

-- The opening post's status on the thread row, so the title a viewer may see is decided
-- without joining the opening post. `visible` stays: the listings' filter.
ALTER TABLE threads ADD COLUMN opening_status text NOT NULL DEFAULT 'visible'
    CHECK (opening_status IN ('visible', 'pending', 'hidden', 'deleted', 'removed'));
UPDATE threads t SET opening_status = p.status
FROM posts p WHERE p.thread_id = t.id AND p.depth = 0 AND p.status <> 'visible';

-- +goose Down
ALTER TABLE threads DROP COLUMN opening_status;
ALTER TABLE posts DROP COLUMN author_deleted;
