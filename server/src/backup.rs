//! Backups of the embedded database (#20). `server backup --to FILE` copies the running SQLite database
//! with `VACUUM INTO` (a consistent snapshot: the portal keeps reading and writing meanwhile), checks the
//! copy and only then gives it its name; `--backup-dir` does the same every `--backup-every` minutes and
//! keeps the newest `--backup-keep`. `server restore --from FILE` checks the file, refuses while any
//! process has the database open (every process that opens it holds a shared lock on `FILE.lock`), and
//! keeps the previous database beside it. PostgreSQL is backed up with its own tools (`pg_dump`, PITR).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

use crate::config::{Backend, Config};
use crate::metrics::{Metrics, Task};

/// What a PostgreSQL operator is told instead.
const POSTGRES: &str = "the database is PostgreSQL: back it up with pg_dump (or continuous archiving for \
     point-in-time recovery) and restore with pg_restore; the README's \"Backups\" section shows how";

/// Periodic backups are named `social-care-3-{UTC time}.db`.
const PREFIX: &str = "social-care-3-";

/// A finished, checked backup.
#[derive(Debug)]
pub struct Report {
    pub path: PathBuf,
    pub bytes: u64,
    pub seconds: f64,
    pub requests: i64,
}

/// The database file a `sqlite://` URL names.
pub fn sqlite_file(config: &Config) -> anyhow::Result<PathBuf> {
    match config.database_url.backend().map_err(anyhow::Error::msg)? {
        Backend::Postgres => bail!("{POSTGRES}"),
        Backend::Sqlite => {
            let options = SqliteConnectOptions::from_str(config.database_url.expose())
                .context("the database URL is not a valid sqlite:// URL")?;
            Ok(options.get_filename().to_path_buf())
        }
    }
}

/// The lock every process that opens the database holds (shared), and a restore takes alone.
pub struct DatabaseLock(#[allow(dead_code)] File);

impl DatabaseLock {
    fn path(database: &Path) -> PathBuf {
        let mut name = database.as_os_str().to_owned();
        name.push(".lock");
        PathBuf::from(name)
    }

    fn open(database: &Path) -> anyhow::Result<File> {
        let path = Self::path(database);
        File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {}", path.display()))
    }

    /// Held by a serving (or seeding, or admin-creating) process for as long as it runs.
    pub fn shared(database: &Path) -> anyhow::Result<Self> {
        let file = Self::open(database)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Self(file)),
            Err(_) => bail!("{} is being restored: start the server when the restore has finished", database.display()),
        }
    }

    fn exclusive(database: &Path) -> anyhow::Result<Self> {
        let file = Self::open(database)?;
        match file.try_lock() {
            Ok(()) => Ok(Self(file)),
            Err(_) => bail!(
                "a server (or another command) has {} open: stop every server using it, then restore",
                database.display()
            ),
        }
    }
}

async fn open(path: &Path, read_only: bool) -> anyhow::Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30));
    // A backup is written without a WAL beside it; the live database keeps its own mode.
    let options = if read_only { options } else { options.journal_mode(SqliteJournalMode::Wal) };
    options.connect().await.with_context(|| format!("cannot open {}", path.display()))
}

/// `PRAGMA integrity_check` says "ok", and the file is a Social Care 3 database; its number of requests.
async fn check(path: &Path) -> anyhow::Result<i64> {
    let mut conn = open(path, true).await?;
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .with_context(|| format!("{} is not a readable SQLite database", path.display()))?;
    if rows.len() != 1 || rows[0].0 != "ok" {
        let problems: Vec<String> = rows.into_iter().take(5).map(|r| r.0).collect();
        bail!("{} fails the integrity check: {}", path.display(), problems.join("; "));
    }
    let requests: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM requests")
        .fetch_one(&mut conn)
        .await
        .with_context(|| format!("{} is not a Social Care 3 database (it has no requests table)", path.display()))?;
    conn.close().await.ok();
    Ok(requests.0)
}

/// `name.partial`: where a file is written before it is checked and renamed.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// A consistent copy of the database in `to` (which must not exist), checked before it gets its name.
pub async fn backup_to(config: &Config, to: &Path) -> anyhow::Result<Report> {
    let database = sqlite_file(config)?;
    if !database.exists() {
        bail!("there is no database at {} to back up", database.display());
    }
    if to.exists() {
        bail!("{} already exists: a backup never overwrites a file, choose a new name", to.display());
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let started = Instant::now();
    let temp = partial(to);
    let _ = std::fs::remove_file(&temp);
    let mut conn = open(&database, false).await?;
    let target = temp.to_str().context("the backup's path must be valid UTF-8")?;
    sqlx::query("VACUUM INTO ?").bind(target).execute(&mut conn).await.context("the backup failed")?;
    conn.close().await.ok();
    let requests = match check(&temp).await {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e.context("the backup was not kept"));
        }
    };
    File::open(&temp)?.sync_all()?;
    std::fs::rename(&temp, to)?;
    sync_parent(to);
    let bytes = std::fs::metadata(to)?.len();
    Ok(Report { path: to.to_path_buf(), bytes, seconds: started.elapsed().as_secs_f64(), requests })
}

fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = File::open(dir)
    {
        let _ = dir.sync_all();
    }
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub requests: i64,
    /// Where the database that was there before now is.
    pub previous: Option<PathBuf>,
}

/// Puts the backup `from` in place of the database, which no process may have open; the database that
/// was there is kept as `{database}.before-restore-{time}` (with its WAL, if it had one).
pub async fn restore_from(config: &Config, from: &Path) -> anyhow::Result<Restored> {
    let database = sqlite_file(config)?;
    if !from.is_file() {
        bail!("there is no backup at {}", from.display());
    }
    let requests = check(from).await.context("the backup cannot be restored")?;
    let _lock = DatabaseLock::exclusive(&database)?;
    let temp = partial(&database);
    std::fs::copy(from, &temp).with_context(|| format!("cannot copy {} beside the database", from.display()))?;
    File::open(&temp)?.sync_all()?;
    let previous = if database.exists() {
        let kept = PathBuf::from(format!("{}.before-restore-{}", database.display(), stamp()));
        std::fs::rename(&database, &kept)?;
        // The WAL and its index follow the file under the new name, so that opening it recovers them.
        for suffix in ["-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", database.display()));
            if from.exists() {
                std::fs::rename(&from, format!("{}{suffix}", kept.display()))?;
            }
        }
        Some(kept)
    } else {
        None
    };
    std::fs::rename(&temp, &database)?;
    sync_parent(&database);
    Ok(Restored { requests, previous })
}

/// The UTC time as `20261203T201500Z`, for file names that sort by time.
fn stamp() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    time::OffsetDateTime::now_utc().format(&format).unwrap_or_else(|_| "now".into())
}

/// Every `every`, a backup in `dir`; the newest `keep` are kept. Refused at start on PostgreSQL.
pub fn spawn_periodic(config: Config, dir: PathBuf, every: Duration, keep: usize, metrics: Arc<Metrics>) {
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(every);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        timer.tick().await; // the first tick is now: the first backup comes one period after the start
        loop {
            timer.tick().await;
            let to = dir.join(format!("{PREFIX}{}.db", stamp()));
            metrics.timer_ran(Task::Backup);
            let result = backup_to(&config, &to).await;
            metrics.backup_done(result.is_ok());
            match result {
                Ok(r) => {
                    tracing::info!(path = %r.path.display(), bytes = r.bytes, seconds = r.seconds, "backup made");
                    if let Err(e) = rotate(&dir, keep) {
                        tracing::warn!(error = %e, "old backups could not be removed");
                    }
                }
                Err(e) => tracing::error!(error = format!("{e:#}"), "the periodic backup failed"),
            }
        }
    });
}

/// Removes the oldest periodic backups in `dir` beyond the newest `keep` (names sort by time).
pub fn rotate(dir: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let mut backups: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(PREFIX) && n.ends_with(".db")))
        .collect();
    backups.sort();
    let excess = backups.len().saturating_sub(keep.max(1));
    let removed: Vec<PathBuf> = backups.into_iter().take(excess).collect();
    for old in &removed {
        std::fs::remove_file(old)?;
    }
    Ok(removed)
}
