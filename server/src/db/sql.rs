//! A query as a plain value, and the two backends that run it.
//!
//! `Sql::new("… WHERE id = $1").bind(id)` holds the text and its arguments, typed; `DB::fetch_all(conn,
//! sql)` runs it on SQLite or PostgreSQL. Rows are structs deriving `sqlx::FromRow`, which both backends
//! can decode ([`FromRow`]).

use std::borrow::Cow;

use app::ports::StoreError;
use async_trait::async_trait;
use sqlx::Arguments;

/// Keeps the cause of a database error for the log; the user only ever sees `Internal`.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    StoreError::Database(Box::new(e))
}

/// One argument of a query. A `None` keeps its type: PostgreSQL must know what `$1 IS NULL` compares.
#[derive(Debug)]
pub(crate) enum Arg<'q> {
    Int(Option<i64>),
    Text(Option<Cow<'q, str>>),
    Bool(bool),
    /// Attachments' bytes (#19).
    Bytes(Option<&'q [u8]>),
}

impl<'q> From<&'q [u8]> for Arg<'q> {
    fn from(v: &'q [u8]) -> Self {
        Arg::Bytes(Some(v))
    }
}

impl<'q> From<Option<&'q [u8]>> for Arg<'q> {
    fn from(v: Option<&'q [u8]>) -> Self {
        Arg::Bytes(v)
    }
}

impl From<i64> for Arg<'_> {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl<'q> From<&'q str> for Arg<'q> {
    fn from(v: &'q str) -> Self {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl<'q> From<&'q String> for Arg<'q> {
    fn from(v: &'q String) -> Self {
        Arg::Text(Some(Cow::Borrowed(v)))
    }
}

impl From<String> for Arg<'_> {
    fn from(v: String) -> Self {
        Arg::Text(Some(Cow::Owned(v)))
    }
}

impl<'q> From<Option<&'q str>> for Arg<'q> {
    fn from(v: Option<&'q str>) -> Self {
        Arg::Text(v.map(Cow::Borrowed))
    }
}

impl From<Option<String>> for Arg<'_> {
    fn from(v: Option<String>) -> Self {
        Arg::Text(v.map(Cow::Owned))
    }
}

/// A statement and its arguments (`$1`, `$2` … in order).
#[derive(Debug)]
pub(crate) struct Sql<'q> {
    text: Cow<'q, str>,
    args: Vec<Arg<'q>>,
}

impl<'q> Sql<'q> {
    pub(crate) fn new(text: impl Into<Cow<'q, str>>) -> Self {
        Self { text: text.into(), args: Vec::new() }
    }

    pub(crate) fn bind(mut self, value: impl Into<Arg<'q>>) -> Self {
        self.args.push(value.into());
        self
    }
}

/// A `LIKE … ESCAPE '\'` pattern that finds `text` anywhere, its own `%`, `_` and `\` taken literally.
pub(crate) fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// `$first, $first+1, …` for `n` arguments of an `IN (…)` list.
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A row type both backends can decode (every `#[derive(sqlx::FromRow)]` struct of plain columns, and
/// tuples of them).
pub(crate) trait FromRow:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin
{
}

impl<T> FromRow for T where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin
{
}

/// What differs between SQLite and PostgreSQL, and how each runs a [`Sql`].
#[async_trait]
pub(crate) trait Backend: sqlx::Database {
    /// The row-locking clause of a claim's inner `SELECT`: PostgreSQL skips rows another transaction
    /// holds; SQLite needs nothing (its writers are serialised).
    const SKIP_LOCKED: &'static str;
    /// Locks the rows a transaction's `SELECT` reads until it ends (PostgreSQL; SQLite's writers are
    /// serialised).
    const FOR_UPDATE: &'static str;
    /// After a table's alias: makes SQLite read a post's comments through their index. Its planner
    /// otherwise walks the whole table in id order when a keyset query orders by id (8 ms instead of
    /// 0.1 ms on 100,000 comments); PostgreSQL's planner needs no hint.
    const BY_POST_INDEX: &'static str;
    /// For logs and `/readyz`.
    const LABEL: &'static str;
    /// How a write transaction begins. SQLite takes the write lock at `BEGIN IMMEDIATE`, waiting its busy
    /// timeout for it: a deferred transaction that read first could not wait and would fail at once with
    /// "database is locked" when another process wrote meanwhile (a second process on the file: the
    /// command line's tools, a test, a server being replaced).
    const BEGIN_WRITE: &'static str;

    /// Runs a statement; the number of rows it changed.
    async fn execute(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<u64, StoreError>;
    async fn fetch_all<R: FromRow>(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<Vec<R>, StoreError>;
    async fn fetch_optional<R: FromRow>(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<Option<R>, StoreError>;

    async fn fetch_one<R: FromRow>(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<R, StoreError> {
        Self::fetch_optional(conn, sql).await?.ok_or(StoreError::NotFound)
    }
}

#[async_trait]
impl Backend for sqlx::Sqlite {
    const SKIP_LOCKED: &'static str = "";
    const FOR_UPDATE: &'static str = "";
    const BY_POST_INDEX: &'static str = "INDEXED BY comments_post";
    const LABEL: &'static str = "sqlite";
    const BEGIN_WRITE: &'static str = "BEGIN IMMEDIATE";

    async fn execute(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<u64, StoreError> {
        let (text, args) = sqlite_args(sql)?;
        let done = sqlx::query_with(&text, args).execute(conn).await.map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn fetch_all<R: FromRow>(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<Vec<R>, StoreError> {
        let (text, args) = sqlite_args(sql)?;
        sqlx::query_as_with(&text, args).fetch_all(conn).await.map_err(db_err)
    }

    async fn fetch_optional<R: FromRow>(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<Option<R>, StoreError> {
        let (text, args) = sqlite_args(sql)?;
        sqlx::query_as_with(&text, args).fetch_optional(conn).await.map_err(db_err)
    }
}

#[async_trait]
impl Backend for sqlx::Postgres {
    const SKIP_LOCKED: &'static str = "FOR UPDATE SKIP LOCKED";
    const FOR_UPDATE: &'static str = "FOR UPDATE";
    const BY_POST_INDEX: &'static str = "";
    const LABEL: &'static str = "postgres";
    const BEGIN_WRITE: &'static str = "BEGIN";

    async fn execute(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<u64, StoreError> {
        let (text, args) = pg_args(sql)?;
        let done = sqlx::query_with(&text, args).execute(conn).await.map_err(db_err)?;
        Ok(done.rows_affected())
    }

    async fn fetch_all<R: FromRow>(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<Vec<R>, StoreError> {
        let (text, args) = pg_args(sql)?;
        sqlx::query_as_with(&text, args).fetch_all(conn).await.map_err(db_err)
    }

    async fn fetch_optional<R: FromRow>(conn: &mut Self::Connection, sql: Sql<'_>) -> Result<Option<R>, StoreError> {
        let (text, args) = pg_args(sql)?;
        sqlx::query_as_with(&text, args).fetch_optional(conn).await.map_err(db_err)
    }
}

fn sqlite_args(sql: Sql<'_>) -> Result<(Cow<'_, str>, sqlx::sqlite::SqliteArguments<'_>), StoreError> {
    let mut args = sqlx::sqlite::SqliteArguments::default();
    for arg in sql.args {
        match arg {
            Arg::Int(v) => args.add(v),
            Arg::Text(v) => args.add(v),
            Arg::Bool(v) => args.add(v),
            Arg::Bytes(v) => args.add(v),
        }
        .map_err(StoreError::Database)?;
    }
    Ok((sql.text, args))
}

fn pg_args(sql: Sql<'_>) -> Result<(Cow<'_, str>, sqlx::postgres::PgArguments), StoreError> {
    let mut args = sqlx::postgres::PgArguments::default();
    for arg in sql.args {
        match arg {
            Arg::Int(v) => args.add(v),
            Arg::Text(v) => args.add(v),
            Arg::Bool(v) => args.add(v),
            Arg::Bytes(v) => args.add(v),
        }
        .map_err(StoreError::Database)?;
    }
    Ok((sql.text, args))
}
