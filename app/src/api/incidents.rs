//! Service incidents (#17): the status page, an incident's page, the banner and the wall's notice for
//! everyone; opening and updating for editors and admins.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::forms::{IncidentForm, IncidentUpdateForm};
pub use crate::views::{IncidentPage, IncidentSummary, StatusPage};
#[cfg(feature = "ssr")]
use {crate::api::kept::keep_on_error, crate::context::Ctx, crate::services::incidents};

/// The cookie holding the incidents a visitor closed the banner of (for the visit: a session cookie).
pub const HIDDEN_COOKIE: &str = "sc3_hidden_incidents";

#[server(endpoint = "incidents/status")]
pub async fn get_status(before: Option<String>) -> Result<StatusPage, AppError> {
    let ctx = Ctx::get()?;
    let viewer = ctx.visitor().await?;
    incidents::status_page(&ctx, viewer.as_ref(), before.as_deref()).await
}

#[server(endpoint = "incidents/get")]
pub async fn get_incident(id: String) -> Result<IncidentPage, AppError> {
    let ctx = Ctx::get()?;
    let viewer = ctx.visitor().await?;
    incidents::incident_page(&ctx, viewer.as_ref(), &id).await
}

/// The open incidents (the wall's notice).
#[server(endpoint = "incidents/open")]
pub async fn open_incidents() -> Result<Vec<IncidentSummary>, AppError> {
    let ctx = Ctx::get()?;
    incidents::banner(&ctx, &[]).await
}

/// The open incidents the banner shows this visitor (not those they closed during this visit).
#[server(endpoint = "incidents/banner")]
pub async fn incident_banner() -> Result<Vec<IncidentSummary>, AppError> {
    let ctx = Ctx::get()?;
    incidents::banner(&ctx, &hidden_incidents(&ctx.headers().await)).await
}

/// The incidents whose banner this visitor closed, from the request's cookie (`/stato/{id}/nascondi`
/// writes it).
#[cfg(feature = "ssr")]
pub fn hidden_incidents(headers: &http::HeaderMap) -> Vec<i64> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .filter(|(k, _)| *k == HIDDEN_COOKIE)
        .flat_map(|(_, v)| v.split('.').filter_map(|id| id.parse().ok()).collect::<Vec<i64>>())
        .collect()
}

#[server(endpoint = "incidents/open-new")]
pub async fn open_incident(#[server(flatten)] form: IncidentForm) -> Result<i64, AppError> {
    let ctx = Ctx::get()?;
    let editor = ctx.editor().await?;
    let result = incidents::open(&ctx, &editor, &form).await;
    let id = keep_on_error("incident", &form, result).await?;
    leptos_axum::redirect(&format!("/stato/{id}"));
    Ok(id)
}

#[server(endpoint = "incidents/update")]
pub async fn update_incident(#[server(flatten)] form: IncidentUpdateForm) -> Result<i64, AppError> {
    let ctx = Ctx::get()?;
    let editor = ctx.editor().await?;
    let result = incidents::update(&ctx, &editor, &form).await;
    let id = keep_on_error(&format!("incident-update-{}", form.id), &form, result).await?;
    leptos_axum::redirect(&format!("/stato/{id}"));
    Ok(id)
}
