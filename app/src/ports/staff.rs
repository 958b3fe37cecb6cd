//! Account administration: the care pool's members and their permissions, blocked customers.

use async_trait::async_trait;

use super::{NewEmail, NewToken, StoreError, UserId};
use crate::domain::account::{DisplayName, Email};
use crate::domain::request::Role;
pub use crate::views::StaffMember;

/// A staff account to create, with its set-password link and the invitation that carries it.
pub struct NewStaff {
    pub email: Email,
    pub display_name: DisplayName,
    pub role: Role,
    pub token: NewToken,
    pub invite: NewEmail,
}

#[async_trait]
pub trait Staff: Send + Sync {
    /// Creates a staff account that cannot log in until its set-password link is used; `Conflict` when
    /// the address has an account already.
    async fn create_staff(&self, staff: NewStaff, by: UserId, now: i64) -> Result<UserId, StoreError>;

    /// Creates a confirmed admin with this password hash (the `create-admin` command); `Conflict` when the
    /// address has an account already.
    async fn create_admin(
        &self,
        email: &Email,
        name: &DisplayName,
        password_hash: &str,
        now: i64,
    ) -> Result<UserId, StoreError>;

    async fn list_staff(&self) -> Result<Vec<StaffMember>, StoreError>;

    /// Deactivates (every session ends at once) or reactivates an account, with its audit line.
    async fn set_active(&self, user: UserId, active: bool, by: UserId, now: i64) -> Result<(), StoreError>;

    /// Blocks (no more logins or submissions, sessions end) or unblocks a customer, with its audit line.
    async fn set_blocked(&self, user: UserId, blocked: bool, by: UserId, now: i64) -> Result<(), StoreError>;

    /// Makes the account a customer, an agent or an admin, ending its sessions (epoch + 1): a change of
    /// privilege starts from a fresh login.
    /// `by` is the admin who did it (for the audit log).
    async fn set_role(&self, user: UserId, role: Role, by: Option<UserId>, now: i64) -> Result<(), StoreError>;

    /// Gives or takes a staff member's permission to write the page's posts, with its audit line.
    async fn set_editor(&self, user: UserId, editor: bool, by: UserId, now: i64) -> Result<(), StoreError>;
}
