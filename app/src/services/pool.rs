//! The care pool's work: the fair queue and "take next", my cases, search, the case page and its
//! actions, moderation, staff accounts, the audit log and the dashboard. Every function takes the
//! [`Staff`] or [`Admin`] value that only the session checks can make.

use leptos_i18n::td_string;

use crate::auth::session::{Admin, Staff};
use crate::auth::token::new_token;
use crate::clock::{DAY_MS, HOUR_MS, now_ms};
use crate::context::Portal;
use crate::domain::account::{DisplayName, Email, FieldError, LineNumber};
use crate::domain::request::*;
use crate::error::AppError;
use crate::forms::{ActiveForm, AuditFilter, CaseActionForm, EditorForm, RoleForm, SearchForm, StaffAction, StaffForm};
use crate::mail::{Mail, fill};
use crate::ports::*;
use crate::services::requests::{By, Move, RequestNews, apply, request_email};
use crate::services::{attachments, invalid, locale_of};
use crate::views::{
    AuditPage, CaseView, DashboardView, Percentiles, QueueView, SearchPage, StaffRoster, StaffTimelineEntry,
};

pub const QUEUE_PAGE: i64 = 50;
pub const SEARCH_PAGE: i64 = 30;
pub const AUDIT_PAGE: i64 = 50;

/// The oldest waiting request goes to `staff`; `None` when nobody is waiting.
#[tracing::instrument(skip_all, fields(agent = staff.user().id))]
pub async fn take_next(portal: &Portal, staff: &Staff) -> Result<Option<String>, AppError> {
    let Portal { store, settings, brand } = portal.clone();
    let email: EmailForTaken = Box::new(move |r, customer| {
        customer.email_notifications.then(|| request_email(&settings, &brand, customer, r.id, RequestNews::Taken, 0))
    });
    let taken = store.take_next(staff.user().id, email, now_ms()).await?;
    Ok(taken.map(|r| reference(r.id)))
}

pub async fn queue(store: &SharedStore, _staff: &Staff, after: Option<&str>) -> Result<QueueView, AppError> {
    let after = match after.filter(|s| !s.is_empty()) {
        Some(raw) => {
            let (at, id) = raw.split_once('-').ok_or(AppError::field("after", "malformed"))?;
            Some((
                at.parse().map_err(|_| AppError::field("after", "malformed"))?,
                id.parse().map_err(|_| AppError::field("after", "malformed"))?,
            ))
        }
        None => None,
    };
    let mut rows = store.queue(after, QUEUE_PAGE + 1).await?;
    let more = rows.len() as i64 > QUEUE_PAGE;
    rows.truncate(QUEUE_PAGE as usize);
    let next = if more { rows.last().map(|r| format!("{}-{}", r.queue_at, r.id)) } else { None };
    Ok(QueueView {
        counts: store.state_counts().await?,
        items: rows,
        incidents: store.open_incidents().await?,
        next,
        now: now_ms(),
    })
}

/// How many requests wait in the queue, capped (the staff header's count).
pub async fn waiting(store: &SharedStore, _staff: &Staff) -> Result<i64, AppError> {
    let counts = store.state_counts().await?;
    Ok(counts.iter().find(|(s, _)| *s == Status::Received).map(|(_, n)| *n).unwrap_or(0))
}

pub async fn my_cases(store: &SharedStore, staff: &Staff) -> Result<Vec<CaseLine>, AppError> {
    Ok(store.cases_held_by(staff.user().id).await?)
}

/// Search by reference code, customer email, line number and state (any combination).
pub async fn search(store: &SharedStore, _staff: &Staff, form: &SearchForm) -> Result<SearchPage, AppError> {
    let q = valid_search(form)?;
    let before = form
        .before
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|b| b.parse::<i64>().map_err(|_| AppError::field("before", "malformed")))
        .transpose()?;
    let mut rows = store.search_cases(&q, before, SEARCH_PAGE + 1).await?;
    let more = rows.len() as i64 > SEARCH_PAGE;
    rows.truncate(SEARCH_PAGE as usize);
    let next = if more { rows.last().map(|r| r.id.to_string()) } else { None };
    Ok(SearchPage { items: rows, next })
}

/// What staff search by; each part optional, every given part checked.
fn valid_search(form: &SearchForm) -> Result<CaseSearch, AppError> {
    let code = form.reference.trim();
    let id = match code {
        "" => Ok(None),
        code => {
            parse_reference(&code.to_uppercase()).map(Some).ok_or(FieldError::new("reference", "reference_invalid"))
        }
    };
    let email = match form.email.trim() {
        "" => Ok(None),
        email => Email::parse(email).map(|e| Some(String::from(e))),
    };
    let line = LineNumber::parse_optional(&form.line_number).map(|l| l.map(String::from));
    let status = match form.status.as_str() {
        "" => Ok(None),
        code => choice("status", code, Status::from_code).map(Some),
    };
    let text = match form.text.trim() {
        "" => Ok(None),
        t if t.chars().count() < 2 => Err(FieldError::new("text", "subject_too_short")),
        t if t.chars().count() > 100 => Err(FieldError::new("text", "too_long")),
        t => Ok(Some(t.to_lowercase())),
    };
    match (id, email, line, status, text) {
        (Ok(id), Ok(customer_email), Ok(line_number), Ok(status), Ok(text)) => {
            Ok(CaseSearch { id, customer_email, line_number, status, text })
        }
        (id, email, line, status, text) => Err(invalid([id.err(), email.err(), line.err(), status.err(), text.err()])),
    }
}

/// The case with the customer's private data; every opening is written to the audit log.
pub async fn case_view(store: &SharedStore, staff: &Staff, code: &str) -> Result<CaseView, AppError> {
    let id = parse_reference(code).ok_or(AppError::NotFound)?;
    let r = store.request_by_id(id).await?.ok_or(AppError::NotFound)?;
    let customer = store.user_by_id(r.customer_id).await?.ok_or(AppError::Internal)?;
    let events = store.request_events(r.id, true).await?;
    let files = store.request_attachments(r.id).await?;
    let team = store.list_staff().await?;
    let name_of =
        |id: Option<UserId>| id.and_then(|id| team.iter().find(|s| s.id == id).map(|s| s.display_name.clone()));
    store
        .write_audit(
            NewAudit {
                actor_id: Some(staff.user().id),
                action: AuditAction::Account(AccountAction::CaseOpened),
                request_id: Some(r.id),
                subject_user_id: Some(r.customer_id),
                detail: None,
            },
            now_ms(),
        )
        .await?;
    let holder = r.holder_id == Some(staff.user().id);
    let actor = Actor::Staff { role: staff.role(), holder };
    let now = now_ms();
    let allowed = |a| transition(r.status, a, actor, r.resolved_at, now).is_ok();
    // #17: the incident holding it, or those it may join (open, not linked, not someone else's case).
    let open_incidents = store.open_incidents().await?;
    let held_by_incident = r.incident_id.is_some() && r.status == Status::InCharge && r.holder_id.is_none();
    let incident = match r.incident_id {
        Some(id) => store.incident_summary(id).await?.map(|i| (i.id, i.title)),
        None => None,
    };
    let may_link = r.incident_id.is_none()
        && r.status.is_open()
        && (r.holder_id.is_none() || holder || staff.role() == Role::Admin);
    let link_to = if may_link { open_incidents.into_iter().map(|i| (i.id, i.title)).collect() } else { Vec::new() };
    Ok(CaseView {
        reference: reference(r.id),
        version: r.version,
        status: r.status,
        outcome: r.outcome,
        category: r.category,
        subject: r.subject.clone(),
        description: r.description.clone(),
        line_number: r.line_number.clone(),
        contact: r.contact,
        reported_on: r.reported_on,
        public_handle: r.public_handle.clone(),
        customer_name: customer.display_name.clone(),
        customer_email: if customer.erased { String::new() } else { customer.email.clone() },
        customer_erased: customer.erased,
        customer_blocked: customer.blocked,
        holder_name: name_of(r.holder_id),
        is_holder: holder,
        is_admin: staff.role() == Role::Admin,
        queue_at: r.queue_at,
        rating: r.rating.and_then(|n| u8::try_from(n).ok()),
        rating_comment: r.rating_comment.clone(),
        can_reply: allowed(Action::Reply),
        can_outcome: allowed(Action::SetOutcome(Outcome::Solved)),
        can_release: allowed(Action::Release),
        can_reassign: allowed(Action::Reassign),
        agents: if staff.role() == Role::Admin {
            team.iter().filter(|s| s.active).map(|s| (s.id, s.display_name.clone())).collect()
        } else {
            Vec::new()
        },
        incident,
        link_to,
        can_unlink: held_by_incident,
        history: store
            .customer_requests(r.customer_id, None, 11)
            .await?
            .into_iter()
            .filter(|h| h.id != r.id)
            .take(10)
            .collect(),
        timeline: events
            .into_iter()
            .map(|e| StaffTimelineEntry {
                files: crate::services::requests::files_of(&files, e.id),
                at: e.at,
                kind: e.kind,
                actor_role: e.actor_role,
                actor_name: name_of(e.actor_id),
                body: e.body,
                internal: e.internal,
                to_status: e.to_status,
                outcome: e.outcome,
            })
            .collect(),
    })
}

/// A staff action on a case, decided on the version the staff member saw.
pub async fn case_action(
    portal: &Portal,
    staff: &Staff,
    form: &CaseActionForm,
    uploads: attachments::Uploads,
) -> Result<(), AppError> {
    let id = parse_reference(&form.reference).ok_or(AppError::NotFound)?;
    let version: i64 = form.version.trim().parse().map_err(|_| AppError::field("version", "malformed"))?;
    // Files go with what the customer reads (a reply, a question, the outcome): an internal note's files
    // could not be kept from them as simply.
    let carries_files = matches!(form.action, StaffAction::Reply | StaffAction::Ask | StaffAction::Outcome);
    if !uploads.is_empty() && !carries_files {
        return Err(AppError::field(attachments::FIELD, "files_not_here"));
    }
    let files = attachments::prepare(&portal.settings.attachments, uploads).await;
    let (mut mv, files) = attachments::together(valid_move(&portal.store, form).await, files)?;
    attachments::check_quota(&portal.store, &portal.settings.attachments, None, &files).await?;
    mv.files = files;
    let request = portal.store.request_by_id(id).await?.ok_or(AppError::NotFound)?;
    let actor = Actor::Staff { role: staff.role(), holder: request.holder_id == Some(staff.user().id) };
    apply(portal, &request, By { actor, user: Some(staff.user()) }, mv, Some(version)).await?;
    Ok(())
}

/// The move a staff action asks for: its outcome, its message, its new holder, each checked.
async fn valid_move(store: &SharedStore, form: &CaseActionForm) -> Result<Move, AppError> {
    let outcome = match form.action {
        StaffAction::Outcome => choice("outcome", &form.outcome, Outcome::from_code).map(Some),
        _ => Ok(None),
    };
    let needs_message = matches!(
        form.action,
        StaffAction::Reply | StaffAction::Ask | StaffAction::Note | StaffAction::Outcome | StaffAction::Warn
    );
    let message = if needs_message || !form.message.trim().is_empty() {
        MessageText::parse(&form.message).map(|m| Some(String::from(m)))
    } else {
        Ok(None)
    };
    let new_holder = if form.action == StaffAction::Reassign {
        let wanted: Option<i64> = form.assignee.trim().parse().ok();
        let team = store.list_staff().await?;
        match wanted.and_then(|id| team.iter().find(|s| s.id == id && s.active)) {
            Some(s) => Ok(Some(s.id)),
            None => Err(FieldError::new("assignee", "choice_invalid")),
        }
    } else {
        Ok(None)
    };
    let (outcome, message, new_holder) = match (outcome, message, new_holder) {
        (Ok(outcome), Ok(message), Ok(new_holder)) => (outcome, message, new_holder),
        (outcome, message, holder) => return Err(invalid([outcome.err(), message.err(), holder.err()])),
    };
    let action = match (form.action, outcome) {
        (StaffAction::Reply, _) => Action::Reply,
        (StaffAction::Ask, _) => Action::AskInfo,
        (StaffAction::Note, _) => Action::Note,
        (StaffAction::Release, _) => Action::Release,
        (StaffAction::Reassign, _) => Action::Reassign,
        (StaffAction::Warn, _) => Action::Warn,
        (StaffAction::Outcome, Some(o)) => Action::SetOutcome(o),
        (StaffAction::Outcome, None) => return Err(AppError::field("outcome", "choice_invalid")),
    };
    Ok(Move { action, message, new_holder, files: Vec::new() })
}

/// Blocks or unblocks the customer of a case (admins only): blocked, they cannot log in or submit; their
/// requests stay and are still handled.
pub async fn set_customer_blocked(
    store: &SharedStore,
    admin: &Admin,
    code: &str,
    blocked: bool,
) -> Result<(), AppError> {
    let id = parse_reference(code).ok_or(AppError::NotFound)?;
    let r = store.request_by_id(id).await?.ok_or(AppError::NotFound)?;
    store.set_blocked(r.customer_id, blocked, admin.user().id, now_ms()).await?;
    Ok(())
}

pub async fn staff_list(store: &SharedStore, admin: &Admin) -> Result<StaffRoster, AppError> {
    Ok(StaffRoster { members: store.list_staff().await?, me: admin.user().id })
}

/// Creates an agent or admin; the new account gets a set-password link by email (valid 72 hours).
pub async fn create_staff(portal: &Portal, admin: &Admin, form: &StaffForm) -> Result<(), AppError> {
    let Portal { store, settings, brand } = portal;
    let (email, name, role) =
        match (Email::parse(&form.email), DisplayName::parse(&form.display_name), staff_role(&form.role)) {
            (Ok(email), Ok(name), Ok(role)) => (email, name, role),
            (email, name, role) => return Err(invalid([email.err(), name.err(), role.err()])),
        };
    let (token, token_hash) = new_token();
    let now = now_ms();
    let locale = locale_of("it");
    let invite = Mail::new(
        email.as_ref(),
        locale,
        "staff_invite",
        &fill(td_string!(locale, email.invite_subject), &[("brand", brand.name.as_str())]),
    )
    .text(fill(td_string!(locale, email.greeting), &[("name", name.as_ref())]))
    .text(fill(td_string!(locale, email.invite_intro), &[("brand", brand.name.as_str())]))
    .link(td_string!(locale, email.invite_action), format!("{}/reimposta-password?token={token}", settings.public_url))
    .text(td_string!(locale, email.invite_expiry))
    .finish(brand);
    let token = NewToken { hash: token_hash, purpose: TokenPurpose::SetPassword, expires_at: now + 72 * HOUR_MS };
    match store.create_staff(NewStaff { email, display_name: name, role, token, invite }, admin.user().id, now).await {
        Ok(_) => Ok(()),
        Err(StoreError::Conflict) => Err(AppError::field("email", "email_taken")),
        Err(e) => Err(e.into()),
    }
}

/// A role staff can have: a staff member is never turned into a customer (#14: they would drop out of
/// the staff pages and could no longer be managed; deactivate them instead).
fn staff_role(role: &str) -> Result<Role, FieldError> {
    choice("role", role, Role::from_code)
        .and_then(|r| if r.is_staff() { Ok(r) } else { Err(FieldError::new("role", "choice_invalid")) })
}

/// Another staff member's account, named by its id as the staff page posts it (never one's own: an admin
/// cannot lock the pool out by mistake). Customers' accounts are not staff pages' business.
async fn other_staff_member(store: &SharedStore, admin: &Admin, user: &str) -> Result<UserId, AppError> {
    let user: UserId = user.trim().parse().map_err(|_| AppError::NotFound)?;
    if user == admin.user().id {
        return Err(AppError::Forbidden);
    }
    match store.user_by_id(user).await? {
        Some(target) if target.role.is_staff() => Ok(user),
        _ => Err(AppError::NotFound),
    }
}

/// Changes a staff member's role (never one's own: an admin cannot lock the pool out by mistake).
pub async fn set_role(store: &SharedStore, admin: &Admin, form: &RoleForm) -> Result<(), AppError> {
    let role = staff_role(&form.role)?;
    let user = other_staff_member(store, admin, &form.user).await?;
    store.set_role(user, role, Some(admin.user().id), now_ms()).await?;
    Ok(())
}

/// Deactivates (sessions end at once) or reactivates a staff account; never one's own. A deactivated
/// agent's open cases go back to the queue, each at its original place (a release keeps its arrival time),
/// released by the admin: no customer is left waiting on someone who can no longer log in (#21.2).
pub async fn set_active(portal: &Portal, admin: &Admin, form: &ActiveForm) -> Result<(), AppError> {
    let store = &portal.store;
    let user = other_staff_member(store, admin, &form.user).await?;
    let active = form.active.on();
    store.set_active(user, active, admin.user().id, now_ms()).await?;
    if !active {
        for case in store.cases_held_by(user).await? {
            let Some(request) = store.request_by_id(case.id).await? else { continue };
            let by = By { actor: Actor::Staff { role: Role::Admin, holder: false }, user: Some(admin.user()) };
            let mv = Move { action: Action::Release, message: None, new_holder: None, files: Vec::new() };
            match apply(portal, &request, by, mv, None).await {
                // Changed meanwhile (its customer answered, another admin moved it): left as it is now.
                Ok(_) | Err(AppError::Conflict) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// Gives or takes a staff member's permission to write the page's posts (admins write them anyway).
pub async fn set_editor(store: &SharedStore, admin: &Admin, form: &EditorForm) -> Result<(), AppError> {
    let user = other_staff_member(store, admin, &form.user).await?;
    store.set_editor(user, form.editor.on(), admin.user().id, now_ms()).await?;
    Ok(())
}

pub async fn audit(store: &SharedStore, _admin: &Admin, filter: &AuditFilter) -> Result<AuditPage, AppError> {
    let (code, actor, before) = (filter.reference.as_str(), filter.actor.as_str(), filter.before.as_deref());
    let request = if code.trim().is_empty() {
        None
    } else {
        Some(parse_reference(&code.trim().to_uppercase()).ok_or(AppError::field("reference", "reference_invalid"))?)
    };
    let actor = if actor.trim().is_empty() {
        None
    } else {
        Some(actor.trim().parse::<i64>().map_err(|_| AppError::field("actor", "choice_invalid"))?)
    };
    let before = before
        .filter(|s| !s.is_empty())
        .map(|b| b.parse::<i64>().map_err(|_| AppError::field("before", "malformed")))
        .transpose()?;
    let without_openings = !filter.hide_openings.trim().is_empty();
    let mut rows = store.audit_log(request, actor, before, without_openings, AUDIT_PAGE + 1).await?;
    let more = rows.len() as i64 > AUDIT_PAGE;
    rows.truncate(AUDIT_PAGE as usize);
    let next = if more { rows.last().map(|r| r.id.to_string()) } else { None };
    let staff = store.list_staff().await?.into_iter().map(|s| (s.id, s.display_name)).collect();
    Ok(AuditPage { items: rows, next, staff })
}

/// Nearest-rank percentile of durations (ms).
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank - 1).copied()
}

fn percentiles(times: &[(i64, i64)], since: i64) -> Percentiles {
    let mut v: Vec<i64> = times.iter().filter(|(at, _)| *at >= since).map(|(_, d)| (*d).max(0)).collect();
    v.sort_unstable();
    Percentiles { p50: percentile(&v, 50.0), p95: percentile(&v, 95.0), count: v.len() as i64 }
}

pub async fn dashboard(store: &SharedStore, _admin: &Admin) -> Result<DashboardView, AppError> {
    let now = now_ms();
    let since30 = now - 30 * DAY_MS;
    let since7 = now - 7 * DAY_MS;
    let d = store.dashboard(since30, now).await?;
    let today = now.div_euclid(DAY_MS);
    let per_day = (today - 29..=today)
        .map(|day| (day * DAY_MS, d.per_day.iter().find(|(x, _)| *x == day).map(|(_, n)| *n).unwrap_or(0)))
        .collect();
    Ok(DashboardView {
        counts: d.counts,
        per_day,
        take_7: percentiles(&d.take_times, since7),
        take_30: percentiles(&d.take_times, since30),
        outcome_7: percentiles(&d.outcome_times, since7),
        outcome_30: percentiles(&d.outcome_times, since30),
        oldest_waiting: d.oldest_waiting,
        rating_average: (d.rating_count > 0).then(|| d.rating_sum as f64 / d.rating_count as f64),
        rating_count: d.rating_count,
        open_per_agent: d.open_per_agent,
        incidents: d.incidents,
        now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let v: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 95.0), Some(95));
        assert_eq!(percentile(&[7], 95.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
        let p = percentiles(&[(10, 5), (20, 1), (5, 100)], 10);
        assert_eq!((p.p50, p.p95, p.count), (Some(1), Some(5), 2));
    }
}
