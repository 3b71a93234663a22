-- +goose Up
-- Undoing one's own deletion (forum.CanUndoDelete): when the author deleted the post, the
-- status it had just before (a pending or hidden post must not come back visible), and
-- its mod_version right after, so any later moderator act (which bumps it) ends the undo.
-- All three are NULL when there is nothing to undo.
ALTER TABLE posts ADD COLUMN deleted_at timestamptz;
ALTER TABLE posts ADD COLUMN deleted_from text
    CHECK (deleted_from IN ('visible', 'pending', 'hidden'));
ALTER TABLE posts ADD COLUMN deleted_version integer;

-- Why moderators locked a thread, shown at its top ('' : no reason given); unlocking clears it.
ALTER TABLE threads ADD COLUMN lock_reason text NOT NULL DEFAULT ''
    CHECK (char_length(lock_reason) <= 300);

-- +goose Down
ALTER TABLE threads DROP COLUMN lock_reason;
ALTER TABLE posts DROP COLUMN deleted_version;
ALTER TABLE posts DROP COLUMN deleted_from;
ALTER TABLE posts DROP COLUMN deleted_at;
