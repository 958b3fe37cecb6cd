//! Assistance requests and their timelines, as their customers see them.

use async_trait::async_trait;

use super::{NewEmail, StoreError, UserId};
use crate::domain::account::LineNumber;
use crate::domain::request::{
    ActorRole, Category, Contact, Description, EventKind, Outcome, PublicHandle, Rating, ReportedOn, Status, Subject,
};
pub use crate::views::RequestSummary;

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
    /// Files the customer attached (#19), stored with it.
    pub attachments: Vec<super::NewAttachment>,
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
    /// The incident holding it (#17), when linked.
    pub incident_id: Option<i64>,
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
    pub actor_role: ActorRole,
    pub kind: EventKind,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub outcome: Option<Outcome>,
    pub body: Option<String>,
    pub internal: bool,
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
    pub actor_role: ActorRole,
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
    /// Files the message carries (#19), stored with its event.
    pub attachments: Vec<super::NewAttachment>,
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
    ) -> Result<Vec<RequestSummary>, StoreError>;

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
