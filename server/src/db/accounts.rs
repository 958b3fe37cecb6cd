//! Accounts and their single-use tokens. Every multi-statement write is one transaction.

use app::domain::account::Email;
use app::domain::request::Role;
use app::ports::{
    Accounts, EmailFor, NewAccount, NewEmail, NewToken, ProfileUpdate, Registration, StoreError, TokenPurpose, UserId,
    UserRecord,
};
use async_trait::async_trait;

use super::outbox::insert_email;
use super::{Backend, Sql, SqlStore, code};

#[derive(sqlx::FromRow)]
struct UserRow {
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
    editor: bool,
    erased_at: Option<i64>,
    privacy_version: i64,
    rules_version: i64,
    consent_pending: bool,
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, line_number, locale, role, \
     email_confirmed_at, email_notifications, session_epoch, blocked_at, deactivated_at, editor, erased_at, privacy_version, rules_version, \
     (privacy_version < (SELECT COALESCE(MAX(d.version), 1) FROM documents d WHERE d.kind = 'privacy') \
      OR rules_version < (SELECT COALESCE(MAX(d.version), 1) FROM documents d WHERE d.kind = 'rules')) \
      AS consent_pending";

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
            role: code(&r.role, Role::from_code)?,
            email_confirmed: r.email_confirmed_at.is_some(),
            email_notifications: r.email_notifications,
            session_epoch: r.session_epoch,
            blocked: r.blocked_at.is_some(),
            deactivated: r.deactivated_at.is_some(),
            editor: r.editor,
            erased: r.erased_at.is_some(),
            privacy_version: r.privacy_version,
            rules_version: r.rules_version,
            consent_pending: r.consent_pending,
        })
    }
}

/// A new row of `users`, whoever creates it: a customer registering, an admin inviting staff, the
/// `create-admin` command.
pub(super) struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    /// "!" is no argon2 hash: nobody can log in until a set-password link is used.
    pub password_hash: &'a str,
    pub line_number: Option<&'a str>,
    pub locale: &'a str,
    pub role: Role,
    pub confirmed: bool,
}

/// Inserts the account; `None` when the address has one already (nothing changes then).
pub(super) async fn insert_user<DB: Backend>(
    conn: &mut DB::Connection,
    user: NewUser<'_>,
    now: i64,
) -> Result<Option<UserId>, StoreError> {
    let sql = Sql::new(
        "INSERT INTO users (email, display_name, password_hash, line_number, locale, role, email_confirmed_at, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (email) DO NOTHING \
         RETURNING id",
    )
    .bind(user.email)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.line_number)
    .bind(user.locale)
    .bind(user.role.code())
    .bind(user.confirmed.then_some(now))
    .bind(now);
    Ok(DB::fetch_optional::<(i64,)>(conn, sql).await?.map(|(id,)| id))
}

pub(super) async fn insert_token<DB: Backend>(
    conn: &mut DB::Connection,
    user: UserId,
    t: &NewToken,
    now: i64,
) -> Result<(), StoreError> {
    let sql = Sql::new(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&t.hash)
    .bind(user)
    .bind(t.purpose.as_str())
    .bind(t.expires_at)
    .bind(now);
    DB::execute(conn, sql).await.map(|_| ())
}

async fn use_token<DB: Backend>(
    conn: &mut DB::Connection,
    hash: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<Option<UserId>, StoreError> {
    let sql = Sql::new(
        "UPDATE account_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(hash)
    .bind(purpose.as_str());
    Ok(DB::fetch_optional::<(i64,)>(conn, sql).await?.map(|(id,)| id))
}

pub(super) async fn user_by_id<DB: Backend>(
    conn: &mut DB::Connection,
    id: UserId,
) -> Result<Option<UserRecord>, StoreError> {
    let sql = Sql::new(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1")).bind(id);
    DB::fetch_optional::<UserRow>(conn, sql).await?.map(TryInto::try_into).transpose()
}

#[async_trait]
impl<DB: Backend> Accounts for SqlStore<DB> {
    #[tracing::instrument(skip_all)]
    async fn register_account(
        &self,
        account: NewAccount,
        token: NewToken,
        confirm: NewEmail,
        taken: NewEmail,
        now: i64,
    ) -> Result<Registration, StoreError> {
        let mut w = self.write().await?;
        let line_number = account.line_number.as_ref().map(|l| l.as_ref());
        let user = NewUser {
            email: account.email.as_ref(),
            display_name: account.display_name.as_ref(),
            password_hash: &account.password_hash,
            line_number,
            locale: account.locale,
            role: Role::Customer,
            confirmed: false,
        };
        let outcome = match insert_user::<DB>(w.conn(), user, now).await? {
            Some(id) => {
                insert_token::<DB>(w.conn(), id, &token, now).await?;
                insert_email::<DB>(w.conn(), &confirm, now).await?;
                // The form's two checkboxes, on record with the versions they accepted (#18).
                super::privacy::accept_current::<DB>(w.conn(), id, now).await?;
                tracing::info!(user = id, "account created");
                Registration::Created(id)
            }
            None => {
                insert_email::<DB>(w.conn(), &taken, now).await?;
                Registration::AlreadyRegistered
            }
        };
        w.commit().await?;
        Ok(outcome)
    }

    #[tracing::instrument(skip_all)]
    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>, StoreError> {
        let sql = Sql::new(format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1")).bind(email.as_ref());
        self.read_optional::<UserRow>(sql).await?.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(skip_all, fields(user = id))]
    async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(super::db_err)?;
        user_by_id::<DB>(&mut conn, id).await
    }

    #[tracing::instrument(skip_all, fields(purpose = purpose.as_str()))]
    async fn use_token(&self, hash: &str, purpose: TokenPurpose, now: i64) -> Result<Option<UserId>, StoreError> {
        let mut w = self.write().await?;
        let user = use_token::<DB>(w.conn(), hash, purpose, now).await?;
        w.commit().await?;
        Ok(user)
    }

    #[tracing::instrument(skip_all)]
    async fn confirm_email(&self, hash: &str, now: i64) -> Result<Option<UserId>, StoreError> {
        let mut w = self.write().await?;
        let Some(user) = use_token::<DB>(w.conn(), hash, TokenPurpose::ConfirmEmail, now).await? else {
            return Ok(None);
        };
        let sql = Sql::new(
            "UPDATE users SET email_confirmed_at = COALESCE(email_confirmed_at, $1), updated_at = $1 WHERE id = $2",
        )
        .bind(now)
        .bind(user);
        DB::execute(w.conn(), sql).await?;
        w.commit().await?;
        tracing::info!(user, "email confirmed");
        Ok(Some(user))
    }

    #[tracing::instrument(skip_all, fields(user = user, purpose = token.purpose.as_str()))]
    async fn issue_token(&self, user: UserId, token: NewToken, email: NewEmail, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        // Over the address's daily cap nothing changes: the links already sent keep working (the
        // transaction is dropped, so it rolls back).
        if !insert_email::<DB>(w.conn(), &email, now).await? {
            return Ok(());
        }
        let sql =
            Sql::new("UPDATE account_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
                .bind(now)
                .bind(user)
                .bind(token.purpose.as_str());
        DB::execute(w.conn(), sql).await?;
        insert_token::<DB>(w.conn(), user, &token, now).await?;
        w.commit().await
    }

    #[tracing::instrument(skip_all)]
    async fn reset_password(
        &self,
        hash: &str,
        password_hash: &str,
        notice: EmailFor,
        now: i64,
    ) -> Result<Option<UserId>, StoreError> {
        let mut w = self.write().await?;
        // A reset link, or the set-password link a new staff member gets.
        let id = match use_token::<DB>(w.conn(), hash, TokenPurpose::ResetPassword, now).await? {
            Some(id) => Some(id),
            None => use_token::<DB>(w.conn(), hash, TokenPurpose::SetPassword, now).await?,
        };
        let Some(id) = id else {
            return Ok(None);
        };
        // Using a link sent to the address proves the address too.
        let sql = Sql::new(
            "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, updated_at = $2, \
             email_confirmed_at = COALESCE(email_confirmed_at, $2) WHERE id = $3",
        )
        .bind(password_hash)
        .bind(now)
        .bind(id);
        DB::execute(w.conn(), sql).await?;
        let user = user_by_id::<DB>(w.conn(), id).await?.ok_or(StoreError::NotFound)?;
        insert_email::<DB>(w.conn(), &notice(&user), now).await?;
        w.commit().await?;
        tracing::info!(user = id, "password reset");
        Ok(Some(id))
    }

    #[tracing::instrument(skip_all, fields(user = user))]
    async fn change_password(
        &self,
        user: UserId,
        password_hash: &str,
        notice: NewEmail,
        now: i64,
    ) -> Result<i64, StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new(
            "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1, updated_at = $2 \
             WHERE id = $3 RETURNING session_epoch",
        )
        .bind(password_hash)
        .bind(now)
        .bind(user);
        let (epoch,) = DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        insert_email::<DB>(w.conn(), &notice, now).await?;
        w.commit().await?;
        Ok(epoch)
    }

    #[tracing::instrument(skip_all, fields(user = user))]
    async fn update_profile(&self, user: UserId, p: ProfileUpdate, now: i64) -> Result<(), StoreError> {
        let sql = Sql::new(
            "UPDATE users SET display_name = $1, line_number = $2, locale = $3, email_notifications = $4, \
             updated_at = $5 WHERE id = $6",
        )
        .bind(p.display_name.as_ref())
        .bind(p.line_number.as_ref().map(|l| l.as_ref()))
        .bind(p.locale)
        .bind(p.email_notifications)
        .bind(now)
        .bind(user);
        match self.write_one(sql).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }
}
