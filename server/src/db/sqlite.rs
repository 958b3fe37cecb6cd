//! The embedded default: one SQLite file, in WAL mode, with foreign keys and a busy timeout.
//!
//! Durability: `synchronous = FULL` makes every commit reach the disk before it is acknowledged, so an
//! acknowledged write survives a killed process and a power cut alike.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use app::ports::{RequestId, StoreError};
use sqlx::Sqlite;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use super::requests::insert_submission;
use super::{SqlStore, Submission, WriterLock, db_err, group_failed};

/// At most this many submissions share one transaction (one disk flush).
const GROUP_COMMIT_MAX: usize = 128;

/// The embedded default's store.
pub(crate) type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    pub(crate) async fn connect(url: &str, max_connections: u32) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)?;
        }
        let lock = crate::backup::DatabaseLock::shared(options.get_filename())?;
        let pool = SqlitePoolOptions::new().max_connections(max_connections.max(1)).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = WriterLock::default();
        let submissions = spawn_group_commit(pool.clone(), writer.clone());
        Ok(Self { pool, writer: Some(writer), submissions: Some(submissions), _lock: Some(Arc::new(lock)) })
    }
}

/// Group commit. An acknowledged submission must be on disk, and a disk flush costs about
/// as much as everything else a submission does (≈ 0.5 ms here): one flush per submission
/// caps SQLite, with its single writer, near 1,500/s. So submissions queue here; one task
/// takes whatever has queued (up to `GROUP_COMMIT_MAX`), writes them in one transaction and
/// commits them together, then answers each. Nobody waits on purpose: while one group is
/// being flushed the next one gathers. The answer is sent only after the commit, so
/// "acknowledged" still means "durable". PostgreSQL does better with its many connections
/// committing side by side, so this is SQLite's alone.
fn spawn_group_commit(pool: SqlitePool, writer: WriterLock) -> tokio::sync::mpsc::Sender<Submission> {
    let (sender, mut queue) = tokio::sync::mpsc::channel::<Submission>(4 * GROUP_COMMIT_MAX);
    tokio::spawn(async move {
        let mut group = Vec::with_capacity(GROUP_COMMIT_MAX);
        while queue.recv_many(&mut group, GROUP_COMMIT_MAX).await > 0 {
            let _writer = writer.lock().await;
            // Those that queued while we waited for the writer join this group.
            while group.len() < GROUP_COMMIT_MAX {
                match queue.try_recv() {
                    Ok(s) => group.push(s),
                    Err(_) => break,
                }
            }
            commit_group(&pool, std::mem::take(&mut group)).await;
        }
    });
    sender
}

/// Commits a group; when the database refuses one submission (the whole transaction is then
/// rolled back), that one is answered with its error and the others go again without it.
async fn commit_group(pool: &SqlitePool, mut pending: Vec<Submission>) {
    while !pending.is_empty() {
        match try_group(pool, &pending).await {
            Ok(ids) => {
                tracing::debug!(size = ids.len(), "group committed");
                for (s, id) in pending.into_iter().zip(ids) {
                    tracing::info!(request = id, "request stored");
                    let _ = s.done.send(Ok(id));
                }
                return;
            }
            Err((Some(k), e)) => {
                let _ = pending.remove(k).done.send(Err(e));
            }
            Err((None, e)) => {
                tracing::error!(error = %e, size = pending.len(), "group commit failed: nothing of it was stored");
                for s in pending {
                    let _ = s.done.send(Err(group_failed("the group commit failed")));
                }
                return;
            }
        }
    }
}

/// One transaction for the whole group; on failure, which submission failed (if one did).
async fn try_group(pool: &SqlitePool, group: &[Submission]) -> Result<Vec<RequestId>, (Option<usize>, StoreError)> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.map_err(|e| (None, db_err(e)))?;
    let mut ids = Vec::with_capacity(group.len());
    for (k, s) in group.iter().enumerate() {
        ids.push(
            insert_submission::<Sqlite>(&mut tx, &s.request, s.email.as_ref(), s.now)
                .await
                .map_err(|e| (Some(k), e))?,
        );
    }
    tx.commit().await.map_err(|e| (None, db_err(e)))?;
    Ok(ids)
}
