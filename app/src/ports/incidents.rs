//! Service incidents (#17) as stored.

use async_trait::async_trait;

use super::{EmailForRequest, NewEmail, RequestId, StoreError, UserId};
use crate::domain::incident::{IncidentStatus, IncidentText, IncidentTitle, Places};
use crate::domain::request::ActorRole;
use crate::domain::request::Category;
pub use crate::views::{IncidentSummary, IncidentUpdate};

/// An incident to open: its first update is its description.
pub struct NewIncident {
    pub title: IncidentTitle,
    pub description: IncidentText,
    pub topics: Vec<Category>,
    pub places: Places,
    pub status: IncidentStatus,
    /// When the problem began (the editor may say it began before they opened the incident).
    pub started_at: i64,
}

/// Someone an incident's news reaches: a linked request and its customer (#17).
#[derive(Clone, Debug)]
pub struct Affected {
    pub request: RequestId,
    pub email: String,
    pub display_name: String,
    pub locale: String,
    pub wants_email: bool,
}

/// The update a fan-out carries to every linked request.
#[derive(Clone, Debug)]
pub struct IncidentNews {
    pub incident: i64,
    pub title: String,
    pub status: IncidentStatus,
    pub body: String,
}

/// Builds the email that tells one affected customer of an update (`None`: they want no emails).
pub type EmailForNews = Box<dyn Fn(&IncidentNews, &Affected) -> Option<NewEmail> + Send + Sync>;

/// A customer's "I'm affected too", as the service wrote it (every text already checked).
#[derive(Clone, Debug)]
pub struct AffectedReport {
    pub customer: UserId,
    pub category: Category,
    /// The incident's title.
    pub subject: String,
    /// What the request says: affected too, and where when the customer said it.
    pub description: String,
    /// A checked line number, or empty.
    pub line_number: String,
}

/// What a fan-out batch did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FanOutStep {
    /// Linked requests this batch reached.
    pub reached: usize,
    /// The update's fan-out finished with this batch.
    pub finished: bool,
}

/// A request to link to an incident, as staff ask it.
#[derive(Clone, Debug)]
pub struct LinkRequest {
    pub request: RequestId,
    pub incident: i64,
    pub by: UserId,
    pub role: ActorRole,
    /// The staff member holds the request (or is an admin): they may take it from the agent's cases.
    pub may_take_held: bool,
}

#[async_trait]
pub trait Incidents: Send + Sync {
    /// Opens an incident with its first update, audited; its id.
    async fn open_incident(&self, incident: NewIncident, by: UserId, now: i64) -> Result<i64, StoreError>;

    /// A public update: sets the status (resolving it when `Resolved`), audited. `NotFound` for no such
    /// incident, `Conflict` once it is resolved.
    async fn update_incident(
        &self,
        id: i64,
        status: IncidentStatus,
        body: &IncidentText,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError>;

    /// One incident as lists show it (without its description and history): for its title and topics.
    async fn incident_summary(&self, id: i64) -> Result<Option<IncidentSummary>, StoreError>;

    /// One incident with its description and every update, newest first.
    async fn incident(&self, id: i64) -> Result<Option<(IncidentSummary, String, Vec<IncidentUpdate>)>, StoreError>;

    /// The incidents not resolved yet, newest first.
    async fn open_incidents(&self) -> Result<Vec<IncidentSummary>, StoreError>;

    /// Resolved incidents, latest resolved first, resolved before `before` (keyset on the resolution time).
    async fn past_incidents(&self, before: Option<i64>, limit: i64) -> Result<Vec<IncidentSummary>, StoreError>;

    /// The latest updates of every incident, newest first, each with its incident's id and title (the feed).
    async fn latest_incident_updates(&self, limit: i64) -> Result<Vec<(i64, String, IncidentUpdate)>, StoreError>;

    /// "I'm affected too": the customer's private request linked to the open incident, at once in charge
    /// (held by the incident, never in the queue), with its events and, when given, its email; one
    /// transaction. A customer has one request per incident: pressing again returns the same one
    /// (`false`: it existed). `NotFound` for no such incident, `Conflict` once it is resolved.
    async fn affected_too(
        &self,
        incident: i64,
        report: AffectedReport,
        email: Option<EmailForRequest>,
        now: i64,
    ) -> Result<(RequestId, bool), StoreError>;

    /// The customer's request linked to the incident, if any.
    async fn joined_request(&self, incident: i64, customer: UserId) -> Result<Option<RequestId>, StoreError>;

    /// Every request of the customer's that an incident holds: `(incident, request)`.
    async fn joined_requests(&self, customer: UserId) -> Result<Vec<(i64, RequestId)>, StoreError>;

    /// Staff link an open request to an open incident: it leaves the queue (or the agent's cases) and is
    /// held by the incident, with its event and email. `NotFound` / `Conflict` as above, `Conflict` too
    /// when the request is closed, already linked, held by someone else without `may_take_held`, or the
    /// customer already has a request on this incident.
    async fn link_request(&self, link: LinkRequest, email: Option<NewEmail>, now: i64) -> Result<(), StoreError>;

    /// Takes a request out of its incident: back in the queue at its original place, with its event.
    /// `Conflict` when it is not held by an incident any more.
    async fn unlink_request(&self, request: RequestId, by: UserId, role: ActorRole, now: i64)
    -> Result<(), StoreError>;

    /// One batch of the oldest unfinished fan-out: up to `batch` linked requests get the update on their
    /// timeline (a resolution gives them their outcome) and their email, with the job's progress, in one
    /// transaction. Exactly once per request, even across crashes and servers.
    async fn fan_out_step(&self, batch: i64, email: &EmailForNews, now: i64) -> Result<FanOutStep, StoreError>;
}
