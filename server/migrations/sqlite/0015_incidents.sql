-- Service incidents (#17): what failed, where, since when, and every public update.
CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Request topics it concerns: category codes separated by commas.
    topics      TEXT NOT NULL,
    -- Cities or provinces, one per line (empty: everywhere).
    places      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    started_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    updated_at  BIGINT NOT NULL,
    resolved_at BIGINT
);
CREATE INDEX incidents_open ON incidents (started_at) WHERE resolved_at IS NULL;
CREATE INDEX incidents_past ON incidents (resolved_at, id) WHERE resolved_at IS NOT NULL;

CREATE TABLE incident_updates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id BIGINT NOT NULL REFERENCES incidents (id),
    status      TEXT NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
    body        TEXT NOT NULL,
    author_id   BIGINT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX incident_updates_by_incident ON incident_updates (incident_id, id);
