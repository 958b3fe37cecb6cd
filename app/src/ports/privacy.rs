//! Privacy rights (#18): everything the portal holds about one customer, as one document, and the
//! erasure of an account's personal data.
//!
//! The export's fields are documented one by one in the README ("Your data, as a file"); a test holds the
//! two together.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{NewEmail, StoreError, UserId};

/// The format name and version at the top of every export.
pub const EXPORT_FORMAT: &str = "social-care-3/personal-data";
pub const EXPORT_VERSION: u32 = 1;

/// The text that replaces what an erased customer wrote.
pub const REMOVED_TEXT: &str = "[rimosso]";

/// A published version of the privacy notice or of the rules.
pub use crate::views::Document;

/// Everything held about one customer. Times are milliseconds since the Unix epoch (UTC).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct DataExport {
    pub format: String,
    pub version: u32,
    pub generated_at: i64,
    pub account: ExportAccount,
    pub consents: Vec<ExportConsent>,
    pub requests: Vec<ExportRequest>,
    pub comments: Vec<ExportComment>,
    pub reactions: Vec<ExportReaction>,
    pub thanks: Vec<ExportThanks>,
    pub emails: Vec<ExportEmail>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportAccount {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub line_number: Option<String>,
    pub locale: String,
    pub email_notifications: bool,
    pub created_at: i64,
    pub email_confirmed_at: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportConsent {
    /// `privacy` (the privacy notice), `rules` (the page's rules) or `request` (the consent given with
    /// one request, to handle its data).
    pub document: String,
    pub version: Option<i64>,
    /// The request's reference, for a `request` consent.
    pub request: Option<String>,
    pub accepted_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportRequest {
    pub reference: String,
    pub category: String,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: String,
    pub reported_on: String,
    pub public_handle: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    pub rated_at: Option<i64>,
    pub events: Vec<ExportEvent>,
    /// The files attached to its messages (#19): what they are; each downloads at `/allegati/{id}` while
    /// the account exists.
    pub files: Vec<ExportFile>,
}

/// An attachment, as the export lists it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportFile {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub added_at: i64,
    /// Removed by the care pool: listed, no longer downloadable.
    pub removed: bool,
}

/// One event of a request's timeline, as its customer sees it (internal notes are never here).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportEvent {
    pub at: i64,
    /// `customer` (you), `team` (the care team) or `system` (the portal).
    pub by: String,
    pub kind: String,
    pub status: Option<String>,
    pub outcome: Option<String>,
    pub message: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportComment {
    pub id: i64,
    pub post_id: i64,
    pub reply_to: Option<i64>,
    pub body: String,
    pub state: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportReaction {
    pub target: String,
    pub target_id: i64,
    pub reaction: String,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportThanks {
    pub request: String,
    pub body: String,
    pub created_at: i64,
}

/// An email the portal wrote to the customer: what it was about and when, not its body.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ExportEmail {
    pub kind: String,
    pub subject: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// An erasure to carry out.
pub struct Erasure {
    pub user: UserId,
    /// Who asked: the customer themself, or an admin (then `reason` says why); `None` is the portal's
    /// retention (an account idle for too long).
    pub by: Option<UserId>,
    pub reason: Option<String>,
    /// The last email, to the address being erased: it confirms the deletion.
    pub confirmation: NewEmail,
}

/// What an erasure changed, for the log and the note.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    pub requests: u64,
    pub withdrawn: u64,
    pub messages: u64,
    pub comments: u64,
}

/// One line of the privacy log.
pub use crate::views::PrivacyLogLine;

/// Builds one email per account (the retention's warnings).
pub type EmailForEach = std::sync::Arc<dyn Fn(&super::UserRecord) -> NewEmail + Send + Sync>;

#[async_trait]
pub trait Privacy: Send + Sync {
    /// Everything held about `user` (who must be a customer, not erased), built in one read.
    async fn export_data(&self, user: UserId, now: i64) -> Result<DataExport, StoreError>;

    /// Records that `user` downloaded their data (the audit log, no content).
    async fn record_export(&self, user: UserId, now: i64) -> Result<(), StoreError>;

    /// Erases the account's personal data in one transaction: open requests are withdrawn, free texts
    /// replaced by [`REMOVED_TEXT`], emails to the address dropped, every session ended; then the
    /// confirmation is queued. `NotFound` when the account does not exist or is already erased.
    async fn erase_account(&self, erasure: Erasure, now: i64) -> Result<Erased, StoreError>;

    /// The exports and erasures, newest first, ids below `before`.
    async fn privacy_log(&self, before: Option<i64>, limit: i64) -> Result<Vec<PrivacyLogLine>, StoreError>;

    /// Records a login: the account is in use (its idle warning, if any, is void).
    async fn record_login(&self, user: UserId, now: i64) -> Result<(), StoreError>;

    // --- Retention (#18): each step is one idempotent statement per batch, safe when several servers run
    // it at once (a row is changed only while it still matches, so a second server finds nothing to do).

    /// Deletes up to `limit` customer accounts never confirmed and created at or before `created_before`
    /// (with their tokens, consents and emails); how many.
    async fn delete_unconfirmed(&self, created_before: i64, limit: i64) -> Result<u64, StoreError>;

    /// Anonymises up to `limit` requests closed at or before `closed_before` (their texts and every message
    /// of their timeline become [`REMOVED_TEXT`]); how many.
    async fn anonymise_closed(&self, closed_before: i64, limit: i64, now: i64) -> Result<u64, StoreError>;

    /// Empties the bodies of emails delivered (or given up on) at or before `done_before`; how many.
    async fn purge_email_bodies(&self, done_before: i64) -> Result<u64, StoreError>;

    /// Drops the details of audit lines written at or before `before`; how many.
    async fn drop_audit_details(&self, before: i64) -> Result<u64, StoreError>;

    /// Warns up to `limit` customers whose last login was at or before `idle_since` (once: the warning is
    /// recorded with its email, in one transaction); how many.
    async fn warn_idle(&self, idle_since: i64, email: EmailForEach, limit: i64, now: i64) -> Result<u64, StoreError>;

    /// Customers warned at or before `warned_before` who have not logged in since: to be erased.
    async fn idle_to_erase(&self, warned_before: i64, limit: i64) -> Result<Vec<super::UserRecord>, StoreError>;

    /// The latest published version of each document (none: the texts built into the portal, version 1).
    async fn current_documents(&self) -> Result<Vec<Document>, StoreError>;

    /// Publishes a new version of `kind` (the next number) and audits it; its version.
    async fn publish_document(
        &self,
        kind: &str,
        body_it: &str,
        body_en: &str,
        by: UserId,
        now: i64,
    ) -> Result<i64, StoreError>;

    /// Records the account's acceptance of the current version of every document.
    async fn accept_documents(&self, user: UserId, now: i64) -> Result<(), StoreError>;
}
