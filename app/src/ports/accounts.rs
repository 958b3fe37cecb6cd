//! Accounts and their single-use tokens.

use async_trait::async_trait;

use super::{NewEmail, StoreError};
use crate::domain::account::{DisplayName, Email, LineNumber};
use crate::domain::request::Role;

pub type UserId = i64;

/// An account as stored. Carries the password hash: it never leaves the server (no `Serialize`).
#[derive(Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub line_number: Option<String>,
    pub locale: String,
    pub role: Role,
    pub email_confirmed: bool,
    pub email_notifications: bool,
    pub session_epoch: i64,
    pub blocked: bool,
    pub deactivated: bool,
    /// May write the page's posts (admins may whatever this says).
    pub editor: bool,
    /// Its personal data was erased (#18): nobody can log in to it, it shows as "deleted account".
    pub erased: bool,
    /// The versions of the privacy notice and of the rules it accepted last (#18).
    pub privacy_version: i64,
    pub rules_version: i64,
    /// A newer version of either was published since: the customer must accept it to go on.
    pub consent_pending: bool,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only what a log may hold: no email, no hash, no line number.
        f.debug_struct("UserRecord").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}

pub struct NewAccount {
    pub email: Email,
    pub display_name: DisplayName,
    pub password_hash: String,
    pub line_number: Option<LineNumber>,
    pub locale: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    ConfirmEmail,
    ResetPassword,
    SetPassword,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ConfirmEmail => "confirm_email",
            Self::ResetPassword => "reset_password",
            Self::SetPassword => "set_password",
        }
    }
}

/// A single-use token: only its SHA-256 is stored, the token itself goes out in an email link.
pub struct NewToken {
    pub hash: String,
    pub purpose: TokenPurpose,
    pub expires_at: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Registration {
    Created(UserId),
    /// The address already had an account: the "someone tried to register" email was queued instead.
    AlreadyRegistered,
}

/// What the account page can change.
pub struct ProfileUpdate {
    pub display_name: DisplayName,
    pub line_number: Option<LineNumber>,
    pub locale: &'static str,
    pub email_notifications: bool,
}

/// Builds an email for an account found inside a transaction (e.g. the "password changed" notice).
pub type EmailFor = Box<dyn FnOnce(&UserRecord) -> NewEmail + Send>;
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates the account with its confirmation token and queues `confirm`; when the address is
    /// taken, changes nothing but queues `taken` to the address instead. One transaction.
    async fn register_account(
        &self,
        account: NewAccount,
        token: NewToken,
        confirm: NewEmail,
        taken: NewEmail,
        now: i64,
    ) -> Result<Registration, StoreError>;

    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>, StoreError>;

    async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, StoreError>;

    /// Uses a token of the given purpose if it exists, is unused and unexpired; returns its account.
    async fn use_token(&self, token_hash: &str, purpose: TokenPurpose, now: i64) -> Result<Option<UserId>, StoreError>;

    /// Marks the email confirmed by a valid confirmation token.
    async fn confirm_email(&self, token_hash: &str, now: i64) -> Result<Option<UserId>, StoreError>;

    /// Replaces the account's unused tokens of that purpose with a new one and queues its email.
    async fn issue_token(&self, user: UserId, token: NewToken, email: NewEmail, now: i64) -> Result<(), StoreError>;

    /// Uses a reset token, sets the new hash, ends every session (epoch + 1) and queues the notice.
    async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        notice: EmailFor,
        now: i64,
    ) -> Result<Option<UserId>, StoreError>;

    /// Sets a new hash, ends every other session (returns the new epoch) and queues the notice.
    async fn change_password(
        &self,
        user: UserId,
        password_hash: &str,
        notice: NewEmail,
        now: i64,
    ) -> Result<i64, StoreError>;

    async fn update_profile(&self, user: UserId, profile: ProfileUpdate, now: i64) -> Result<(), StoreError>;
}
