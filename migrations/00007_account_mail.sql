-- +goose Up
-- An account's confirmed e-mail address (NULL: none). Unique among accounts whatever its
-- case; never shown to anyone but its owner.
ALTER TABLE users ADD COLUMN email text CHECK (email IS NULL OR char_length(email) BETWEEN 3 AND 254);
CREATE UNIQUE INDEX users_email_idx ON users (lower(email)) WHERE email IS NOT NULL;

-- Notification mail: none, immediate (batched: one mail per 10 minutes at most) or a
-- daily digest. mail_through is the newest notification already considered for mail, so
-- a notification is mailed at most once; mail_sent_at paces the batches.
ALTER TABLE users ADD COLUMN mail_mode text NOT NULL DEFAULT 'immediate'
    CHECK (mail_mode IN ('none', 'immediate', 'daily'));
ALTER TABLE users ADD COLUMN mail_through bigint NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN mail_sent_at timestamptz;

-- A short profile, Markdown rendered and sanitised like a post.
ALTER TABLE users ADD COLUMN bio_source text NOT NULL DEFAULT '' CHECK (char_length(bio_source) <= 1000);
ALTER TABLE users ADD COLUMN bio_html text NOT NULL DEFAULT '';

-- A deleted account keeps its row (its posts stay in their threads) under a placeholder
-- name; the name it had is held in released_names for a while.
ALTER TABLE users ADD COLUMN deleted_at timestamptz;
CREATE TABLE released_names (
    username text PRIMARY KEY,
    skeleton text NOT NULL,
    until    timestamptz NOT NULL
);
CREATE INDEX released_names_skeleton_idx ON released_names (skeleton);

-- The people the notification mail job looks through each round: an address, mail on.
CREATE INDEX users_mail_idx ON users (id) WHERE email IS NOT NULL AND deleted_at IS NULL AND mail_mode <> 'none';

-- Single-use links sent by mail: confirming an address (email holds the new address) and
-- resetting a password. Only the SHA-256 of the token is kept.
CREATE TABLE email_tokens (
    hash       bytea PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL CHECK (purpose IN ('confirm', 'reset')),
    email      text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX email_tokens_user_idx ON email_tokens (user_id, purpose);

-- Outgoing mail, written in the transaction of the event that causes it and sent by any
-- instance's sender: a row is claimed with FOR UPDATE SKIP LOCKED for a lease, sent, and
-- marked sent; a failure is retried with backoff until give_up_at, then marked failed with
-- its reason.
CREATE TABLE mail_outbox (
    id              bigserial PRIMARY KEY,
    user_id         bigint REFERENCES users (id) ON DELETE SET NULL,
    kind            text NOT NULL,
    to_addr         text NOT NULL,
    subject         text NOT NULL,
    text_body       text NOT NULL,
    html_body       text NOT NULL,
    unsubscribe_url text NOT NULL DEFAULT '', -- List-Unsubscribe (RFC 8058); '' for account mail
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    give_up_at      timestamptz NOT NULL DEFAULT now() + interval '1 day',
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    failed_at       timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

-- What the settings page lists of each session: device, address, last seen.
ALTER TABLE sessions ADD COLUMN user_agent text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ip text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now();

-- A meta category is about the forum itself, not its question: its threads take no
-- stances and show no tally.
ALTER TABLE categories ADD COLUMN meta boolean NOT NULL DEFAULT false;

-- +goose Down
ALTER TABLE categories DROP COLUMN meta;
ALTER TABLE sessions DROP COLUMN last_seen_at;
ALTER TABLE sessions DROP COLUMN ip;
ALTER TABLE sessions DROP COLUMN user_agent;
DROP TABLE mail_outbox;
DROP TABLE email_tokens;
DROP TABLE released_names;
DROP INDEX users_mail_idx;
ALTER TABLE users DROP COLUMN deleted_at;
ALTER TABLE users DROP COLUMN bio_html;
ALTER TABLE users DROP COLUMN bio_source;
ALTER TABLE users DROP COLUMN mail_sent_at;
ALTER TABLE users DROP COLUMN mail_through;
ALTER TABLE users DROP COLUMN mail_mode;
DROP INDEX users_email_idx;
ALTER TABLE users DROP COLUMN email;
