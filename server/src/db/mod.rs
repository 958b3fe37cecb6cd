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

/// Keeps the cause of a database error for the log; the user only ever sees `Internal`.
pub(crate) fn db_err(e: sqlx::Error) -> app::ports::StoreError {
    app::ports::StoreError::Database(Box::new(e))
}
