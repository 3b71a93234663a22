-- +goose Up
-- The interface language a user chose in their settings (issue 18): '' for none, so the
-- browser's Accept-Language or FORUM_DEFAULT_LANG decides; otherwise one of the catalogs'
-- languages (internal/i18n.Languages, checked by forum.CheckInterfaceLang). Mail to the
-- user goes in it too. A constant default: adding the column rewrites no rows.
ALTER TABLE users ADD COLUMN lang text NOT NULL DEFAULT '' CHECK (lang IN ('', 'en', 'ko'));

-- +goose Down
ALTER TABLE users DROP COLUMN lang;
