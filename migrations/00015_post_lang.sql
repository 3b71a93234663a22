-- +goose Up
-- A post's language (issue 18): a BCP 47 tag ('ko', 'en'), chosen in the form or detected
-- when the post is written or edited; NULL when unknown (a text too short or too mixed to
-- tell, and every post written before this). Pages render it as the post body's lang
-- attribute, feeds as xml:lang. Adding a nullable column rewrites nothing.
ALTER TABLE posts ADD COLUMN lang text
    CHECK (lang ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$');

-- A thread written again in another language (the seeded opening threads in Korean):
-- one row each way, so a thread page finds its translations by its own id.
CREATE TABLE thread_translations (
    thread_id      bigint NOT NULL REFERENCES threads (id),
    translation_id bigint NOT NULL REFERENCES threads (id),
    PRIMARY KEY (thread_id, translation_id),
    CHECK (thread_id <> translation_id)
);

-- +goose Down
DROP TABLE thread_translations;
ALTER TABLE posts DROP COLUMN lang;
