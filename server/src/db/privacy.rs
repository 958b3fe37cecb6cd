//! Privacy rights (#18): one customer's data as a document, and the erasure of an account.

use app::domain::request::{AccountAction, ActorRole, AuditAction, EventKind, Status, reference};
use app::ports::{
    DataExport, Document, EXPORT_FORMAT, EXPORT_VERSION, EmailForEach, Erased, Erasure, ExportAccount, ExportComment,
    ExportConsent, ExportEmail, ExportEvent, ExportReaction, ExportRequest, ExportThanks, NewAudit, NewEvent, Privacy,
    PrivacyLogLine, REMOVED_TEXT, StoreError, UserId, UserRecord,
};
use async_trait::async_trait;

use super::accounts::user_by_id;
use super::audit::insert_audit_line;
use super::outbox::insert_email;
use super::requests::{Change, insert_event};
use super::{Backend, Sql, SqlStore, code, contains_pattern, db_err};

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    email: String,
    display_name: String,
    line_number: Option<String>,
    locale: String,
    email_notifications: bool,
    created_at: i64,
    email_confirmed_at: Option<i64>,
    role: String,
    erased_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    id: i64,
    category: String,
    subject: String,
    description: String,
    line_number: String,
    contact: String,
    reported_on: String,
    public_handle: Option<String>,
    consent_at: i64,
    status: String,
    outcome: Option<String>,
    created_at: i64,
    resolved_at: Option<i64>,
    closed_at: Option<i64>,
    rating: Option<i64>,
    rating_comment: Option<String>,
    rated_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    request_id: i64,
    at: i64,
    actor_role: String,
    kind: String,
    to_status: Option<String>,
    outcome: Option<String>,
    body: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    post_id: i64,
    parent_id: Option<i64>,
    body: String,
    state: String,
    created_at: i64,
    edited_at: Option<i64>,
    deleted_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct LogRow {
    id: i64,
    at: i64,
    action: String,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    subject_user_id: Option<i64>,
    detail: Option<String>,
}

const ACCOUNT_COLUMNS: &str = "id, email, display_name, line_number, locale, email_notifications, created_at, \
     email_confirmed_at, role, erased_at";

/// Records, in the caller's transaction, that the account accepts the current version of every document
/// (registration, and the acceptance page after a new version).
pub(super) async fn accept_current<DB: Backend>(
    conn: &mut DB::Connection,
    user: UserId,
    now: i64,
) -> Result<(), StoreError> {
    for kind in ["privacy", "rules"] {
        let sql = Sql::new("SELECT COALESCE(MAX(version), 1) FROM documents WHERE kind = $1").bind(kind);
        let (version,) = DB::fetch_one::<(i64,)>(conn, sql).await?;
        let sql = Sql::new(
            "INSERT INTO consents (user_id, document, version, accepted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, document, version) DO NOTHING",
        )
        .bind(user)
        .bind(kind)
        .bind(version)
        .bind(now);
        DB::execute(conn, sql).await?;
        let column = if kind == "privacy" { "privacy_version" } else { "rules_version" };
        let sql = Sql::new(format!("UPDATE users SET {column} = $1 WHERE id = $2")).bind(version).bind(user);
        DB::execute(conn, sql).await?;
    }
    Ok(())
}

/// Who wrote a timeline line, as its customer sees it.
fn by(actor_role: &str) -> String {
    match actor_role {
        "customer" => "customer",
        "system" => "system",
        _ => "team",
    }
    .to_string()
}

#[async_trait]
impl<DB: Backend> Privacy for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(account = user))]
    async fn export_data(&self, user: UserId, now: i64) -> Result<DataExport, StoreError> {
        // One read transaction: every part of the document is of the same moment.
        let mut tx = self.pool().begin().await.map_err(db_err)?;
        let conn: &mut DB::Connection = &mut tx;
        let sql = Sql::new(format!("SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1")).bind(user);
        let account = DB::fetch_optional::<AccountRow>(conn, sql).await?.ok_or(StoreError::NotFound)?;
        if account.erased_at.is_some() {
            return Err(StoreError::NotFound);
        }
        let sql = Sql::new(
            "SELECT document, version, accepted_at FROM consents WHERE user_id = $1 ORDER BY accepted_at, document",
        )
        .bind(user);
        let mut consents: Vec<ExportConsent> = DB::fetch_all::<(String, i64, i64)>(conn, sql)
            .await?
            .into_iter()
            .map(|(document, version, accepted_at)| ExportConsent {
                document,
                version: Some(version),
                request: None,
                accepted_at,
            })
            .collect();
        let sql = Sql::new(
            "SELECT id, category, subject, description, line_number, contact, reported_on, public_handle, \
             consent_at, status, outcome, created_at, resolved_at, closed_at, CAST(rating AS BIGINT) AS rating, rating_comment, rated_at \
             FROM requests WHERE customer_id = $1 ORDER BY id",
        )
        .bind(user);
        let rows = DB::fetch_all::<RequestRow>(conn, sql).await?;
        let sql = Sql::new(
            "SELECT e.request_id, e.at, e.actor_role, e.kind, e.to_status, e.outcome, e.body FROM request_events e \
             JOIN requests r ON r.id = e.request_id WHERE r.customer_id = $1 AND e.internal = FALSE \
             ORDER BY e.request_id, e.id",
        )
        .bind(user);
        let mut events = DB::fetch_all::<EventRow>(conn, sql).await?.into_iter().peekable();
        let sql = Sql::new(
            "SELECT request_id, id, name, mime, size, created_at, removed_at FROM attachments WHERE customer_id = $1 \
             ORDER BY request_id, id",
        )
        .bind(user);
        type FileRow = (i64, i64, String, String, i64, i64, Option<i64>);
        let mut files = DB::fetch_all::<FileRow>(conn, sql).await?.into_iter().peekable();
        let mut requests = Vec::with_capacity(rows.len());
        for r in rows {
            consents.push(ExportConsent {
                document: "request".into(),
                version: None,
                request: Some(reference(r.id)),
                accepted_at: r.consent_at,
            });
            let mut timeline = Vec::new();
            while let Some(e) = events.next_if(|e| e.request_id == r.id) {
                timeline.push(ExportEvent {
                    at: e.at,
                    by: by(&e.actor_role),
                    kind: e.kind,
                    status: e.to_status,
                    outcome: e.outcome,
                    message: e.body,
                });
            }
            requests.push(ExportRequest {
                reference: reference(r.id),
                category: r.category,
                subject: r.subject,
                description: r.description,
                line_number: r.line_number,
                contact: r.contact,
                reported_on: r.reported_on,
                public_handle: r.public_handle,
                status: r.status,
                outcome: r.outcome,
                created_at: r.created_at,
                resolved_at: r.resolved_at,
                closed_at: r.closed_at,
                rating: r.rating,
                rating_comment: r.rating_comment,
                rated_at: r.rated_at,
                events: timeline,
                files: std::iter::from_fn(|| files.next_if(|f| f.0 == r.id))
                    .map(|(_, id, name, mime, size, added_at, removed_at)| app::ports::ExportFile {
                        id,
                        name,
                        mime,
                        size,
                        added_at,
                        removed: removed_at.is_some(),
                    })
                    .collect(),
            });
        }
        consents.sort_by_key(|c| c.accepted_at);
        let sql = Sql::new(
            "SELECT id, post_id, parent_id, body, state, created_at, edited_at, deleted_at FROM comments \
             WHERE author_id = $1 ORDER BY id",
        )
        .bind(user);
        let comments = DB::fetch_all::<CommentRow>(conn, sql)
            .await?
            .into_iter()
            .map(|c| ExportComment {
                id: c.id,
                post_id: c.post_id,
                reply_to: c.parent_id,
                body: c.body,
                state: c.state,
                created_at: c.created_at,
                edited_at: c.edited_at,
                deleted_at: c.deleted_at,
            })
            .collect();
        let sql = Sql::new(
            "SELECT target, target_id, reaction, created_at FROM reactions WHERE user_id = $1 \
             ORDER BY created_at, target, target_id",
        )
        .bind(user);
        let reactions = DB::fetch_all::<(String, i64, String, i64)>(conn, sql)
            .await?
            .into_iter()
            .map(|(target, target_id, reaction, created_at)| ExportReaction { target, target_id, reaction, created_at })
            .collect();
        let sql =
            Sql::new("SELECT request_id, body, created_at FROM thanks WHERE author_id = $1 ORDER BY id").bind(user);
        let thanks = DB::fetch_all::<(i64, String, i64)>(conn, sql)
            .await?
            .into_iter()
            .map(|(request, body, created_at)| ExportThanks { request: reference(request), body, created_at })
            .collect();
        let sql = Sql::new("SELECT kind, subject, created_at, sent_at FROM outbox WHERE recipient = $1 ORDER BY id")
            .bind(&account.email);
        let emails = DB::fetch_all::<(String, String, i64, Option<i64>)>(conn, sql)
            .await?
            .into_iter()
            .map(|(kind, subject, created_at, sent_at)| ExportEmail { kind, subject, created_at, sent_at })
            .collect();
        tx.commit().await.map_err(db_err)?;
        Ok(DataExport {
            format: EXPORT_FORMAT.into(),
            version: EXPORT_VERSION,
            generated_at: now,
            account: ExportAccount {
                id: account.id,
                email: account.email,
                display_name: account.display_name,
                line_number: account.line_number,
                locale: account.locale,
                email_notifications: account.email_notifications,
                created_at: account.created_at,
                email_confirmed_at: account.email_confirmed_at,
            },
            consents,
            requests,
            comments,
            reactions,
            thanks,
            emails,
        })
    }

    #[tracing::instrument(skip_all, fields(account = user))]
    async fn record_export(&self, user: UserId, now: i64) -> Result<(), StoreError> {
        let line = NewAudit {
            actor_id: Some(user),
            action: AuditAction::Account(AccountAction::DataExported),
            request_id: None,
            subject_user_id: Some(user),
            detail: None,
        };
        let mut w = self.write().await?;
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(account = erasure.user, by = erasure.by))]
    async fn erase_account(&self, erasure: Erasure, now: i64) -> Result<Erased, StoreError> {
        let user = erasure.user;
        let mut w = self.write().await?;
        let sql = Sql::new(format!("SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1 {}", DB::FOR_UPDATE)).bind(user);
        let account = DB::fetch_optional::<AccountRow>(w.conn(), sql).await?.ok_or(StoreError::NotFound)?;
        if account.erased_at.is_some() {
            return Err(StoreError::NotFound);
        }
        if account.role != "customer" {
            // Staff accounts are deactivated, never erased: their actions stay attributable.
            return Err(StoreError::Conflict);
        }
        // Open requests are withdrawn: closed, out of the queue and out of any agent's hands.
        let sql = Sql::new(format!(
            "SELECT id, status FROM requests WHERE customer_id = $1 \
             AND status IN ('received', 'in_charge', 'awaiting_customer') ORDER BY id {}",
            DB::FOR_UPDATE
        ))
        .bind(user);
        let open = DB::fetch_all::<(i64, String)>(w.conn(), sql).await?;
        let actor_role = match erasure.by {
            Some(by) if by == user => ActorRole::Customer,
            Some(_) => ActorRole::Admin,
            None => ActorRole::System,
        };
        for (id, status) in &open {
            let from = code(status, Status::from_code)?;
            let sql = Sql::new(
                "UPDATE requests SET status = 'closed', holder_id = NULL, closed_at = $1, updated_at = $1, \
                 last_activity_at = $1, version = version + 1 WHERE id = $2",
            )
            .bind(now)
            .bind(*id);
            DB::execute(w.conn(), sql).await?;
            let event =
                NewEvent { actor_id: erasure.by, actor_role, kind: EventKind::Withdrawn, body: None, internal: false };
            let change = Change { from: Some(from), to: Some(Status::Closed), outcome: None };
            insert_event::<DB>(w.conn(), *id, &event, change, now).await?;
        }
        // What they wrote becomes the neutral marker; what the statistics need (times, states, categories,
        // ratings) stays.
        let sql = Sql::new(
            "UPDATE requests SET subject = $1, description = $1, line_number = '', public_handle = NULL, \
             rating_comment = CASE WHEN rating_comment IS NULL THEN NULL ELSE $1 END WHERE customer_id = $2",
        )
        .bind(REMOVED_TEXT)
        .bind(user);
        let requests = DB::execute(w.conn(), sql).await?;
        // Their files (#19) go entirely, bytes and names: the timeline no longer lists them.
        DB::execute(
            w.conn(),
            Sql::new(
                "DELETE FROM attachment_blobs WHERE attachment_id IN \
             (SELECT id FROM attachments WHERE customer_id = $1)",
            )
            .bind(user),
        )
        .await?;
        DB::execute(w.conn(), Sql::new("DELETE FROM attachments WHERE customer_id = $1").bind(user)).await?;
        let sql = Sql::new(
            "UPDATE request_events SET body = $1 WHERE body IS NOT NULL AND (actor_id = $2 OR (actor_role = 'customer' \
             AND request_id IN (SELECT id FROM requests WHERE customer_id = $2)))",
        )
        .bind(REMOVED_TEXT)
        .bind(user);
        let messages = DB::execute(w.conn(), sql).await?;
        // The team's messages on their requests, and emails written to others (a reply to someone's comment
        // names its author), may quote the name, the address or the line number: those words go too.
        let mut quoted = vec![account.display_name.clone(), account.email.clone()];
        quoted.extend(account.line_number.clone());
        for word in quoted.iter().filter(|w| w.chars().count() >= 3) {
            let sql = Sql::new(
                "UPDATE request_events SET body = REPLACE(body, $1, $2) WHERE body LIKE $3 ESCAPE '\\' \
                 AND request_id IN (SELECT id FROM requests WHERE customer_id = $4)",
            )
            .bind(word.as_str())
            .bind(REMOVED_TEXT)
            .bind(contains_pattern(word))
            .bind(user);
            DB::execute(w.conn(), sql).await?;
            for column in ["subject", "body_text", "body_html"] {
                let sql = Sql::new(format!(
                    "UPDATE outbox SET {column} = REPLACE({column}, $1, $2) WHERE {column} LIKE $3 ESCAPE '\\'"
                ))
                .bind(word.as_str())
                .bind(REMOVED_TEXT)
                .bind(contains_pattern(word));
                DB::execute(w.conn(), sql).await?;
            }
            let escaped = app::mail::escape(word);
            if escaped != *word {
                let sql = Sql::new(
                    "UPDATE outbox SET body_html = REPLACE(body_html, $1, $2) WHERE body_html LIKE $3 ESCAPE '\\'",
                )
                .bind(escaped.as_str())
                .bind(REMOVED_TEXT)
                .bind(contains_pattern(&escaped));
                DB::execute(w.conn(), sql).await?;
            }
        }
        let sql = Sql::new("UPDATE comments SET body = $1 WHERE author_id = $2").bind(REMOVED_TEXT).bind(user);
        let comments = DB::execute(w.conn(), sql).await?;
        let sql = Sql::new("UPDATE thanks SET body = $1 WHERE author_id = $2").bind(REMOVED_TEXT).bind(user);
        DB::execute(w.conn(), sql).await?;
        for table in ["notifications", "account_tokens"] {
            DB::execute(w.conn(), Sql::new(format!("DELETE FROM {table} WHERE user_id = $1")).bind(user)).await?;
        }
        // Every email to the address, queued or sent; then the one that confirms the erasure.
        DB::execute(w.conn(), Sql::new("DELETE FROM outbox WHERE recipient = $1").bind(&account.email)).await?;
        // The row stays (requests, comments and the log point at it) with nothing personal in it; the
        // address is free to register again. No password hash: nobody can log in to it, and the new
        // epoch ends every session it had.
        let sql = Sql::new(
            "UPDATE users SET email = $1, display_name = '', password_hash = '!', line_number = NULL, \
             email_notifications = FALSE, session_epoch = session_epoch + 1, erased_at = $2, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(format!("erased-{user}@erased.invalid"))
        .bind(now)
        .bind(user);
        DB::execute(w.conn(), sql).await?;
        let line = NewAudit {
            actor_id: erasure.by,
            action: AuditAction::Account(AccountAction::AccountErased),
            request_id: None,
            subject_user_id: Some(user),
            // The admin's reason stays in the log, without the customer's name, address or line in it.
            detail: erasure.reason.as_ref().map(|reason| {
                quoted
                    .iter()
                    .filter(|w| w.chars().count() >= 3)
                    .fold(reason.clone(), |r, w| r.replace(w.as_str(), REMOVED_TEXT))
            }),
        };
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        insert_email::<DB>(w.conn(), &erasure.confirmation, now).await?;
        w.commit().await?;
        tracing::info!(account = user, withdrawn = open.len(), "account erased");
        Ok(Erased { requests, withdrawn: open.len() as u64, messages, comments })
    }

    #[tracing::instrument(skip_all)]
    async fn privacy_log(&self, before: Option<i64>, limit: i64) -> Result<Vec<PrivacyLogLine>, StoreError> {
        let sql = Sql::new(
            "SELECT a.id, a.at, a.action, a.actor_id, u.display_name AS actor_name, a.subject_user_id, a.detail \
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id \
             WHERE a.action IN ('data_exported', 'account_erased') AND a.id < $1 ORDER BY a.id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit);
        Ok(self
            .read::<LogRow>(sql)
            .await?
            .into_iter()
            .map(|r| PrivacyLogLine {
                id: r.id,
                at: r.at,
                action: r.action,
                actor_id: r.actor_id,
                // An erased customer who erased themself: no name any more.
                actor_name: r.actor_name.filter(|n| !n.is_empty()),
                account_id: r.subject_user_id,
                reason: r.detail,
            })
            .collect())
    }

    #[tracing::instrument(skip_all, fields(account = user))]
    async fn record_login(&self, user: UserId, now: i64) -> Result<(), StoreError> {
        let sql = Sql::new("UPDATE users SET last_login_at = $1, inactivity_warned_at = NULL WHERE id = $2")
            .bind(now)
            .bind(user);
        self.write_one(sql).await.map(|_| ())
    }

    #[tracing::instrument(skip_all)]
    async fn delete_unconfirmed(&self, created_before: i64, limit: i64) -> Result<u64, StoreError> {
        let mut w = self.write().await?;
        // Never confirmed, so they could do nothing but receive the confirmation link: the guards below
        // only keep a delete from failing on a row that points at the account.
        let sql = Sql::new(format!(
            "SELECT id, email FROM users u WHERE u.email_confirmed_at IS NULL AND u.role = 'customer' \
             AND u.erased_at IS NULL AND u.created_at <= $1 \
             AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.customer_id = u.id) \
             AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.author_id = u.id) \
             AND NOT EXISTS (SELECT 1 FROM reactions x WHERE x.user_id = u.id) \
             AND NOT EXISTS (SELECT 1 FROM comment_reports p WHERE p.reporter_id = u.id) \
             AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.subject_user_id = u.id OR a.actor_id = u.id) \
             ORDER BY u.id LIMIT $2 {}",
            DB::FOR_UPDATE
        ))
        .bind(created_before)
        .bind(limit);
        let accounts = DB::fetch_all::<(i64, String)>(w.conn(), sql).await?;
        let mut deleted = 0;
        for (id, email) in accounts {
            for table in ["consents", "notifications", "account_tokens"] {
                DB::execute(w.conn(), Sql::new(format!("DELETE FROM {table} WHERE user_id = $1")).bind(id)).await?;
            }
            DB::execute(w.conn(), Sql::new("DELETE FROM outbox WHERE recipient = $1").bind(&email)).await?;
            let sql = Sql::new("DELETE FROM users WHERE id = $1 AND email_confirmed_at IS NULL").bind(id);
            deleted += DB::execute(w.conn(), sql).await?;
        }
        w.commit().await?;
        Ok(deleted)
    }

    #[tracing::instrument(skip_all)]
    async fn anonymise_closed(&self, closed_before: i64, limit: i64, now: i64) -> Result<u64, StoreError> {
        let mut w = self.write().await?;
        // The outer `anonymised_at IS NULL` is checked again after a concurrent server's update commits
        // (PostgreSQL re-reads the row): a request is anonymised once.
        // Rows another server is working on are skipped (PostgreSQL), never waited for: no deadlock.
        let sql = Sql::new(format!(
            "UPDATE requests SET anonymised_at = $1, subject = $2, description = $2, line_number = '', \
             public_handle = NULL, rating_comment = CASE WHEN rating_comment IS NULL THEN NULL ELSE $2 END \
             WHERE anonymised_at IS NULL AND id IN (SELECT id FROM requests WHERE status = 'closed' \
             AND anonymised_at IS NULL AND closed_at <= $3 ORDER BY closed_at, id LIMIT $4 {}) RETURNING id",
            DB::SKIP_LOCKED
        ))
        .bind(now)
        .bind(REMOVED_TEXT)
        .bind(closed_before)
        .bind(limit);
        let ids = DB::fetch_all::<(i64,)>(w.conn(), sql).await?;
        if !ids.is_empty() {
            let sql = Sql::new(format!(
                "UPDATE request_events SET body = $1 WHERE body IS NOT NULL AND request_id IN ({})",
                super::placeholders(2, ids.len())
            ));
            let sql = ids.iter().fold(sql.bind(REMOVED_TEXT), |sql, (id,)| sql.bind(*id));
            DB::execute(w.conn(), sql).await?;
            // Their files go too (#19).
            let list = super::placeholders(1, ids.len());
            let sql = Sql::new(format!(
                "DELETE FROM attachment_blobs WHERE attachment_id IN (SELECT id FROM attachments WHERE request_id IN ({list}))"
            ));
            DB::execute(w.conn(), ids.iter().fold(sql, |sql, (id,)| sql.bind(*id))).await?;
            let sql = Sql::new(format!("DELETE FROM attachments WHERE request_id IN ({list})"));
            DB::execute(w.conn(), ids.iter().fold(sql, |sql, (id,)| sql.bind(*id))).await?;
        }
        w.commit().await?;
        Ok(ids.len() as u64)
    }

    #[tracing::instrument(skip_all)]
    async fn purge_email_bodies(&self, done_before: i64) -> Result<u64, StoreError> {
        let sql = Sql::new(
            "UPDATE outbox SET body_text = '', body_html = '' WHERE body_text <> '' \
             AND ((sent_at IS NOT NULL AND sent_at <= $1) OR (failed_at IS NOT NULL AND failed_at <= $1))",
        )
        .bind(done_before);
        self.write_one(sql).await
    }

    #[tracing::instrument(skip_all)]
    async fn drop_audit_details(&self, before: i64) -> Result<u64, StoreError> {
        let sql = Sql::new("UPDATE audit_log SET detail = NULL WHERE detail IS NOT NULL AND at <= $1").bind(before);
        self.write_one(sql).await
    }

    #[tracing::instrument(skip_all)]
    async fn warn_idle(&self, idle_since: i64, email: EmailForEach, limit: i64, now: i64) -> Result<u64, StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new(format!(
            "UPDATE users SET inactivity_warned_at = $1 WHERE inactivity_warned_at IS NULL AND id IN \
             (SELECT id FROM users WHERE role = 'customer' AND erased_at IS NULL AND email_confirmed_at IS NOT NULL \
             AND inactivity_warned_at IS NULL AND COALESCE(last_login_at, created_at) <= $2 ORDER BY id LIMIT $3 \
             {}) RETURNING id",
            DB::SKIP_LOCKED
        ))
        .bind(now)
        .bind(idle_since)
        .bind(limit);
        let ids = DB::fetch_all::<(i64,)>(w.conn(), sql).await?;
        for (id,) in &ids {
            if let Some(user) = user_by_id::<DB>(w.conn(), *id).await? {
                insert_email::<DB>(w.conn(), &email(&user), now).await?;
            }
        }
        w.commit().await?;
        Ok(ids.len() as u64)
    }

    #[tracing::instrument(skip_all)]
    async fn idle_to_erase(&self, warned_before: i64, limit: i64) -> Result<Vec<UserRecord>, StoreError> {
        let sql = Sql::new(
            "SELECT id FROM users WHERE role = 'customer' AND erased_at IS NULL AND inactivity_warned_at IS NOT NULL \
             AND inactivity_warned_at <= $1 ORDER BY id LIMIT $2",
        )
        .bind(warned_before)
        .bind(limit);
        let ids = self.read::<(i64,)>(sql).await?;
        let mut conn = self.pool().acquire().await.map_err(db_err)?;
        let mut users = Vec::with_capacity(ids.len());
        for (id,) in ids {
            users.extend(user_by_id::<DB>(&mut *conn, id).await?);
        }
        Ok(users)
    }

    #[tracing::instrument(skip_all)]
    async fn current_documents(&self) -> Result<Vec<Document>, StoreError> {
        let sql = Sql::new(
            "SELECT d.kind, d.version, d.body_it, d.body_en, d.published_at FROM documents d \
             WHERE d.version = (SELECT MAX(v.version) FROM documents v WHERE v.kind = d.kind) ORDER BY d.kind",
        );
        Ok(self
            .read::<(String, i64, String, String, i64)>(sql)
            .await?
            .into_iter()
            .map(|(kind, version, body_it, body_en, published_at)| Document {
                kind,
                version,
                body_it,
                body_en,
                published_at,
            })
            .collect())
    }

    #[tracing::instrument(skip_all, fields(kind = kind))]
    async fn publish_document(
        &self,
        kind: &str,
        body_it: &str,
        body_en: &str,
        by: UserId,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new("SELECT COALESCE(MAX(version), 1) + 1 FROM documents WHERE kind = $1").bind(kind);
        let (version,) = DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        // Two admins publishing at once: the primary key lets one of them through, the other gets Conflict.
        let sql = Sql::new(
            "INSERT INTO documents (kind, version, body_it, body_en, published_at, published_by) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, version) DO NOTHING",
        )
        .bind(kind)
        .bind(version)
        .bind(body_it)
        .bind(body_en)
        .bind(now)
        .bind(by);
        if DB::execute(w.conn(), sql).await? == 0 {
            return Err(StoreError::Conflict);
        }
        let line = NewAudit {
            actor_id: Some(by),
            action: AuditAction::Account(AccountAction::DocumentPublished),
            request_id: None,
            subject_user_id: None,
            detail: Some(format!("{kind} v{version}")),
        };
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await?;
        Ok(version)
    }

    #[tracing::instrument(skip_all, fields(account = user))]
    async fn accept_documents(&self, user: UserId, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        accept_current::<DB>(w.conn(), user, now).await?;
        w.commit().await
    }
}
