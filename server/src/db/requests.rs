//! Assistance requests and their timelines. Changes are conditional on the request's `version`, so two
//! simultaneous changes cannot both win.

use app::domain::request::{ActorRole, Category, Contact, EventKind, Outcome, Rating, ReportedOn, Status};
use app::ports::{
    EmailForRequest, EventRecord, ListCursor, NewEvent, NewRequest, Pulse, RequestId, RequestRecord, RequestSummary,
    Requests, StoreError, TransitionRecord, UserId,
};
use async_trait::async_trait;

use super::attachments::insert_attachments;
use super::audit::insert_audit_line;
use super::outbox::insert_email;
use super::{Backend, Sql, SqlStore, Submission, code, group_failed, optional_code};

#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
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
    incident_id: Option<i64>,
}

pub(super) const REQUEST_COLUMNS: &str = "id, customer_id, category, subject, description, line_number, contact, \
     reported_on, public_handle, status, outcome, holder_id, version, queue_at, created_at, updated_at, \
     last_activity_at, taken_at, resolved_at, closed_at, rating, rating_comment, customer_seen_event, incident_id";

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
            incident_id: r.incident_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
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

const EVENT_COLUMNS: &str =
    "id, request_id, at, actor_id, actor_role, kind, from_status, to_status, outcome, body, internal";

impl TryFrom<EventRow> for EventRecord {
    type Error = StoreError;

    fn try_from(r: EventRow) -> Result<Self, StoreError> {
        Ok(EventRecord {
            id: r.id,
            request_id: r.request_id,
            at: r.at,
            actor_id: r.actor_id,
            actor_role: code(&r.actor_role, ActorRole::from_code)?,
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
struct ListRow {
    id: i64,
    category: String,
    subject: String,
    status: String,
    outcome: Option<String>,
    last_activity_at: i64,
    unread: i64,
}

impl TryFrom<ListRow> for RequestSummary {
    type Error = StoreError;

    fn try_from(r: ListRow) -> Result<Self, StoreError> {
        Ok(RequestSummary {
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

/// The pool's events after the customer's last look (notes excluded, the customer's own excluded).
const UNREAD: &str = "e.internal = FALSE AND e.actor_role <> 'customer' AND e.id > r.customer_seen_event";

/// A timeline line, with the status change it records.
pub(super) struct Change {
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub outcome: Option<Outcome>,
}

impl Change {
    pub(super) const NONE: Change = Change { from: None, to: None, outcome: None };
}

/// Appends an event to a request's timeline, and its line to the audit log (the event's text stays in
/// the timeline only).
pub(super) async fn insert_event<DB: Backend>(
    conn: &mut DB::Connection,
    request: RequestId,
    event: &NewEvent,
    change: Change,
    now: i64,
) -> Result<(), StoreError> {
    let sql = Sql::new(
        "INSERT INTO request_events (request_id, at, actor_id, actor_role, kind, from_status, to_status, outcome, \
         body, internal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(request)
    .bind(now)
    .bind(event.actor_id)
    .bind(event.actor_role.code())
    .bind(event.kind.code())
    .bind(change.from.map(|s| s.code()))
    .bind(change.to.map(|s| s.code()))
    .bind(change.outcome.map(|o| o.code()))
    .bind(event.body.as_deref())
    .bind(event.internal);
    DB::execute(conn, sql).await?;
    let detail = match (change.from, change.to) {
        (Some(f), Some(t)) => Some(format!("{f} → {t}")),
        (None, Some(t)) => Some(format!("→ {t}")),
        _ => None,
    };
    let line = app::ports::NewAudit {
        actor_id: event.actor_id,
        action: app::domain::request::AuditAction::Event(event.kind),
        request_id: Some(request),
        subject_user_id: None,
        detail,
    };
    insert_audit_line::<DB>(conn, &line, now).await
}

/// Inserts one submission (request, its first event, its email) in the caller's transaction.
pub(super) async fn insert_submission<DB: Backend>(
    conn: &mut DB::Connection,
    request: &NewRequest,
    email: Option<&EmailForRequest>,
    now: i64,
) -> Result<RequestId, StoreError> {
    let sql = Sql::new(
        "INSERT INTO requests (customer_id, category, subject, description, line_number, contact, reported_on, \
         public_handle, consent_at, queue_at, created_at, updated_at, last_activity_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9, $9, $9) RETURNING id",
    )
    .bind(request.customer)
    .bind(request.category.code())
    .bind(request.subject.as_ref())
    .bind(request.description.as_ref())
    .bind(request.line_number.as_ref())
    .bind(request.contact.code())
    .bind(request.reported_on.code())
    .bind(request.public_handle.as_ref().map(|h| h.as_ref()))
    .bind(now);
    let (id,) = DB::fetch_one::<(i64,)>(conn, sql).await?;
    let event = NewEvent {
        actor_id: Some(request.customer),
        actor_role: ActorRole::Customer,
        kind: EventKind::Received,
        body: None,
        internal: false,
    };
    let change = Change { from: None, to: Some(Status::Received), outcome: None };
    insert_event::<DB>(conn, id, &event, change, now).await?;
    insert_attachments::<DB>(conn, id, request.customer, &request.attachments, now).await?;
    if let Some(email) = email {
        insert_email::<DB>(conn, &email(id), now).await?;
    }
    Ok(id)
}

#[async_trait]
impl<DB: Backend> Requests for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(customer = request.customer))]
    async fn submit_request(
        &self,
        request: NewRequest,
        email: Option<EmailForRequest>,
        now: i64,
    ) -> Result<RequestId, StoreError> {
        // SQLite commits submissions in groups (`sqlite.rs`); the answer comes once the group is on disk.
        let (request, email) = match &self.submissions {
            Some(queue) => {
                let (done, answer) = tokio::sync::oneshot::channel();
                match queue.send(Submission { request, email, now, done }).await {
                    Ok(()) => return answer.await.unwrap_or_else(|_| Err(group_failed("the group commit stopped"))),
                    // The group-commit task is gone (its runtime ended): commit this one alone.
                    Err(tokio::sync::mpsc::error::SendError(s)) => (s.request, s.email),
                }
            }
            None => (request, email),
        };
        let mut w = self.write().await?;
        let id = insert_submission::<DB>(w.conn(), &request, email.as_ref(), now).await?;
        w.commit().await?;
        tracing::info!(request = id, "request stored");
        Ok(id)
    }

    #[tracing::instrument(skip_all, fields(request = id))]
    async fn request_by_id(&self, id: RequestId) -> Result<Option<RequestRecord>, StoreError> {
        let sql = Sql::new(format!("SELECT {REQUEST_COLUMNS} FROM requests WHERE id = $1")).bind(id);
        self.read_optional::<RequestRow>(sql).await?.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(skip_all, fields(customer = customer))]
    async fn customer_requests(
        &self,
        customer: UserId,
        after: Option<ListCursor>,
        limit: i64,
    ) -> Result<Vec<RequestSummary>, StoreError> {
        let after = after.unwrap_or(ListCursor { last_activity_at: i64::MAX, id: i64::MAX });
        let sql = Sql::new(format!(
            "SELECT r.id, r.category, r.subject, r.status, r.outcome, r.last_activity_at, \
             (SELECT COUNT(*) FROM request_events e WHERE e.request_id = r.id AND {UNREAD}) AS unread \
             FROM requests r WHERE r.customer_id = $1 \
             AND (r.last_activity_at < $2 OR (r.last_activity_at = $2 AND r.id < $3)) \
             ORDER BY r.last_activity_at DESC, r.id DESC LIMIT $4"
        ))
        .bind(customer)
        .bind(after.last_activity_at)
        .bind(after.id)
        .bind(limit);
        self.read::<ListRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(skip_all, fields(request = id))]
    async fn request_events(&self, id: RequestId, include_internal: bool) -> Result<Vec<EventRecord>, StoreError> {
        let sql = Sql::new(format!(
            "SELECT {EVENT_COLUMNS} FROM request_events WHERE request_id = $1 AND ($2 OR internal = FALSE) ORDER BY id"
        ))
        .bind(id)
        .bind(include_internal);
        self.read::<EventRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(skip_all, fields(request = c.request, kind = %c.event.kind))]
    async fn record_transition(&self, c: TransitionRecord) -> Result<i64, StoreError> {
        let mut w = self.write().await?;
        // The update comes first, so the transaction takes its write lock at once.
        let sql = Sql::new(
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
        .bind(c.from.code());
        let (version,) = DB::fetch_optional::<(i64,)>(w.conn(), sql).await?.ok_or(StoreError::Conflict)?;
        let outcome = if c.to == Status::Resolved { c.outcome } else { None };
        let change = Change { from: Some(c.from), to: Some(c.to), outcome };
        insert_event::<DB>(w.conn(), c.request, &c.event, change, c.now).await?;
        if !c.attachments.is_empty() {
            let by = c.event.actor_id.ok_or(StoreError::Conflict)?;
            insert_attachments::<DB>(w.conn(), c.request, by, &c.attachments, c.now).await?;
        }
        if let Some(email) = &c.email {
            insert_email::<DB>(w.conn(), email, c.now).await?;
        }
        w.commit().await?;
        Ok(version)
    }

    #[tracing::instrument(skip_all, fields(request = id, customer = customer))]
    async fn rate_request(
        &self,
        id: RequestId,
        customer: UserId,
        rating: Rating,
        comment: Option<String>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new(
            "UPDATE requests SET rating = $1, rating_comment = $2, rated_at = $3, updated_at = $3 \
             WHERE id = $4 AND customer_id = $5 AND rated_at IS NULL AND status IN ('resolved', 'closed')",
        )
        .bind(i64::from(rating.value()))
        .bind(comment)
        .bind(now)
        .bind(id)
        .bind(customer);
        if DB::execute(w.conn(), sql).await? == 0 {
            return Ok(false);
        }
        let event = NewEvent {
            actor_id: Some(customer),
            actor_role: ActorRole::Customer,
            kind: EventKind::Rated,
            body: Some(rating.value().to_string()),
            internal: false,
        };
        insert_event::<DB>(w.conn(), id, &event, Change::NONE, now).await?;
        w.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all, fields(request = id, customer = customer))]
    async fn mark_seen(&self, id: RequestId, customer: UserId, up_to: i64) -> Result<(), StoreError> {
        let sql = Sql::new(
            "UPDATE requests SET customer_seen_event = $3 WHERE id = $1 AND customer_id = $2 AND customer_seen_event < $3",
        )
        .bind(id)
        .bind(customer)
        .bind(up_to);
        self.write_one(sql).await.map(|_| ())
    }

    #[tracing::instrument(skip_all, fields(customer = customer))]
    async fn customer_pulse(&self, customer: UserId) -> Result<Pulse, StoreError> {
        let sql = Sql::new(format!(
            "SELECT COALESCE(MAX(e.id), 0) AS latest, COALESCE(SUM(CASE WHEN {UNREAD} THEN 1 ELSE 0 END), 0) AS unread \
             FROM requests r JOIN request_events e ON e.request_id = r.id \
             WHERE r.customer_id = $1 AND e.internal = FALSE"
        ))
        .bind(customer);
        let (latest_event, unread) = self.read_one::<(i64, i64)>(sql).await?;
        Ok(Pulse { latest_event, unread })
    }

    #[tracing::instrument(skip_all)]
    async fn resolved_before(&self, cutoff: i64, limit: i64) -> Result<Vec<RequestRecord>, StoreError> {
        let sql = Sql::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM requests WHERE status = 'resolved' AND resolved_at < $1 \
             ORDER BY resolved_at, id LIMIT $2"
        ))
        .bind(cutoff)
        .bind(limit);
        self.read::<RequestRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }
}
