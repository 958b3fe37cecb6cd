//! The ports: what the server functions need from storage, as traits. The server crate implements them
//! for SQLite and PostgreSQL (`server/src/db`), and one contract suite checks both behave alike.

use async_trait::async_trait;
use std::sync::Arc;

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

/// Everything the portal needs from its database; each backend implements every port.
pub trait Store: Health {}

/// The store as server functions get it from context.
pub type SharedStore = Arc<dyn Store>;
