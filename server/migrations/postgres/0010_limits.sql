-- Abuse limits shared by every app server (#20). With several servers on one database, limits counted in
-- each process allowed N times the configured rates; these are counted here, one statement per check.
-- Keys are SHA-256 digests of the limit and what it counts (an address, an account): no address or email
-- is stored. UNLOGGED: counters need no durability (after a crash they start again from zero) and skip
-- the WAL.

-- GCRA: per limit and key, the "theoretical arrival time" of the next attempt (ms since the epoch).
CREATE UNLOGGED TABLE rate_limits (
    name      TEXT NOT NULL,
    key_hash  BYTEA NOT NULL,
    tat_ms    BIGINT NOT NULL,
    PRIMARY KEY (name, key_hash)
);

-- Failed logins in a row per key (account and address, or known device), for the growing delay.
CREATE UNLOGGED TABLE login_failures (
    key_hash  BYTEA PRIMARY KEY,
    failures  INTEGER NOT NULL,
    last_ms   BIGINT NOT NULL
);
