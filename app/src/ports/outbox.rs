//! The mail outbox: emails are written in the transaction of the change that causes them, and a
//! delivery task sends them.

use async_trait::async_trait;

use super::StoreError;

/// An email to write to the outbox (in the same transaction as the change that causes it).
#[derive(Clone, Debug)]
pub struct NewEmail {
    pub to: String,
    pub locale: String,
    pub kind: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// An email in the outbox, as the delivery task and the tests see it.
#[derive(Clone, Debug)]
pub struct OutboxEmail {
    pub id: i64,
    pub recipient: String,
    pub locale: String,
    pub kind: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub attempts: i64,
    pub sent: bool,
    pub failed: bool,
}

#[async_trait]
pub trait Outbox: Send + Sync {
    async fn enqueue_email(&self, email: NewEmail, now: i64) -> Result<(), StoreError>;

    /// Takes up to `limit` emails that are due, pushing their next attempt `lease_ms` ahead so that no
    /// other worker (or server) takes them meanwhile.
    async fn claim_due_emails(&self, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<OutboxEmail>, StoreError>;

    async fn mark_email_sent(&self, id: i64, now: i64) -> Result<(), StoreError>;

    /// Records a failed attempt: retried at `retry_at`, or given up on when `None`.
    async fn mark_email_failed(&self, id: i64, error: &str, retry_at: Option<i64>, now: i64) -> Result<(), StoreError>;
}
