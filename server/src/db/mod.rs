//! The database adapters. The backend is chosen here, and only here, from the URL's scheme.

mod accounts;
pub mod postgres;
mod requests;
pub mod seed;
pub mod sqlite;

use std::sync::Arc;

use app::ports::SharedStore;

use crate::config::{Backend, Config};
use crate::sessions::SessionBackend;

/// The portal's store and the session store, on the same database.
pub struct Connected {
    pub store: SharedStore,
    pub sessions: SessionBackend,
}

/// Connects to the configured database and brings its schema (and the sessions table) up to date.
pub async fn connect(config: &Config) -> anyhow::Result<Connected> {
    let url = config.database_url.expose();
    let backend = config.database_url.backend().map_err(anyhow::Error::msg)?;
    let connected = match backend {
        Backend::Sqlite => {
            let store = sqlite::SqliteStore::connect(url, config.db_max_connections).await?;
            let sessions = tower_sessions_sqlx_store::SqliteStore::new(store.pool().clone());
            sessions.migrate().await?;
            Connected { store: Arc::new(store), sessions: SessionBackend::Sqlite(sessions) }
        }
        Backend::Postgres => {
            let store = postgres::PgStore::connect(url, config.db_max_connections).await?;
            let sessions = tower_sessions_sqlx_store::PostgresStore::new(store.pool().clone());
            sessions.migrate().await?;
            Connected { store: Arc::new(store), sessions: SessionBackend::Postgres(sessions) }
        }
    };
    tracing::info!(backend = connected.store.backend(), "database ready");
    Ok(connected)
}

/// SQLite has one writer at a time; when several transactions want it, the losers sleep in SQLite's busy
/// handler (1, 2, 5 … 100 ms) — the long tail of writes under load. Every write of this process takes
/// this lock first, so writers queue in arrival order and readers go on in parallel (WAL). PostgreSQL has
/// row locks and many writers: it has none (`PgStore::writer` is a no-op).
#[derive(Clone, Default)]
pub(crate) struct WriterLock(Arc<tokio::sync::Mutex<()>>);

impl WriterLock {
    /// Held for the length of a write transaction.
    pub(crate) async fn lock(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.0.clone().lock_owned().await
    }
}

/// A submission waiting for SQLite's group commit (`sqlite::spawn_group_commit`): the whole request, its
/// email, and where to send the outcome once the transaction holding it is on disk.
pub(crate) struct Submission {
    pub request: app::ports::NewRequest,
    pub email: Option<app::ports::EmailForRequest>,
    pub now: i64,
    pub done: tokio::sync::oneshot::Sender<Result<app::ports::RequestId, app::ports::StoreError>>,
}

/// The error a submission gets when its group commit could not be made (the cause is in the log).
pub(crate) fn group_failed(why: &str) -> app::ports::StoreError {
    app::ports::StoreError::Database(why.to_string().into())
}

/// Keeps the cause of a database error for the log; the user only ever sees `Internal`.
pub(crate) fn db_err(e: sqlx::Error) -> app::ports::StoreError {
    app::ports::StoreError::Database(Box::new(e))
}
