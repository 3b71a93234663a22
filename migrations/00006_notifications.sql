-- +goose Up
-- Notifications: one row per (recipient, post, reason). A new post gives each recipient
-- one row whatever the number of reasons that apply (the strongest is kept: reply,
-- mention, watching, category); a moderator's act on a post and a flag's outcome are
-- later events about the same post, so they are reasons of their own.
--
-- No foreign keys, on purpose: a reply to a thread with 1,000 watchers writes 1,000 rows
-- here and moves 1,000 counters, and the foreign keys' checks were half of that cost
-- (EXPLAIN ANALYZE: 30 of 60 ms). The rows are written only by the store, in the
-- transaction that wrote the post, naming that post, its thread, its author and people
-- who exist; posts, threads and users are never hard-deleted (an account's removal must
-- delete its rows here and in unread_counts itself).
CREATE TABLE notifications (
    id         bigserial PRIMARY KEY,
    user_id    bigint NOT NULL,
    post_id    bigint NOT NULL,
    thread_id  bigint NOT NULL,
    actor_id   bigint NOT NULL,
    reason     text NOT NULL CHECK (reason IN ('reply', 'mention', 'watching', 'category', 'moderation', 'flag')),
    -- The moderator's decision for 'moderation' and 'flag' rows.
    detail     text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    -- Post first: hiding a post finds the people it notified by this index.
    UNIQUE (post_id, user_id, reason)
);
-- The list (newest first, keyset by id) and the unread recount. Every index here is paid
-- for by each watcher of a thread on every reply, so there are only these.
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;

-- Each user's unread count, kept beside the user (not in users: a reply locks its
-- author's users row for the post count and its recipients' rows here, so two people
-- replying to each other at once never wait on each other's users row).
CREATE TABLE unread_counts (
    user_id       bigint PRIMARY KEY, -- no foreign key: see notifications
    notifications integer NOT NULL DEFAULT 0 CHECK (notifications >= 0)
);

-- A person's interest in a thread: watch (every new post), track (replies to them and
-- mentions only, even in a thread they started or replied to), mute (nothing at all).
-- No row means the default: replies to you and mentions.
CREATE TABLE thread_watches (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    thread_id  bigint NOT NULL REFERENCES threads (id),
    level      text NOT NULL CHECK (level IN ('watch', 'track', 'mute')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, thread_id)
);
-- A reply's fan-out reads a thread's watchers by this index.
CREATE INDEX thread_watches_thread_idx ON thread_watches (thread_id, level);

CREATE TABLE category_watches (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category_id integer NOT NULL REFERENCES categories (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, category_id)
);
CREATE INDEX category_watches_category_idx ON category_watches (category_id);

-- People a user muted: their posts collapse for that user and cannot notify them.
CREATE TABLE user_mutes (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    muted_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, muted_id),
    CHECK (user_id <> muted_id)
);
CREATE INDEX user_mutes_muted_idx ON user_mutes (muted_id);

-- Where a reader left each thread: the thread's newest post and reply count when they
-- last opened it, so "n new" is a subtraction and the page marks posts after it.
-- thread_id has no foreign key on purpose: the row is written by a page view, and a
-- foreign key would take a share lock on the thread row, so a reader would wait behind
-- any write holding that thread (threads are never deleted).
CREATE TABLE read_positions (
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    thread_id    bigint NOT NULL,
    last_post_id bigint NOT NULL,
    reply_count  integer NOT NULL,
    visited_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, thread_id)
);

-- The first post a returning reader has not seen: a thread's posts after an id.
CREATE INDEX posts_thread_id_idx ON posts (thread_id, id);

-- The thread's newest post, kept by every reply, for read positions.
ALTER TABLE threads ADD COLUMN last_post_id bigint NOT NULL DEFAULT 0;
UPDATE threads t SET last_post_id = (SELECT max(id) FROM posts p WHERE p.thread_id = t.id);

-- Watch threads one starts or replies to (on by default); the private feed's and the
-- API's secret tokens, stored as SHA-256 so a leaked table grants nothing.
ALTER TABLE users ADD COLUMN auto_watch boolean NOT NULL DEFAULT true;
ALTER TABLE users ADD COLUMN feed_token_hash bytea UNIQUE;
ALTER TABLE users ADD COLUMN api_token_hash bytea UNIQUE;

-- +goose Down
ALTER TABLE users DROP COLUMN api_token_hash;
ALTER TABLE users DROP COLUMN feed_token_hash;
ALTER TABLE users DROP COLUMN auto_watch;
ALTER TABLE threads DROP COLUMN last_post_id;
DROP INDEX posts_thread_id_idx;
DROP TABLE read_positions;
DROP TABLE user_mutes;
DROP TABLE category_watches;
DROP TABLE thread_watches;
DROP TABLE unread_counts;
DROP TABLE notifications;
