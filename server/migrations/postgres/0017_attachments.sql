-- Attachments (#19): photos of the bill or the error, PDFs of a receipt, on a request's messages. Only
-- what the server made itself is stored: images re-encoded (no metadata, orientation applied, scaled),
-- PDFs checked. The bytes live in their own table so that an object store can take them over later
-- (the metadata stays here, the port hides where the bytes are).
CREATE TABLE attachments (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  BIGINT NOT NULL REFERENCES requests (id),
    -- The message it came with (the timeline shows it there).
    event_id    BIGINT NOT NULL REFERENCES request_events (id),
    -- The request's customer: quotas, export and erasure read it without a join.
    customer_id BIGINT NOT NULL REFERENCES users (id),
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('image', 'pdf')),
    mime        TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    width       BIGINT,
    height      BIGINT,
    created_at  BIGINT NOT NULL,
    -- Removed by an admin (abuse): the row stays for the timeline ("removed by the care pool"), the
    -- bytes go.
    removed_at  BIGINT,
    removed_by  BIGINT REFERENCES users (id)
);
CREATE INDEX attachments_by_request ON attachments (request_id, id);
CREATE INDEX attachments_by_customer ON attachments (customer_id);

CREATE TABLE attachment_blobs (
    attachment_id BIGINT PRIMARY KEY REFERENCES attachments (id) ON DELETE CASCADE,
    data          BYTEA NOT NULL,
    -- A small JPEG for the timeline (images only).
    thumbnail     BYTEA
);
