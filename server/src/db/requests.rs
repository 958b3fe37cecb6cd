//! Assistance requests and their timelines, for both backends from one text (as `accounts.rs`).
//! Changes are conditional on the request's `version`, so two simultaneous changes cannot both win.

use app::domain::request::{Category, Contact, Outcome, ReportedOn, Status};
use app::ports::{EventRecord, RequestListItem, RequestRecord, StoreError};

/// A stored code that is not in its set: the database holds something this build does not know.
fn code<T>(value: &str, from_code: fn(&str) -> Option<T>) -> Result<T, StoreError> {
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
            kind: r.kind,
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

/// Implements `Requests` for a store whose `pool` field is a pool of `$db`.
macro_rules! impl_requests {
    ($store:ident, $db:ty) => {
        mod requests_impl {
            use app::domain::request::*;
            use app::ports::*;
            use async_trait::async_trait;

            use super::super::accounts::INSERT_EMAIL;
            use super::super::db_err;
            use super::super::requests::*;

            type Conn = <$db as sqlx::Database>::Connection;

            async fn insert_email(conn: &mut Conn, e: &NewEmail, now: i64) -> Result<(), StoreError> {
                sqlx::query(INSERT_EMAIL)
                    .bind(&e.to)
                    .bind(&e.locale)
                    .bind(e.kind)
                    .bind(&e.subject)
                    .bind(&e.text)
                    .bind(&e.html)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

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
                    .bind(event.kind)
                    .bind(from.map(|s| s.code()))
                    .bind(to.map(|s| s.code()))
                    .bind(outcome.map(|o| o.code()))
                    .bind(&event.body)
                    .bind(event.internal)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
                Ok(())
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
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
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
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let event = NewEvent {
                        actor_id: Some(request.customer),
                        actor_role: "customer",
                        kind: "received",
                        body: None,
                        internal: false,
                    };
                    insert_event(&mut tx, id, &event, None, Some(Status::Received), None, now).await?;
                    if let Some(email) = email {
                        insert_email(&mut tx, &email(id), now).await?;
                    }
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

                #[tracing::instrument(skip_all, fields(request = c.request, kind = c.event.kind))]
                async fn record_transition(&self, c: TransitionRecord) -> Result<i64, StoreError> {
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
                        kind: "rated",
                        body: Some(rating.value().to_string()),
                        internal: false,
                    };
                    insert_event(&mut tx, id, &event, None, None, None, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(true)
                }

                #[tracing::instrument(skip_all, fields(request = id))]
                async fn mark_seen(&self, id: RequestId, customer: UserId) -> Result<(), StoreError> {
                    sqlx::query(
                        "UPDATE requests SET customer_seen_event = \
                         COALESCE((SELECT MAX(e.id) FROM request_events e WHERE e.request_id = $1), 0) \
                         WHERE id = $1 AND customer_id = $2",
                    )
                    .bind(id)
                    .bind(customer)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok(())
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
        }
    };
}
pub(crate) use impl_requests;
