//! The database adapters. The backend is chosen here, and only here, from the URL's scheme.

pub mod postgres;
pub mod sqlite;

use std::sync::Arc;

use app::ports::SharedStore;

use crate::config::{Backend, Config};

/// Connects to the configured database and brings its schema up to date.
pub async fn connect(config: &Config) -> anyhow::Result<SharedStore> {
    let url = config.database_url.expose();
    let backend = config.database_url.backend().map_err(anyhow::Error::msg)?;
    let store: SharedStore = match backend {
        Backend::Sqlite => {
            Arc::new(sqlite::SqliteStore::connect(url, config.db_max_connections).await?)
        }
        Backend::Postgres => {
            Arc::new(postgres::PgStore::connect(url, config.db_max_connections).await?)
        }
    };
    tracing::info!(backend = store.backend(), "database ready");
    Ok(store)
}

/// Keeps the cause of a database error for the log; the user only ever sees `Internal`.
pub(crate) fn db_err(e: sqlx::Error) -> app::ports::StoreError {
    app::ports::StoreError::Database(Box::new(e))
}
