//! The care pool's server functions. Each one starts with `require_agent()` or `require_admin()`, whose
//! values the use cases demand: there is no way to reach a staff use case without them. Customers get
//! not-found, visitors the login page, agents asking for admin things `Forbidden`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::request::{Category, Contact, Outcome, ReportedOn, Role, Status};
use crate::error::AppError;

/// A line of the queue, "my cases" or the search results (line number masked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub reference: String,
    pub category: Category,
    pub subject: String,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub line_masked: String,
    pub queue_at: i64,
    pub last_activity_at: i64,
    pub holder_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub counts: Vec<(Status, i64)>,
    pub items: Vec<CaseLine>,
    pub next: Option<String>,
    /// The server's clock, for ages ("waiting for 2 h").
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub items: Vec<CaseLine>,
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffTimelineEntry {
    pub at: i64,
    pub kind: crate::domain::request::EventKind,
    pub actor_role: crate::domain::request::ActorRole,
    pub actor_name: Option<String>,
    pub body: Option<String>,
    pub internal: bool,
    pub to_status: Option<Status>,
    pub outcome: Option<Outcome>,
}

/// The case page: the customer's private data, the whole timeline (notes included), what may be done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub reference: String,
    pub version: i64,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub category: Category,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: Contact,
    pub reported_on: ReportedOn,
    pub public_handle: Option<String>,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_blocked: bool,
    pub holder_name: Option<String>,
    pub is_holder: bool,
    pub is_admin: bool,
    pub queue_at: i64,
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
    pub can_reply: bool,
    pub can_outcome: bool,
    pub can_release: bool,
    pub can_reassign: bool,
    pub agents: Vec<(i64, String)>,
    pub timeline: Vec<StaffTimelineEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffLine {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub open_cases: i64,
    pub is_me: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: i64,
    pub actor_name: Option<String>,
    pub action: crate::domain::request::AuditAction,
    pub reference: Option<String>,
    pub subject_user_id: Option<i64>,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditLine>,
    pub next: Option<String>,
    pub staff: Vec<(i64, String)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: Option<i64>,
    pub p95: Option<i64>,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub counts: Vec<(Status, i64)>,
    /// (start of the day in ms, requests received), the last 30 days.
    pub per_day: Vec<(i64, i64)>,
    pub take_7: Percentiles,
    pub take_30: Percentiles,
    pub outcome_7: Percentiles,
    pub outcome_30: Percentiles,
    pub oldest_waiting: Option<i64>,
    pub rating_average: Option<f64>,
    pub rating_count: i64,
    pub open_per_agent: Vec<(String, i64)>,
    pub now: i64,
}

#[cfg(feature = "ssr")]
mod ctx {
    pub use crate::api::auth::ctx::brand;
    pub use crate::api::forms::redirect_plain_post;
    pub use crate::auth::session::{require_admin, require_agent};
    pub use crate::context::{settings, store};
    pub use crate::services::pool;
}

#[server(endpoint = "staff/queue")]
pub async fn staff_queue(after: Option<String>) -> Result<QueueView, AppError> {
    use ctx::*;
    let store = store()?;
    let staff = require_agent(&store).await?;
    pool::queue(&store, &staff, after.as_deref()).await
}

/// Takes the oldest waiting request and opens it; with an empty queue, back to the queue.
#[server(endpoint = "staff/take-next")]
pub async fn take_next() -> Result<Option<String>, AppError> {
    use ctx::*;
    let store = store()?;
    let staff = require_agent(&store).await?;
    let taken = pool::take_next(&store, &settings()?, &brand(), &staff).await?;
    match &taken {
        Some(code) => leptos_axum::redirect(&format!("/admin/richieste/{code}")),
        None => leptos_axum::redirect("/admin?vuota=1"),
    }
    Ok(taken)
}

#[server(endpoint = "staff/my-cases")]
pub async fn my_cases() -> Result<Vec<CaseLine>, AppError> {
    use ctx::*;
    let store = store()?;
    let staff = require_agent(&store).await?;
    pool::my_cases(&store, &staff).await
}

#[server(endpoint = "staff/search")]
pub async fn search_cases(
    reference: String,
    email: String,
    line_number: String,
    status: String,
    before: Option<String>,
) -> Result<SearchPage, AppError> {
    use ctx::*;
    let store = store()?;
    let staff = require_agent(&store).await?;
    pool::search(&store, &staff, &reference, &email, &line_number, &status, before.as_deref()).await
}

#[server(endpoint = "staff/case")]
pub async fn get_case(reference: String) -> Result<CaseView, AppError> {
    use ctx::*;
    let store = store()?;
    let staff = require_agent(&store).await?;
    pool::case_view(&store, &staff, &reference).await
}

#[server(endpoint = "staff/case-action")]
pub async fn case_action(
    reference: String,
    version: String,
    action: String,
    message: Option<String>,
    outcome: Option<String>,
    assignee: Option<String>,
) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let staff = require_agent(&store).await?;
    pool::case_action(
        &store,
        &settings()?,
        &brand(),
        &staff,
        &reference,
        &version,
        &action,
        message.as_deref().unwrap_or(""),
        outcome.as_deref().unwrap_or(""),
        assignee.as_deref().unwrap_or(""),
    )
    .await?;
    let code =
        crate::domain::request::parse_reference(&reference).map(crate::domain::request::reference).unwrap_or_default();
    redirect_plain_post(&format!("/admin/richieste/{code}")).await;
    Ok(())
}

#[server(endpoint = "staff/block")]
pub async fn block_customer(reference: String, block: String) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let admin = require_admin(&store).await?;
    pool::set_customer_blocked(&store, &admin, &reference, block == "yes").await?;
    let code =
        crate::domain::request::parse_reference(&reference).map(crate::domain::request::reference).unwrap_or_default();
    redirect_plain_post(&format!("/admin/richieste/{code}")).await;
    Ok(())
}

#[server(endpoint = "staff/list")]
pub async fn staff_list() -> Result<Vec<StaffLine>, AppError> {
    use ctx::*;
    let store = store()?;
    let admin = require_admin(&store).await?;
    pool::staff_list(&store, &admin).await
}

#[server(endpoint = "staff/create")]
pub async fn create_staff(email: String, display_name: String, role: String) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let admin = require_admin(&store).await?;
    let result = pool::create_staff(&store, &settings()?, &brand(), &admin, &email, &display_name, &role).await;
    crate::api::forms::keep_on_error("staff", &[("email", &email), ("display_name", &display_name)], result).await?;
    redirect_plain_post("/admin/staff?creato=1").await;
    Ok(())
}

#[server(endpoint = "staff/role")]
pub async fn set_staff_role(user: i64, role: String) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let admin = require_admin(&store).await?;
    pool::set_role(&store, &admin, user, &role).await?;
    redirect_plain_post("/admin/staff").await;
    Ok(())
}

#[server(endpoint = "staff/active")]
pub async fn set_staff_active(user: i64, active: String) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let admin = require_admin(&store).await?;
    pool::set_active(&store, &admin, user, active == "yes").await?;
    redirect_plain_post("/admin/staff").await;
    Ok(())
}

#[server(endpoint = "staff/audit")]
pub async fn audit_log(reference: String, actor: String, before: Option<String>) -> Result<AuditPage, AppError> {
    use ctx::*;
    let store = store()?;
    let admin = require_admin(&store).await?;
    pool::audit(&store, &admin, &reference, &actor, before.as_deref()).await
}

#[server(endpoint = "staff/dashboard")]
pub async fn dashboard() -> Result<DashboardView, AppError> {
    use ctx::*;
    let store = store()?;
    let admin = require_admin(&store).await?;
    pool::dashboard(&store, &admin).await
}
