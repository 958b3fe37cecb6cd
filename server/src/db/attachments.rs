//! Attachments (#19): metadata in `attachments`, bytes in `attachment_blobs` (the database is the
//! default store, on both backends). New ones are written by the request adapter, in the transaction of
//! the message they come with ([`insert_attachments`]).

use app::domain::attachment::AttachmentKind;
use app::domain::request::{AccountAction, AuditAction};
use app::ports::{
    AttachmentId, AttachmentRecord, AttachmentUsage, Attachments, NewAttachment, NewAudit, RequestId, StoreError,
    UserId,
};
use async_trait::async_trait;

use super::audit::insert_audit_line;
use super::{Backend, Sql, SqlStore, code};

const COLUMNS: &str = "id, request_id, event_id, customer_id, uploaded_by, kind, mime, name, size, width, height, \
                       created_at, removed_at";

#[derive(sqlx::FromRow)]
struct AttachmentRow {
    id: i64,
    request_id: i64,
    event_id: i64,
    customer_id: i64,
    uploaded_by: i64,
    kind: String,
    mime: String,
    name: String,
    size: i64,
    width: Option<i64>,
    height: Option<i64>,
    created_at: i64,
    removed_at: Option<i64>,
}

impl TryFrom<AttachmentRow> for AttachmentRecord {
    type Error = StoreError;

    fn try_from(r: AttachmentRow) -> Result<Self, StoreError> {
        Ok(AttachmentRecord {
            id: r.id,
            request_id: r.request_id,
            event_id: r.event_id,
            customer_id: r.customer_id,
            uploaded_by: r.uploaded_by,
            kind: code(&r.kind, AttachmentKind::from_code)?,
            mime: r.mime,
            name: r.name,
            size: r.size,
            width: r.width,
            height: r.height,
            created_at: r.created_at,
            removed_at: r.removed_at,
        })
    }
}

/// Stores a message's files in the caller's transaction, on the request's newest event (the message
/// just written).
pub(super) async fn insert_attachments<DB: Backend>(
    conn: &mut DB::Connection,
    request: RequestId,
    uploaded_by: UserId,
    files: &[NewAttachment],
    now: i64,
) -> Result<(), StoreError> {
    for file in files {
        let sql = Sql::new(
            "INSERT INTO attachments (request_id, event_id, customer_id, uploaded_by, kind, mime, name, size, width, \
             height, created_at) \
             SELECT r.id, (SELECT MAX(e.id) FROM request_events e WHERE e.request_id = r.id), r.customer_id, $2, $3, \
             $4, $5, $6, $7, $8, $9 FROM requests r WHERE r.id = $1 RETURNING id",
        )
        .bind(request)
        .bind(uploaded_by)
        .bind(file.kind.code())
        .bind(file.mime)
        .bind(file.name.as_str())
        .bind(file.data.len() as i64)
        .bind(file.width.map(i64::from))
        .bind(file.height.map(i64::from))
        .bind(now);
        let (id,) = DB::fetch_one::<(i64,)>(conn, sql).await?;
        let sql = Sql::new("INSERT INTO attachment_blobs (attachment_id, data, thumbnail) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(file.data.as_slice())
            .bind(file.thumbnail.as_deref());
        DB::execute(conn, sql).await?;
    }
    Ok(())
}

#[async_trait]
impl<DB: Backend> Attachments for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(attachment = id))]
    async fn attachment(&self, id: AttachmentId) -> Result<Option<AttachmentRecord>, StoreError> {
        let sql = Sql::new(format!("SELECT {COLUMNS} FROM attachments WHERE id = $1")).bind(id);
        self.read_optional::<AttachmentRow>(sql).await?.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(skip_all, fields(attachment = id))]
    async fn attachment_bytes(&self, id: AttachmentId, thumbnail: bool) -> Result<Option<Vec<u8>>, StoreError> {
        let column = if thumbnail { "thumbnail" } else { "data" };
        let sql = Sql::new(format!(
            "SELECT b.{column} FROM attachment_blobs b JOIN attachments a ON a.id = b.attachment_id \
             WHERE b.attachment_id = $1 AND a.removed_at IS NULL"
        ))
        .bind(id);
        Ok(self.read_optional::<(Option<Vec<u8>>,)>(sql).await?.and_then(|(bytes,)| bytes))
    }

    #[tracing::instrument(skip_all, fields(request = request))]
    async fn request_attachments(&self, request: RequestId) -> Result<Vec<AttachmentRecord>, StoreError> {
        let sql =
            Sql::new(format!("SELECT {COLUMNS} FROM attachments WHERE request_id = $1 ORDER BY id")).bind(request);
        self.read::<AttachmentRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }

    #[tracing::instrument(skip_all, fields(customer = customer))]
    async fn attachment_usage(&self, customer: UserId) -> Result<AttachmentUsage, StoreError> {
        let sql = Sql::new(
            "SELECT CAST(COALESCE(SUM(CASE WHEN customer_id = $1 AND uploaded_by = $1 THEN size ELSE 0 END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE removed_at IS NULL",
        )
        .bind(customer);
        let (customer, total) = self.read_one::<(i64, i64)>(sql).await?;
        Ok(AttachmentUsage { customer, total })
    }

    #[tracing::instrument(skip_all, fields(attachment = id))]
    async fn remove_attachment(&self, id: AttachmentId, by: UserId, now: i64) -> Result<bool, StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new(
            "UPDATE attachments SET removed_at = $1, removed_by = $2 WHERE id = $3 AND removed_at IS NULL \
             RETURNING request_id",
        )
        .bind(now)
        .bind(by)
        .bind(id);
        let Some((request,)) = DB::fetch_optional::<(i64,)>(w.conn(), sql).await? else {
            return Ok(false);
        };
        DB::execute(w.conn(), Sql::new("DELETE FROM attachment_blobs WHERE attachment_id = $1").bind(id)).await?;
        let line = NewAudit {
            actor_id: Some(by),
            action: AuditAction::Account(AccountAction::AttachmentRemoved),
            request_id: Some(request),
            subject_user_id: None,
            // The file's number, not its name: names can be personal ("bolletta Mario Rossi").
            detail: Some(format!("#{id}")),
        };
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await?;
        Ok(true)
    }
}
