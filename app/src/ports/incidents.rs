//! Service incidents (#17) as stored.

use async_trait::async_trait;

use super::{StoreError, UserId};
use crate::domain::incident::{IncidentStatus, IncidentText, IncidentTitle, Places};
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

    /// One incident with its description and every update, newest first.
    async fn incident(&self, id: i64) -> Result<Option<(IncidentSummary, String, Vec<IncidentUpdate>)>, StoreError>;

    /// The incidents not resolved yet, newest first.
    async fn open_incidents(&self) -> Result<Vec<IncidentSummary>, StoreError>;

    /// Resolved incidents, latest resolved first, resolved before `before` (keyset on the resolution time).
    async fn past_incidents(&self, before: Option<i64>, limit: i64) -> Result<Vec<IncidentSummary>, StoreError>;

    /// The latest updates of every incident, newest first, each with its incident's id and title (the feed).
    async fn latest_incident_updates(&self, limit: i64) -> Result<Vec<(i64, String, IncidentUpdate)>, StoreError>;
}
