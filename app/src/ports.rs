//! The ports: what the server functions need from storage, as traits. The server crate implements them
//! for SQLite and PostgreSQL (`server/src/db`), and one contract suite checks both behave alike.

use async_trait::async_trait;
use std::sync::Arc;

use crate::domain::account::{DisplayName, Email, LineNumber};
use crate::domain::request::{
    AuditAction, Category, Contact, Description, EventKind, Outcome, PublicHandle, Rating, ReportedOn, Role, Status,
    Subject,
};
use crate::error::AppError;

/// A storage failure. Adapters map their database errors here; `Database` keeps the cause for the log.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("conflict")]
    Conflict,
    #[error("database error")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict => AppError::Conflict,
            StoreError::Database(cause) => {
                tracing::error!(error = %cause, debug = ?cause, "storage failure");
                AppError::Internal
            }
        }
    }
}

/// Is the database there and answering? (`/readyz`)
#[async_trait]
pub trait Health: Send + Sync {
    async fn ping(&self) -> Result<(), StoreError>;
    /// Which backend this is, for logs and `/readyz`.
    fn backend(&self) -> &'static str;
}

pub type UserId = i64;

/// An account as stored. Carries the password hash: it never leaves the server (no `Serialize`).
#[derive(Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub line_number: Option<String>,
    pub locale: String,
    pub role: Role,
    pub email_confirmed: bool,
    pub email_notifications: bool,
    pub session_epoch: i64,
    pub blocked: bool,
    pub deactivated: bool,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only what a log may hold: no email, no hash, no line number.
        f.debug_struct("UserRecord").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}

pub struct NewAccount {
    pub email: Email,
    pub display_name: DisplayName,
    pub password_hash: String,
    pub line_number: Option<LineNumber>,
    pub locale: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    ConfirmEmail,
    ResetPassword,
    SetPassword,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmEmail => "confirm_email",
            Self::ResetPassword => "reset_password",
            Self::SetPassword => "set_password",
        }
    }
}

/// A single-use token: only its SHA-256 is stored, the token itself goes out in an email link.
pub struct NewToken {
    pub hash: String,
    pub purpose: TokenPurpose,
    pub expires_at: i64,
}

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

#[derive(Debug, PartialEq, Eq)]
pub enum Registration {
    Created(UserId),
    /// The address already had an account: the "someone tried to register" email was queued instead.
    AlreadyRegistered,
}

/// What the account page can change.
pub struct ProfileUpdate {
    pub display_name: DisplayName,
    pub line_number: Option<LineNumber>,
    pub locale: &'static str,
    pub email_notifications: bool,
}

/// Builds an email for an account found inside a transaction (e.g. the "password changed" notice).
pub type EmailFor = Box<dyn FnOnce(&UserRecord) -> NewEmail + Send>;

#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates the account with its confirmation token and queues `confirm`; when the address is
    /// taken, changes nothing but queues `taken` to the address instead. One transaction.
    async fn register_account(
        &self,
        account: NewAccount,
        token: NewToken,
        confirm: NewEmail,
        taken: NewEmail,
        now: i64,
    ) -> Result<Registration, StoreError>;

    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>, StoreError>;

    async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, StoreError>;

    /// Uses a token of the given purpose if it exists, is unused and unexpired; returns its account.
    async fn use_token(&self, token_hash: &str, purpose: TokenPurpose, now: i64) -> Result<Option<UserId>, StoreError>;

    /// Marks the email confirmed by a valid confirmation token.
    async fn confirm_email(&self, token_hash: &str, now: i64) -> Result<Option<UserId>, StoreError>;

    /// Replaces the account's unused tokens of that purpose with a new one and queues its email.
    async fn issue_token(&self, user: UserId, token: NewToken, email: NewEmail, now: i64) -> Result<(), StoreError>;

    /// Uses a reset token, sets the new hash, ends every session (epoch + 1) and queues the notice.
    async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        notice: EmailFor,
        now: i64,
    ) -> Result<Option<UserId>, StoreError>;

    /// Sets a new hash, ends every other session (returns the new epoch) and queues the notice.
    async fn change_password(
        &self,
        user: UserId,
        password_hash: &str,
        notice: NewEmail,
        now: i64,
    ) -> Result<i64, StoreError>;

    async fn update_profile(&self, user: UserId, profile: ProfileUpdate, now: i64) -> Result<(), StoreError>;

    /// Makes the account a customer, an agent or an admin, ending its sessions (epoch + 1): a change of
    /// privilege starts from a fresh login.
    /// `by` is the admin who did it (for the audit log).
    async fn set_role(&self, user: UserId, role: Role, by: Option<UserId>, now: i64) -> Result<(), StoreError>;
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

    /// Every email to one address, oldest first (tests read the outbox through this).
    async fn emails_to(&self, recipient: &str) -> Result<Vec<OutboxEmail>, StoreError>;
}

pub type RequestId = i64;

/// A request as the customer submits it (every field already validated).
pub struct NewRequest {
    pub customer: UserId,
    pub category: Category,
    pub subject: Subject,
    pub description: Description,
    pub line_number: LineNumber,
    pub contact: Contact,
    pub reported_on: ReportedOn,
    pub public_handle: Option<PublicHandle>,
}

/// A request as stored. Holds private data: its `Debug` shows only the id and the state.
#[derive(Clone)]
pub struct RequestRecord {
    pub id: RequestId,
    pub customer_id: UserId,
    pub category: Category,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: Contact,
    pub reported_on: ReportedOn,
    pub public_handle: Option<String>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub holder_id: Option<UserId>,
    pub version: i64,
    pub queue_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_activity_at: i64,
    pub taken_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub customer_seen_event: i64,
}

impl std::fmt::Debug for RequestRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestRecord")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// One line of a request's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    pub id: i64,
    pub request_id: RequestId,
    pub at: i64,
    pub actor_id: Option<UserId>,
    /// `customer`, `agent`, `admin` or `system`.
    pub actor_role: String,
    pub kind: EventKind,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub outcome: Option<Outcome>,
    pub body: Option<String>,
    pub internal: bool,
}

/// A line of "My requests".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestListItem {
    pub id: RequestId,
    pub category: Category,
    pub subject: String,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub last_activity_at: i64,
    /// The pool's events the customer has not seen yet.
    pub unread: i64,
}

/// Where a page of "My requests" ends: the next page starts after it (keyset pagination).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListCursor {
    pub last_activity_at: i64,
    pub id: RequestId,
}

/// An event to append to a timeline.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub actor_id: Option<UserId>,
    pub actor_role: &'static str,
    pub kind: EventKind,
    pub body: Option<String>,
    pub internal: bool,
}

/// A change of a request, decided by the service with the domain's rules: applied only if the request
/// is still at `expected_version` (else `StoreError::Conflict`), with its event and its email, in one
/// transaction.
#[derive(Debug)]
pub struct TransitionRecord {
    pub request: RequestId,
    pub expected_version: i64,
    pub from: Status,
    pub to: Status,
    pub outcome: Option<Outcome>,
    pub holder_id: Option<UserId>,
    pub taken_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub last_activity_at: i64,
    pub event: NewEvent,
    pub email: Option<NewEmail>,
    pub now: i64,
}

/// What the live status asks every few seconds: the newest event the customer may see, and how many
/// of the pool's events they have not seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pulse {
    pub latest_event: i64,
    pub unread: i64,
}

/// Builds the email for a request once its id is known (inside the submitting transaction).
pub type EmailForRequest = Box<dyn Fn(RequestId) -> NewEmail + Send + Sync>;

#[async_trait]
pub trait Requests: Send + Sync {
    /// Stores the request (status `received`, queued at `now`) with its `received` event and, when
    /// given, its email. One transaction.
    async fn submit_request(
        &self,
        request: NewRequest,
        email: Option<EmailForRequest>,
        now: i64,
    ) -> Result<RequestId, StoreError>;

    async fn request_by_id(&self, id: RequestId) -> Result<Option<RequestRecord>, StoreError>;

    /// A customer's requests, newest activity first, after `after` (keyset), at most `limit`.
    async fn customer_requests(
        &self,
        customer: UserId,
        after: Option<ListCursor>,
        limit: i64,
    ) -> Result<Vec<RequestListItem>, StoreError>;

    /// The timeline, oldest first; internal notes only when asked for.
    async fn request_events(&self, id: RequestId, include_internal: bool) -> Result<Vec<EventRecord>, StoreError>;

    /// Applies a change if nobody changed the request since it was read; returns the new version.
    async fn record_transition(&self, change: TransitionRecord) -> Result<i64, StoreError>;

    /// Records a rating, once, on the customer's own request after its outcome; `false` otherwise.
    async fn rate_request(
        &self,
        id: RequestId,
        customer: UserId,
        rating: Rating,
        comment: Option<String>,
        now: i64,
    ) -> Result<bool, StoreError>;

    /// The customer has seen the request's timeline up to event `up_to` (a view that shows nothing new
    /// writes nothing).
    async fn mark_seen(&self, id: RequestId, customer: UserId, up_to: i64) -> Result<(), StoreError>;

    async fn customer_pulse(&self, customer: UserId) -> Result<Pulse, StoreError>;

    /// Requests with an outcome given before `cutoff` that nobody confirmed or reopened, oldest first.
    async fn resolved_before(&self, cutoff: i64, limit: i64) -> Result<Vec<RequestRecord>, StoreError>;
}

/// Builds the "taken in charge" email once the taken request and its customer are known (inside the
/// taking transaction); `None` when the customer does not want emails.
pub type EmailForTaken = Box<dyn FnOnce(&RequestRecord, &UserRecord) -> Option<NewEmail> + Send>;

/// A line of the staff queue, "my cases" or search results. The line number is masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSummary {
    pub id: RequestId,
    pub category: Category,
    pub subject: String,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub line_number: String,
    pub queue_at: i64,
    pub last_activity_at: i64,
    pub holder_id: Option<UserId>,
    pub holder_name: Option<String>,
    pub customer_email: String,
}

/// What staff search by; every part optional, all given parts must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseSearch {
    pub id: Option<RequestId>,
    pub customer_email: Option<String>,
    pub line_number: Option<String>,
    pub status: Option<Status>,
}

/// A line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub request_id: Option<RequestId>,
    pub subject_user_id: Option<UserId>,
    pub detail: Option<String>,
}

/// An audit record to write.
#[derive(Clone, Debug)]
pub struct NewAudit {
    pub actor_id: Option<UserId>,
    pub action: AuditAction,
    pub request_id: Option<RequestId>,
    pub subject_user_id: Option<UserId>,
    pub detail: Option<String>,
}

/// A staff member as the admin pages list them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffMember {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub open_cases: i64,
}

/// The numbers behind the admin dashboard, raw (the service computes percentiles and shapes).
#[derive(Clone, Debug, Default)]
pub struct DashboardData {
    pub counts: Vec<(Status, i64)>,
    /// (day number since the epoch, requests received that day), last days only.
    pub per_day: Vec<(i64, i64)>,
    /// Milliseconds from arrival to taken in charge, for requests taken since the window start.
    pub take_times: Vec<(i64, i64)>,
    /// Milliseconds from arrival to outcome, for requests resolved since the window start.
    pub outcome_times: Vec<(i64, i64)>,
    pub oldest_waiting: Option<i64>,
    pub rating_sum: i64,
    pub rating_count: i64,
    pub open_per_agent: Vec<(String, i64)>,
}

/// The care pool's side of the store.
#[async_trait]
pub trait Pool: Send + Sync {
    /// Gives `agent` the oldest request nobody holds (arrival order), atomically: two takers, even on two
    /// servers, never get the same one. Writes its `taken` event, audit line and email in the same
    /// transaction. `None` when the queue is empty.
    async fn take_next(
        &self,
        agent: UserId,
        email: EmailForTaken,
        now: i64,
    ) -> Result<Option<RequestRecord>, StoreError>;

    /// Waiting requests nobody holds, oldest first, after `after` = (queue_at, id).
    async fn queue(&self, after: Option<(i64, RequestId)>, limit: i64) -> Result<Vec<CaseSummary>, StoreError>;

    /// How many requests are in each open state, counted up to [`STATE_COUNT_CAP`](crate::domain::request::STATE_COUNT_CAP) (a count at the cap means
    /// "that many or more"): the queue page shows them on every view, and counting a backlog of 100,000
    /// took 14 ms at a million stored requests. Closed ones are history: the dashboard counts them.
    async fn state_counts(&self) -> Result<Vec<(Status, i64)>, StoreError>;

    /// The open requests an agent holds, oldest arrival first.
    async fn cases_held_by(&self, agent: UserId) -> Result<Vec<CaseSummary>, StoreError>;

    /// Requests matching the search, newest first, ids below `before` (keyset).
    async fn search_cases(
        &self,
        q: &CaseSearch,
        before: Option<RequestId>,
        limit: i64,
    ) -> Result<Vec<CaseSummary>, StoreError>;

    async fn write_audit(&self, entry: NewAudit, now: i64) -> Result<(), StoreError>;

    /// The audit log, newest first, optionally for one request and/or one staff member, ids below `before`.
    async fn audit_log(
        &self,
        request: Option<RequestId>,
        actor: Option<UserId>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError>;

    /// Creates a staff account that cannot log in until its set-password link is used; `Conflict` when
    /// the address has an account already.
    async fn create_staff(
        &self,
        email: &Email,
        name: &DisplayName,
        role: Role,
        token: NewToken,
        invite: NewEmail,
        by: UserId,
        now: i64,
    ) -> Result<UserId, StoreError>;

    /// Creates a confirmed admin with this password hash (the `create-admin` command); `Conflict` when the
    /// address has an account already.
    async fn create_admin(
        &self,
        email: &Email,
        name: &DisplayName,
        password_hash: &str,
        now: i64,
    ) -> Result<UserId, StoreError>;

    async fn list_staff(&self) -> Result<Vec<StaffMember>, StoreError>;

    /// Deactivates (every session ends at once) or reactivates an account, with its audit line.
    async fn set_active(&self, user: UserId, active: bool, by: UserId, now: i64) -> Result<(), StoreError>;

    /// Blocks (no more logins or submissions, sessions end) or unblocks a customer, with its audit line.
    async fn set_blocked(&self, user: UserId, blocked: bool, by: UserId, now: i64) -> Result<(), StoreError>;

    async fn dashboard(&self, since_ms: i64, now: i64) -> Result<DashboardData, StoreError>;
}

/// Everything the portal needs from its database; each backend implements every port.
pub trait Store: Health + Accounts + Outbox + Requests + Pool {}

/// Settings the server functions need, from the server's configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Public address of the portal, without a trailing slash (links in emails start with it).
    pub public_url: String,
    /// Cookies the server sets itself carry `Secure` (the portal is served over HTTPS).
    pub secure_cookies: bool,
}

/// What is counted against abuse. Limits are per client address (`…Ip`), per email address (`…Email`)
/// or per account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    LoginIp,
    LoginEmail,
    RegisterIp,
    ResetIp,
    ResetEmail,
    NewRequest,
    /// New confirmation links, per account.
    Resend,
}

/// Rate limits and the growing delay after failed logins (the server implements it with `governor`).
pub trait Limiter: Send + Sync {
    /// Counts one attempt; `Err(seconds)` when over the limit (retry after that long).
    fn check(&self, limit: Limit, key: &str) -> Result<(), u64>;
    /// `Err(seconds)` while whoever `key` names must wait after repeated failures (a login's key is
    /// its account and client address, or its known device; see `api::auth`).
    fn login_delay(&self, key: &str) -> Result<(), u64>;
    /// A failure for `key`: the next wait grows (1 s, 2 s, 4 s … up to 15 min) after 5.
    fn login_failed(&self, key: &str);
    fn login_succeeded(&self, key: &str);
}

pub type SharedLimiter = Arc<dyn Limiter>;

/// Counts an attempt against a limit, if the server configured limits.

pub fn limit(limit: Limit, key: &str) -> Result<(), AppError> {
    match leptos::prelude::use_context::<SharedLimiter>() {
        Some(l) => l.check(limit, key).map_err(|secs| AppError::RateLimited { retry_after_secs: secs }),
        None => Ok(()),
    }
}

/// The limiter from context (`None` when the server runs without one).
pub fn limiter() -> Option<SharedLimiter> {
    leptos::prelude::use_context::<SharedLimiter>()
}

/// The client's address, as the server determined it (a header it sets itself; see `server/src/http.rs`).
pub async fn client_ip() -> String {
    leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| h.get(CLIENT_IP_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The request header the server writes the client's address into (any incoming one is replaced).
pub const CLIENT_IP_HEADER: &str = "x-sc3-client-ip";

/// The store from context (the server provides it to every page and server function).
pub fn store() -> Result<SharedStore, AppError> {
    leptos::prelude::use_context::<SharedStore>().ok_or_else(|| {
        tracing::error!("no store in context");
        AppError::Internal
    })
}

pub fn settings() -> Result<Settings, AppError> {
    leptos::prelude::use_context::<Settings>().ok_or(AppError::Internal)
}

/// The store as server functions get it from context.
pub type SharedStore = Arc<dyn Store>;
