-- +goose Up
-- "Insightful" marks: one per person per post, undoable. The count is kept on the post
-- (the thread page's "top" order sorts by it), moved in the transaction that adds or
-- removes a mark, under the post's row lock.
CREATE TABLE insightful (
    post_id    bigint NOT NULL REFERENCES posts (id),
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (post_id, user_id)
);
-- A page's "which of these did I mark" is post_id = ANY(page) AND user_id: the key serves it.

ALTER TABLE posts ADD COLUMN insightful_count integer NOT NULL DEFAULT 0 CHECK (insightful_count >= 0);
-- The "top" order of a thread's top-level replies: most marked first, then oldest. The
-- key holds -insightful_count so that the keyset (count, id) is one ascending row
-- comparison the scan starts at (EXPLAIN: Index Cond on the row, no sort, no rows skipped
-- however deep the page); with "insightful_count DESC, id" the ties at the cursor's
-- count, mostly zero, would be read and dropped one by one.
CREATE INDEX posts_thread_top_order_idx ON posts (thread_id, depth, (-insightful_count), id);

-- An insightful notification is one per (post, marker): its author hears of each person
-- who marked the post, and removing a mark removes that person's unread notice. The other
-- reasons stay one row per (post, recipient, reason), now a partial unique index (an
-- ON CONFLICT on it names the predicate).
ALTER TABLE notifications DROP CONSTRAINT notifications_reason_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_reason_check
    CHECK (reason IN ('reply', 'mention', 'watching', 'category', 'moderation', 'flag', 'insightful'));
ALTER TABLE notifications DROP CONSTRAINT notifications_post_id_user_id_reason_key;
CREATE UNIQUE INDEX notifications_post_id_user_id_reason_key ON notifications (post_id, user_id, reason)
    WHERE reason <> 'insightful';
CREATE UNIQUE INDEX notifications_insightful_key ON notifications (post_id, user_id, actor_id)
    WHERE reason = 'insightful';

-- +goose Down
DROP INDEX notifications_insightful_key;
DELETE FROM notifications WHERE reason = 'insightful';
DROP INDEX notifications_post_id_user_id_reason_key;
ALTER TABLE notifications ADD CONSTRAINT notifications_post_id_user_id_reason_key UNIQUE (post_id, user_id, reason);
ALTER TABLE notifications DROP CONSTRAINT notifications_reason_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_reason_check
    CHECK (reason IN ('reply', 'mention', 'watching', 'category', 'moderation', 'flag'));
DROP INDEX posts_thread_top_order_idx;
ALTER TABLE posts DROP COLUMN insightful_count;
DROP TABLE insightful;
