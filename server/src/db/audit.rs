//! The audit log: who did what, when. Lines are written in the transaction of what they record.

use app::domain::request::AuditAction;
use app::ports::{Audit, AuditLine, NewAudit, RequestId, StoreError, UserId};
use async_trait::async_trait;

use super::{Backend, Sql, SqlStore, code};

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

impl TryFrom<AuditRow> for AuditLine {
    type Error = StoreError;

    fn try_from(r: AuditRow) -> Result<Self, StoreError> {
        Ok(AuditLine {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            action: code(&r.action, AuditAction::from_code)?,
            request_id: r.request_id,
            subject_user_id: r.subject_user_id,
            detail: r.detail,
        })
    }
}

/// Writes one line inside the caller's transaction.
pub(super) async fn insert_audit_line<DB: Backend>(
    conn: &mut DB::Connection,
    e: &NewAudit,
    now: i64,
) -> Result<(), StoreError> {
    let sql = Sql::new(
        "INSERT INTO audit_log (at, actor_id, action, request_id, subject_user_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now)
    .bind(e.actor_id)
    .bind(e.action.code())
    .bind(e.request_id)
    .bind(e.subject_user_id)
    .bind(e.detail.as_deref());
    DB::execute(conn, sql).await.map(|_| ())
}

#[async_trait]
impl<DB: Backend> Audit for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(action = %entry.action, request = entry.request_id))]
    async fn write_audit(&self, entry: NewAudit, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        insert_audit_line::<DB>(w.conn(), &entry, now).await?;
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(request = request, actor = actor))]
    async fn audit_log(
        &self,
        request: Option<RequestId>,
        actor: Option<UserId>,
        before: Option<i64>,
        without_openings: bool,
        limit: i64,
    ) -> Result<Vec<AuditLine>, StoreError> {
        let openings = if without_openings { "AND a.action <> 'opened' " } else { "" };
        let sql = Sql::new(format!(
            "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, a.action, a.request_id, \
             a.subject_user_id, a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
             WHERE ($1 IS NULL OR a.request_id = $1) AND ($2 IS NULL OR a.actor_id = $2) AND a.id < $3 \
             {openings}ORDER BY a.id DESC LIMIT $4"
        ))
        .bind(request)
        .bind(actor)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit);
        self.read::<AuditRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }
}
