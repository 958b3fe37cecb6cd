//! Privacy rights (#18): deleting one's account, and the admins' erasure page with its log. (Downloading
//! one's data is a plain form post answered with a file: `server/src/privacy.rs`.)

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::forms::{AdminEraseForm, EraseForm};
pub use crate::views::{PrivacyLogLine, Retention};
#[cfg(feature = "ssr")]
use {crate::api::kept::redirect_plain_post, crate::context::Ctx, crate::services::privacy};

/// Deletes the logged-in customer's account; the session ends and the login page says it is done.
#[server(endpoint = "account/erase")]
pub async fn erase_account(#[server(flatten)] form: EraseForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    let session = ctx.session().await?;
    // Guessing the password with a stolen session is throttled as a password change is (#14).
    let key = format!("password change {}", me.user().id);
    if let Some(l) = ctx.limiter() {
        l.login_delay(&key).await?;
    }
    match privacy::erase_own(&ctx, me.user(), &form).await {
        Err(e) if e.field_code("password") == Some("password_wrong") => {
            if let Some(l) = ctx.limiter() {
                l.login_failed(&key).await;
            }
            if crate::auth::session::wrong_current_password(&session).await? {
                crate::auth::session::log_out(&session).await?;
                return Err(AppError::Unauthorized);
            }
            return Err(e);
        }
        other => other?,
    };
    crate::auth::session::log_out(&session).await?;
    leptos_axum::redirect("/accedi?eliminato=1");
    Ok(())
}

/// An admin erases a customer's account; the numbers of what changed.
#[server(endpoint = "staff/privacy/erase")]
pub async fn admin_erase_account(#[server(flatten)] form: AdminEraseForm) -> Result<(u64, u64), AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    let erased = privacy::erase_by_admin(&ctx, &admin, &form).await?;
    redirect_plain_post(&format!("/admin/privacy?eliminato={}-{}", erased.requests, erased.withdrawn)).await;
    Ok((erased.requests, erased.withdrawn))
}

/// The exports and erasures, newest first (50 a page, ids below `before`).
#[server(endpoint = "staff/privacy/log")]
pub async fn privacy_log(before: Option<i64>) -> Result<Vec<PrivacyLogLine>, AppError> {
    let ctx = Ctx::get()?;
    let _admin = ctx.admin().await?;
    Ok(ctx.store.privacy_log(before, 50).await?)
}

/// How long personal data is kept: the privacy notice says it (anyone may read it).
#[server(endpoint = "privacy/retention")]
pub async fn retention_periods() -> Result<Retention, AppError> {
    Ok(Ctx::get()?.settings.retention)
}
