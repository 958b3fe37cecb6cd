//! The embedded default: one SQLite file, in WAL mode, with foreign keys and a busy timeout.
//!
//! Durability: `synchronous = FULL` makes every commit reach the disk before it is acknowledged, so an
//! acknowledged write survives a killed process and a power cut alike.

use std::str::FromStr;
use std::time::Duration;

use app::ports::{Health, Store, StoreError};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::{Submission, WriterLock, db_err};

#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Writers of this process queue here (see `WriterLock`).
    writer: WriterLock,
    /// Submissions queue here and are committed in groups (see `impl_requests`).
    submissions: Option<tokio::sync::mpsc::Sender<Submission>>,
}

impl SqliteStore {
    pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(max_connections.max(1)).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = WriterLock::default();
        let submissions = Some(requests_impl::spawn_group_commit(pool.clone(), writer.clone()));
        Ok(Self { pool, writer, submissions })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Held for the length of a write transaction (see `writer`).
    pub(crate) async fn writer(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.writer.lock().await
    }
}

#[async_trait]
impl Health for SqliteStore {
    #[tracing::instrument(skip_all)]
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(db_err)?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }
}

impl Store for SqliteStore {}

super::accounts::impl_accounts_and_outbox!(SqliteStore, sqlx::Sqlite, "");
super::requests::impl_requests!(SqliteStore, sqlx::Sqlite, "");
