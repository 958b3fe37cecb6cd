//! Account administration: the care pool's members and their permissions, blocked customers. Every
//! change is one transaction with its audit line.

use app::domain::account::{DisplayName, Email};
use app::domain::request::{AccountAction, AuditAction, Role};
use app::ports::{NewAudit, NewStaff, Staff, StaffMember, StoreError, UserId};
use async_trait::async_trait;

use super::accounts::{NewUser, insert_token, insert_user};
use super::audit::insert_audit_line;
use super::outbox::insert_email;
use super::{Backend, Sql, SqlStore, code};

#[derive(sqlx::FromRow)]
struct StaffRow {
    id: i64,
    email: String,
    display_name: String,
    role: String,
    deactivated_at: Option<i64>,
    editor: bool,
    open_cases: i64,
}

/// Staff accounts are in the portal's first language until their owner chooses another.
const STAFF_LOCALE: &str = "it";

fn account_line(by: Option<UserId>, action: AccountAction, user: UserId, detail: Option<String>) -> NewAudit {
    NewAudit {
        actor_id: by,
        action: AuditAction::Account(action),
        request_id: None,
        subject_user_id: Some(user),
        detail,
    }
}

impl<DB: Backend> SqlStore<DB> {
    /// Runs one update of an account and writes its audit line, in one transaction; `NotFound` when the
    /// update matched no account.
    async fn change_account(&self, sql: Sql<'_>, line: NewAudit, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        if DB::execute(w.conn(), sql).await? == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await?;
        tracing::info!(user = line.subject_user_id, action = %line.action, "account changed");
        Ok(())
    }
}

#[async_trait]
impl<DB: Backend> Staff for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(role = %staff.role, by = by))]
    async fn create_staff(&self, staff: NewStaff, by: UserId, now: i64) -> Result<UserId, StoreError> {
        let mut w = self.write().await?;
        let user = NewUser {
            email: staff.email.as_ref(),
            display_name: staff.display_name.as_ref(),
            password_hash: "!",
            line_number: None,
            locale: STAFF_LOCALE,
            role: staff.role,
            confirmed: false,
        };
        let id = insert_user::<DB>(w.conn(), user, now).await?.ok_or(StoreError::Conflict)?;
        insert_token::<DB>(w.conn(), id, &staff.token, now).await?;
        insert_email::<DB>(w.conn(), &staff.invite, now).await?;
        let line = account_line(Some(by), AccountAction::StaffCreated, id, Some(staff.role.code().to_string()));
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await?;
        tracing::info!(user = id, "staff account created");
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn create_admin(
        &self,
        email: &Email,
        name: &DisplayName,
        password_hash: &str,
        now: i64,
    ) -> Result<UserId, StoreError> {
        let mut w = self.write().await?;
        let user = NewUser {
            email: email.as_ref(),
            display_name: name.as_ref(),
            password_hash,
            line_number: None,
            locale: STAFF_LOCALE,
            role: Role::Admin,
            confirmed: true,
        };
        let id = insert_user::<DB>(w.conn(), user, now).await?.ok_or(StoreError::Conflict)?;
        let line = account_line(None, AccountAction::StaffCreated, id, Some("admin (command line)".into()));
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await?;
        tracing::info!(user = id, "admin created");
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn list_staff(&self) -> Result<Vec<StaffMember>, StoreError> {
        let sql = Sql::new(
            "SELECT u.id, u.email, u.display_name, u.role, u.deactivated_at, u.editor, \
             (SELECT COUNT(*) FROM requests r WHERE r.holder_id = u.id \
              AND r.status IN ('in_charge', 'awaiting_customer')) AS open_cases \
             FROM users u WHERE u.role IN ('agent', 'admin') ORDER BY u.display_name, u.id",
        );
        self.read::<StaffRow>(sql)
            .await?
            .into_iter()
            .map(|r| {
                Ok(StaffMember {
                    id: r.id,
                    email: r.email,
                    display_name: r.display_name,
                    role: code(&r.role, Role::from_code)?,
                    active: r.deactivated_at.is_none(),
                    editor: r.editor,
                    open_cases: r.open_cases,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(user = user, active = active, by = by))]
    async fn set_active(&self, user: UserId, active: bool, by: UserId, now: i64) -> Result<(), StoreError> {
        let sql = Sql::new(
            "UPDATE users SET deactivated_at = $1, session_epoch = session_epoch + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(if active { None } else { Some(now) })
        .bind(now)
        .bind(user);
        let action = if active { AccountAction::Reactivated } else { AccountAction::Deactivated };
        self.change_account(sql, account_line(Some(by), action, user, None), now).await
    }

    #[tracing::instrument(skip_all, fields(user = user, blocked = blocked, by = by))]
    async fn set_blocked(&self, user: UserId, blocked: bool, by: UserId, now: i64) -> Result<(), StoreError> {
        let sql = Sql::new(
            "UPDATE users SET blocked_at = $1, session_epoch = session_epoch + $4, updated_at = $2 \
             WHERE id = $3 AND role = 'customer'",
        )
        .bind(if blocked { Some(now) } else { None })
        .bind(now)
        .bind(user)
        // Blocking ends the sessions; unblocking has none to end.
        .bind(i64::from(blocked));
        let action = if blocked { AccountAction::Blocked } else { AccountAction::Unblocked };
        self.change_account(sql, account_line(Some(by), action, user, None), now).await
    }

    #[tracing::instrument(skip_all, fields(user = user, editor = editor, by = by))]
    async fn set_editor(&self, user: UserId, editor: bool, by: UserId, now: i64) -> Result<(), StoreError> {
        let sql =
            Sql::new("UPDATE users SET editor = $1, updated_at = $2 WHERE id = $3 AND role IN ('agent', 'admin')")
                .bind(editor)
                .bind(now)
                .bind(user);
        let action = if editor { AccountAction::EditorGranted } else { AccountAction::EditorRevoked };
        self.change_account(sql, account_line(Some(by), action, user, None), now).await
    }

    #[tracing::instrument(skip_all, fields(user = user, role = %role, by = by))]
    async fn set_role(&self, user: UserId, role: Role, by: Option<UserId>, now: i64) -> Result<(), StoreError> {
        let sql =
            Sql::new("UPDATE users SET role = $1, session_epoch = session_epoch + 1, updated_at = $2 WHERE id = $3")
                .bind(role.code())
                .bind(now)
                .bind(user);
        let line = account_line(by, AccountAction::RoleChanged, user, Some(role.code().to_string()));
        self.change_account(sql, line, now).await
    }
}
