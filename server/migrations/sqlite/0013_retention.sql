-- Retention that runs by itself (#18): what each rule needs to find its rows quickly and to act once.
ALTER TABLE users ADD COLUMN last_login_at BIGINT;
-- Set when an account idle for too long is warned; cleared by the next login.
ALTER TABLE users ADD COLUMN inactivity_warned_at BIGINT;
-- Until now nobody's logins were recorded: the last change of the account is the best there is.
UPDATE users SET last_login_at = updated_at;
CREATE INDEX users_unconfirmed ON users (created_at) WHERE email_confirmed_at IS NULL;
CREATE INDEX users_idle ON users (last_login_at) WHERE erased_at IS NULL AND role = 'customer';

-- A closed request's texts are anonymised once, after the retention period.
ALTER TABLE requests ADD COLUMN anonymised_at BIGINT;
CREATE INDEX requests_to_anonymise ON requests (closed_at) WHERE status = 'closed' AND anonymised_at IS NULL;

CREATE INDEX outbox_bodies ON outbox (sent_at) WHERE body_text <> '';
CREATE INDEX audit_details ON audit_log (at) WHERE detail IS NOT NULL;
