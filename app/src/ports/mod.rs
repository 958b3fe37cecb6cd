//! The ports: what the services need from storage, as traits, one per concept. The server crate
//! implements every one of them for SQLite and PostgreSQL (`server/src/db`, one file per port), and one
//! contract suite checks both behave alike.

mod accounts;
mod attachments;
mod audit;
mod comments;
mod dashboard;
mod incidents;
mod limits;
mod operations;
mod outbox;
mod posts;
mod privacy;
mod queue;
mod requests;
mod staff;

use async_trait::async_trait;
use std::sync::Arc;

use crate::error::AppError;

pub use accounts::*;
pub use attachments::*;
pub use audit::*;
pub use comments::*;
pub use dashboard::*;
pub use incidents::*;
pub use limits::*;
pub use operations::*;
pub use outbox::*;
pub use posts::*;
pub use privacy::*;
pub use queue::*;
pub use requests::*;
pub use staff::*;

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

/// Everything the portal needs from its database; each backend implements every port.
pub trait Store:
    Health
    + Accounts
    + Outbox
    + Requests
    + Queue
    + Staff
    + Audit
    + Dashboard
    + Posts
    + Comments
    + Operations
    + Privacy
    + Incidents
    + Attachments
{
}

/// The store as the services get it.
pub type SharedStore = Arc<dyn Store>;
