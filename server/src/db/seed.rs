//! Bulk loading for the benchmarks (`server bench-seed`): many rows per statement, many statements per
//! transaction, one SQL text for both backends. Only the benchmark harness uses it; the portal never does.

use async_trait::async_trait;
use sqlx::QueryBuilder;

use super::postgres::PgStore;
use super::sqlite::SqliteStore;

/// Rows per INSERT: 21 columns × 1,000 stays under SQLite's and PostgreSQL's limits on bound values.
const ROWS_PER_STATEMENT: usize = 1_000;

pub struct SeedUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub line_number: Option<String>,
    pub role: &'static str,
    pub at: i64,
}

pub struct SeedRequest {
    pub id: i64,
    pub customer_id: i64,
    pub category: &'static str,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: &'static str,
    pub reported_on: &'static str,
    pub status: &'static str,
    pub outcome: Option<&'static str>,
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
    pub actor_role: &'static str,
    pub kind: &'static str,
    pub from_status: Option<&'static str>,
    pub to_status: Option<&'static str>,
    pub outcome: Option<&'static str>,
    pub body: Option<String>,
}

/// Writes prepared rows as they are (ids included) and moves the id sequences past them.
#[async_trait]
pub trait BulkLoad: Send + Sync {
    /// The largest id in `table` (0 when empty): seeding continues after what is there.
    async fn max_id(&self, table: &'static str) -> anyhow::Result<i64>;
    async fn load(&self, users: &[SeedUser], requests: &[SeedRequest], events: &[SeedEvent]) -> anyhow::Result<()>;
    /// Brings the database to a steady state after a load (statistics, checkpoint or vacuum).
    async fn analyze(&self) -> anyhow::Result<()>;
}

macro_rules! impl_bulk_load {
    ($store:ty, $db:ty, $overriding:literal, $after:expr, $settle:expr) => {
        #[async_trait]
        impl BulkLoad for $store {
            async fn max_id(&self, table: &'static str) -> anyhow::Result<i64> {
                let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
                Ok(sqlx::query_scalar::<_, i64>(&sql).fetch_one(self.pool()).await?)
            }

            async fn load(
                &self,
                users: &[SeedUser],
                requests: &[SeedRequest],
                events: &[SeedEvent],
            ) -> anyhow::Result<()> {
                let mut tx = self.pool().begin().await?;
                for chunk in users.chunks(ROWS_PER_STATEMENT) {
                    let mut q = QueryBuilder::<$db>::new(concat!(
                        "INSERT INTO users (id, email, display_name, password_hash, line_number, role, ",
                        "email_confirmed_at, created_at, updated_at) ",
                        $overriding
                    ));
                    q.push_values(chunk, |mut row, u| {
                        row.push_bind(u.id)
                            .push_bind(u.email.as_str())
                            .push_bind(u.name.as_str())
                            .push_bind(u.password_hash.as_str())
                            .push_bind(u.line_number.as_deref())
                            .push_bind(u.role)
                            .push_bind(u.at)
                            .push_bind(u.at)
                            .push_bind(u.at);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                for chunk in requests.chunks(ROWS_PER_STATEMENT) {
                    let mut q = QueryBuilder::<$db>::new(concat!(
                        "INSERT INTO requests (id, customer_id, category, subject, description, line_number, ",
                        "contact, reported_on, consent_at, status, outcome, holder_id, version, queue_at, ",
                        "created_at, updated_at, last_activity_at, taken_at, resolved_at, closed_at, rating, ",
                        "customer_seen_event) ",
                        $overriding
                    ));
                    q.push_values(chunk, |mut row, r| {
                        row.push_bind(r.id)
                            .push_bind(r.customer_id)
                            .push_bind(r.category)
                            .push_bind(r.subject.as_str())
                            .push_bind(r.description.as_str())
                            .push_bind(r.line_number.as_str())
                            .push_bind(r.contact)
                            .push_bind(r.reported_on)
                            .push_bind(r.queue_at)
                            .push_bind(r.status)
                            .push_bind(r.outcome)
                            .push_bind(r.holder_id)
                            .push_bind(r.version)
                            .push_bind(r.queue_at)
                            .push_bind(r.queue_at)
                            .push_bind(r.last_activity_at)
                            .push_bind(r.last_activity_at)
                            .push_bind(r.taken_at)
                            .push_bind(r.resolved_at)
                            .push_bind(r.closed_at)
                            .push_bind(r.rating)
                            .push_bind(r.customer_seen_event);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                for chunk in events.chunks(ROWS_PER_STATEMENT) {
                    let mut q = QueryBuilder::<$db>::new(concat!(
                        "INSERT INTO request_events (id, request_id, at, actor_id, actor_role, kind, ",
                        "from_status, to_status, outcome, body, internal) ",
                        $overriding
                    ));
                    q.push_values(chunk, |mut row, e| {
                        row.push_bind(e.id)
                            .push_bind(e.request_id)
                            .push_bind(e.at)
                            .push_bind(e.actor_id)
                            .push_bind(e.actor_role)
                            .push_bind(e.kind)
                            .push_bind(e.from_status)
                            .push_bind(e.to_status)
                            .push_bind(e.outcome)
                            .push_bind(e.body.as_deref())
                            .push_bind(false);
                    });
                    q.build().execute(&mut *tx).await?;
                }
                for sql in $after {
                    sqlx::query(sql).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn analyze(&self) -> anyhow::Result<()> {
                for sql in $settle {
                    sqlx::query(sql).execute(self.pool()).await?;
                }
                Ok(())
            }
        }
    };
}

// SQLite's AUTOINCREMENT follows explicit ids by itself.
// After the load: fresh statistics, and the WAL folded into the database file, so the benchmark starts
// from a steady state instead of paying for the load's checkpoint.
impl_bulk_load!(SqliteStore, sqlx::Sqlite, "", [] as [&str; 0], ["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"]);
// PostgreSQL's identity columns take explicit ids only when told, and their sequences must move past them.
impl_bulk_load!(
    PgStore,
    sqlx::Postgres,
    "OVERRIDING SYSTEM VALUE ",
    [
        "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))",
        "SELECT setval(pg_get_serial_sequence('requests', 'id'), (SELECT MAX(id) FROM requests))",
        "SELECT setval(pg_get_serial_sequence('request_events', 'id'), (SELECT MAX(id) FROM request_events))",
    ],
    // Vacuumed and analysed now, or autovacuum does it in the middle of the benchmark.
    ["VACUUM ANALYZE"]
);
