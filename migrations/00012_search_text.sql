-- +goose Up
-- Search snippets are made from what a reader saw, the sanitised body_html, as plain
-- text: tags out (block ends become spaces so words do not run together), the few
-- entities the sanitiser writes decoded once (&amp; last, so "&amp;lt;" stays "&lt;"),
-- and the private-use highlight markers removed so a post cannot forge a highlight.
-- A function rather than a stored column: it runs only for one page's hits (about 20
-- rows, under a millisecond), costs no storage or write-path change, and follows a
-- `forum rerender` without a backfill.
-- +goose StatementBegin
CREATE FUNCTION post_plain_text(body_html text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT btrim(
        replace(replace(replace(replace(replace(replace(replace(
            regexp_replace(
                regexp_replace(
                    regexp_replace(translate(body_html, E'\uE000\uE001', ''),
                        '</?(p|div|li|ul|ol|dl|dt|dd|blockquote|h[1-6]|pre|table|thead|tbody|tfoot|tr|td|th|br|hr)([\s/][^>]*)?>',
                        ' ', 'gi'),
                    '<[^>]*>', '', 'g'),
                '\s+', ' ', 'g'),
            '&lt;', '<'), '&gt;', '>'), '&#34;', '"'), '&quot;', '"'), '&#39;', ''''), '&#13;', ' '),
            '&amp;', '&'))
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION post_plain_text(text);
