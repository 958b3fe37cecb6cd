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
    let me = ctx.customer_before_consent().await?;
    let session = ctx.session().await?;
    let erase = privacy::erase_own(&ctx, me.user(), &form);
    crate::api::auth::password_guarded(&ctx, me.user(), &session, "password", erase).await?;
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

pub use crate::forms::{AcceptForm, DocumentForm};
pub use crate::views::Document;

/// The published versions of the privacy notice and of the rules (none: the built-in texts).
#[server(endpoint = "privacy/documents")]
pub async fn legal_documents() -> Result<Vec<Document>, AppError> {
    Ok(Ctx::get()?.store.current_documents().await?)
}

/// What the logged-in customer has yet to accept (empty: nothing; `None`: nobody logged in).
#[server(endpoint = "privacy/pending")]
pub async fn pending_documents() -> Result<Option<Vec<Document>>, AppError> {
    let ctx = Ctx::get()?;
    let Some(user) = ctx.visitor().await? else { return Ok(None) };
    Ok(Some(privacy::pending(&ctx, &user).await?))
}

/// The customer accepts the current versions and goes on.
#[server(endpoint = "privacy/accept")]
pub async fn accept_documents(#[server(flatten)] form: AcceptForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let Some(user) = ctx.visitor().await? else { return Err(AppError::Unauthorized) };
    privacy::accept(&ctx, &user, &form).await?;
    let next = crate::forms::local_path(&form.next).unwrap_or("/assistenza/richieste");
    leptos_axum::redirect(next);
    Ok(())
}

/// An admin publishes a new version of the notice or of the rules: every customer accepts it at their
/// next login.
#[server(endpoint = "staff/privacy/publish")]
pub async fn publish_document(#[server(flatten)] form: DocumentForm) -> Result<i64, AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    let version = privacy::publish(&ctx, &admin, &form).await?;
    redirect_plain_post(&format!("/admin/documenti?pubblicato={version}")).await;
    Ok(version)
}

/// The published documents, for the admins' editor.
#[server(endpoint = "staff/privacy/documents")]
pub async fn admin_documents() -> Result<Vec<Document>, AppError> {
    let ctx = Ctx::get()?;
    let _admin = ctx.admin().await?;
    Ok(ctx.store.current_documents().await?)
}
