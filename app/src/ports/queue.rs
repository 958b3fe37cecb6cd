//! The care pool's queue: first come, first served.

use async_trait::async_trait;

use super::{NewEmail, RequestId, RequestRecord, StoreError, UserId, UserRecord};
use crate::domain::request::Status;
/// A line of the staff queue, "my cases" or search results (the line number masked).
pub use crate::views::CaseLine;

/// Builds the "taken in charge" email once the taken request and its customer are known (inside the
/// taking transaction); `None` when the customer does not want emails.
pub type EmailForTaken = Box<dyn FnOnce(&RequestRecord, &UserRecord) -> Option<NewEmail> + Send>;

/// What staff search by; every part optional, all given parts must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseSearch {
    pub id: Option<RequestId>,
    pub customer_email: Option<String>,
    pub line_number: Option<String>,
    pub status: Option<Status>,
    /// Lower-case words found in the customer's name, the public handle, the subject or the description.
    pub text: Option<String>,
}

/// The care pool's queue and the cases its members hold.
#[async_trait]
pub trait Queue: Send + Sync {
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
    async fn queue(&self, after: Option<(i64, RequestId)>, limit: i64) -> Result<Vec<CaseLine>, StoreError>;

    /// How many requests are in each open state, counted up to [`STATE_COUNT_CAP`](crate::domain::request::STATE_COUNT_CAP) (a count at the cap means
    /// "that many or more"): the queue page shows them on every view, and counting a backlog of 100,000
    /// took 14 ms at a million stored requests. Closed ones are history: the dashboard counts them.
    async fn state_counts(&self) -> Result<Vec<(Status, i64)>, StoreError>;

    /// The open requests an agent holds, oldest arrival first.
    async fn cases_held_by(&self, agent: UserId) -> Result<Vec<CaseLine>, StoreError>;

    /// Requests matching the search, newest first, ids below `before` (keyset).
    async fn search_cases(
        &self,
        q: &CaseSearch,
        before: Option<RequestId>,
        limit: i64,
    ) -> Result<Vec<CaseLine>, StoreError>;
}
