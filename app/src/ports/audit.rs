//! The audit log: who did what, when.

use async_trait::async_trait;

use super::{RequestId, StoreError, UserId};
use crate::domain::request::AuditAction;
/// A line of the audit log.
pub use crate::views::AuditLine;

/// An audit record to write.
#[derive(Clone, Debug)]
pub struct NewAudit {
    pub actor_id: Option<UserId>,
    pub action: AuditAction,
    pub request_id: Option<RequestId>,
    pub subject_user_id: Option<UserId>,
    pub detail: Option<String>,
}

#[async_trait]
pub trait Audit: Send + Sync {
    async fn write_audit(&self, entry: NewAudit, now: i64) -> Result<(), StoreError>;

    /// The audit log, newest first, optionally for one request and/or one staff member, ids below `before`,
    /// without the openings of case pages when `without_openings`.
    async fn audit_log(
        &self,
        request: Option<RequestId>,
        actor: Option<UserId>,
        before: Option<i64>,
        without_openings: bool,
        limit: i64,
    ) -> Result<Vec<AuditLine>, StoreError>;
}
