//! The mail outbox. Emails are written in the transaction of the change that causes them
//! ([`insert_email`]), and the delivery task claims, sends and marks them.

use app::ports::{NewEmail, Outbox, OutboxEmail, StoreError};
use async_trait::async_trait;

use super::{Backend, Sql, SqlStore};

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    recipient: String,
    locale: String,
    kind: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i64,
    sent_at: Option<i64>,
    failed_at: Option<i64>,
}

impl From<OutboxRow> for OutboxEmail {
    fn from(r: OutboxRow) -> Self {
        OutboxEmail {
            id: r.id,
            recipient: r.recipient,
            locale: r.locale,
            kind: r.kind,
            subject: r.subject,
            body_text: r.body_text,
            body_html: r.body_html,
            attempts: r.attempts,
            sent: r.sent_at.is_some(),
            failed: r.failed_at.is_some(),
        }
    }
}

const OUTBOX_COLUMNS: &str = "id, recipient, locale, kind, subject, body_text, body_html, attempts, sent_at, failed_at";

/// Emails anyone can make the portal send to an address that is not theirs (#14: registering a
/// victim's address and asking for the link again queued one email per click). Each group is counted
/// together, whatever the route that queues it: at most `CAPPED_PER_DAY` a day to one address, and the
/// rest are not queued at all. The pairs are one kind twice when a group has one kind.
const CAPPED_KINDS: [(&str, &str); 2] = [("confirm_email", "already_registered"), ("account_closed", "account_closed")];
const CAPPED_PER_DAY: i64 = 3;

/// Queues an email inside the caller's transaction. `false` when it was not queued: a capped kind over
/// its daily count (`CAPPED_KINDS`).
pub(super) async fn insert_email<DB: Backend>(
    conn: &mut DB::Connection,
    e: &NewEmail,
    now: i64,
) -> Result<bool, StoreError> {
    let capped = CAPPED_KINDS.iter().find(|(a, b)| *a == e.kind || *b == e.kind);
    let condition = if capped.is_some() {
        "WHERE (SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind IN ($8, $9) AND created_at > $7 - 86400000) \
         < $10"
    } else {
        ""
    };
    let sql = Sql::new(format!(
        "INSERT INTO outbox (recipient, locale, kind, subject, body_text, body_html, created_at, next_attempt_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $7 {condition}"
    ))
    .bind(&e.to)
    .bind(&e.locale)
    .bind(e.kind)
    .bind(&e.subject)
    .bind(&e.text)
    .bind(&e.html)
    .bind(now);
    let sql = match capped {
        Some((a, b)) => sql.bind(*a).bind(*b).bind(CAPPED_PER_DAY),
        None => sql,
    };
    Ok(DB::execute(conn, sql).await? == 1)
}

/// Blanks the address and the text of an erasure's confirmation when it is done with (sent, or given up).
const ERASED_ONCE_DONE: &str = ", recipient = CASE WHEN kind = 'account_erased' THEN '' ELSE recipient END, \
     subject = CASE WHEN kind = 'account_erased' THEN '' ELSE subject END, \
     body_text = CASE WHEN kind = 'account_erased' THEN '' ELSE body_text END, \
     body_html = CASE WHEN kind = 'account_erased' THEN '' ELSE body_html END";

#[async_trait]
impl<DB: Backend> Outbox for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(kind = email.kind))]
    async fn enqueue_email(&self, email: NewEmail, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        insert_email::<DB>(w.conn(), &email, now).await?;
        w.commit().await
    }

    #[tracing::instrument(skip_all)]
    async fn claim_due_emails(&self, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<OutboxEmail>, StoreError> {
        // The outer condition is checked again after a concurrent claim commits (PostgreSQL re-reads the
        // row), so two workers never take the same email.
        let sql = Sql::new(format!(
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 + $2 \
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 AND id IN \
             (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
              ORDER BY id LIMIT $3 {}) RETURNING {OUTBOX_COLUMNS}",
            DB::SKIP_LOCKED
        ))
        .bind(now)
        .bind(lease_ms)
        .bind(limit);
        let mut w = self.write().await?;
        let rows = DB::fetch_all::<OutboxRow>(w.conn(), sql).await?;
        w.commit().await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    #[tracing::instrument(skip_all, fields(email = id))]
    async fn mark_email_sent(&self, id: i64, now: i64) -> Result<(), StoreError> {
        // The confirmation of an erasure is the last trace of the address (#18): once delivered, it goes.
        let sql =
            Sql::new(format!("UPDATE outbox SET sent_at = $1, last_error = NULL{ERASED_ONCE_DONE} WHERE id = $2"))
                .bind(now)
                .bind(id);
        self.write_one(sql).await.map(|_| ())
    }

    #[tracing::instrument(skip_all, fields(email = id))]
    async fn mark_email_failed(&self, id: i64, error: &str, retry_at: Option<i64>, now: i64) -> Result<(), StoreError> {
        let (next, failed) = match retry_at {
            Some(at) => (Some(at), None),
            None => (None, Some(now)),
        };
        let erased = if failed.is_some() { ERASED_ONCE_DONE } else { "" };
        let sql = Sql::new(format!(
            "UPDATE outbox SET last_error = $1, next_attempt_at = COALESCE($2, next_attempt_at), failed_at = $3\
             {erased} WHERE id = $4",
        ))
        .bind(error)
        .bind(next)
        .bind(failed)
        .bind(id);
        self.write_one(sql).await.map(|_| ())
    }
}
