-- +goose Up
-- The visitor page cache (issue 16) keys a thread's pages on its version and listings on
-- listing_generation, a sequence that moves whenever any thread's row changes (every write
-- bumps version in the same transaction) or a category is added, removed or renamed:
-- a listing read after a commit sees the new value, on any instance. A sequence, not a
-- NOTIFY per write: a transaction that NOTIFYs holds a database-wide lock through its
-- commit's flush, which made replies commit one at a time (issue 16's posting figures).
-- Instances evict a thread's entries on the thread_events NOTIFY each reply already
-- sends after its commit; a category change, rare, still NOTIFYs thread_versions with 0.
CREATE SEQUENCE listing_generation;
-- +goose StatementBegin
CREATE FUNCTION bump_listing_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('listing_generation');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION notify_categories_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('listing_generation');
    PERFORM pg_notify('thread_versions', '0');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER threads_listing_generation_insert AFTER INSERT ON threads
    FOR EACH ROW EXECUTE FUNCTION bump_listing_generation();
CREATE TRIGGER threads_listing_generation_update AFTER UPDATE ON threads
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION bump_listing_generation();
CREATE TRIGGER categories_notify AFTER INSERT OR DELETE ON categories
    FOR EACH STATEMENT EXECUTE FUNCTION notify_categories_changed();
CREATE TRIGGER categories_notify_update AFTER UPDATE ON categories
    FOR EACH ROW WHEN ((OLD.slug, OLD.name, OLD.description, OLD.position, OLD.meta)
        IS DISTINCT FROM (NEW.slug, NEW.name, NEW.description, NEW.position, NEW.meta))
    EXECUTE FUNCTION notify_categories_changed();

-- +goose Down
DROP TRIGGER categories_notify_update ON categories;
DROP TRIGGER categories_notify ON categories;
DROP TRIGGER threads_listing_generation_update ON threads;
DROP TRIGGER threads_listing_generation_insert ON threads;
DROP FUNCTION notify_categories_changed();
DROP FUNCTION bump_listing_generation();
DROP SEQUENCE listing_generation;
