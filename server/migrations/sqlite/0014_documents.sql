-- The privacy notice and the page's rules as admins publish them (#18), in both languages, each
-- publication a new version. Version 1 is the text built into the portal (no row); customers accept each
-- new version at their next login.
CREATE TABLE documents (
    kind         TEXT NOT NULL CHECK (kind IN ('privacy', 'rules')),
    version      BIGINT NOT NULL,
    body_it      TEXT NOT NULL,
    body_en      TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by BIGINT REFERENCES users (id),
    PRIMARY KEY (kind, version)
);

-- The versions each account accepted last (its history is in `consents`).
ALTER TABLE users ADD COLUMN privacy_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN rules_version BIGINT NOT NULL DEFAULT 1;

-- Customers registered before consents were recorded ticked both boxes of version 1 when they registered.
INSERT INTO consents (user_id, document, version, accepted_at)
SELECT id, 'privacy', 1, created_at FROM users u WHERE role = 'customer'
    AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.user_id = u.id AND c.document = 'privacy');
INSERT INTO consents (user_id, document, version, accepted_at)
SELECT id, 'rules', 1, created_at FROM users u WHERE role = 'customer'
    AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.user_id = u.id AND c.document = 'rules');
