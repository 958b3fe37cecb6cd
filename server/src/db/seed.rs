//! Bulk loading for the benchmarks (`server bench-seed`): many rows per statement, many statements per
//! transaction, one SQL text for both backends. Only the benchmark harness uses it (the `bench` feature): the portal
//! users run has none of it.

use app::domain::request::{ActorRole, Category, Contact, EventKind, Outcome, ReportedOn, Role, Status};
use async_trait::async_trait;

use super::sql::Arg;
use super::{Backend, Sql, SqlStore};

/// Rows per INSERT: 21 columns × 1,000 stays under SQLite's and PostgreSQL's limits on bound values.
const ROWS_PER_STATEMENT: usize = 1_000;

pub struct SeedUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub line_number: Option<String>,
    pub role: Role,
    pub at: i64,
}

pub struct SeedRequest {
    pub id: i64,
    pub customer_id: i64,
    pub category: Category,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: Contact,
    pub reported_on: ReportedOn,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub holder_id: Option<i64>,
    pub version: i64,
    pub queue_at: i64,
    pub last_activity_at: i64,
    pub taken_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub rating: Option<i64>,
    pub customer_seen_event: i64,
}

pub struct SeedEvent {
    pub id: i64,
    pub request_id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_role: ActorRole,
    pub kind: EventKind,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub outcome: Option<Outcome>,
    pub body: Option<String>,
}

/// A post of the seeded wall, with the number of its published comments.
pub struct SeedPost {
    pub id: i64,
    pub kind: &'static str,
    pub body: String,
    pub author_id: i64,
    pub at: i64,
    pub comment_count: i64,
}

/// A published comment of the seeded wall.
pub struct SeedComment {
    pub id: i64,
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub body: String,
    pub at: i64,
    pub reply_count: i64,
}

/// Writes prepared rows as they are (ids included) and moves the id sequences past them.
#[async_trait]
pub(crate) trait BulkLoad: Send + Sync {
    /// The largest id in `table` (0 when empty): seeding continues after what is there.
    async fn max_id(&self, table: &'static str) -> anyhow::Result<i64>;
    async fn load(&self, users: &[SeedUser], requests: &[SeedRequest], events: &[SeedEvent]) -> anyhow::Result<()>;
    async fn load_wall(&self, posts: &[SeedPost], comments: &[SeedComment]) -> anyhow::Result<()>;
    /// Brings the database to a steady state after a load (statistics, checkpoint or vacuum).
    async fn analyze(&self) -> anyhow::Result<()>;
}

/// What differs when loading rows with their ids.
pub(crate) trait Seeding: Backend {
    /// Between the column list and `VALUES`: PostgreSQL's identity columns take explicit ids only when told.
    const OVERRIDING: &'static str;
    /// After the load, in its transaction: the id sequences moved past the loaded ids.
    const AFTER: &'static [&'static str];
    /// Brings the database to a steady state, so the benchmark does not pay for the load.
    const SETTLE: &'static [&'static str];
    /// The `n`th parameter (from 1) of a bulk insert, whose values are bound in order.
    fn param(n: usize) -> String;
}

impl Seeding for sqlx::Sqlite {
    // SQLite's AUTOINCREMENT follows explicit ids by itself.
    const OVERRIDING: &'static str = "";
    /// Anonymous `?`: SQLite keeps the names of `$n` parameters in a list it scans from the start for
    /// every bind, so a 22,000-parameter insert cost 22,000² steps — a million requests took over 15
    /// minutes to load instead of ~35 s. The portal's own statements have a few parameters each.
    fn param(_: usize) -> String {
        "?".into()
    }
    const AFTER: &'static [&'static str] = &[];
    // Fresh statistics, and the WAL folded into the database file.
    const SETTLE: &'static [&'static str] = &["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"];
}

impl Seeding for sqlx::Postgres {
    const OVERRIDING: &'static str = "OVERRIDING SYSTEM VALUE ";
    fn param(n: usize) -> String {
        format!("${n}")
    }
    const AFTER: &'static [&'static str] = &[
        "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))",
        "SELECT setval(pg_get_serial_sequence('requests', 'id'), (SELECT MAX(id) FROM requests))",
        "SELECT setval(pg_get_serial_sequence('request_events', 'id'), (SELECT MAX(id) FROM request_events))",
        "SELECT setval(pg_get_serial_sequence('posts', 'id'), (SELECT MAX(id) FROM posts))",
        "SELECT setval(pg_get_serial_sequence('comments', 'id'), (SELECT MAX(id) FROM comments))",
    ];
    // Vacuumed and analysed now, or autovacuum does it in the middle of the benchmark.
    const SETTLE: &'static [&'static str] = &["VACUUM ANALYZE"];
}

/// `INSERT INTO {table} ({columns}) [OVERRIDING …] VALUES ($1, …), (…)` for `rows` rows, with their values.
fn insert_rows<'q, DB: Seeding>(table: &str, columns: &str, rows: Vec<Vec<Arg<'q>>>) -> Sql<'q> {
    let width = rows.first().map_or(0, Vec::len);
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|c| DB::param(r * width + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let text = format!("INSERT INTO {table} ({columns}) {}VALUES {}", DB::OVERRIDING, tuples.join(", "));
    rows.into_iter().flatten().fold(Sql::new(text), Sql::bind)
}

#[async_trait]
impl<DB: Seeding> BulkLoad for SqlStore<DB> {
    async fn max_id(&self, table: &'static str) -> anyhow::Result<i64> {
        let (max,) = self.read_one::<(i64,)>(Sql::new(format!("SELECT COALESCE(MAX(id), 0) FROM {table}"))).await?;
        Ok(max)
    }

    async fn load(&self, users: &[SeedUser], requests: &[SeedRequest], events: &[SeedEvent]) -> anyhow::Result<()> {
        let mut w = self.write().await?;
        for chunk in users.chunks(ROWS_PER_STATEMENT) {
            let rows = chunk
                .iter()
                .map(|u| {
                    vec![
                        u.id.into(),
                        u.email.as_str().into(),
                        u.name.as_str().into(),
                        u.password_hash.as_str().into(),
                        u.line_number.as_deref().into(),
                        u.role.code().into(),
                        u.at.into(),
                        u.at.into(),
                        u.at.into(),
                    ]
                })
                .collect();
            let columns = "id, email, display_name, password_hash, line_number, role, email_confirmed_at, created_at, \
                 updated_at";
            DB::execute(w.conn(), insert_rows::<DB>("users", columns, rows)).await?;
        }
        for chunk in requests.chunks(ROWS_PER_STATEMENT) {
            let rows = chunk
                .iter()
                .map(|r| {
                    vec![
                        r.id.into(),
                        r.customer_id.into(),
                        r.category.code().into(),
                        r.subject.as_str().into(),
                        r.description.as_str().into(),
                        r.line_number.as_str().into(),
                        r.contact.code().into(),
                        r.reported_on.code().into(),
                        r.queue_at.into(),
                        r.status.code().into(),
                        r.outcome.map(Outcome::code).into(),
                        r.holder_id.into(),
                        r.version.into(),
                        r.queue_at.into(),
                        r.queue_at.into(),
                        r.last_activity_at.into(),
                        r.last_activity_at.into(),
                        r.taken_at.into(),
                        r.resolved_at.into(),
                        r.closed_at.into(),
                        r.rating.into(),
                        r.customer_seen_event.into(),
                    ]
                })
                .collect();
            let columns = "id, customer_id, category, subject, description, line_number, contact, reported_on, \
                 consent_at, status, outcome, holder_id, version, queue_at, created_at, updated_at, last_activity_at, \
                 taken_at, resolved_at, closed_at, rating, customer_seen_event";
            DB::execute(w.conn(), insert_rows::<DB>("requests", columns, rows)).await?;
        }
        for chunk in events.chunks(ROWS_PER_STATEMENT) {
            let rows = chunk
                .iter()
                .map(|e| {
                    vec![
                        e.id.into(),
                        e.request_id.into(),
                        e.at.into(),
                        e.actor_id.into(),
                        e.actor_role.code().into(),
                        e.kind.code().into(),
                        e.from_status.map(Status::code).into(),
                        e.to_status.map(Status::code).into(),
                        e.outcome.map(Outcome::code).into(),
                        e.body.as_deref().into(),
                        false.into(),
                    ]
                })
                .collect();
            let columns =
                "id, request_id, at, actor_id, actor_role, kind, from_status, to_status, outcome, body, internal";
            DB::execute(w.conn(), insert_rows::<DB>("request_events", columns, rows)).await?;
        }
        for sql in DB::AFTER {
            DB::execute(w.conn(), Sql::new(*sql)).await?;
        }
        w.commit().await?;
        Ok(())
    }

    async fn load_wall(&self, posts: &[SeedPost], comments: &[SeedComment]) -> anyhow::Result<()> {
        let mut w = self.write().await?;
        for chunk in posts.chunks(ROWS_PER_STATEMENT) {
            let rows = chunk
                .iter()
                .map(|p| {
                    vec![
                        p.id.into(),
                        p.kind.into(),
                        p.body.as_str().into(),
                        p.author_id.into(),
                        p.at.into(),
                        p.at.into(),
                        p.comment_count.into(),
                    ]
                })
                .collect();
            let columns = "id, kind, body, author_id, created_at, publish_at, comment_count";
            DB::execute(w.conn(), insert_rows::<DB>("posts", columns, rows)).await?;
        }
        for chunk in comments.chunks(ROWS_PER_STATEMENT) {
            let rows = chunk
                .iter()
                .map(|c| {
                    vec![
                        c.id.into(),
                        c.post_id.into(),
                        c.parent_id.into(),
                        c.author_id.into(),
                        c.body.as_str().into(),
                        "published".into(),
                        c.at.into(),
                        c.reply_count.into(),
                    ]
                })
                .collect();
            let columns = "id, post_id, parent_id, author_id, body, state, created_at, reply_count";
            DB::execute(w.conn(), insert_rows::<DB>("comments", columns, rows)).await?;
        }
        for sql in DB::AFTER {
            DB::execute(w.conn(), Sql::new(*sql)).await?;
        }
        w.commit().await?;
        Ok(())
    }

    async fn analyze(&self) -> anyhow::Result<()> {
        for sql in DB::SETTLE {
            self.write_one(Sql::new(*sql)).await?;
        }
        Ok(())
    }
}
