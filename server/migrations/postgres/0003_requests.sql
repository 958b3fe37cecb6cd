-- Assistance requests and their timeline. `queue_at` is the arrival time and never changes: the care
-- pool's queue is ordered by it (then by id), so a released or reopened request keeps its place.
-- Every change appends a row to request_events in the same transaction; `version` is the optimistic
-- check that makes two simultaneous changes impossible to both win.
CREATE TABLE requests (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id         BIGINT NOT NULL REFERENCES users (id),
    category            TEXT NOT NULL
        CHECK (category IN ('billing', 'coverage', 'internet', 'offers', 'portability', 'device', 'other')),
    subject             TEXT NOT NULL,
    description         TEXT NOT NULL,
    line_number         TEXT NOT NULL,
    contact             TEXT NOT NULL CHECK (contact IN ('portal', 'phone', 'email')),
    reported_on         TEXT NOT NULL CHECK (reported_on IN ('facebook', 'twitter', 'other', 'none')),
    public_handle       TEXT,
    consent_at          BIGINT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'received'
        CHECK (status IN ('received', 'in_charge', 'awaiting_customer', 'resolved', 'closed')),
    outcome             TEXT CHECK (outcome IN ('solved', 'not_solvable', 'redirected')),
    holder_id           BIGINT REFERENCES users (id),
    version             BIGINT NOT NULL DEFAULT 0,
    queue_at            BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    last_activity_at    BIGINT NOT NULL,
    taken_at            BIGINT,
    resolved_at         BIGINT,
    closed_at           BIGINT,
    rating              INTEGER CHECK (rating BETWEEN 1 AND 5),
    rating_comment      TEXT,
    rated_at            BIGINT,
    -- The newest event the customer has seen (the unread badge counts the pool's events after it).
    customer_seen_event BIGINT NOT NULL DEFAULT 0
);
-- "My requests", newest activity first, paged by (last_activity_at, id).
CREATE INDEX requests_by_customer ON requests (customer_id, last_activity_at DESC, id DESC);
-- The queue: waiting requests nobody holds, oldest first.
CREATE INDEX requests_queue ON requests (queue_at, id) WHERE status = 'received' AND holder_id IS NULL;
CREATE INDEX requests_by_holder ON requests (holder_id, last_activity_at) WHERE holder_id IS NOT NULL;
CREATE INDEX requests_by_status ON requests (status, queue_at);

CREATE TABLE request_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  BIGINT NOT NULL REFERENCES requests (id),
    at          BIGINT NOT NULL,
    actor_id    BIGINT REFERENCES users (id),
    actor_role  TEXT NOT NULL CHECK (actor_role IN ('customer', 'agent', 'admin', 'system')),
    kind        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    outcome     TEXT,
    body        TEXT,
    -- Internal staff notes: never shown to the customer, never in an email.
    internal    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX request_events_by_request ON request_events (request_id, id);
