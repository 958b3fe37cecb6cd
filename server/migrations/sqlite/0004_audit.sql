-- The audit log: every transition, every opening of a customer's private data by staff, every change
-- to staff accounts and blocks, with who and when. Written in the same transaction as what it records.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              BIGINT NOT NULL,
    actor_id        BIGINT REFERENCES users (id),
    action          TEXT NOT NULL,
    request_id      BIGINT REFERENCES requests (id),
    subject_user_id BIGINT REFERENCES users (id),
    detail          TEXT
);
CREATE INDEX audit_by_request ON audit_log (request_id, id);
CREATE INDEX audit_by_actor ON audit_log (actor_id, id);
-- Customer search by address goes through users.email (unique index); by line number through this one.
CREATE INDEX requests_by_line ON requests (line_number);
