//! Service incidents (#17): an incident, its public updates, and the lists the status page, the banner
//! and the feed read.

use app::domain::incident::{IncidentStatus, IncidentText, Places, stored_topics, topics_from_stored};
use app::domain::request::{AccountAction, ActorRole, AuditAction, EventKind, Outcome, Status};
use app::ports::{
    Affected, AffectedReport, EmailForNews, EmailForRequest, FanOutStep, IncidentNews, IncidentSummary, IncidentUpdate,
    Incidents, LinkRequest, NewAudit, NewEmail, NewEvent, NewIncident, RequestId, StoreError, UserId,
};
use async_trait::async_trait;

use super::audit::insert_audit_line;
use super::outbox::insert_email;
use super::requests::{Change, insert_event};
use super::{Backend, Sql, SqlStore, code};

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    title: String,
    status: String,
    topics: String,
    places: String,
    started_at: i64,
    updated_at: i64,
    resolved_at: Option<i64>,
    latest: Option<String>,
    affected: i64,
}

impl TryFrom<SummaryRow> for IncidentSummary {
    type Error = StoreError;

    fn try_from(r: SummaryRow) -> Result<Self, StoreError> {
        Ok(IncidentSummary {
            id: r.id,
            title: r.title,
            status: code(&r.status, IncidentStatus::from_code)?,
            topics: topics_from_stored(&r.topics),
            places: Places::from_stored(&r.places),
            started_at: r.started_at,
            updated_at: r.updated_at,
            resolved_at: r.resolved_at,
            latest: r.latest.unwrap_or_default(),
            affected: r.affected,
        })
    }
}

const SUMMARY: &str = "i.id, i.title, i.status, i.topics, i.places, i.started_at, i.updated_at, i.resolved_at, \
     (SELECT u.body FROM incident_updates u WHERE u.incident_id = i.id ORDER BY u.id DESC LIMIT 1) AS latest, i.affected";

fn audit(action: AccountAction, by: UserId, incident: i64, status: IncidentStatus) -> NewAudit {
    NewAudit {
        actor_id: Some(by),
        action: AuditAction::Account(action),
        request_id: None,
        subject_user_id: None,
        detail: Some(format!("incident {incident}: {status}")),
    }
}

#[async_trait]
impl<DB: Backend> Incidents for SqlStore<DB> {
    #[tracing::instrument(skip_all)]
    async fn open_incident(&self, i: NewIncident, by: UserId, now: i64) -> Result<i64, StoreError> {
        let mut w = self.write().await?;
        let resolved_at = (!i.status.is_open()).then_some(now);
        let sql = Sql::new(
            "INSERT INTO incidents (title, description, topics, places, status, started_at, created_at, created_by, \
             updated_at, resolved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $9) RETURNING id",
        )
        .bind(i.title.as_ref())
        .bind(i.description.as_ref())
        .bind(stored_topics(&i.topics))
        .bind(i.places.stored())
        .bind(i.status.code())
        .bind(i.started_at)
        .bind(now)
        .bind(by)
        .bind(resolved_at);
        let (id,) = DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        let sql = Sql::new(
            "INSERT INTO incident_updates (incident_id, status, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(i.status.code())
        .bind(i.description.as_ref())
        .bind(by)
        .bind(now);
        DB::execute(w.conn(), sql).await?;
        insert_audit_line::<DB>(w.conn(), &audit(AccountAction::IncidentOpened, by, id, i.status), now).await?;
        w.commit().await?;
        tracing::info!(incident = id, "incident opened");
        Ok(id)
    }

    #[tracing::instrument(skip_all, fields(incident = id))]
    async fn update_incident(
        &self,
        id: i64,
        status: IncidentStatus,
        body: &IncidentText,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new(format!("SELECT resolved_at FROM incidents WHERE id = $1 {}", DB::FOR_UPDATE)).bind(id);
        let (resolved,) = DB::fetch_optional::<(Option<i64>,)>(w.conn(), sql).await?.ok_or(StoreError::NotFound)?;
        if resolved.is_some() {
            return Err(StoreError::Conflict);
        }
        let resolved_at = (!status.is_open()).then_some(now);
        let sql = Sql::new("UPDATE incidents SET status = $1, updated_at = $2, resolved_at = $3 WHERE id = $4")
            .bind(status.code())
            .bind(now)
            .bind(resolved_at)
            .bind(id);
        DB::execute(w.conn(), sql).await?;
        let sql = Sql::new(
            "INSERT INTO incident_updates (incident_id, status, body, author_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id)
        .bind(status.code())
        .bind(body.as_ref())
        .bind(by)
        .bind(now);
        let (update,) = DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        // The update reaches every linked request later, in batches (`fan_out_step`): the job is written
        // with the update, so it cannot be lost.
        let sql = Sql::new("INSERT INTO incident_fanouts (update_id, incident_id, created_at) VALUES ($1, $2, $3)")
            .bind(update)
            .bind(id)
            .bind(now);
        DB::execute(w.conn(), sql).await?;
        insert_audit_line::<DB>(w.conn(), &audit(AccountAction::IncidentUpdated, by, id, status), now).await?;
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(incident = id))]
    async fn incident_summary(&self, id: i64) -> Result<Option<IncidentSummary>, StoreError> {
        let sql = Sql::new(format!("SELECT {SUMMARY} FROM incidents i WHERE i.id = $1")).bind(id);
        self.read_optional::<SummaryRow>(sql).await?.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(skip_all, fields(incident = id))]
    async fn incident(&self, id: i64) -> Result<Option<(IncidentSummary, String, Vec<IncidentUpdate>)>, StoreError> {
        let sql = Sql::new(format!("SELECT {SUMMARY} FROM incidents i WHERE i.id = $1")).bind(id);
        let Some(summary) = self.read_optional::<SummaryRow>(sql).await? else {
            return Ok(None);
        };
        let sql = Sql::new("SELECT description FROM incidents WHERE id = $1").bind(id);
        let (description,) = self.read_one::<(String,)>(sql).await?;
        let sql = Sql::new(
            "SELECT created_at, status, body FROM incident_updates WHERE incident_id = $1 ORDER BY id DESC LIMIT 500",
        )
        .bind(id);
        let updates = self
            .read::<(i64, String, String)>(sql)
            .await?
            .into_iter()
            .map(|(at, status, body)| {
                Ok(IncidentUpdate { at, status: code(&status, IncidentStatus::from_code)?, body })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some((summary.try_into()?, description, updates)))
    }

    #[tracing::instrument(skip_all)]
    async fn open_incidents(&self) -> Result<Vec<IncidentSummary>, StoreError> {
        let sql = Sql::new(format!(
            "SELECT {SUMMARY} FROM incidents i WHERE i.resolved_at IS NULL ORDER BY i.started_at DESC, i.id DESC LIMIT 20"
        ));
        self.read::<SummaryRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn past_incidents(&self, before: Option<i64>, limit: i64) -> Result<Vec<IncidentSummary>, StoreError> {
        let sql = Sql::new(format!(
            "SELECT {SUMMARY} FROM incidents i WHERE i.resolved_at IS NOT NULL AND i.resolved_at < $1 \
             ORDER BY i.resolved_at DESC, i.id DESC LIMIT $2"
        ))
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit);
        self.read::<SummaryRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn latest_incident_updates(&self, limit: i64) -> Result<Vec<(i64, String, IncidentUpdate)>, StoreError> {
        let sql = Sql::new(
            "SELECT i.id, i.title, u.created_at, u.status, u.body FROM incident_updates u \
             JOIN incidents i ON i.id = u.incident_id ORDER BY u.id DESC LIMIT $1",
        )
        .bind(limit);
        self.read::<(i64, String, i64, String, String)>(sql)
            .await?
            .into_iter()
            .map(|(id, title, at, status, body)| {
                Ok((id, title, IncidentUpdate { at, status: code(&status, IncidentStatus::from_code)?, body }))
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(incident = incident, customer = report.customer))]
    async fn affected_too(
        &self,
        incident: i64,
        report: AffectedReport,
        email: Option<EmailForRequest>,
        now: i64,
    ) -> Result<(RequestId, bool), StoreError> {
        let mut w = self.write().await?;
        // The incident's row is the lock: presses for one incident queue up here, so a customer pressing
        // twice (or on two servers) finds the request of the first press.
        let title = open_incident_title::<DB>(w.conn(), incident).await?;
        if let Some(id) = joined::<DB>(w.conn(), incident, report.customer).await? {
            return Ok((id, false));
        }
        let sql = Sql::new(
            "INSERT INTO requests (customer_id, category, subject, description, line_number, contact, reported_on, \
             public_handle, consent_at, queue_at, created_at, updated_at, last_activity_at, status, taken_at, \
             incident_id, version) \
             VALUES ($1, $2, $3, $4, $5, 'portal', 'none', NULL, $6, $6, $6, $6, $6, 'in_charge', $6, $7, 1) RETURNING id",
        )
        .bind(report.customer)
        .bind(report.category.code())
        .bind(&report.subject)
        .bind(&report.description)
        .bind(&report.line_number)
        .bind(now)
        .bind(incident);
        let (id,) = DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        let received = NewEvent {
            actor_id: Some(report.customer),
            actor_role: ActorRole::Customer,
            kind: EventKind::Received,
            body: None,
            internal: false,
        };
        insert_event::<DB>(
            w.conn(),
            id,
            &received,
            Change { from: None, to: Some(Status::Received), outcome: None },
            now,
        )
        .await?;
        let linked = NewEvent {
            actor_id: None,
            actor_role: ActorRole::System,
            kind: EventKind::Linked,
            body: Some(title),
            internal: false,
        };
        let change = Change { from: Some(Status::Received), to: Some(Status::InCharge), outcome: None };
        insert_event::<DB>(w.conn(), id, &linked, change, now).await?;
        let sql =
            Sql::new("UPDATE incidents SET affected = affected + 1, spared = spared + 1 WHERE id = $1").bind(incident);
        DB::execute(w.conn(), sql).await?;
        if let Some(email) = email {
            insert_email::<DB>(w.conn(), &email(id), now).await?;
        }
        w.commit().await?;
        tracing::info!(request = id, "affected too");
        Ok((id, true))
    }

    #[tracing::instrument(skip_all, fields(incident = incident, customer = customer))]
    async fn joined_request(&self, incident: i64, customer: UserId) -> Result<Option<RequestId>, StoreError> {
        let sql = Sql::new("SELECT id FROM requests WHERE customer_id = $1 AND incident_id = $2")
            .bind(customer)
            .bind(incident);
        Ok(self.read_optional::<(i64,)>(sql).await?.map(|(id,)| id))
    }

    #[tracing::instrument(skip_all, fields(customer = customer))]
    async fn joined_requests(&self, customer: UserId) -> Result<Vec<(i64, RequestId)>, StoreError> {
        let sql = Sql::new("SELECT incident_id, id FROM requests WHERE customer_id = $1 AND incident_id IS NOT NULL")
            .bind(customer);
        self.read::<(i64, i64)>(sql).await
    }

    #[tracing::instrument(skip_all, fields(incident = link.incident, request = link.request))]
    async fn link_request(&self, link: LinkRequest, email: Option<NewEmail>, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let title = open_incident_title::<DB>(w.conn(), link.incident).await?;
        let sql = Sql::new(format!(
            "SELECT customer_id, status, holder_id, incident_id FROM requests WHERE id = $1 {}",
            DB::FOR_UPDATE
        ))
        .bind(link.request);
        let (customer, status, holder, linked) =
            DB::fetch_optional::<(i64, String, Option<i64>, Option<i64>)>(w.conn(), sql)
                .await?
                .ok_or(StoreError::NotFound)?;
        let status = code(&status, Status::from_code)?;
        let held_by_other = holder.is_some_and(|h| h != link.by) && !link.may_take_held;
        if !status.is_open() || linked.is_some() || held_by_other {
            return Err(StoreError::Conflict);
        }
        if joined::<DB>(w.conn(), link.incident, customer).await?.is_some() {
            return Err(StoreError::Conflict);
        }
        let sql = Sql::new(
            "UPDATE requests SET status = 'in_charge', holder_id = NULL, incident_id = $1, \
             taken_at = COALESCE(taken_at, $2), updated_at = $2, last_activity_at = $2, version = version + 1 \
             WHERE id = $3",
        )
        .bind(link.incident)
        .bind(now)
        .bind(link.request);
        DB::execute(w.conn(), sql).await?;
        let event = NewEvent {
            actor_id: Some(link.by),
            actor_role: link.role,
            kind: EventKind::Linked,
            body: Some(title),
            internal: false,
        };
        let change = Change { from: Some(status), to: Some(Status::InCharge), outcome: None };
        insert_event::<DB>(w.conn(), link.request, &event, change, now).await?;
        let sql = Sql::new("UPDATE incidents SET affected = affected + 1 WHERE id = $1").bind(link.incident);
        DB::execute(w.conn(), sql).await?;
        if let Some(email) = &email {
            insert_email::<DB>(w.conn(), email, now).await?;
        }
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(request = request))]
    async fn unlink_request(
        &self,
        request: RequestId,
        by: UserId,
        role: ActorRole,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        // It no longer counts among the affected (read before the link goes; a refusal rolls it back).
        let sql = Sql::new(
            "UPDATE incidents SET affected = affected - 1 WHERE id = (SELECT incident_id FROM requests WHERE id = $1)",
        )
        .bind(request);
        DB::execute(w.conn(), sql).await?;
        // Only a request the incident still holds: in charge, nobody's case.
        let sql = Sql::new(
            "UPDATE requests SET status = 'received', incident_id = NULL, updated_at = $1, last_activity_at = $1, \
             version = version + 1 WHERE id = $2 AND incident_id IS NOT NULL AND status = 'in_charge' \
             AND holder_id IS NULL RETURNING customer_id",
        )
        .bind(now)
        .bind(request);
        DB::fetch_optional::<(i64,)>(w.conn(), sql).await?.ok_or(StoreError::Conflict)?;
        let event =
            NewEvent { actor_id: Some(by), actor_role: role, kind: EventKind::Unlinked, body: None, internal: false };
        let change = Change { from: Some(Status::InCharge), to: Some(Status::Received), outcome: None };
        insert_event::<DB>(w.conn(), request, &event, change, now).await?;
        w.commit().await
    }

    #[tracing::instrument(skip_all)]
    async fn fan_out_step(&self, batch: i64, email: &EmailForNews, now: i64) -> Result<FanOutStep, StoreError> {
        let mut w = self.write().await?;
        // The oldest unfinished job, locked: one server at a time works on it, and updates reach the
        // requests in the order they were posted (a resolution after the news before it).
        let sql = Sql::new(format!(
            "SELECT update_id, incident_id, after_request FROM incident_fanouts WHERE done_at IS NULL \
             ORDER BY update_id LIMIT 1 {}",
            DB::FOR_UPDATE
        ));
        let Some((update, incident, after)) = DB::fetch_optional::<(i64, i64, i64)>(w.conn(), sql).await? else {
            return Ok(FanOutStep::default());
        };
        let sql = Sql::new(
            "SELECT i.title, u.status, u.body, u.created_at FROM incident_updates u \
             JOIN incidents i ON i.id = u.incident_id WHERE u.id = $1",
        )
        .bind(update);
        let (title, status, body, posted_at) = DB::fetch_one::<(String, String, String, i64)>(w.conn(), sql).await?;
        // Everyone affected gets the same update at the same time: the time it was posted, whichever batch
        // carries it (the reopening window of a resolution starts then too).
        let at = posted_at.min(now);
        let news = IncidentNews { incident, title, status: code(&status, IncidentStatus::from_code)?, body };
        // The requests the incident holds, in id order after the last one reached.
        let sql = Sql::new(
            "SELECT r.id, u.email, u.display_name, u.locale, u.email_notifications FROM requests r \
             JOIN users u ON u.id = r.customer_id \
             WHERE r.incident_id = $1 AND r.id > $2 AND r.status = 'in_charge' AND r.holder_id IS NULL \
             ORDER BY r.id LIMIT $3",
        )
        .bind(incident)
        .bind(after)
        .bind(batch);
        let targets = DB::fetch_all::<(i64, String, String, String, bool)>(w.conn(), sql).await?;
        let resolved = !news.status.is_open();
        let mut reached = 0;
        for (request, address, display_name, locale, wants_email) in &targets {
            // Still held by the incident (the pool may have unlinked it since the read above).
            let (change, sql) = if resolved {
                (
                    Change { from: Some(Status::InCharge), to: Some(Status::Resolved), outcome: Some(Outcome::Solved) },
                    Sql::new(
                        "UPDATE requests SET status = 'resolved', outcome = 'solved', resolved_at = $1, \
                         updated_at = $1, last_activity_at = $1, version = version + 1 \
                         WHERE id = $2 AND incident_id = $3 AND status = 'in_charge' AND holder_id IS NULL RETURNING id",
                    ),
                )
            } else {
                (
                    Change::NONE,
                    Sql::new(
                        "UPDATE requests SET last_activity_at = $1, updated_at = $1 \
                         WHERE id = $2 AND incident_id = $3 AND status = 'in_charge' AND holder_id IS NULL RETURNING id",
                    ),
                )
            };
            if DB::fetch_optional::<(i64,)>(w.conn(), sql.bind(at).bind(*request).bind(incident)).await?.is_none() {
                continue;
            }
            reached += 1;
            let kind = if resolved { EventKind::Outcome } else { EventKind::IncidentNews };
            let event = NewEvent {
                actor_id: None,
                actor_role: ActorRole::System,
                kind,
                body: Some(news.body.clone()),
                internal: false,
            };
            insert_event::<DB>(w.conn(), *request, &event, change, at).await?;
            let affected = Affected {
                request: *request,
                email: address.clone(),
                display_name: display_name.clone(),
                locale: locale.clone(),
                wants_email: *wants_email,
            };
            if let Some(mail) = email(&news, &affected) {
                insert_email::<DB>(w.conn(), &mail, now).await?;
            }
        }
        let finished = (targets.len() as i64) < batch;
        let last = targets.last().map(|t| t.0).unwrap_or(after);
        let sql = Sql::new(
            "UPDATE incident_fanouts SET after_request = $1, reached = reached + $2, done_at = $3 WHERE update_id = $4",
        )
        .bind(last)
        .bind(reached as i64)
        .bind(finished.then_some(now))
        .bind(update);
        DB::execute(w.conn(), sql).await?;
        w.commit().await?;
        Ok(FanOutStep { reached, finished })
    }
}

/// The title of an open incident, its row locked for the transaction. `NotFound`, or `Conflict` once
/// it is resolved.
async fn open_incident_title<DB: Backend>(conn: &mut DB::Connection, id: i64) -> Result<String, StoreError> {
    let sql = Sql::new(format!("SELECT title, resolved_at FROM incidents WHERE id = $1 {}", DB::FOR_UPDATE)).bind(id);
    match DB::fetch_optional::<(String, Option<i64>)>(conn, sql).await? {
        None => Err(StoreError::NotFound),
        Some((_, Some(_))) => Err(StoreError::Conflict),
        Some((title, None)) => Ok(title),
    }
}

async fn joined<DB: Backend>(
    conn: &mut DB::Connection,
    incident: i64,
    customer: UserId,
) -> Result<Option<RequestId>, StoreError> {
    let sql =
        Sql::new("SELECT id FROM requests WHERE customer_id = $1 AND incident_id = $2").bind(customer).bind(incident);
    Ok(DB::fetch_optional::<(i64,)>(conn, sql).await?.map(|(id,)| id))
}
