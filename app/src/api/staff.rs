//! The care pool's server functions. Each one starts with `ctx.agent()` or `ctx.admin()`, whose
//! values the use cases demand: there is no way to reach a staff use case without them. Customers get
//! not-found, visitors the login page, agents asking for admin things `Forbidden`.

use leptos::prelude::*;

use crate::api::upload::{MultipartData, MultipartFormData};
use crate::error::AppError;
pub use crate::forms::{
    ActiveForm, AuditFilter, BlockForm, CaseActionForm, EditorForm, RoleForm, SearchForm, StaffAction, StaffForm,
    Switch,
};
pub use crate::views::{
    AuditLine, AuditPage, CaseLine, CaseView, DashboardView, Percentiles, QueueView, SearchPage, StaffMember,
    StaffRoster, StaffTimelineEntry,
};
#[cfg(feature = "ssr")]
use {
    crate::api::kept::{keep_on_error, redirect_plain_post},
    crate::api::upload::read_post,
    crate::context::Ctx,
    crate::domain::request::{parse_reference, reference},
    crate::services::pool,
};

#[server(endpoint = "staff/queue")]
pub async fn staff_queue(after: Option<String>) -> Result<QueueView, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    pool::queue(&ctx.store, &staff, after.as_deref()).await
}

/// How many requests wait in the queue (capped like the queue's counts): the staff header shows it.
#[server(endpoint = "staff/waiting")]
pub async fn staff_waiting() -> Result<i64, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    pool::waiting(&ctx.store, &staff).await
}

/// Takes the oldest waiting request and opens it; with an empty queue, back to the queue.
#[server(endpoint = "staff/take-next")]
pub async fn take_next() -> Result<Option<String>, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    let taken = pool::take_next(&ctx, &staff).await?;
    match &taken {
        Some(code) => leptos_axum::redirect(&format!("/admin/richieste/{code}")),
        None => leptos_axum::redirect("/admin?vuota=1"),
    }
    Ok(taken)
}

#[server(endpoint = "staff/my-cases")]
pub async fn my_cases() -> Result<Vec<CaseLine>, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    pool::my_cases(&ctx.store, &staff).await
}

#[server(endpoint = "staff/search")]
pub async fn search_cases(#[server(flatten)] form: SearchForm) -> Result<SearchPage, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    pool::search(&ctx.store, &staff, &form).await
}

#[server(endpoint = "staff/case")]
pub async fn get_case(reference: String) -> Result<CaseView, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    pool::case_view(&ctx.store, &staff, &reference).await
}

/// Back to the case page after a plain form post.
#[cfg(feature = "ssr")]
async fn back_to_case(code: &str) {
    let code = parse_reference(code).map(reference).unwrap_or_default();
    redirect_plain_post(&format!("/admin/richieste/{code}")).await;
}

/// The composer's post (a multipart form: a reply may carry files, #19).
#[server(endpoint = "staff/case-action", input = MultipartFormData)]
pub async fn case_action(data: MultipartData) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    let posted = read_post(data, &ctx.settings.attachments).await?;
    let form: CaseActionForm = posted.form()?;
    let result = pool::case_action(&ctx, &staff, &form, posted.uploads)
        .await
        .map_err(|e| e.renamed("message", form.action.message_field()));
    // Refused without JavaScript, the composer comes back with what was typed and chosen (#21.5).
    keep_on_error("case", &form, result).await?;
    back_to_case(&form.reference).await;
    Ok(())
}

/// An admin removes an abusive attachment (#19.5): audited, the customer sees that the care pool did.
#[server(endpoint = "staff/attachment-remove")]
pub async fn remove_attachment(reference: String, attachment: String) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    crate::services::attachments::remove(&ctx.store, &admin, &reference, &attachment).await?;
    back_to_case(&reference).await;
    Ok(())
}

#[server(endpoint = "staff/block")]
pub async fn block_customer(#[server(flatten)] form: BlockForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    pool::set_customer_blocked(&ctx.store, &admin, &form.reference, form.block.on()).await?;
    back_to_case(&form.reference).await;
    Ok(())
}

#[server(endpoint = "staff/list")]
pub async fn staff_list() -> Result<StaffRoster, AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    pool::staff_list(&ctx.store, &admin).await
}

#[server(endpoint = "staff/create")]
pub async fn create_staff(#[server(flatten)] form: StaffForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    let result = pool::create_staff(&ctx, &admin, &form).await;
    keep_on_error("staff", &form, result).await?;
    redirect_plain_post("/admin/staff?creato=1").await;
    Ok(())
}

#[server(endpoint = "staff/role")]
pub async fn set_staff_role(#[server(flatten)] form: RoleForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    pool::set_role(&ctx.store, &admin, &form).await?;
    redirect_plain_post("/admin/staff").await;
    Ok(())
}

#[server(endpoint = "staff/active")]
pub async fn set_staff_active(#[server(flatten)] form: ActiveForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    pool::set_active(&ctx, &admin, &form).await?;
    redirect_plain_post("/admin/staff").await;
    Ok(())
}

#[server(endpoint = "staff/editor")]
pub async fn set_staff_editor(#[server(flatten)] form: EditorForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    pool::set_editor(&ctx.store, &admin, &form).await?;
    redirect_plain_post("/admin/staff").await;
    Ok(())
}

#[server(endpoint = "staff/audit")]
pub async fn audit_log(#[server(flatten)] filter: AuditFilter) -> Result<AuditPage, AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    pool::audit(&ctx.store, &admin, &filter).await
}

#[server(endpoint = "staff/dashboard")]
pub async fn dashboard() -> Result<DashboardView, AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    pool::dashboard(&ctx.store, &admin).await
}
