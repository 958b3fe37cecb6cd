//! Service incidents (#17): editors and admins open them and post public updates; everyone sees them on
//! the status page, the incident's page, the banner and the wall.

use crate::auth::session::{Editor, may_write_posts};
use crate::clock::now_ms;
use crate::context::Portal;
use crate::domain::account::FieldError;
use crate::domain::incident::{IncidentStatus, IncidentText, IncidentTitle, Places, topics};
use crate::error::AppError;
use crate::forms::{IncidentForm, IncidentUpdateForm};
use crate::ports::*;
use crate::services::invalid;
use crate::services::wall::italian_time_ms;
use crate::views::{IncidentPage, StatusPage};

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
    Ok(IncidentPage { incident, description, updates, can_update: may_edit(viewer) })
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
