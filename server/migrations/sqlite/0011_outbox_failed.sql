-- The metrics count the emails given up on at every scrape (#20): an index of just those, so the count
-- does not read the whole outbox.
CREATE INDEX outbox_failed ON outbox (failed_at) WHERE failed_at IS NOT NULL;
