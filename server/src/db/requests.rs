//! Assistance requests and their timelines, for both backends from one text (as `accounts.rs`).
//! Changes are conditional on the request's `version`, so two simultaneous changes cannot both win.

use app::domain::request::{Category, Contact, EventKind, Outcome, ReportedOn, Status};
use app::ports::{EventRecord, RequestListItem, RequestRecord, StoreError};

/// A stored code that is not in its set: the database holds something this build does not know.
pub(crate) fn code<T>(value: &str, from_code: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    from_code(value).ok_or_else(|| StoreError::Database(format!("unknown code in the database: {value}").into()))
}

fn optional_code<T>(value: Option<String>, from_code: fn(&str) -> Option<T>) -> Result<Option<T>, StoreError> {
    value.map(|v| code(&v, from_code)).transpose()
}

#[derive(sqlx::FromRow)]
pub(crate) struct RequestRow {
    id: i64,
    customer_id: i64,
    category: String,
    subject: String,
    description: String,
    line_number: String,
    contact: String,
    reported_on: String,
    public_handle: Option<String>,
    status: String,
    outcome: Option<String>,
    holder_id: Option<i64>,
    version: i64,
    queue_at: i64,
    created_at: i64,
    updated_at: i64,
    last_activity_at: i64,
    taken_at: Option<i64>,
    resolved_at: Option<i64>,
    closed_at: Option<i64>,
    rating: Option<i32>,
    rating_comment: Option<String>,
    customer_seen_event: i64,
}

impl TryFrom<RequestRow> for RequestRecord {
    type Error = StoreError;
    fn try_from(r: RequestRow) -> Result<Self, StoreError> {
        Ok(RequestRecord {
            id: r.id,
            customer_id: r.customer_id,
            category: code(&r.category, Category::from_code)?,
            subject: r.subject,
            description: r.description,
            line_number: r.line_number,
            contact: code(&r.contact, Contact::from_code)?,
            reported_on: code(&r.reported_on, ReportedOn::from_code)?,
            public_handle: r.public_handle,
            status: code(&r.status, Status::from_code)?,
            outcome: optional_code(r.outcome, Outcome::from_code)?,
            holder_id: r.holder_id,
            version: r.version,
            queue_at: r.queue_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_activity_at: r.last_activity_at,
            taken_at: r.taken_at,
            resolved_at: r.resolved_at,
            closed_at: r.closed_at,
            rating: r.rating,
            rating_comment: r.rating_comment,
            customer_seen_event: r.customer_seen_event,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    id: i64,
    request_id: i64,
    at: i64,
    actor_id: Option<i64>,
    actor_role: String,
    kind: String,
    from_status: Option<String>,
    to_status: Option<String>,
    outcome: Option<String>,
    body: Option<String>,
    internal: bool,
}

impl TryFrom<EventRow> for EventRecord {
    type Error = StoreError;
    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        Ok(EventRecord {
            id: r.id,
            request_id: r.request_id,
            at: r.at,
            actor_id: r.actor_id,
            actor_role: r.actor_role,
            kind: code(&r.kind, EventKind::from_code)?,
            from_status: optional_code(r.from_status, Status::from_code)?,
            to_status: optional_code(r.to_status, Status::from_code)?,
            outcome: optional_code(r.outcome, Outcome::from_code)?,
            body: r.body,
            internal: r.internal,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ListRow {
    id: i64,
    category: String,
    subject: String,
    status: String,
    outcome: Option<String>,
    last_activity_at: i64,
    unread: i64,
}

impl TryFrom<ListRow> for RequestListItem {
    type Error = StoreError;
    fn try_from(r: ListRow) -> Result<Self, StoreError> {
        Ok(RequestListItem {
            id: r.id,
            category: code(&r.category, Category::from_code)?,
            subject: r.subject,
            status: code(&r.status, Status::from_code)?,
            outcome: optional_code(r.outcome, Outcome::from_code)?,
            last_activity_at: r.last_activity_at,
            unread: r.unread,
        })
    }
}

pub(crate) const REQUEST_COLUMNS: &str = "id, customer_id, category, subject, description, line_number, contact, \
     reported_on, public_handle, status, outcome, holder_id, version, queue_at, created_at, updated_at, \
     last_activity_at, taken_at, resolved_at, closed_at, rating, rating_comment, customer_seen_event";
pub(crate) const EVENT_COLUMNS: &str =
    "id, request_id, at, actor_id, actor_role, kind, from_status, to_status, outcome, body, internal";
pub(crate) const INSERT_EVENT: &str = "INSERT INTO request_events \
     (request_id, at, actor_id, actor_role, kind, from_status, to_status, outcome, body, internal) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
/// The pool's events after the customer's last look (notes excluded, the customer's own excluded).
pub(crate) const UNREAD: &str = "e.internal = FALSE AND e.actor_role <> 'customer' AND e.id > r.customer_seen_event";

/// Implements `Requests` and `Pool` for a store whose `pool` field is a pool of `$db`; `$skip_locked` is
/// the row-locking clause of "take next" (`FOR UPDATE SKIP LOCKED` on PostgreSQL).
/// The capped count of every open state, in `Status::ALL` order, in one statement (`$1` = the cap).
pub(crate) fn state_counts_sql() -> &'static str {
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

macro_rules! impl_requests {
    ($store:ident, $db:ty, $skip_locked:literal) => {
        mod requests_impl {
            use app::domain::request::*;
            use app::ports::*;
            use async_trait::async_trait;

            use super::super::accounts::INSERT_AUDIT;
            // The same helper the accounts adapter queues its emails with.
            use super::accounts_impl::{insert_email, insert_token};
            use super::super::db_err;
            use super::super::requests::*;
            use super::super::Submission;

            type Conn = <$db as sqlx::Database>::Connection;

            #[allow(clippy::too_many_arguments)]
            async fn insert_event(
                conn: &mut Conn,
                request: RequestId,
                event: &NewEvent,
                from: Option<Status>,
                to: Option<Status>,
                outcome: Option<Outcome>,
                now: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(INSERT_EVENT)
                    .bind(request)
                    .bind(now)
                    .bind(event.actor_id)
                    .bind(event.actor_role)
                    .bind(event.kind.code())
                    .bind(from.map(|s| s.code()))
                    .bind(to.map(|s| s.code()))
                    .bind(outcome.map(|o| o.code()))
                    .bind(&event.body)
                    .bind(event.internal)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
                // Every transition is audited too (the event's text stays in the timeline only).
                let detail = match (from, to) {
                    (Some(f), Some(t)) => Some(format!("{f} → {t}")),
                    (None, Some(t)) => Some(format!("→ {t}")),
                    _ => None,
                };
                sqlx::query(INSERT_AUDIT)
                    .bind(now)
                    .bind(event.actor_id)
                    .bind(event.kind.code())
                    .bind(request)
                    .bind(None::<i64>)
                    .bind(detail)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

            /// Inserts one submission (request, its first event, its email) in the caller's transaction.
            pub(in super::super) async fn insert_submission(
                conn: &mut Conn,
                request: &NewRequest,
                email: Option<&EmailForRequest>,
                now: i64,
            ) -> Result<RequestId, StoreError> {
                let id = sqlx::query_scalar::<_, i64>(
                    "INSERT INTO requests (customer_id, category, subject, description, line_number, contact, \
                     reported_on, public_handle, consent_at, queue_at, created_at, updated_at, last_activity_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9, $9, $9) RETURNING id",
                )
                .bind(request.customer)
                .bind(request.category.code())
                .bind(request.subject.as_ref())
                .bind(request.description.as_ref())
                .bind(request.line_number.as_ref())
                .bind(request.contact.code())
                .bind(request.reported_on.code())
                .bind(request.public_handle.as_ref().map(|h| h.as_ref().to_string()))
                .bind(now)
                .fetch_one(&mut *conn)
                .await
                .map_err(db_err)?;
                let event = NewEvent {
                    actor_id: Some(request.customer),
                    actor_role: "customer",
                    kind: EventKind::Received,
                    body: None,
                    internal: false,
                };
                insert_event(conn, id, &event, None, Some(Status::Received), None, now).await?;
                if let Some(email) = email {
                    insert_email(conn, &email(id), now).await?;
                }
                Ok(id)
            }

            #[async_trait]
            impl Requests for super::$store {
                #[tracing::instrument(skip_all, fields(customer = request.customer))]
                async fn submit_request(
                    &self,
                    request: NewRequest,
                    email: Option<EmailForRequest>,
                    now: i64,
                ) -> Result<RequestId, StoreError> {
                    let (request, email) = match self.group_commit() {
                        Some(queue) => {
                            let (done, answer) = tokio::sync::oneshot::channel();
                            match queue.send(Submission { request, email, now, done }).await {
                                Ok(()) => {
                                    return answer.await.unwrap_or_else(|_| Err(super::super::group_failed("the group commit stopped")));
                                }
                                // The group-commit task is gone (its runtime ended): commit this one alone.
                                Err(tokio::sync::mpsc::error::SendError(s)) => (s.request, s.email),
                            }
                        }
                        None => (request, email),
                    };
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let id = insert_submission(&mut tx, &request, email.as_ref(), now).await?;
                    tx.commit().await.map_err(db_err)?;
                    tracing::info!(request = id, "request stored");
                    Ok(id)
                }

                #[tracing::instrument(skip_all, fields(request = id))]
                async fn request_by_id(&self, id: RequestId) -> Result<Option<RequestRecord>, StoreError> {
                    let sql = format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1");
                    let row = sqlx::query_as::<_, RequestRow>(&sql)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                    row.map(TryInto::try_into).transpose()
                }

                #[tracing::instrument(skip_all, fields(customer))]
                async fn customer_requests(
                    &self,
                    customer: UserId,
                    after: Option<ListCursor>,
                    limit: i64,
                ) -> Result<Vec<RequestListItem>, StoreError> {
                    let after = after.unwrap_or(ListCursor { last_activity_at: i64::MAX, id: i64::MAX });
                    let sql = format!(
                        "SELECT r.id, r.category, r.subject, r.status, r.outcome, r.last_activity_at, \
                         (SELECT COUNT(*) FROM request_events e WHERE e.request_id = r.id AND {UNREAD}) AS unread \
                         FROM requests r WHERE r.customer_id = $1 \
                         AND (r.last_activity_at < $2 OR (r.last_activity_at = $2 AND r.id < $3)) \
                         ORDER BY r.last_activity_at DESC, r.id DESC LIMIT $4"
                    );
                    let rows = sqlx::query_as::<_, ListRow>(&sql)
                        .bind(customer)
                        .bind(after.last_activity_at)
                        .bind(after.id)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                #[tracing::instrument(skip_all, fields(request = id))]
                async fn request_events(&self, id: RequestId, include_internal: bool) -> Result<Vec<EventRecord>, StoreError> {
                    let sql = format!(
                        "SELECT {EVENT_COLUMNS} FROM request_events WHERE request_id = $1 AND ($2 OR internal = FALSE) \
                         ORDER BY id"
                    );
                    let rows = sqlx::query_as::<_, EventRow>(&sql)
                        .bind(id)
                        .bind(include_internal)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                #[tracing::instrument(skip_all, fields(request = c.request, kind = %c.event.kind))]
                async fn record_transition(&self, c: TransitionRecord) -> Result<i64, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    // The update comes first, so the transaction takes its write lock at once.
                    let version = sqlx::query_scalar::<_, i64>(
                        "UPDATE requests SET status = $1, outcome = $2, holder_id = $3, taken_at = $4, resolved_at = $5, \
                         closed_at = $6, last_activity_at = $7, updated_at = $8, version = version + 1 \
                         WHERE id = $9 AND version = $10 AND status = $11 RETURNING version",
                    )
                    .bind(c.to.code())
                    .bind(c.outcome.map(|o| o.code()))
                    .bind(c.holder_id)
                    .bind(c.taken_at)
                    .bind(c.resolved_at)
                    .bind(c.closed_at)
                    .bind(c.last_activity_at)
                    .bind(c.now)
                    .bind(c.request)
                    .bind(c.expected_version)
                    .bind(c.from.code())
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .ok_or(StoreError::Conflict)?;
                    let outcome = if c.to == Status::Resolved { c.outcome } else { None };
                    insert_event(&mut tx, c.request, &c.event, Some(c.from), Some(c.to), outcome, c.now).await?;
                    if let Some(email) = &c.email {
                        insert_email(&mut tx, email, c.now).await?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(version)
                }

                #[tracing::instrument(skip_all, fields(request = id))]
                async fn rate_request(
                    &self,
                    id: RequestId,
                    customer: UserId,
                    rating: Rating,
                    comment: Option<String>,
                    now: i64,
                ) -> Result<bool, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let done = sqlx::query(
                        "UPDATE requests SET rating = $1, rating_comment = $2, rated_at = $3, updated_at = $3 \
                         WHERE id = $4 AND customer_id = $5 AND rated_at IS NULL AND status IN ('resolved', 'closed')",
                    )
                    .bind(i32::from(rating.value()))
                    .bind(&comment)
                    .bind(now)
                    .bind(id)
                    .bind(customer)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Ok(false);
                    }
                    let event = NewEvent {
                        actor_id: Some(customer),
                        actor_role: "customer",
                        kind: EventKind::Rated,
                        body: Some(rating.value().to_string()),
                        internal: false,
                    };
                    insert_event(&mut tx, id, &event, None, None, None, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(true)
                }

                #[tracing::instrument(skip_all, fields(request = id))]
                async fn mark_seen(&self, id: RequestId, customer: UserId, up_to: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    sqlx::query(
                        "UPDATE requests SET customer_seen_event = $3 \
                         WHERE id = $1 AND customer_id = $2 AND customer_seen_event < $3",
                    )
                    .bind(id)
                    .bind(customer)
                    .bind(up_to)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn resolved_before(&self, cutoff: i64, limit: i64) -> Result<Vec<RequestRecord>, StoreError> {
                    let sql = format!(
                        "SELECT {REQUEST_COLUMNS} FROM requests WHERE status = 'resolved' AND resolved_at < $1 \
                         ORDER BY resolved_at, id LIMIT $2"
                    );
                    let rows = sqlx::query_as::<_, RequestRow>(&sql)
                        .bind(cutoff)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                #[tracing::instrument(skip_all, fields(customer))]
                async fn customer_pulse(&self, customer: UserId) -> Result<Pulse, StoreError> {
                    let sql = format!(
                        "SELECT COALESCE(MAX(e.id), 0) AS latest, \
                         COALESCE(SUM(CASE WHEN {UNREAD} THEN 1 ELSE 0 END), 0) AS unread \
                         FROM requests r JOIN request_events e ON e.request_id = r.id \
                         WHERE r.customer_id = $1 AND e.internal = FALSE"
                    );
                    let (latest_event, unread) = sqlx::query_as::<_, (i64, i64)>(&sql)
                        .bind(customer)
                        .fetch_one(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(Pulse { latest_event, unread })
                }
            }

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
                holder_id: Option<i64>,
                holder_name: Option<String>,
                customer_email: String,
            }

            impl TryFrom<CaseRow> for CaseSummary {
                type Error = StoreError;
                fn try_from(r: CaseRow) -> Result<Self, StoreError> {
                    let masked = app::domain::account::LineNumber::parse(&r.line_number)
                        .map(|l| l.masked())
                        .unwrap_or_else(|_| "***".to_string());
                    Ok(CaseSummary {
                        id: r.id,
                        category: Category::from_code(&r.category).ok_or(StoreError::NotFound)?,
                        subject: r.subject,
                        status: Status::from_code(&r.status).ok_or(StoreError::NotFound)?,
                        outcome: r.outcome.as_deref().and_then(Outcome::from_code),
                        line_number: masked,
                        queue_at: r.queue_at,
                        last_activity_at: r.last_activity_at,
                        holder_id: r.holder_id,
                        holder_name: r.holder_name,
                        customer_email: r.customer_email,
                    })
                }
            }

            const CASE_SELECT: &str = "SELECT r.id, r.category, r.subject, r.status, r.outcome, r.line_number, \
                 r.queue_at, r.last_activity_at, r.holder_id, h.display_name AS holder_name, c.email AS customer_email \
                 FROM requests r JOIN users c ON c.id = r.customer_id LEFT JOIN users h ON h.id = r.holder_id";

            #[derive(sqlx::FromRow)]
            struct AuditRow {
                id: i64,
                at: i64,
                actor_id: Option<i64>,
                actor_name: Option<String>,
                action: String,
                request_id: Option<i64>,
                subject_user_id: Option<i64>,
                detail: Option<String>,
            }

            async fn audit(conn: &mut Conn, e: &NewAudit, now: i64) -> Result<(), StoreError> {
                sqlx::query(INSERT_AUDIT)
                    .bind(now)
                    .bind(e.actor_id)
                    .bind(e.action.code())
                    .bind(e.request_id)
                    .bind(e.subject_user_id)
                    .bind(&e.detail)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

            #[async_trait]
            impl Pool for super::$store {
                #[tracing::instrument(skip_all, fields(agent))]
                async fn take_next(&self, agent: UserId, email: EmailForTaken, now: i64) -> Result<Option<RequestRecord>, StoreError> {
                    // One statement picks and takes: the oldest waiting request nobody holds. The outer
                    // conditions are checked again on the row actually updated, so a request taken by
                    // someone else in the meantime is never taken twice (PostgreSQL skips rows other
                    // takers have locked; SQLite runs one writer at a time).
                    let lock = $skip_locked;
                    let sql = format!(
                        "UPDATE requests SET status = 'in_charge', holder_id = $1, taken_at = COALESCE(taken_at, $2), \
                         updated_at = $2, last_activity_at = $2, version = version + 1 \
                         WHERE id = (SELECT id FROM requests WHERE status = 'received' AND holder_id IS NULL \
                                     ORDER BY queue_at, id LIMIT 1 {lock}) \
                         AND status = 'received' AND holder_id IS NULL RETURNING {REQUEST_COLUMNS}"
                    );
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let Some(row) = sqlx::query_as::<_, RequestRow>(&sql)
                        .bind(agent)
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?
                    else {
                        return Ok(None);
                    };
                    let request: RequestRecord = row.try_into()?;
                    let event = NewEvent { actor_id: Some(agent), actor_role: "agent", kind: EventKind::Taken, body: None, internal: false };
                    insert_event(&mut tx, request.id, &event, Some(Status::Received), Some(Status::InCharge), None, now).await?;
                    let customer_sql = format!("SELECT {} FROM users WHERE id = $1", super::super::accounts::USER_COLUMNS);
                    let customer: UserRecord = sqlx::query_as::<_, super::super::accounts::UserRow>(&customer_sql)
                        .bind(request.customer_id)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db_err)?
                        .try_into()?;
                    if let Some(mail) = email(&request, &customer) {
                        insert_email(&mut tx, &mail, now).await?;
                    }
                    tx.commit().await.map_err(db_err)?;
                    Ok(Some(request))
                }

                async fn queue(&self, after: Option<(i64, RequestId)>, limit: i64) -> Result<Vec<CaseSummary>, StoreError> {
                    let (at, id) = after.unwrap_or((i64::MIN, i64::MIN));
                    let sql = format!(
                        "{CASE_SELECT} WHERE r.status = 'received' AND r.holder_id IS NULL \
                         AND (r.queue_at > $1 OR (r.queue_at = $1 AND r.id > $2)) ORDER BY r.queue_at, r.id LIMIT $3"
                    );
                    let rows = sqlx::query_as::<_, CaseRow>(&sql)
                        .bind(at)
                        .bind(id)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn state_counts(&self) -> Result<Vec<(Status, i64)>, StoreError> {
                    // One bounded index range per open state (`requests_by_status`): the cost stays the same
                    // however long the backlog and the closed history grow. One round trip for all of them.
                    let rows: Vec<(String, i64)> = sqlx::query_as(state_counts_sql())
                        .bind(app::domain::request::STATE_COUNT_CAP)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?;
                    let mut counts: Vec<(Status, i64)> =
                        rows.into_iter().filter_map(|(code, n)| Status::from_code(&code).map(|s| (s, n))).collect();
                    counts.sort_by_key(|(s, _)| Status::ALL.iter().position(|x| x == s));
                    Ok(counts)
                }

                async fn cases_held_by(&self, agent: UserId) -> Result<Vec<CaseSummary>, StoreError> {
                    let sql = format!(
                        "{CASE_SELECT} WHERE r.holder_id = $1 AND r.status IN ('in_charge', 'awaiting_customer') \
                         ORDER BY r.queue_at, r.id LIMIT 500"
                    );
                    let rows = sqlx::query_as::<_, CaseRow>(&sql).bind(agent).fetch_all(&self.pool).await.map_err(db_err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn search_cases(&self, q: &CaseSearch, before: Option<RequestId>, limit: i64) -> Result<Vec<CaseSummary>, StoreError> {
                    let sql = format!(
                        "{CASE_SELECT} WHERE ($1 IS NULL OR r.id = $1) AND ($2 IS NULL OR c.email = $2) \
                         AND ($3 IS NULL OR r.line_number = $3) AND ($4 IS NULL OR r.status = $4) AND r.id < $5 \
                         ORDER BY r.id DESC LIMIT $6"
                    );
                    let rows = sqlx::query_as::<_, CaseRow>(&sql)
                        .bind(q.id)
                        .bind(q.customer_email.as_deref())
                        .bind(q.line_number.as_deref())
                        .bind(q.status.map(|s| s.code()))
                        .bind(before.unwrap_or(i64::MAX))
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn write_audit(&self, entry: NewAudit, now: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut conn = self.pool.acquire().await.map_err(db_err)?;
                    audit(&mut conn, &entry, now).await
                }

                async fn audit_log(
                    &self,
                    request: Option<RequestId>,
                    actor: Option<UserId>,
                    before: Option<i64>,
                    limit: i64,
                ) -> Result<Vec<AuditEntry>, StoreError> {
                    let rows = sqlx::query_as::<_, AuditRow>(
                        "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.action, a.request_id, \
                         a.subject_user_id, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
                         WHERE ($1 IS NULL OR a.request_id = $1) AND ($2 IS NULL OR a.actor_id = $2) AND a.id < $3 \
                         ORDER BY a.id DESC LIMIT $4",
                    )
                    .bind(request)
                    .bind(actor)
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                    rows
                        .into_iter()
                        .map(|r| Ok(AuditEntry {
                            id: r.id,
                            at: r.at,
                            actor_id: r.actor_id,
                            actor_name: r.actor_name,
                            action: code(&r.action, AuditAction::from_code)?,
                            request_id: r.request_id,
                            subject_user_id: r.subject_user_id,
                            detail: r.detail,
                        }))
                        .collect()
                }

                #[tracing::instrument(skip_all, fields(role = %role))]
                async fn create_staff(
                    &self,
                    email: &app::domain::account::Email,
                    name: &app::domain::account::DisplayName,
                    role: Role,
                    token: NewToken,
                    invite: NewEmail,
                    by: UserId,
                    now: i64,
                ) -> Result<UserId, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    // "!" is no argon2 hash: nobody can log in until the set-password link is used.
                    let id = sqlx::query_scalar::<_, i64>(
                        "INSERT INTO users (email, display_name, password_hash, role, created_at, updated_at) \
                         VALUES ($1, $2, '!', $3, $4, $4) ON CONFLICT (email) DO NOTHING RETURNING id",
                    )
                    .bind(email.as_ref())
                    .bind(name.as_ref())
                    .bind(role.code())
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .ok_or(StoreError::Conflict)?;
                    insert_token(&mut tx, id, &token, now).await?;
                    insert_email(&mut tx, &invite, now).await?;
                    let entry = NewAudit {
                        actor_id: Some(by),
                        action: AuditAction::Account(AccountAction::StaffCreated),
                        request_id: None,
                        subject_user_id: Some(id),
                        detail: Some(role.code().to_string()),
                    };
                    audit(&mut tx, &entry, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(id)
                }

                async fn create_admin(
                    &self,
                    email: &app::domain::account::Email,
                    name: &app::domain::account::DisplayName,
                    password_hash: &str,
                    now: i64,
                ) -> Result<UserId, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let id = sqlx::query_scalar::<_, i64>(
                        "INSERT INTO users (email, display_name, password_hash, role, email_confirmed_at, created_at, updated_at) \
                         VALUES ($1, $2, $3, 'admin', $4, $4, $4) ON CONFLICT (email) DO NOTHING RETURNING id",
                    )
                    .bind(email.as_ref())
                    .bind(name.as_ref())
                    .bind(password_hash)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .ok_or(StoreError::Conflict)?;
                    let entry = NewAudit { actor_id: None, action: AuditAction::Account(AccountAction::StaffCreated), request_id: None, subject_user_id: Some(id), detail: Some("admin (command line)".into()) };
                    audit(&mut tx, &entry, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(id)
                }

                async fn list_staff(&self) -> Result<Vec<StaffMember>, StoreError> {
                    let rows = sqlx::query_as::<_, (i64, String, String, String, Option<i64>, i64)>(
                        "SELECT u.id, u.email, u.display_name, u.role, u.deactivated_at, \
                         (SELECT COUNT(*) FROM requests r WHERE r.holder_id = u.id AND r.status IN ('in_charge', 'awaiting_customer')) \
                         FROM users u WHERE u.role IN ('agent', 'admin') ORDER BY u.display_name, u.id",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok(rows
                        .into_iter()
                        .filter_map(|(id, email, display_name, role, deactivated, open_cases)| {
                            Some(StaffMember {
                                id,
                                email,
                                display_name,
                                role: Role::from_code(&role)?,
                                active: deactivated.is_none(),
                                open_cases,
                            })
                        })
                        .collect())
                }

                async fn set_active(&self, user: UserId, active: bool, by: UserId, now: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let done = sqlx::query(
                        "UPDATE users SET deactivated_at = $1, session_epoch = session_epoch + 1, updated_at = $2 WHERE id = $3",
                    )
                    .bind(if active { None } else { Some(now) })
                    .bind(now)
                    .bind(user)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    let action = AuditAction::Account(if active { AccountAction::Reactivated } else { AccountAction::Deactivated });
                    let entry = NewAudit { actor_id: Some(by), action, request_id: None, subject_user_id: Some(user), detail: None };
                    audit(&mut tx, &entry, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(())
                }

                async fn set_blocked(&self, user: UserId, blocked: bool, by: UserId, now: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let done = sqlx::query(
                        "UPDATE users SET blocked_at = $1, session_epoch = session_epoch + $4, updated_at = $2 \
                         WHERE id = $3 AND role = 'customer'",
                    )
                    .bind(if blocked { Some(now) } else { None })
                    .bind(now)
                    .bind(user)
                    // Blocking ends the sessions; unblocking has none to end.
                    .bind(i64::from(blocked))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    let action = AuditAction::Account(if blocked { AccountAction::Blocked } else { AccountAction::Unblocked });
                    let entry = NewAudit { actor_id: Some(by), action, request_id: None, subject_user_id: Some(user), detail: None };
                    audit(&mut tx, &entry, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(())
                }

                async fn dashboard(&self, since_ms: i64, now: i64) -> Result<DashboardData, StoreError> {
                    let counts = self.state_counts().await?;
                    let per_day = sqlx::query_as::<_, (i64, i64)>(
                        "SELECT created_at / 86400000 AS day, COUNT(*) FROM requests WHERE created_at >= $1 GROUP BY day ORDER BY day",
                    )
                    .bind(since_ms)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                    let take_times = sqlx::query_as::<_, (i64, i64)>(
                        "SELECT taken_at, taken_at - queue_at FROM requests WHERE taken_at >= $1 AND taken_at <= $2",
                    )
                    .bind(since_ms)
                    .bind(now)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                    let outcome_times = sqlx::query_as::<_, (i64, i64)>(
                        "SELECT resolved_at, resolved_at - queue_at FROM requests WHERE resolved_at >= $1 AND resolved_at <= $2",
                    )
                    .bind(since_ms)
                    .bind(now)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                    let oldest_waiting = sqlx::query_scalar::<_, Option<i64>>(
                        "SELECT MIN(queue_at) FROM requests WHERE status = 'received' AND holder_id IS NULL",
                    )
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err)?;
                    let (rating_sum, rating_count) = sqlx::query_as::<_, (i64, i64)>(
                        "SELECT COALESCE(SUM(rating), 0), COUNT(rating) FROM requests WHERE rating IS NOT NULL",
                    )
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err)?;
                    let open_per_agent = sqlx::query_as::<_, (String, i64)>(
                        "SELECT u.display_name, COUNT(*) FROM requests r JOIN users u ON u.id = r.holder_id \
                         WHERE r.status IN ('in_charge', 'awaiting_customer') GROUP BY u.id, u.display_name ORDER BY u.display_name",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok(DashboardData { counts, per_day, take_times, outcome_times, oldest_waiting, rating_sum, rating_count, open_per_agent })
                }
            }
        }
    };
}
pub(crate) use impl_requests;
