//! What the operator's metrics read from the database at each scrape (#20).

use async_trait::async_trait;

use super::StoreError;
use crate::domain::request::Status;

/// The site's state as the metrics show it; times are milliseconds since the epoch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OperationsSnapshot {
    /// Every request, per state (exact).
    pub per_state: Vec<(Status, i64)>,
    /// Requests waiting in the queue (received, nobody holding them), and since when the oldest waits.
    pub waiting: i64,
    pub oldest_waiting_since: Option<i64>,
    /// Emails not sent yet and not given up on, and since when the oldest of them waits.
    pub outbox_pending: i64,
    pub outbox_oldest_pending_since: Option<i64>,
    /// Emails given up on after their last attempt.
    pub outbox_failed: i64,
}

/// The connections of the database pool, for the metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
}

#[async_trait]
pub trait Operations: Send + Sync {
    async fn operations(&self) -> Result<OperationsSnapshot, StoreError>;
    fn pool_use(&self) -> PoolUse;
}
