//! Assistance requests, customer side: submit, list, read, reply, confirm, reopen, rate, and the pulse
//! that keeps a hydrated page live. Each function checks the login first; a request that is not the
//! caller's answers exactly like one that does not exist.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::request::{Category, Contact, Outcome, ReportedOn, Status};
use crate::error::AppError;

/// A line of "My requests".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub reference: String,
    pub category: Category,
    pub subject: String,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub last_activity_at: i64,
    pub unread: i64,
}

/// One page of "My requests"; `next` is the cursor of the following page, if there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub items: Vec<RequestSummary>,
    pub next: Option<String>,
    pub first_page: bool,
}

/// A line of the timeline the customer sees (internal notes never become one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub at: i64,
    pub kind: crate::domain::request::EventKind,
    pub by_customer: bool,
    pub to_status: Option<Status>,
    pub outcome: Option<Outcome>,
    pub body: Option<String>,
}

/// The request page, as its customer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub reference: String,
    pub category: Category,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: Contact,
    pub reported_on: ReportedOn,
    pub public_handle: Option<String>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub created_at: i64,
    pub can_reply: bool,
    pub can_confirm: bool,
    pub can_reopen: bool,
    pub reopen_until: Option<i64>,
    pub can_rate: bool,
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
    pub timeline: Vec<TimelineEntry>,
}

/// What the live status polls: the newest event the customer may see and the unread count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePulse {
    pub latest_event: i64,
    pub unread: i64,
}

#[cfg(feature = "ssr")]
mod ctx {
    pub use crate::api::auth::ctx::brand;
    pub use crate::api::forms::{keep_on_error, redirect_plain_post};
    pub use crate::auth::session::require_user;
    pub use crate::context::{settings, store};
    pub use crate::services::requests;
}

#[server(endpoint = "requests/submit")]
#[allow(clippy::too_many_arguments)]
pub async fn submit_request(
    category: String,
    subject: String,
    description: String,
    line_number: String,
    // Radio buttons: absent from the post when none is chosen.
    contact: Option<String>,
    reported_on: Option<String>,
    public_handle: String,
    consent: Option<String>,
) -> Result<String, AppError> {
    let (contact, reported_on) = (contact.unwrap_or_default(), reported_on.unwrap_or_default());
    use ctx::*;
    let store = store()?;
    let (me, _) = require_user(&store).await?;
    let keep = [
        ("category", category.clone()),
        ("subject", subject.clone()),
        ("description", description.clone()),
        ("line_number", line_number.clone()),
        ("contact", contact.clone()),
        ("reported_on", reported_on.clone()),
        ("public_handle", public_handle.clone()),
    ];
    let form = requests::SubmitForm {
        category,
        subject,
        description,
        line_number,
        contact,
        reported_on,
        public_handle,
        consent: consent.is_some(),
    };
    // Refused by the limit or by the service, the typed values are kept for the page either way.
    let result = async {
        crate::context::limit(crate::ports::Limit::NewRequest, &me.user().id.to_string())?;
        requests::submit(&store, &settings()?, &brand(), me.user(), form).await
    }
    .await;
    let keep: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let id = keep_on_error("request", &keep, result).await?;
    let code = crate::domain::request::reference(id);
    leptos_axum::redirect(&format!("/assistenza/richieste/{code}?nuova=1"));
    Ok(code)
}

#[server(endpoint = "requests/mine")]
pub async fn my_requests(after: Option<String>) -> Result<RequestPage, AppError> {
    use ctx::*;
    let store = store()?;
    let (me, _) = require_user(&store).await?;
    requests::my_requests(&store, me.user().id, after.as_deref()).await
}

#[server(endpoint = "requests/get")]
pub async fn get_request(reference: String) -> Result<RequestView, AppError> {
    use ctx::*;
    let store = store()?;
    let (me, _) = require_user(&store).await?;
    requests::customer_view(&store, me.user().id, &reference).await
}

/// Runs a customer's move and, for a plain form post, goes back to the request page.
#[cfg(feature = "ssr")]
async fn customer_move(
    reference: &str,
    action: crate::domain::request::Action,
    message: &str,
    anchor: &str,
) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let (me, _) = require_user(&store).await?;
    let result = requests::customer_move(&store, &settings()?, &brand(), me.user(), reference, action, message).await;
    keep_on_error("reply", &[("message", message)], result).await?;
    redirect_plain_post(&format!("/assistenza/richieste/{}#{anchor}", safe_reference(reference))).await;
    Ok(())
}

/// The reference as it may appear in a redirect (it was already found, so it is a valid code).
#[cfg(feature = "ssr")]
fn safe_reference(code: &str) -> String {
    crate::domain::request::parse_reference(code).map(crate::domain::request::reference).unwrap_or_default()
}

#[server(endpoint = "requests/reply")]
pub async fn reply_request(reference: String, message: String) -> Result<(), AppError> {
    customer_move(&reference, crate::domain::request::Action::CustomerReply, &message, "timeline").await
}

#[server(endpoint = "requests/confirm")]
pub async fn confirm_request(reference: String) -> Result<(), AppError> {
    customer_move(&reference, crate::domain::request::Action::Confirm, "", "outcome").await
}

#[server(endpoint = "requests/reopen")]
pub async fn reopen_request(reference: String, message: String) -> Result<(), AppError> {
    customer_move(&reference, crate::domain::request::Action::Reopen, &message, "timeline").await
}

#[server(endpoint = "requests/rate")]
pub async fn rate_request(reference: String, rating: String, comment: String) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let (me, _) = require_user(&store).await?;
    let result = requests::rate(&store, me.user(), &reference, &rating, &comment).await;
    keep_on_error("rate", &[("rating", &rating), ("comment", &comment)], result).await?;
    redirect_plain_post(&format!("/assistenza/richieste/{}#rating", safe_reference(&reference))).await;
    Ok(())
}

/// The live status: `None` without a login (the page then has nothing to follow).
#[server(endpoint = "requests/pulse")]
pub async fn pulse() -> Result<Option<LivePulse>, AppError> {
    use ctx::*;
    let store = store()?;
    let session = crate::auth::session::session().await?;
    let Some(user) = crate::auth::session::current_user(&store, &session).await? else {
        return Ok(None);
    };
    let p = store.customer_pulse(user.id).await?;
    Ok(Some(LivePulse { latest_event: p.latest_event, unread: p.unread }))
}
