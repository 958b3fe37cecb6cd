//! The database adapters: one store, [`SqlStore`], implements every port for both backends.
//!
//! # Why this shape
//! The SQL is the same text on SQLite and PostgreSQL (`$n` parameters, `RETURNING`, `ON CONFLICT`), so it
//! is written once. What really differs is small, and it is all in [`Backend`] (`sql.rs`): the row-locking
//! clause of the claims (`FOR UPDATE SKIP LOCKED`), SQLite's one-writer-at-a-time lock, and the two
//! connection types. A query is a plain value ([`Sql`]: text and typed arguments); the backend runs it.
//!
//! The alternatives were weighed: generic code over `sqlx::Database` needs a dozen higher-ranked bounds
//! repeated on every function (Rust does not carry them along), sqlx's `Any` driver cannot read SQLite's
//! booleans and hides the typed pools the session store needs, and two copies of every query would drift.
//!
//! One file per port: `accounts`, `outbox`, `requests`, `queue`, `staff`, `audit`, `dashboard`, `posts`. SQLite's
//! own parts (the file, WAL, group commit) are in `sqlite.rs`, PostgreSQL's in `postgres.rs`.

mod accounts;
pub(super) mod attachments;
mod audit;
mod comments;
mod dashboard;
mod incidents;
pub mod limits;
mod operations;
mod outbox;
pub mod postgres;
mod posts;
mod privacy;
mod queue;
mod requests;
#[cfg(feature = "bench")]
pub mod seed;
mod sql;
pub mod sqlite;
mod staff;

use std::sync::Arc;

use app::ports::{Health, SharedStore, Store, StoreError};
use async_trait::async_trait;

use crate::config::{Backend as Scheme, Config};
use crate::sessions::SessionBackend;

pub(crate) use sql::{Backend, Sql, contains_pattern, db_err, placeholders};

/// The portal's store and the session store, on the same database.
pub struct Connected {
    pub store: SharedStore,
    pub sessions: SessionBackend,
    /// PostgreSQL's pool, where the abuse limits of every app server are counted (`limits.rs`).
    pub postgres: Option<sqlx::PgPool>,
}

/// Connects to the configured database and brings its schema (and the sessions table) up to date.
pub async fn connect(config: &Config) -> anyhow::Result<Connected> {
    let url = config.database_url.expose();
    let scheme = config.database_url.backend().map_err(anyhow::Error::msg)?;
    let connected = match scheme {
        Scheme::Sqlite => {
            let store = SqlStore::<sqlx::Sqlite>::connect(url, config.db_max_connections).await?;
            let sessions = tower_sessions_sqlx_store::SqliteStore::new(store.pool().clone());
            sessions.migrate().await?;
            Connected { store: Arc::new(store), sessions: SessionBackend::Sqlite(sessions), postgres: None }
        }
        Scheme::Postgres => {
            let store = SqlStore::<sqlx::Postgres>::connect(url, config.db_max_connections).await?;
            let sessions = tower_sessions_sqlx_store::PostgresStore::new(store.pool().clone());
            sessions.migrate().await?;
            let pool = store.pool().clone();
            Connected { store: Arc::new(store), sessions: SessionBackend::Postgres(sessions), postgres: Some(pool) }
        }
    };
    tracing::info!(backend = connected.store.backend(), "database ready");
    Ok(connected)
}

/// The store on one backend: its pool and, on SQLite, the writer lock and the group commit.
pub(crate) struct SqlStore<DB: Backend> {
    pool: sqlx::Pool<DB>,
    /// SQLite's writers queue here (see [`WriterLock`]); PostgreSQL has none.
    writer: Option<WriterLock>,
    /// SQLite's submissions queue here to be committed in groups (`sqlite.rs`); PostgreSQL has none.
    submissions: Option<tokio::sync::mpsc::Sender<Submission>>,
    /// SQLite: the shared lock on the database that keeps a restore from replacing it under this process.
    _lock: Option<Arc<crate::backup::DatabaseLock>>,
}

impl<DB: Backend> SqlStore<DB> {
    pub(crate) fn pool(&self) -> &sqlx::Pool<DB> {
        &self.pool
    }

    /// Starts a write transaction (after taking SQLite's writer lock).
    async fn write(&self) -> Result<Write<DB>, StoreError> {
        let writer = match &self.writer {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let tx = self.pool.begin_with(DB::BEGIN_WRITE).await.map_err(db_err)?;
        Ok(Write { tx, _writer: writer })
    }

    /// One statement that writes, outside any transaction; the number of rows it changed.
    async fn write_one(&self, sql: Sql<'_>) -> Result<u64, StoreError> {
        let _writer = match &self.writer {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        DB::execute(&mut conn, sql).await
    }

    /// A read on any connection of the pool.
    async fn read<R: sql::FromRow>(&self, sql: Sql<'_>) -> Result<Vec<R>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        DB::fetch_all(&mut conn, sql).await
    }

    async fn read_optional<R: sql::FromRow>(&self, sql: Sql<'_>) -> Result<Option<R>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        DB::fetch_optional(&mut conn, sql).await
    }

    async fn read_one<R: sql::FromRow>(&self, sql: Sql<'_>) -> Result<R, StoreError> {
        self.read_optional(sql).await?.ok_or(StoreError::NotFound)
    }
}

/// A write transaction, holding SQLite's writer lock until it ends. Dropped without `commit`, it rolls
/// back. (The transaction is declared first: it ends before the lock is given up.)
pub(crate) struct Write<DB: Backend> {
    tx: sqlx::Transaction<'static, DB>,
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<DB: Backend> Write<DB> {
    pub(crate) fn conn(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }

    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await.map_err(db_err)
    }
}

#[async_trait]
impl<DB: Backend> Health for SqlStore<DB> {
    #[tracing::instrument(skip_all)]
    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        DB::execute(&mut conn, Sql::new("SELECT 1")).await.map(|_| ())
    }

    fn backend(&self) -> &'static str {
        DB::LABEL
    }
}

impl<DB: Backend> Store for SqlStore<DB> {}

/// SQLite has one writer at a time; when several transactions want it, the losers sleep in SQLite's busy
/// handler (1, 2, 5 … 100 ms) — the long tail of writes under load. Every write of this process takes
/// this lock first, so writers queue in arrival order and readers go on in parallel (WAL). PostgreSQL has
/// row locks and many writers: it has none.
#[derive(Clone, Default)]
pub(crate) struct WriterLock(Arc<tokio::sync::Mutex<()>>);

impl WriterLock {
    /// Held for the length of a write transaction.
    pub(crate) async fn lock(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.0.clone().lock_owned().await
    }
}

/// A submission waiting for SQLite's group commit (`sqlite.rs`): the whole request, its email, and
/// where to send the outcome once the transaction holding it is on disk.
pub(crate) struct Submission {
    pub request: app::ports::NewRequest,
    pub email: Option<app::ports::EmailForRequest>,
    pub now: i64,
    pub done: tokio::sync::oneshot::Sender<Result<app::ports::RequestId, StoreError>>,
}

/// The error a submission gets when its group commit could not be made (the cause is in the log).
pub(crate) fn group_failed(why: &str) -> StoreError {
    StoreError::Database(why.to_string().into())
}

/// A stored code that is not in its set: the database holds something this build does not know. This is
/// the one place such a code becomes an error, whatever the column.
pub(crate) fn code<T>(value: &str, from_code: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    from_code(value).ok_or_else(|| StoreError::Database(format!("unknown code in the database: {value}").into()))
}

pub(crate) fn optional_code<T>(
    value: Option<String>,
    from_code: fn(&str) -> Option<T>,
) -> Result<Option<T>, StoreError> {
    value.map(|v| code(&v, from_code)).transpose()
}
