//! PostgreSQL, for when one machine is not enough: several stateless app servers share one database.
//!
//! Nothing to add to the shared store: PostgreSQL has row locks and many writers (no writer lock), and
//! it commits many transactions at once from its many connections, flushing concurrent commits together,
//! so each submission commits on its own. Measured: grouping them through one connection, as SQLite
//! does, took PostgreSQL from ~700 to ~550 submissions/s.

use std::time::Duration;

use sqlx::Postgres;
use sqlx::postgres::PgPoolOptions;

use super::SqlStore;

/// The store for several app servers on one database.
pub(crate) type PgStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    pub(crate) async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool, writer: None, submissions: None, _lock: None })
    }
}
