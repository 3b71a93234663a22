-- +goose Up
-- Full-text search: an opening post carries its thread's title, weighted above bodies,
-- in one generated tsvector with a GIN index, so a search is one index lookup.
ALTER TABLE posts ADD COLUMN title text NOT NULL DEFAULT '';
UPDATE posts p SET title = t.title FROM threads t WHERE p.thread_id = t.id AND p.depth = 0;
ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('english', body_source), 'B')) STORED;
CREATE INDEX posts_search_idx ON posts USING gin (search);

-- Live events: each new reply or edit is a row (so a reconnecting client can catch up
-- from Last-Event-ID) and a NOTIFY (so every instance hears of it at once).
CREATE TABLE thread_events (
    id         bigserial PRIMARY KEY,
    thread_id  bigint NOT NULL REFERENCES threads (id),
    post_id    bigint NOT NULL REFERENCES posts (id),
    kind       text NOT NULL CHECK (kind IN ('reply', 'edit')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX thread_events_thread_idx ON thread_events (thread_id, id);

-- +goose Down
DROP TABLE thread_events;
DROP INDEX posts_search_idx;
ALTER TABLE posts DROP COLUMN search;
ALTER TABLE posts DROP COLUMN title;
