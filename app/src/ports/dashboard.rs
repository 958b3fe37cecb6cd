//! The numbers behind the admin dashboard.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::request::Status;

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
    /// Incidents open now or started since the window start, newest first (#17).
    pub incidents: Vec<IncidentStat>,
}

pub use crate::views::IncidentStat;

#[async_trait]
pub trait Dashboard: Send + Sync {
    async fn dashboard(&self, since_ms: i64, now: i64) -> Result<DashboardData, StoreError>;
}
