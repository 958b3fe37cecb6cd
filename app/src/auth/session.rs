//! Who is logged in: the session holds the account id and the account's session epoch at login. When
//! the epoch moves on (password changed or reset) every older session stops being valid, on every app
//! server, without the session store having to find them.

use std::collections::HashMap;

use tower_sessions::Session;

use crate::domain::request::Role;
use crate::error::AppError;
use crate::ports::{SharedStore, UserRecord};

const USER_ID: &str = "uid";
const EPOCH: &str = "epoch";

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer");
        AppError::Internal
    })
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failure");
    AppError::Internal
}

/// Logs the account in on a new session id (the old id, known before login, becomes worthless).
pub async fn log_in(session: &Session, user: &UserRecord) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    session.insert(USER_ID, user.id).await.map_err(session_err)?;
    session.insert(EPOCH, user.session_epoch).await.map_err(session_err)?;
    Ok(())
}

/// Keeps this session valid after the account's epoch moved on (the one that changed the password).
pub async fn keep_session(session: &Session, epoch: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_err)?;
    session.insert(EPOCH, epoch).await.map_err(session_err)
}

/// Wrong current passwords a session may type when changing the password before it ends.
const WRONG_CURRENT_PASSWORDS: u32 = 5;

/// Counts a wrong current password on this session; `true` when it was one too many and the session
/// must end.
pub async fn wrong_current_password(session: &Session) -> Result<bool, AppError> {
    let n = session.get::<u32>("wrong_current_password").await.map_err(session_err)?.unwrap_or(0) + 1;
    session.insert("wrong_current_password", n).await.map_err(session_err)?;
    Ok(n >= WRONG_CURRENT_PASSWORDS)
}

/// Keeps a small value in the session (e.g. the address just registered).
pub async fn put_value(session: &Session, key: &str, value: String) -> Result<(), AppError> {
    session.insert(key, value).await.map_err(session_err)
}

pub async fn get_value(session: &Session, key: &str) -> Result<Option<String>, AppError> {
    session.get::<String>(key).await.map_err(session_err)
}

/// Ends the session server-side.
pub async fn log_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_err)
}

/// The logged-in account, if the session holds a valid one.
pub async fn current_user(store: &SharedStore, session: &Session) -> Result<Option<UserRecord>, AppError> {
    let Some(id) = session.get::<i64>(USER_ID).await.map_err(session_err)? else {
        return Ok(None);
    };
    let epoch = session.get::<i64>(EPOCH).await.map_err(session_err)?;
    let user = store.user_by_id(id).await?;
    match user {
        Some(u) if Some(u.session_epoch) == epoch && !u.deactivated && !u.blocked && !u.erased => Ok(Some(u)),
        _ => {
            log_out(session).await?;
            Ok(None)
        }
    }
}

/// A logged-in account with a confirmed email: only [`require_user`] makes one.
pub struct SignedIn(UserRecord);

impl SignedIn {
    pub fn user(&self) -> &UserRecord {
        &self.0
    }
}

/// The logged-in account with a confirmed email; `Unauthorized` without a login, `Forbidden` while
/// the email is unconfirmed (such an account may only see the confirmation page).
pub async fn require_user(store: &SharedStore) -> Result<(SignedIn, Session), AppError> {
    let session = session().await?;
    match current_user(store, &session).await? {
        Some(user) if user.email_confirmed => Ok((SignedIn(user), session)),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Unauthorized),
    }
}

/// The session key of the forms' kept values: form name → (field, value) pairs.
const FLASH: &str = "flash";
type Flash = HashMap<String, Vec<(String, String)>>;

/// Keeps a form's values for the next page view (see `api::kept`).
pub async fn put_flash(session: &Session, form: &str, values: Vec<(String, String)>) -> Result<(), AppError> {
    let mut all: Flash = session.get(FLASH).await.map_err(session_err)?.unwrap_or_default();
    all.insert(form.to_string(), values);
    session.insert(FLASH, all).await.map_err(session_err)
}

/// A form's kept values, read without taking them. Leptos may build a page's components more than once
/// while it renders one request (a `Suspense` walks its children again to find their resources, from an
/// effect on another thread), and each build makes its own form-values resource: when reading took the
/// values, the first build got them and the page drawn from a later one came back empty (#13, one time
/// in three). The server forgets them once the page has been sent ([`forget_flash`]).
pub async fn kept_flash(session: &Session, form: &str) -> Result<Option<Vec<(String, String)>>, AppError> {
    if form.len() > 40 {
        return Ok(None);
    }
    let all: Option<Flash> = session.get(FLASH).await.map_err(session_err)?;
    Ok(all.and_then(|mut all| all.remove(form)))
}

/// Forgets every form's kept values: they are shown by one page view. It looks first: `remove` marks
/// the session changed even when there was nothing to take, and a changed session is written back, so an
/// ordinary page view writes nothing.
pub async fn forget_flash(session: &Session) -> Result<(), AppError> {
    if session.get::<Flash>(FLASH).await.map_err(session_err)?.is_some() {
        session.remove::<Flash>(FLASH).await.map_err(session_err)?;
    }
    Ok(())
}

/// A logged-in member of the care pool (agent or admin): only [`require_agent`] makes one, so a staff
/// server function that takes it cannot run for anyone else.
pub struct Staff {
    user: UserRecord,
    role: Role,
}

impl Staff {
    pub fn user(&self) -> &UserRecord {
        &self.user
    }
    pub fn role(&self) -> Role {
        self.role
    }
}

/// A logged-in admin: only [`require_admin`] makes one.
pub struct Admin(Staff);

impl Admin {
    pub fn staff(&self) -> &Staff {
        &self.0
    }
    pub fn user(&self) -> &UserRecord {
        &self.0.user
    }
}

/// The logged-in staff member. Visitors get `Unauthorized` (the login page); customers get `NotFound`,
/// as if the staff pages did not exist.
pub async fn require_agent(store: &SharedStore) -> Result<Staff, AppError> {
    let session = session().await?;
    let user = current_user(store, &session).await?.ok_or(AppError::Unauthorized)?;
    if user.role.is_staff() && user.email_confirmed {
        let role = user.role;
        Ok(Staff { user, role })
    } else {
        Err(AppError::NotFound)
    }
}

/// The logged-in admin; agents get `Forbidden`, customers `NotFound`, visitors `Unauthorized`.
pub async fn require_admin(store: &SharedStore) -> Result<Admin, AppError> {
    let staff = require_agent(store).await?;
    if staff.role == Role::Admin { Ok(Admin(staff)) } else { Err(AppError::Forbidden) }
}

/// May this account write the page's posts? Admins, and staff with the editor permission.
pub fn may_write_posts(user: &UserRecord) -> bool {
    user.email_confirmed && (user.role == Role::Admin || (user.role.is_staff() && user.editor))
}

/// A logged-in member of the pool who may write the page's posts: only [`require_editor`] makes one.
pub struct Editor(Staff);

impl Editor {
    pub fn user(&self) -> &UserRecord {
        &self.0.user
    }
}

/// The logged-in editor (or admin); other staff get `Forbidden`, customers `NotFound`, visitors
/// `Unauthorized`.
pub async fn require_editor(store: &SharedStore) -> Result<Editor, AppError> {
    let staff = require_agent(store).await?;
    if may_write_posts(&staff.user) { Ok(Editor(staff)) } else { Err(AppError::Forbidden) }
}
