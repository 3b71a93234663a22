-- +goose Up
-- Korean search (issue 18): the english configuration keeps a Korean word with its
-- particle as one token ('재개에'), so '재개' never matched. Each run of Hangul
-- syllables is also indexed as its overlapping two-syllable pieces ('재개', '개에'),
-- and a Korean query word becomes the phrase of its pieces ('마라톤' → '마라' <-> '라톤'),
-- which finds the word inside longer words and with any particle, and never across
-- a space. The pieces go into the same tsvector, after the english tokens, with the
-- same title/body weights, so one GIN lookup and one ts_rank serve mixed queries.
-- Text without Hangul gets no pieces: its vector, and so English ranking, is unchanged.
-- See docs/search.md for the measurements behind the choice.
-- +goose StatementBegin
CREATE FUNCTION hangul_bigrams(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(string_agg(
        CASE WHEN length(r) = 1 THEN r
             ELSE (SELECT string_agg(substr(r, i, 2), ' ' ORDER BY i) FROM generate_series(1, length(r) - 1) i)
        END, ' ' ORDER BY n), '')
    FROM regexp_matches(t, '[가-힣]+', 'g') WITH ORDINALITY AS m(a, n), LATERAL (SELECT a[1] AS r) x
$$;
-- +goose StatementEnd

DROP INDEX posts_search_idx;
ALTER TABLE posts DROP COLUMN search;
ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('english', body_source), 'B') ||
    setweight(to_tsvector('english', hangul_bigrams(title)), 'A') ||
    setweight(to_tsvector('english', hangul_bigrams(body_source)), 'B')) STORED;
CREATE INDEX posts_search_idx ON posts USING gin (search);
-- The new column has no statistics until analysed, and without them the planner guesses
-- every word's frequency: a search would walk the whole table for a rare word.
ANALYZE posts;

-- +goose Down
DROP INDEX posts_search_idx;
ALTER TABLE posts DROP COLUMN search;
ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', title), 'A') ||
    setweight(to_tsvector('english', body_source), 'B')) STORED;
CREATE INDEX posts_search_idx ON posts USING gin (search);
DROP FUNCTION hangul_bigrams(text);
