-- +goose Up
-- Replies anyone may read: reply_count counts every reply ever written (it is what
-- moderators see); public_reply_count leaves out hidden, pending, deleted and removed
-- ones, so a visitor's count agrees with the page. Kept by store.setPostStatus and
-- store.CreateReply under the thread's lock.
ALTER TABLE threads ADD COLUMN public_reply_count integer NOT NULL DEFAULT 0;
UPDATE threads t SET public_reply_count = (
    SELECT count(*) FROM posts p WHERE p.thread_id = t.id AND p.depth > 0 AND p.status = 'visible');
-- Read positions remember the same count, so "N new replies" compares like with like.
UPDATE read_positions r SET reply_count = t.public_reply_count FROM threads t WHERE t.id = r.thread_id;

-- +goose Down
UPDATE read_positions r SET reply_count = t.reply_count FROM threads t WHERE t.id = r.thread_id;
ALTER TABLE threads DROP COLUMN public_reply_count;
