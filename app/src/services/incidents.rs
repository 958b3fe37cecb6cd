//! Service incidents (#17): editors and admins open them and post public updates; everyone sees them on
//! the status page, the incident's page, the banner and the wall.

use leptos_i18n::td_string;

use crate::auth::session::{Editor, Staff, may_write_posts};
use crate::brand::Brand;
use crate::clock::now_ms;
use crate::context::{Portal, Settings};
use crate::domain::account::{FieldError, LineNumber};
use crate::domain::incident::{IncidentStatus, IncidentText, IncidentTitle, Places, affected_place, topics};
use crate::domain::request::{ActorRole, Category, Role, Subject, parse_reference, reference};
use crate::error::AppError;
use crate::forms::{AffectedForm, IncidentForm, IncidentLinkForm, IncidentUpdateForm};
use crate::mail::{Mail, fill};
use crate::ports::*;
use crate::services::wall::italian_time_ms;
use crate::services::{invalid, locale_of};
use crate::views::{IncidentPage, KnownProblem, StatusPage};

/// Past incidents a page of the status page shows.
const PAST_PAGE: i64 = 20;

/// May this account open incidents and post their updates? (PRODUCT.md: editors and admins, the same
/// people who write the page's posts.)
fn may_edit(user: Option<&UserRecord>) -> bool {
    user.is_some_and(may_write_posts)
}

pub async fn status_page(
    portal: &Portal,
    viewer: Option<&UserRecord>,
    before: Option<&str>,
) -> Result<StatusPage, AppError> {
    let before = match before.filter(|b| !b.is_empty()) {
        Some(b) => Some(b.parse::<i64>().map_err(|_| AppError::field("request", "malformed"))?),
        None => None,
    };
    let open = if before.is_none() { portal.store.open_incidents().await? } else { Vec::new() };
    let mut past = portal.store.past_incidents(before, PAST_PAGE + 1).await?;
    let next = if past.len() as i64 > PAST_PAGE {
        past.truncate(PAST_PAGE as usize);
        past.last().and_then(|p| p.resolved_at)
    } else {
        None
    };
    Ok(StatusPage { open, past, next, can_open: may_edit(viewer) })
}

pub async fn incident_page(portal: &Portal, viewer: Option<&UserRecord>, id: &str) -> Result<IncidentPage, AppError> {
    let id = id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    let (incident, description, updates) = portal.store.incident(id).await?.ok_or(AppError::NotFound)?;
    let joined = match viewer {
        Some(v) => portal.store.joined_request(id, v.id).await?.map(reference),
        None => None,
    };
    let can_join = viewer.is_some() && incident.status.is_open() && joined.is_none();
    Ok(IncidentPage {
        incident,
        description,
        updates,
        can_update: may_edit(viewer),
        can_join,
        signed_in: viewer.is_some(),
        joined,
    })
}

/// The open incidents the request form offers as known problems, each with the viewer's request on it.
pub async fn known_problems(portal: &Portal, viewer: &UserRecord) -> Result<Vec<KnownProblem>, AppError> {
    let joined = portal.store.joined_requests(viewer.id).await?;
    let known = portal.store.open_incidents().await?.into_iter().map(|incident| {
        let joined = joined.iter().find(|(i, _)| *i == incident.id).map(|(_, r)| reference(*r));
        KnownProblem { incident, joined }
    });
    Ok(known.collect())
}

/// "I'm affected too": the customer's request on the incident, new or the one they already have. Its
/// reference.
#[tracing::instrument(skip_all, fields(customer = customer.id))]
pub async fn affected_too(portal: &Portal, customer: &UserRecord, form: &AffectedForm) -> Result<String, AppError> {
    let id = form.id.trim().parse::<i64>().map_err(|_| AppError::NotFound)?;
    let (place, line) = match (affected_place(&form.place), LineNumber::parse_optional(&form.line_number)) {
        (Ok(place), Ok(line)) => (place, line),
        (place, line) => return Err(invalid([place.err(), line.err()])),
    };
    let incident = portal.store.incident_summary(id).await?.ok_or(AppError::NotFound)?;
    // The topic the customer chose when it is one of the incident's, else the incident's first.
    let category = Category::from_code(&form.category)
        .filter(|c| incident.topics.contains(c))
        .or_else(|| incident.topics.first().copied())
        .unwrap_or(Category::Other);
    let locale = locale_of(&customer.locale);
    let description = match &place {
        Some(place) => fill(td_string!(locale, incident.description_place), &[("place", place)]),
        None => td_string!(locale, incident.description_plain).to_string(),
    };
    let subject = Subject::parse(&incident.title).map(String::from).unwrap_or_else(|_| incident.title.clone());
    let line_number = line.map(String::from).or_else(|| customer.line_number.clone()).unwrap_or_default();
    let report = AffectedReport { customer: customer.id, category, subject, description, line_number };
    let email: Option<EmailForRequest> = customer.email_notifications.then(|| {
        let Portal { settings, brand, .. } = portal.clone();
        let customer = customer.clone();
        let title = incident.title.clone();
        Box::new(move |request| {
            linked_email(&settings, &brand, &customer.email, &customer.display_name, &customer.locale, request, &title)
        }) as EmailForRequest
    });
    let (request, _) = portal.store.affected_too(id, report, email, now_ms()).await?;
    Ok(reference(request))
}

/// "Taken in charge, it is a known problem": the email of a request linked to an incident.
fn linked_email(
    settings: &Settings,
    brand: &Brand,
    to: &str,
    name: &str,
    locale: &str,
    request: RequestId,
    title: &str,
) -> NewEmail {
    let locale = locale_of(locale);
    let code = reference(request);
    let values = [("reference", code.as_str()), ("title", title), ("brand", brand.name.as_str())];
    Mail::new(to, locale, "request_linked", &fill(td_string!(locale, email.incident_linked_subject), &values))
        .text(crate::mail::greeting(locale, name))
        .text(fill(td_string!(locale, email.incident_linked_intro), &values))
        .link(td_string!(locale, email.request_open), format!("{}/assistenza/richieste/{code}", settings.public_url))
        .text(td_string!(locale, email.request_footer))
        .finish(brand)
}

/// The email an incident's update sends each affected customer who wants emails.
pub fn news_email(settings: &Settings, brand: &Brand, news: &IncidentNews, to: &Affected) -> Option<NewEmail> {
    if !to.wants_email || to.email.is_empty() {
        return None;
    }
    let locale = locale_of(&to.locale);
    let code = reference(to.request);
    let values = [("reference", code.as_str()), ("title", news.title.as_str()), ("brand", brand.name.as_str())];
    let (kind, subject, intro) = if news.status.is_open() {
        (
            "incident_update",
            td_string!(locale, email.incident_news_subject),
            td_string!(locale, email.incident_news_intro),
        )
    } else {
        (
            "incident_resolved",
            td_string!(locale, email.incident_resolved_subject),
            td_string!(locale, email.incident_resolved_intro),
        )
    };
    Some(
        Mail::new(&to.email, locale, kind, &fill(subject, &values))
            .text(fill(td_string!(locale, email.greeting), &[("name", to.display_name.as_str())]))
            .text(fill(intro, &values))
            .link(
                td_string!(locale, email.request_open),
                format!("{}/assistenza/richieste/{code}", settings.public_url),
            )
            .text(td_string!(locale, email.request_footer))
            .finish(brand),
    )
}

/// How many linked requests one fan-out batch reaches (one transaction).
pub const FAN_OUT_BATCH: i64 = 500;

/// One batch of the pending fan-outs of incident updates (the server's timer calls it until nothing is
/// left).
pub async fn fan_out_batch(portal: &Portal, now: i64) -> Result<FanOutStep, AppError> {
    let Portal { settings, brand, .. } = portal.clone();
    let email: EmailForNews = Box::new(move |news, to| news_email(&settings, &brand, news, to));
    Ok(portal.store.fan_out_step(FAN_OUT_BATCH, &email, now).await?)
}

/// Staff link a request to an open incident (it leaves the queue or the agent's cases), or take it out
/// (back to its place in the queue) when no incident is given.
#[tracing::instrument(skip_all, fields(staff = staff.user().id))]
pub async fn link(portal: &Portal, staff: &Staff, form: &IncidentLinkForm) -> Result<String, AppError> {
    let request = parse_reference(&form.reference).ok_or(AppError::NotFound)?;
    let role = ActorRole::from(staff.role());
    let now = now_ms();
    if form.incident.trim().is_empty() {
        portal.store.unlink_request(request, staff.user().id, role, now).await?;
        return Ok(reference(request));
    }
    let incident = form.incident.trim().parse::<i64>().map_err(|_| AppError::field("incident", "choice_invalid"))?;
    let r = portal.store.request_by_id(request).await?.ok_or(AppError::NotFound)?;
    let summary =
        portal.store.incident_summary(incident).await?.ok_or(AppError::field("incident", "choice_invalid"))?;
    let customer = portal.store.user_by_id(r.customer_id).await?.ok_or(AppError::Internal)?;
    let email = customer.email_notifications.then(|| {
        linked_email(
            &portal.settings,
            &portal.brand,
            &customer.email,
            &customer.display_name,
            &customer.locale,
            request,
            &summary.title,
        )
    });
    let link = LinkRequest { request, incident, by: staff.user().id, role, may_take_held: staff.role() == Role::Admin };
    portal.store.link_request(link, email, now).await?;
    Ok(reference(request))
}

/// The open incidents the banner shows, less those this visitor closed.
pub async fn banner(portal: &Portal, hidden: &[i64]) -> Result<Vec<IncidentSummary>, AppError> {
    let open = portal.store.open_incidents().await?;
    Ok(open.into_iter().filter(|i| !hidden.contains(&i.id)).collect())
}

fn status(field: &'static str, code: &str) -> Result<IncidentStatus, FieldError> {
    IncidentStatus::from_code(code).ok_or_else(|| FieldError::new(field, "choice_invalid"))
}

#[tracing::instrument(skip_all)]
pub async fn open(portal: &Portal, editor: &Editor, form: &IncidentForm) -> Result<i64, AppError> {
    let now = now_ms();
    let started = match form.started.trim() {
        "" => Ok(now),
        local => match italian_time_ms(local) {
            Some(at) if at <= now => Ok(at),
            Some(_) => Err(FieldError::new("started", "choice_invalid")),
            None => Err(FieldError::new("started", "malformed")),
        },
    };
    let checks = (
        IncidentTitle::parse(&form.title),
        IncidentText::parse("description", &form.description),
        topics(&form.topic_codes()),
        Places::parse(&form.places),
        status("status", if form.status.is_empty() { "investigating" } else { &form.status }),
        started,
    );
    match checks {
        (Ok(title), Ok(description), Ok(topics), Ok(places), Ok(status), Ok(started_at)) => {
            let incident = NewIncident { title, description, topics, places, status, started_at };
            Ok(portal.store.open_incident(incident, editor.user().id, now).await?)
        }
        (title, description, topics, places, status, started) => {
            Err(invalid([title.err(), description.err(), topics.err(), places.err(), status.err(), started.err()]))
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn update(portal: &Portal, editor: &Editor, form: &IncidentUpdateForm) -> Result<i64, AppError> {
    let id = form.id.parse::<i64>().map_err(|_| AppError::NotFound)?;
    match (status("status", &form.status), IncidentText::parse("body", &form.body)) {
        (Ok(status), Ok(body)) => {
            portal.store.update_incident(id, status, &body, editor.user().id, now_ms()).await?;
            Ok(id)
        }
        (status, body) => Err(invalid([status.err(), body.err()])),
    }
}
