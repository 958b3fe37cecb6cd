-- Accounts (customers now, staff later on the same table), single-use tokens (stored hashed) and the
-- mail outbox. Times are milliseconds since the Unix epoch, the same on both backends.
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    email               TEXT NOT NULL UNIQUE,
    display_name        TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    line_number         TEXT,
    locale              TEXT NOT NULL DEFAULT 'it' CHECK (locale IN ('it', 'en')),
    role                TEXT NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'agent', 'admin')),
    email_confirmed_at  BIGINT,
    email_notifications BOOLEAN NOT NULL DEFAULT TRUE,
    -- Bumped when every other session of the account must end (password change or reset).
    session_epoch       BIGINT NOT NULL DEFAULT 0,
    blocked_at          BIGINT,
    deactivated_at      BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('confirm_email', 'reset_password', 'set_password')),
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    recipient       TEXT NOT NULL,
    locale          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    sent_at         BIGINT,
    failed_at       BIGINT,
    last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_by_recipient ON outbox (recipient);
