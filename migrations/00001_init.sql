-- +goose Up
-- Accounts. Usernames follow the public contract: 3–32 of a-z 0-9 _ -.
CREATE TABLE users (
    id                bigserial PRIMARY KEY,
    username          text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9_-]{3,32}$'),
    password_hash     text NOT NULL,
    role              text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    created_at        timestamptz NOT NULL DEFAULT now(),
    suspended_until   timestamptz,
    suspension_reason text NOT NULL DEFAULT '',
    -- Kept counters, so profile pages and the moderators' queue never count rows.
    post_count        integer NOT NULL DEFAULT 0,
    hidden_count      integer NOT NULL DEFAULT 0,
    suspension_count  integer NOT NULL DEFAULT 0
);

-- Server-side sessions: the cookie carries only a random id; its SHA-256 is the key,
-- so a leaked table cannot be replayed. Deleting rows revokes on every instance at once.
CREATE TABLE sessions (
    id_hash      bytea PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    data         bytea NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

-- Fixed-window counters shared by every instance (login throttling, later posting limits).
CREATE TABLE rate_limits (
    key          text PRIMARY KEY,
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL
);

CREATE TABLE categories (
    id           serial PRIMARY KEY,
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9-]{1,64}$'),
    name         text NOT NULL,
    description  text NOT NULL DEFAULT '',
    position     integer NOT NULL DEFAULT 0,
    thread_count integer NOT NULL DEFAULT 0
);

CREATE TABLE threads (
    id               bigserial PRIMARY KEY,
    category_id      integer NOT NULL REFERENCES categories (id),
    author_id        bigint NOT NULL REFERENCES users (id),
    title            text NOT NULL CHECK (char_length(title) BETWEEN 5 AND 200),
    slug             text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    reply_count      integer NOT NULL DEFAULT 0,
    pinned           boolean NOT NULL DEFAULT false,
    locked           boolean NOT NULL DEFAULT false,
    -- Bumped by every write to the thread in the same transaction: a cache key for later.
    version          bigint NOT NULL DEFAULT 1,
    -- Each user's latest stance, kept as counters (see stances).
    stance_helps     integer NOT NULL DEFAULT 0,
    stance_hinders   integer NOT NULL DEFAULT 0,
    stance_mixed     integer NOT NULL DEFAULT 0
);
-- One index per listing order: the front page, a category (pinned first), a person.
CREATE INDEX threads_activity_idx ON threads (last_activity_at DESC, id DESC);
CREATE INDEX threads_category_idx ON threads (category_id, pinned DESC, last_activity_at DESC, id DESC);
CREATE INDEX threads_author_idx ON threads (author_id, id DESC);

-- Posts form a tree by materialised path: path is the array of ids from the opening post
-- down to this post, so ORDER BY path is depth-first with siblings oldest first, and a
-- subtree is one index range. top_id is the depth-1 ancestor, used to page a thread by
-- top-level replies.
CREATE TABLE posts (
    id               bigserial PRIMARY KEY,
    thread_id        bigint NOT NULL REFERENCES threads (id),
    parent_id        bigint REFERENCES posts (id),
    author_id        bigint NOT NULL REFERENCES users (id),
    path             bigint[] NOT NULL,
    depth            integer NOT NULL,
    top_id           bigint,
    body_source      text NOT NULL,
    body_html        text NOT NULL,
    stance           text CHECK (stance IN ('helps', 'hinders', 'mixed')),
    -- visible; pending (auto-hidden by flags); hidden (by a moderator);
    -- deleted (by its author); removed (by a moderator). Content is always kept.
    status           text NOT NULL DEFAULT 'visible'
                     CHECK (status IN ('visible', 'pending', 'hidden', 'deleted', 'removed')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    edited_at        timestamptz,
    edit_count       integer NOT NULL DEFAULT 0,
    child_count      integer NOT NULL DEFAULT 0,
    descendant_count integer NOT NULL DEFAULT 0,
    idempotency_key  text
);
CREATE INDEX posts_thread_path_idx ON posts (thread_id, path);
CREATE INDEX posts_thread_top_idx ON posts (thread_id, top_id, path);
CREATE INDEX posts_thread_depth_idx ON posts (thread_id, depth, id);
CREATE INDEX posts_author_idx ON posts (author_id, id DESC);
CREATE INDEX posts_created_idx ON posts (id DESC);
CREATE UNIQUE INDEX posts_idempotency_idx ON posts (author_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- Every earlier version of an edited post.
CREATE TABLE post_revisions (
    id          bigserial PRIMARY KEY,
    post_id     bigint NOT NULL REFERENCES posts (id),
    body_source text NOT NULL,
    body_html   text NOT NULL,
    editor_id   bigint NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL,
    replaced_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX post_revisions_post_idx ON post_revisions (post_id, id);

-- Each user's latest stance per thread; threads.stance_* count these rows.
CREATE TABLE stances (
    thread_id  bigint NOT NULL REFERENCES threads (id),
    user_id    bigint NOT NULL REFERENCES users (id),
    stance     text NOT NULL CHECK (stance IN ('helps', 'hinders', 'mixed')),
    post_id    bigint NOT NULL REFERENCES posts (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (thread_id, user_id)
);

CREATE TABLE flags (
    id          bigserial PRIMARY KEY,
    post_id     bigint NOT NULL REFERENCES posts (id),
    user_id     bigint NOT NULL REFERENCES users (id),
    reason      text NOT NULL CHECK (reason IN ('spam', 'abuse', 'off_topic', 'misinformation', 'other')),
    note        text NOT NULL DEFAULT '' CHECK (char_length(note) <= 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    resolved_by bigint REFERENCES users (id),
    outcome     text CHECK (outcome IN ('dismiss', 'hide', 'restore', 'delete'))
);
-- One open flag per user per post: a second flag updates the first.
CREATE UNIQUE INDEX flags_open_idx ON flags (post_id, user_id) WHERE resolved_at IS NULL;
CREATE INDEX flags_user_idx ON flags (user_id, id DESC);

-- Append-only public log of every moderator act.
CREATE TABLE mod_log (
    id           bigserial PRIMARY KEY,
    moderator_id bigint NOT NULL REFERENCES users (id),
    action       text NOT NULL,
    target_type  text NOT NULL CHECK (target_type IN ('post', 'thread', 'user')),
    target_id    bigint NOT NULL,
    reason       text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mod_log_created_idx ON mod_log (id DESC);
CREATE INDEX mod_log_action_idx ON mod_log (action, id DESC);
CREATE INDEX mod_log_moderator_idx ON mod_log (moderator_id, id DESC);

-- +goose Down
DROP TABLE mod_log, flags, stances, post_revisions, posts, threads, categories,
    rate_limits, sessions, users;
