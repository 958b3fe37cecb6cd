//! The care pool's queue: first come, first served, and the cases each member holds.

use app::domain::account::LineNumber;
use app::domain::request::{ActorRole, Category, EventKind, Outcome, STATE_COUNT_CAP, Status};
use app::ports::{CaseLine, CaseSearch, EmailForTaken, NewEvent, Queue, RequestId, RequestRecord, StoreError, UserId};
use async_trait::async_trait;

use super::accounts::user_by_id;
use super::outbox::insert_email;
use super::requests::{Change, REQUEST_COLUMNS, RequestRow, insert_event};
use super::{Backend, Sql, SqlStore, code, optional_code};

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: i64,
    category: String,
    subject: String,
    status: String,
    outcome: Option<String>,
    line_number: String,
    queue_at: i64,
    last_activity_at: i64,
    holder_name: Option<String>,
    new_reply: i64,
}

impl TryFrom<CaseRow> for CaseLine {
    type Error = StoreError;

    fn try_from(r: CaseRow) -> Result<Self, StoreError> {
        let masked = LineNumber::parse(&r.line_number).map(|l| l.masked()).unwrap_or_else(|_| "***".to_string());
        Ok(CaseLine {
            id: r.id,
            category: code(&r.category, Category::from_code)?,
            subject: r.subject,
            status: code(&r.status, Status::from_code)?,
            outcome: optional_code(r.outcome, Outcome::from_code)?,
            line_masked: masked,
            queue_at: r.queue_at,
            last_activity_at: r.last_activity_at,
            holder_name: r.holder_name,
            new_reply: r.new_reply != 0,
        })
    }
}

/// A case line's columns; `new_reply` is 0 here (the queue and the search do not need it).
const CASE_SELECT: &str = "SELECT r.id, r.category, r.subject, r.status, r.outcome, r.line_number, r.queue_at, \
     r.last_activity_at, h.display_name AS holder_name, CAST(0 AS BIGINT) AS new_reply \
     FROM requests r JOIN users c ON c.id = r.customer_id LEFT JOIN users h ON h.id = r.holder_id";

/// The same for an agent's own cases, with `new_reply`: the customer spoke last (notes aside) — one step
/// back along `request_events_by_request` per case.
const HELD_CASE_SELECT: &str = "SELECT r.id, r.category, r.subject, r.status, r.outcome, r.line_number, \
     r.queue_at, r.last_activity_at, h.display_name AS holder_name, \
     CAST(CASE WHEN (SELECT e.kind FROM request_events e WHERE e.request_id = r.id AND e.kind <> 'note' \
     ORDER BY e.id DESC LIMIT 1) = 'customer_reply' THEN 1 ELSE 0 END AS BIGINT) AS new_reply \
     FROM requests r JOIN users c ON c.id = r.customer_id LEFT JOIN users h ON h.id = r.holder_id";

/// The capped count of every open state, in `Status::ALL` order, in one statement (`$1` = the cap).
fn state_counts_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        Status::ALL
            .iter()
            .filter(|s| **s != Status::Closed)
            .map(|s| {
                let code = s.code();
                format!(
                    "SELECT '{code}' AS status, (SELECT COUNT(*) FROM \
                     (SELECT 1 FROM requests WHERE status = '{code}' LIMIT $1) AS capped) AS n"
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    });
    &SQL
}

#[async_trait]
impl<DB: Backend> Queue for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(agent = agent))]
    async fn take_next(
        &self,
        agent: UserId,
        email: EmailForTaken,
        now: i64,
    ) -> Result<Option<RequestRecord>, StoreError> {
        // One statement picks and takes: the oldest waiting request nobody holds. The outer conditions are
        // checked again on the row actually updated, so a request taken by someone else in the meantime
        // is never taken twice (PostgreSQL skips rows other takers have locked; SQLite runs one writer at
        // a time).
        let sql = Sql::new(format!(
            "UPDATE requests SET status = 'in_charge', holder_id = $1, taken_at = COALESCE(taken_at, $2), \
             updated_at = $2, last_activity_at = $2, version = version + 1 \
             WHERE id = (SELECT id FROM requests WHERE status = 'received' AND holder_id IS NULL \
                         ORDER BY queue_at, id LIMIT 1 {}) \
             AND status = 'received' AND holder_id IS NULL RETURNING {REQUEST_COLUMNS}",
            DB::SKIP_LOCKED
        ))
        .bind(agent)
        .bind(now);
        let mut w = self.write().await?;
        let Some(row) = DB::fetch_optional::<RequestRow>(w.conn(), sql).await? else {
            return Ok(None);
        };
        let request: RequestRecord = row.try_into()?;
        let event = NewEvent {
            actor_id: Some(agent),
            actor_role: ActorRole::Agent,
            kind: EventKind::Taken,
            body: None,
            internal: false,
        };
        let change = Change { from: Some(Status::Received), to: Some(Status::InCharge), outcome: None };
        insert_event::<DB>(w.conn(), request.id, &event, change, now).await?;
        let customer = user_by_id::<DB>(w.conn(), request.customer_id).await?.ok_or(StoreError::NotFound)?;
        if let Some(mail) = email(&request, &customer) {
            insert_email::<DB>(w.conn(), &mail, now).await?;
        }
        w.commit().await?;
        tracing::info!(request = request.id, "request taken");
        Ok(Some(request))
    }

    #[tracing::instrument(skip_all)]
    async fn queue(&self, after: Option<(i64, RequestId)>, limit: i64) -> Result<Vec<CaseLine>, StoreError> {
        let (at, id) = after.unwrap_or((i64::MIN, i64::MIN));
        let sql = Sql::new(format!(
            "{CASE_SELECT} WHERE r.status = 'received' AND r.holder_id IS NULL \
             AND (r.queue_at > $1 OR (r.queue_at = $1 AND r.id > $2)) ORDER BY r.queue_at, r.id LIMIT $3"
        ))
        .bind(at)
        .bind(id)
        .bind(limit);
        self.read::<CaseRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn state_counts(&self) -> Result<Vec<(Status, i64)>, StoreError> {
        // One bounded index range per open state (`requests_by_status`): the cost stays the same however
        // long the backlog and the closed history grow. One round trip for all of them.
        let sql = Sql::new(state_counts_sql()).bind(STATE_COUNT_CAP);
        let mut counts = self
            .read::<(String, i64)>(sql)
            .await?
            .into_iter()
            .map(|(status, n)| Ok((code(&status, Status::from_code)?, n)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        counts.sort_by_key(|(s, _)| Status::ALL.iter().position(|x| x == s));
        Ok(counts)
    }

    #[tracing::instrument(skip_all, fields(agent = agent))]
    async fn cases_held_by(&self, agent: UserId) -> Result<Vec<CaseLine>, StoreError> {
        let sql = Sql::new(format!(
            "{HELD_CASE_SELECT} WHERE r.holder_id = $1 AND r.status IN ('in_charge', 'awaiting_customer') \
             ORDER BY new_reply DESC, r.queue_at, r.id LIMIT 500"
        ))
        .bind(agent);
        self.read::<CaseRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn search_cases(
        &self,
        q: &CaseSearch,
        before: Option<RequestId>,
        limit: i64,
    ) -> Result<Vec<CaseLine>, StoreError> {
        // Words anywhere in the name, handle, subject or description: a scan of the candidates the other
        // parts leave (staff search; no index serves a substring).
        let text = q.text.as_deref().map(super::contains_pattern);
        let sql = Sql::new(format!(
            "{CASE_SELECT} WHERE ($1 IS NULL OR r.id = $1) AND ($2 IS NULL OR c.email = $2) \
             AND ($3 IS NULL OR r.line_number = $3) AND ($4 IS NULL OR r.status = $4) AND r.id < $5 \
             AND ($7 IS NULL OR LOWER(c.display_name) LIKE $7 ESCAPE '\\' \
                  OR LOWER(COALESCE(r.public_handle, '')) LIKE $7 ESCAPE '\\' \
                  OR LOWER(r.subject) LIKE $7 ESCAPE '\\' OR LOWER(r.description) LIKE $7 ESCAPE '\\') \
             ORDER BY r.id DESC LIMIT $6"
        ))
        .bind(q.id)
        .bind(q.customer_email.as_deref())
        .bind(q.line_number.as_deref())
        .bind(q.status.map(|s| s.code()))
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .bind(text);
        self.read::<CaseRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }
}
