//! Accounts, tokens and the mail outbox, for both backends from one text: the SQL here is the same on
//! SQLite and PostgreSQL (`$n` parameters, `RETURNING`, `ON CONFLICT`), so one macro implements the
//! ports for each store and the two cannot drift. Every multi-statement write is one transaction.

use app::domain::request::Role;
use app::ports::{OutboxEmail, StoreError, UserRecord};

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    password_hash: String,
    line_number: Option<String>,
    locale: String,
    role: String,
    email_confirmed_at: Option<i64>,
    email_notifications: bool,
    session_epoch: i64,
    blocked_at: Option<i64>,
    deactivated_at: Option<i64>,
}

/// A row as the ports see it; an unknown role code is the database's error, not a customer.
impl TryFrom<UserRow> for UserRecord {
    type Error = StoreError;

    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(UserRecord {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            password_hash: r.password_hash,
            line_number: r.line_number,
            locale: r.locale,
            role: super::requests::code(&r.role, Role::from_code)?,
            email_confirmed: r.email_confirmed_at.is_some(),
            email_notifications: r.email_notifications,
            session_epoch: r.session_epoch,
            blocked: r.blocked_at.is_some(),
            deactivated: r.deactivated_at.is_some(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: i64,
    recipient: String,
    locale: String,
    kind: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i64,
    sent_at: Option<i64>,
    failed_at: Option<i64>,
}

impl From<OutboxRow> for OutboxEmail {
    fn from(r: OutboxRow) -> Self {
        OutboxEmail {
            id: r.id,
            recipient: r.recipient,
            locale: r.locale,
            kind: r.kind,
            subject: r.subject,
            body_text: r.body_text,
            body_html: r.body_html,
            attempts: r.attempts,
            sent: r.sent_at.is_some(),
            failed: r.failed_at.is_some(),
        }
    }
}

pub(crate) const USER_COLUMNS: &str = "id, email, display_name, password_hash, line_number, locale, role, \
     email_confirmed_at, email_notifications, session_epoch, blocked_at, deactivated_at";
pub(crate) const OUTBOX_COLUMNS: &str =
    "id, recipient, locale, kind, subject, body_text, body_html, attempts, sent_at, failed_at";
pub(crate) const INSERT_EMAIL: &str = "INSERT INTO outbox \
     (recipient, locale, kind, subject, body_text, body_html, created_at, next_attempt_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)";
/// Emails anyone can make the portal send to an address that is not theirs (#14: registering a
/// victim's address and asking for the link again queued one email per click). Each group is counted
/// together, whatever the route that queues it: at most `CAPPED_PER_DAY` a day to one address, and the
/// rest are not queued at all. The pairs are one kind twice when a group has one kind.
pub(crate) const CAPPED_KINDS: [(&str, &str); 2] =
    [("confirm_email", "already_registered"), ("account_closed", "account_closed")];
pub(crate) const CAPPED_PER_DAY: i64 = 3;
pub(crate) const INSERT_CAPPED_EMAIL: &str = "INSERT INTO outbox \
     (recipient, locale, kind, subject, body_text, body_html, created_at, next_attempt_at) \
     SELECT $1, $2, $3, $4, $5, $6, $7, $7 \
     WHERE (SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind IN ($8, $9) AND created_at > $7 - 86400000) < $10";
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (at, actor_id, action, request_id, subject_user_id, detail) \
     VALUES ($1, $2, $3, $4, $5, $6)";
pub(crate) const INSERT_TOKEN: &str =
    "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)";
pub(crate) const USE_TOKEN: &str = "UPDATE account_tokens SET used_at = $1 \
     WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id";

/// Implements `Accounts` and `Outbox` for a store whose `pool` field is a pool of `$db`. `$skip_locked`
/// is the row-locking clause of claims: `FOR UPDATE SKIP LOCKED` on PostgreSQL, nothing on SQLite
/// (whose writers are serialised anyway).
macro_rules! impl_accounts_and_outbox {
    ($store:ident, $db:ty, $skip_locked:literal) => {
        mod accounts_impl {
            use app::domain::account::Email;
            use app::domain::request::{AccountAction, AuditAction};
            use app::ports::*;
            use async_trait::async_trait;

            use super::super::accounts::*;
            use super::super::db_err;

            type Conn = <$db as sqlx::Database>::Connection;

            /// Queues an email inside the caller's transaction (the requests adapter uses it too).
            /// `false` when the email was not queued: a capped kind over its daily count (`CAPPED_KINDS`).
            pub(super) async fn insert_email(conn: &mut Conn, e: &NewEmail, now: i64) -> Result<bool, StoreError> {
                let group = CAPPED_KINDS.iter().find(|(a, b)| *a == e.kind || *b == e.kind);
                let query = sqlx::query(if group.is_some() { INSERT_CAPPED_EMAIL } else { INSERT_EMAIL })
                    .bind(&e.to)
                    .bind(&e.locale)
                    .bind(e.kind)
                    .bind(&e.subject)
                    .bind(&e.text)
                    .bind(&e.html)
                    .bind(now);
                let query = match group {
                    Some((a, b)) => query.bind(*a).bind(*b).bind(CAPPED_PER_DAY),
                    None => query,
                };
                Ok(query.execute(&mut *conn).await.map_err(db_err)?.rows_affected() == 1)
            }

            pub(super) async fn insert_token(conn: &mut Conn, user: UserId, t: &NewToken, now: i64) -> Result<(), StoreError> {
                sqlx::query(INSERT_TOKEN)
                    .bind(&t.hash)
                    .bind(user)
                    .bind(t.purpose.as_str())
                    .bind(t.expires_at)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(db_err)?;
                Ok(())
            }

            async fn use_token(conn: &mut Conn, hash: &str, purpose: TokenPurpose, now: i64) -> Result<Option<UserId>, StoreError> {
                sqlx::query_scalar::<_, i64>(USE_TOKEN)
                    .bind(now)
                    .bind(hash)
                    .bind(purpose.as_str())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err)
            }

            async fn user_by_id(conn: &mut Conn, id: UserId) -> Result<Option<UserRecord>, StoreError> {
                let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
                let row = sqlx::query_as::<_, UserRow>(&sql)
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err)?;
                row.map(TryInto::try_into).transpose()
            }

            #[async_trait]
            impl Accounts for super::$store {
                #[tracing::instrument(skip_all)]
                async fn register_account(
                    &self,
                    account: NewAccount,
                    token: NewToken,
                    confirm: NewEmail,
                    taken: NewEmail,
                    now: i64,
                ) -> Result<Registration, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let id = sqlx::query_scalar::<_, i64>(
                        "INSERT INTO users (email, display_name, password_hash, line_number, locale, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (email) DO NOTHING RETURNING id",
                    )
                    .bind(account.email.as_ref())
                    .bind(account.display_name.as_ref())
                    .bind(&account.password_hash)
                    .bind(account.line_number.as_ref().map(|l| l.as_ref().to_string()))
                    .bind(account.locale)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let outcome = match id {
                        Some(id) => {
                            insert_token(&mut tx, id, &token, now).await?;
                            insert_email(&mut tx, &confirm, now).await?;
                            Registration::Created(id)
                        }
                        None => {
                            insert_email(&mut tx, &taken, now).await?;
                            Registration::AlreadyRegistered
                        }
                    };
                    tx.commit().await.map_err(db_err)?;
                    Ok(outcome)
                }

                #[tracing::instrument(skip_all)]
                async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>, StoreError> {
                    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
                    let row = sqlx::query_as::<_, UserRow>(&sql)
                        .bind(email.as_ref())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db_err)?;
                    row.map(TryInto::try_into).transpose()
                }

                #[tracing::instrument(skip_all, fields(user = id))]
                async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
                    let mut conn = self.pool.acquire().await.map_err(db_err)?;
                    user_by_id(&mut conn, id).await
                }

                #[tracing::instrument(skip_all)]
                async fn use_token(&self, hash: &str, purpose: TokenPurpose, now: i64) -> Result<Option<UserId>, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut conn = self.pool.acquire().await.map_err(db_err)?;
                    use_token(&mut conn, hash, purpose, now).await
                }

                #[tracing::instrument(skip_all)]
                async fn confirm_email(&self, hash: &str, now: i64) -> Result<Option<UserId>, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let Some(user) = use_token(&mut tx, hash, TokenPurpose::ConfirmEmail, now).await? else {
                        return Ok(None);
                    };
                    sqlx::query(
                        "UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, $1), updated_at = $1 WHERE id = $2",
                    )
                    .bind(now)
                    .bind(user)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(Some(user))
                }

                #[tracing::instrument(skip_all, fields(user))]
                async fn issue_token(&self, user: UserId, token: NewToken, email: NewEmail, now: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    // Over the address's daily cap nothing changes: the links already sent keep working.
                    if !insert_email(&mut tx, &email, now).await? {
                        tx.rollback().await.map_err(db_err)?;
                        return Ok(());
                    }
                    sqlx::query(
                        "UPDATE account_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
                    )
                    .bind(now)
                    .bind(user)
                    .bind(token.purpose.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    insert_token(&mut tx, user, &token, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(())
                }

                #[tracing::instrument(skip_all)]
                async fn reset_password(
                    &self,
                    hash: &str,
                    password_hash: &str,
                    notice: EmailFor,
                    now: i64,
                ) -> Result<Option<UserId>, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    // A reset link, or the set-password link a new staff member gets.
                    let id = match use_token(&mut tx, hash, TokenPurpose::ResetPassword, now).await? {
                        Some(id) => Some(id),
                        None => use_token(&mut tx, hash, TokenPurpose::SetPassword, now).await?,
                    };
                    let Some(id) = id else {
                        return Ok(None);
                    };
                    // Using a link sent to the address proves the address too.
                    sqlx::query(
                        "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, updated_at = $2, \
                         email_confirmed_at = COALESCE(email_confirmed_at, $2) WHERE id = $3",
                    )
                    .bind(password_hash)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    let user = user_by_id(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
                    insert_email(&mut tx, &notice(&user), now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(Some(id))
                }

                #[tracing::instrument(skip_all, fields(user))]
                async fn change_password(&self, user: UserId, password_hash: &str, notice: NewEmail, now: i64) -> Result<i64, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let epoch = sqlx::query_scalar::<_, i64>(
                        "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, updated_at = $2 \
                         WHERE id = $3 RETURNING session_epoch",
                    )
                    .bind(password_hash)
                    .bind(now)
                    .bind(user)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .ok_or(StoreError::NotFound)?;
                    insert_email(&mut tx, &notice, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(epoch)
                }

                #[tracing::instrument(skip_all, fields(user))]
                async fn update_profile(&self, user: UserId, p: ProfileUpdate, now: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let done = sqlx::query(
                        "UPDATE users SET display_name = $1, line_number = $2, locale = $3, email_notifications = $4, \
                         updated_at = $5 WHERE id = $6",
                    )
                    .bind(p.display_name.as_ref())
                    .bind(p.line_number.as_ref().map(|l| l.as_ref().to_string()))
                    .bind(p.locale)
                    .bind(p.email_notifications)
                    .bind(now)
                    .bind(user)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
                }

                #[tracing::instrument(skip_all, fields(user, role = %role))]
                async fn set_role(
                    &self,
                    user: UserId,
                    role: app::domain::request::Role,
                    by: Option<UserId>,
                    now: i64,
                ) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut tx = self.pool.begin().await.map_err(db_err)?;
                    let done = sqlx::query(
                        "UPDATE users SET role = $1, session_epoch = session_epoch + 1, updated_at = $2 WHERE id = $3",
                    )
                    .bind(role.code())
                    .bind(now)
                    .bind(user)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    sqlx::query(INSERT_AUDIT)
                        .bind(now)
                        .bind(by)
                        .bind(AuditAction::Account(AccountAction::RoleChanged).code())
                        .bind(None::<i64>)
                        .bind(user)
                        .bind(Some(role.code()))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    tx.commit().await.map_err(db_err)?;
                    Ok(())
                }
            }

            #[async_trait]
            impl Outbox for super::$store {
                #[tracing::instrument(skip_all, fields(kind = email.kind))]
                async fn enqueue_email(&self, email: NewEmail, now: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let mut conn = self.pool.acquire().await.map_err(db_err)?;
                    insert_email(&mut conn, &email, now).await.map(|_| ())
                }

                #[tracing::instrument(skip_all)]
                async fn claim_due_emails(&self, now: i64, lease_ms: i64, limit: i64) -> Result<Vec<OutboxEmail>, StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    // The outer condition is checked again after a concurrent claim commits (PostgreSQL
                    // re-reads the row), so two workers never take the same email.
                    let lock = $skip_locked;
                    let sql = format!(
                        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1 + $2 \
                         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 AND id IN \
                         (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                          ORDER BY id LIMIT $3 {lock}) RETURNING {OUTBOX_COLUMNS}"
                    );
                    let rows = sqlx::query_as::<_, OutboxRow>(&sql)
                        .bind(now)
                        .bind(lease_ms)
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn mark_email_sent(&self, id: i64, now: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    sqlx::query("UPDATE outbox SET sent_at = $1, last_error = NULL WHERE id = $2")
                        .bind(now)
                        .bind(id)
                        .execute(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(())
                }

                async fn mark_email_failed(&self, id: i64, error: &str, retry_at: Option<i64>, now: i64) -> Result<(), StoreError> {
                    #[allow(clippy::let_unit_value)]
                    let _writer = self.writer().await;
                    let (next, failed) = match retry_at {
                        Some(at) => (Some(at), None),
                        None => (None, Some(now)),
                    };
                    sqlx::query(
                        "UPDATE outbox SET last_error = $1, next_attempt_at = COALESCE($2, next_attempt_at), failed_at = $3 \
                         WHERE id = $4",
                    )
                    .bind(error)
                    .bind(next)
                    .bind(failed)
                    .bind(id)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                #[tracing::instrument(skip_all)]
                async fn emails_to(&self, recipient: &str) -> Result<Vec<OutboxEmail>, StoreError> {
                    let sql = format!("SELECT {OUTBOX_COLUMNS} FROM outbox WHERE recipient = $1 ORDER BY id");
                    let rows = sqlx::query_as::<_, OutboxRow>(&sql)
                        .bind(recipient)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db_err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }
            }
        }
    };
}
pub(crate) use impl_accounts_and_outbox;
