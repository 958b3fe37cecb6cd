//! Service incidents (#17): an incident, its public updates, and the lists the status page, the banner
//! and the feed read.

use app::domain::incident::{IncidentStatus, IncidentText, Places, stored_topics, topics_from_stored};
use app::domain::request::{AccountAction, AuditAction};
use app::ports::{IncidentSummary, IncidentUpdate, Incidents, NewAudit, NewIncident, StoreError, UserId};
use async_trait::async_trait;

use super::audit::insert_audit_line;
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
        })
    }
}

const SUMMARY: &str = "i.id, i.title, i.status, i.topics, i.places, i.started_at, i.updated_at, i.resolved_at, \
     (SELECT u.body FROM incident_updates u WHERE u.incident_id = i.id ORDER BY u.id DESC LIMIT 1) AS latest";

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
            "INSERT INTO incident_updates (incident_id, status, body, author_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(status.code())
        .bind(body.as_ref())
        .bind(by)
        .bind(now);
        DB::execute(w.conn(), sql).await?;
        insert_audit_line::<DB>(w.conn(), &audit(AccountAction::IncidentUpdated, by, id, status), now).await?;
        w.commit().await
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
}
