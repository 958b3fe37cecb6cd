-- Privacy rights (#18). An erased account keeps its row (requests, comments and the audit log point at
-- it, and the statistics need them) but none of its personal data; `erased_at` says so.
ALTER TABLE users ADD COLUMN erased_at BIGINT;

-- Which version of the privacy notice and of the page's rules each account accepted, and when.
CREATE TABLE consents (
    user_id     BIGINT NOT NULL REFERENCES users (id),
    document    TEXT NOT NULL CHECK (document IN ('privacy', 'rules')),
    version     BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, document, version)
);

-- The privacy log (exports and erasures) is read from the audit log: an index of just those lines.
CREATE INDEX audit_privacy ON audit_log (id) WHERE action IN ('data_exported', 'account_erased');
