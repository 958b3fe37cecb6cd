-- Requests linked to an incident (#17): "I'm affected too" and the pool's links. A linked request is held
-- by the incident (in charge, nobody's case) until the incident resolves or the pool unlinks it; a
-- customer has at most one request per incident.
ALTER TABLE requests ADD COLUMN incident_id BIGINT REFERENCES incidents (id);
CREATE UNIQUE INDEX requests_one_per_incident ON requests (customer_id, incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX requests_by_incident ON requests (incident_id, id) WHERE incident_id IS NOT NULL;

-- How many customers said they are affected (or were linked by the pool), and how many of them never
-- waited in the queue: the public page and the dashboard read these.
ALTER TABLE incidents ADD COLUMN affected BIGINT NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN spared BIGINT NOT NULL DEFAULT 0;

-- One job per public update: its fan-out to every linked request, in batches. `after_request` is the last
-- request reached; a batch's events, emails and the job's progress commit together, so a server killed
-- in the middle resumes where the last batch ended and no request gets the update twice.
CREATE TABLE incident_fanouts (
    update_id     BIGINT PRIMARY KEY REFERENCES incident_updates (id),
    incident_id   BIGINT NOT NULL REFERENCES incidents (id),
    after_request BIGINT NOT NULL DEFAULT 0,
    reached       BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    done_at       BIGINT
);
CREATE INDEX incident_fanouts_pending ON incident_fanouts (update_id) WHERE done_at IS NULL;
