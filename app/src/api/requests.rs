//! Assistance requests, customer side: submit, list, read, reply, confirm, reopen, rate, and the pulse
//! that keeps a hydrated page live. Each function checks the login first; a request that is not the
//! caller's answers exactly like one that does not exist.

use leptos::prelude::*;

use crate::api::upload::{MultipartData, MultipartFormData};
use crate::error::AppError;
pub use crate::forms::{MessageForm, RatingForm, RequestForm};
pub use crate::views::{LivePulse, RequestPage, RequestSummary, RequestView, TimelineEntry};
#[cfg(feature = "ssr")]
use {
    crate::api::kept::{keep_on_error, redirect_plain_post},
    crate::api::upload::read_post,
    crate::context::Ctx,
    crate::domain::request::{Action, parse_reference, reference},
    crate::ports::Limit,
    crate::services::attachments::Uploads,
    crate::services::requests,
};

/// A new request, with its files (#19): a multipart post.
#[server(endpoint = "requests/submit", input = MultipartFormData)]
pub async fn submit_request(data: MultipartData) -> Result<String, AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    let posted = read_post(data, &ctx.settings.attachments).await?;
    let form: RequestForm = posted.form()?;
    // Refused by the limit or by the service, the typed values are kept for the page either way.
    let result = async {
        ctx.limit(Limit::NewRequest, &me.user().id.to_string()).await?;
        requests::submit(&ctx, me.user(), &form, posted.uploads).await
    }
    .await;
    let id = keep_on_error("request", &form, result).await?;
    let code = reference(id);
    leptos_axum::redirect(&format!("/assistenza/richieste/{code}?nuova=1"));
    Ok(code)
}

#[server(endpoint = "requests/mine")]
pub async fn my_requests(after: Option<String>) -> Result<RequestPage, AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    requests::my_requests(&ctx.store, me.user().id, after.as_deref()).await
}

#[server(endpoint = "requests/get")]
pub async fn get_request(reference: String) -> Result<RequestView, AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    requests::customer_view(&ctx.store, me.user().id, &reference).await
}

/// Runs a customer's move and, for a plain form post, goes back to the request page.
#[cfg(feature = "ssr")]
async fn customer_move(form: &MessageForm, action: Action, anchor: &str, uploads: Uploads) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    let result = requests::customer_move(&ctx, me.user(), &form.reference, action, &form.message, uploads).await;
    keep_on_error("reply", form, result).await?;
    redirect_plain_post(&format!("/assistenza/richieste/{}#{anchor}", safe_reference(&form.reference))).await;
    Ok(())
}

/// The reference as it may appear in a redirect (it was already found, so it is a valid code).
#[cfg(feature = "ssr")]
fn safe_reference(code: &str) -> String {
    parse_reference(code).map(reference).unwrap_or_default()
}

/// A reply, with its files (#19): a multipart post.
#[server(endpoint = "requests/reply", input = MultipartFormData)]
pub async fn reply_request(data: MultipartData) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    ctx.customer().await?;
    let posted = read_post(data, &ctx.settings.attachments).await?;
    let form: MessageForm = posted.form()?;
    customer_move(&form, Action::CustomerReply, "timeline", posted.uploads).await
}

#[server(endpoint = "requests/confirm")]
pub async fn confirm_request(reference: String) -> Result<(), AppError> {
    customer_move(&MessageForm { reference, message: String::new() }, Action::Confirm, "outcome", Uploads::default())
        .await
}

#[server(endpoint = "requests/reopen")]
pub async fn reopen_request(#[server(flatten)] form: MessageForm) -> Result<(), AppError> {
    customer_move(&form, Action::Reopen, "timeline", Uploads::default()).await
}

#[server(endpoint = "requests/rate")]
pub async fn rate_request(#[server(flatten)] form: RatingForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    let result = requests::rate(&ctx.store, me.user(), &form).await;
    keep_on_error("rate", &form, result).await?;
    redirect_plain_post(&format!("/assistenza/richieste/{}#rating", safe_reference(&form.reference))).await;
    Ok(())
}

/// The live status: `None` without a login (the page then has nothing to follow).
#[server(endpoint = "requests/pulse")]
pub async fn pulse() -> Result<Option<LivePulse>, AppError> {
    let ctx = Ctx::get()?;
    let Some(user) = ctx.visitor().await? else {
        return Ok(None);
    };
    let p = ctx.store.customer_pulse(user.id).await?;
    let notifications = ctx.store.unread_notifications(user.id).await?;
    Ok(Some(LivePulse { latest_event: p.latest_event, unread: p.unread, notifications }))
}
