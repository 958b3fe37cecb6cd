//! Service incidents (#17): the status page, an incident's page, the banner and the wall's notice for
//! everyone; opening and updating for editors and admins.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::forms::{AffectedForm, IncidentForm, IncidentLinkForm, IncidentUpdateForm};
pub use crate::views::{IncidentPage, IncidentSummary, KnownProblem, StatusPage};
#[cfg(feature = "ssr")]
use {
    crate::api::kept::{keep_on_error, redirect_plain_post},
    crate::context::Ctx,
    crate::ports::Limit,
    crate::services::incidents,
};

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

/// The open incidents the request form offers as known problems, with the customer's own request on each.
#[server(endpoint = "incidents/known")]
pub async fn known_problems() -> Result<Vec<KnownProblem>, AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    incidents::known_problems(&ctx, me.user()).await
}

/// "I'm affected too": the customer's request on the incident (the same one when pressed again), then its
/// page.
#[server(endpoint = "incidents/affected")]
pub async fn affected_too(#[server(flatten)] form: AffectedForm) -> Result<String, AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    let result = async {
        ctx.limit(Limit::NewRequest, &me.user().id.to_string()).await?;
        incidents::affected_too(&ctx, me.user(), &form).await
    }
    .await;
    let code = keep_on_error(&format!("affected-{}", form.id), &form, result).await?;
    leptos_axum::redirect(&format!("/assistenza/richieste/{code}"));
    Ok(code)
}

/// Staff link a request to an incident, or take it out (`incident` empty); back to the case.
#[server(endpoint = "staff/incident-link")]
pub async fn link_to_incident(#[server(flatten)] form: IncidentLinkForm) -> Result<String, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    let code = incidents::link(&ctx, &staff, &form).await?;
    redirect_plain_post(&format!("/admin/richieste/{code}")).await;
    Ok(code)
}
