//! Assistance requests: submitting, the customer's list and page, the conversation, outcomes, ratings.
//! Every move goes through [`transition`](crate::domain::request::transition); the store only applies
//! what was decided, and only if nobody changed the request meanwhile.

use leptos_i18n::td_string;

use crate::brand::Brand;
use crate::clock::now_ms;
use crate::context::{Portal, Settings};
use crate::domain::account::LineNumber;
use crate::domain::request::*;
use crate::error::AppError;
use crate::forms::{RatingForm, RequestForm};
use crate::mail::{Mail, fill};
use crate::ports::*;
use crate::services::{attachments, invalid, locale_of};
use crate::views::{RequestPage, RequestView, TimelineEntry};

/// How many requests one page of "My requests" shows.
pub const PAGE_SIZE: i64 = 20;

/// What an email about a request tells its customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RequestNews {
    Received,
    Taken,
    Message,
    Ask,
    Outcome,
    Warning,
}

impl RequestNews {
    /// The outbox's `kind` of the email.
    fn code(self) -> &'static str {
        match self {
            Self::Received => "request_received",
            Self::Taken => "request_taken",
            Self::Message => "request_message",
            Self::Ask => "request_ask",
            Self::Outcome => "request_outcome",
            Self::Warning => "request_warning",
        }
    }

    /// The news a move brings the customer, if any.
    fn of(action: Action) -> Option<Self> {
        match action {
            Action::Take => Some(Self::Taken),
            Action::Reply => Some(Self::Message),
            Action::AskInfo => Some(Self::Ask),
            Action::SetOutcome(_) => Some(Self::Outcome),
            Action::Warn => Some(Self::Warning),
            _ => None,
        }
    }
}

/// Emails about a request: what happened and a link, never the conversation itself (an inbox is not
/// as private as the portal).
pub(crate) fn request_email(
    settings: &Settings,
    brand: &Brand,
    customer: &UserRecord,
    id: RequestId,
    news: RequestNews,
    files: usize,
) -> NewEmail {
    let locale = locale_of(&customer.locale);
    let code = reference(id);
    let values = [("reference", code.as_str()), ("brand", brand.name.as_str())];
    let (subject, intro) = match news {
        RequestNews::Received => {
            (td_string!(locale, email.request_received_subject), td_string!(locale, email.request_received_intro))
        }
        RequestNews::Taken => {
            (td_string!(locale, email.request_taken_subject), td_string!(locale, email.request_taken_intro))
        }
        RequestNews::Ask => {
            (td_string!(locale, email.request_ask_subject), td_string!(locale, email.request_ask_intro))
        }
        RequestNews::Outcome => {
            (td_string!(locale, email.request_outcome_subject), td_string!(locale, email.request_outcome_intro))
        }
        RequestNews::Warning => {
            (td_string!(locale, email.request_warning_subject), td_string!(locale, email.request_warning_intro))
        }
        RequestNews::Message => {
            (td_string!(locale, email.request_message_subject), td_string!(locale, email.request_message_intro))
        }
    };
    let mail = Mail::new(&customer.email, locale, news.code(), &fill(subject, &values))
        .text(fill(td_string!(locale, email.greeting), &[("name", customer.display_name.as_str())]))
        .text(fill(intro, &values));
    // Files are never sent by email (#19): the email says they are there.
    let mail = if files > 0 {
        mail.text(fill(td_string!(locale, email.files_added), &[("n", files.to_string().as_str())]))
    } else {
        mail
    };
    mail.link(td_string!(locale, email.request_open), format!("{}/assistenza/richieste/{code}", settings.public_url))
        .text(td_string!(locale, email.request_footer))
        .finish(brand)
}

/// Every rule of the request form, all at once.
fn valid_request(customer: UserId, form: &RequestForm) -> Result<NewRequest, AppError> {
    let category = choice("category", &form.category, Category::from_code);
    let subject = Subject::parse(&form.subject);
    let description = Description::parse(&form.description);
    let line_number = LineNumber::parse(&form.line_number);
    let contact = choice("contact", &form.contact, Contact::from_code);
    let reported_on = choice("reported_on", &form.reported_on, ReportedOn::from_code);
    let public_handle = PublicHandle::parse_optional(&form.public_handle);
    // Consent is the account's, given once and on record (#18; asked again only when the notice changes,
    // #21.8): no box to tick on every request.
    match (category, subject, description, line_number, contact, reported_on, public_handle) {
        (
            Ok(category),
            Ok(subject),
            Ok(description),
            Ok(line_number),
            Ok(contact),
            Ok(reported_on),
            Ok(public_handle),
        ) => Ok(NewRequest {
            customer,
            category,
            subject,
            description,
            line_number,
            contact,
            reported_on,
            public_handle,
            attachments: Vec::new(),
        }),
        (category, subject, description, line_number, contact, reported_on, public_handle) => Err(invalid([
            category.err(),
            subject.err(),
            description.err(),
            line_number.err(),
            contact.err(),
            reported_on.err(),
            public_handle.err(),
        ])),
    }
}

/// Checks the form and stores the request with its first event (and email, if the customer wants them).
#[tracing::instrument(skip_all, fields(customer = customer.id))]
pub async fn submit(
    portal: &Portal,
    customer: &UserRecord,
    form: &RequestForm,
    uploads: attachments::Uploads,
) -> Result<RequestId, AppError> {
    // The form's mistakes and the files' are told together.
    let files = attachments::prepare(&portal.settings.attachments, uploads).await;
    let (mut request, files) = attachments::together(valid_request(customer.id, form), files)?;
    attachments::check_quota(&portal.store, &portal.settings.attachments, Some(customer.id), &files).await?;
    request.attachments = files;
    let count = request.attachments.len();
    let email: Option<EmailForRequest> = customer.email_notifications.then(|| {
        let Portal { settings, brand, .. } = portal.clone();
        let customer = customer.clone();
        Box::new(move |id| request_email(&settings, &brand, &customer, id, RequestNews::Received, count))
            as EmailForRequest
    });
    let id = portal.store.submit_request(request, email, now_ms()).await?;
    // A request that continues a comment taken to private answers it (its outcome shows under the comment).
    if let Ok(comment) = form.from_comment.trim().parse::<CommentId>() {
        portal.store.link_handoff(comment, customer.id, id).await?;
    }
    Ok(id)
}

/// Cursor of "My requests" in a URL: `<last activity>-<id>` of the page's last line.
pub fn encode_cursor(c: ListCursor) -> String {
    format!("{}-{}", c.last_activity_at, c.id)
}

pub fn decode_cursor(raw: &str) -> Option<ListCursor> {
    let (at, id) = raw.split_once('-')?;
    Some(ListCursor { last_activity_at: at.parse().ok()?, id: id.parse().ok()? })
}

/// One page of the customer's requests, newest activity first.
pub async fn my_requests(store: &SharedStore, customer: UserId, after: Option<&str>) -> Result<RequestPage, AppError> {
    let cursor = after
        .filter(|s| !s.is_empty())
        .map(|s| decode_cursor(s).ok_or(AppError::field("after", "malformed")))
        .transpose()?;
    let mut rows = store.customer_requests(customer, cursor, PAGE_SIZE + 1).await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let next = if more {
        rows.last().map(|r| encode_cursor(ListCursor { last_activity_at: r.last_activity_at, id: r.id }))
    } else {
        None
    };
    let items = rows;
    Ok(RequestPage { items, next, first_page: cursor.is_none() })
}

/// The customer's own request by its reference; any other answers exactly like one that does not exist.
async fn own_request(store: &SharedStore, customer: UserId, code: &str) -> Result<RequestRecord, AppError> {
    let id = parse_reference(code).ok_or(AppError::NotFound)?;
    match store.request_by_id(id).await? {
        Some(r) if r.customer_id == customer => Ok(r),
        _ => Err(AppError::NotFound),
    }
}

/// The request page as its customer sees it (no internal notes); marks the timeline as seen.
pub async fn customer_view(store: &SharedStore, customer: UserId, code: &str) -> Result<RequestView, AppError> {
    let r = own_request(store, customer, code).await?;
    let events = store.request_events(r.id, false).await?;
    // Only a view that shows something new writes (reading is most of what customers do).
    if let Some(newest) = events.iter().map(|e| e.id).max().filter(|&id| id > r.customer_seen_event) {
        store.mark_seen(r.id, customer, newest).await?;
    }
    let mut view = view_of(&r, &events, now_ms());
    let files = store.request_attachments(r.id).await?;
    for entry in view.timeline.iter_mut() {
        entry.files = files_of(&files, entry.id);
    }
    // The team's messages are signed with the writer's first name (the page's name comes with it).
    let mut names: Vec<(UserId, Option<String>)> = Vec::new();
    for entry in view.timeline.iter_mut().filter(|e| !e.by_customer) {
        let Some(author) = events.iter().find(|e| e.id == entry.id).and_then(|e| e.actor_id) else { continue };
        let name = match names.iter().find(|(id, _)| *id == author) {
            Some((_, name)) => name.clone(),
            None => {
                let user = store.user_by_id(author).await?;
                let first = user.and_then(|u| u.display_name.split_whitespace().next().map(str::to_string));
                names.push((author, first.clone()));
                first
            }
        };
        entry.signature = name;
    }
    view.thanked = r.rating.is_some_and(|n| n >= 4) && store.thanked(r.id).await?;
    Ok(view)
}

/// The files that came with one event, as a timeline shows them.
pub(crate) fn files_of(files: &[AttachmentRecord], event: i64) -> Vec<crate::views::FileView> {
    files
        .iter()
        .filter(|f| f.event_id == event)
        .map(|f| crate::views::FileView {
            id: f.id,
            name: f.name.clone(),
            image: f.kind == crate::domain::attachment::AttachmentKind::Image,
            size: f.size,
            width: f.width,
            height: f.height,
            removed: f.removed_at.is_some(),
        })
        .collect()
}

fn view_of(r: &RequestRecord, events: &[EventRecord], now: i64) -> RequestView {
    let owner = Actor::Customer { owner: true };
    let allowed = |a| transition(r.status, a, owner, r.resolved_at, now).is_ok();
    let timeline = events
        .iter()
        .filter(|e| !e.internal)
        .map(|e| TimelineEntry {
            id: e.id,
            at: e.at,
            kind: e.kind,
            by_customer: e.actor_role == ActorRole::Customer,
            signature: None,
            to_status: e.to_status,
            outcome: e.outcome,
            body: e.body.clone(),
            files: Vec::new(),
        })
        .collect();
    RequestView {
        reference: reference(r.id),
        category: r.category,
        subject: r.subject.clone(),
        description: r.description.clone(),
        line_number: r.line_number.clone(),
        contact: r.contact,
        reported_on: r.reported_on,
        public_handle: r.public_handle.clone(),
        status: r.status,
        outcome: r.outcome,
        created_at: r.created_at,
        can_reply: allowed(Action::CustomerReply),
        can_confirm: allowed(Action::Confirm),
        can_reopen: allowed(Action::Reopen),
        reopen_until: r.resolved_at.map(|at| at + REOPEN_WINDOW_MS).filter(|_| r.status == Status::Resolved),
        can_rate: can_rate(r.status, r.rating.is_some()),
        thanked: false,
        rating: r.rating.and_then(|n| u8::try_from(n).ok()),
        rating_comment: r.rating_comment.clone(),
        incident: r.incident_id,
        timeline,
    }
}

/// What someone does to a request, with the message that goes with it.
pub struct Move {
    pub action: Action,
    pub message: Option<String>,
    /// For `Reassign`: the agent who will hold it.
    pub new_holder: Option<UserId>,
    /// Files the message carries (#19), already made storable.
    pub files: Vec<NewAttachment>,
}

/// Who makes a move: their part in it, and their account (none for the portal itself).
#[derive(Clone, Copy)]
pub struct By<'a> {
    pub actor: Actor,
    pub user: Option<&'a UserRecord>,
}

/// Applies a move to the request as it is now: the domain decides, the store applies it only if the
/// request did not change since it was read (`expected_version`, when the caller saw one).
pub async fn apply(
    portal: &Portal,
    request: &RequestRecord,
    by: By<'_>,
    mv: Move,
    expected_version: Option<i64>,
) -> Result<i64, AppError> {
    apply_at(portal, request, by, mv, expected_version, now_ms()).await
}

/// [`apply`] at a given time (the timer that closes old outcomes decides with its own clock).
pub async fn apply_at(
    portal: &Portal,
    request: &RequestRecord,
    by: By<'_>,
    mv: Move,
    expected_version: Option<i64>,
    now: i64,
) -> Result<i64, AppError> {
    let Portal { store, settings, brand } = portal;
    let By { actor, user: actor_user } = by;
    if expected_version.is_some_and(|v| v != request.version) {
        return Err(AppError::Conflict);
    }
    let to =
        transition(request.status, mv.action, actor, request.resolved_at, now).map_err(|refused| match refused {
            Refused::NotAllowed => AppError::Forbidden,
            Refused::NotHolder | Refused::WrongState | Refused::TooLate => AppError::Conflict,
        })?;
    let (holder_id, taken_at) = match mv.action {
        Action::Take => (actor_user.map(|u| u.id), request.taken_at.or(Some(now))),
        Action::Reassign => (mv.new_holder.or(request.holder_id), request.taken_at),
        Action::Release | Action::Reopen => (None, request.taken_at),
        _ => (request.holder_id, request.taken_at),
    };
    let outcome = match (mv.action, to) {
        (Action::SetOutcome(o), _) => Some(o),
        (_, Status::Resolved | Status::Closed) => request.outcome,
        _ => None,
    };
    let resolved_at = match to {
        Status::Resolved if request.status != Status::Resolved => Some(now),
        Status::Resolved | Status::Closed => request.resolved_at,
        _ => None,
    };
    let closed_at = (to == Status::Closed).then_some(request.closed_at.unwrap_or(now));
    let internal = mv.action.is_internal();
    let email = match RequestNews::of(mv.action) {
        Some(news) => {
            let customer = store.user_by_id(request.customer_id).await?.ok_or(AppError::Internal)?;
            customer
                .email_notifications
                .then(|| request_email(settings, brand, &customer, request.id, news, mv.files.len()))
        }
        None => None,
    };
    let actor_role = match actor {
        Actor::Customer { .. } => ActorRole::Customer,
        Actor::Staff { role, .. } => ActorRole::from(role),
        Actor::System => ActorRole::System,
    };
    let change = TransitionRecord {
        request: request.id,
        expected_version: request.version,
        from: request.status,
        to,
        outcome,
        holder_id,
        taken_at,
        resolved_at,
        closed_at,
        last_activity_at: if internal { request.last_activity_at } else { now },
        event: NewEvent {
            actor_id: actor_user.map(|u| u.id),
            actor_role,
            kind: mv.action.kind(),
            body: mv.message,
            internal,
        },
        email,
        attachments: mv.files,
        now,
    };
    Ok(store.record_transition(change).await?)
}

/// A customer's move on their own request (reply, confirm, reopen). A change made by the pool at the
/// same moment is not the customer's problem: the move is checked again on the new state, once.
pub async fn customer_move(
    portal: &Portal,
    customer: &UserRecord,
    code: &str,
    action: Action,
    message: &str,
    uploads: attachments::Uploads,
) -> Result<(), AppError> {
    let message = match action {
        Action::CustomerReply => MessageText::parse(message).map(|m| Some(m.into())),
        _ if message.trim().is_empty() => Ok(None),
        _ => MessageText::parse(message).map(|m| Some(m.into())),
    };
    if !uploads.is_empty() && !matches!(action, Action::CustomerReply | Action::Reopen) {
        return Err(AppError::field(attachments::FIELD, "files_not_here"));
    }
    let files = attachments::prepare(&portal.settings.attachments, uploads).await;
    let (message, files) = attachments::together(message.map_err(AppError::from), files)?;
    attachments::check_quota(&portal.store, &portal.settings.attachments, Some(customer.id), &files).await?;
    let by = By { actor: Actor::Customer { owner: true }, user: Some(customer) };
    let mut attempts = 0;
    loop {
        let request = own_request(&portal.store, customer.id, code).await?;
        let mv = Move { action, message: message.clone(), new_holder: None, files: files.clone() };
        match apply(portal, &request, by, mv, None).await {
            Err(AppError::Conflict) if attempts == 0 => attempts += 1,
            other => return other.map(|_| ()),
        }
    }
}

/// Rates the help received, once, after the outcome.
pub async fn rate(store: &SharedStore, customer: &UserRecord, form: &RatingForm) -> Result<(), AppError> {
    let (rating, comment) = match (Rating::parse(&form.rating), rating_comment(&form.comment)) {
        (Ok(rating), Ok(comment)) => (rating, comment),
        (rating, comment) => return Err(invalid([rating.err(), comment.err()])),
    };
    let request = own_request(store, customer.id, &form.reference).await?;
    if store.rate_request(request.id, customer.id, rating, comment, now_ms()).await? {
        Ok(())
    } else {
        Err(AppError::Conflict)
    }
}

/// Closes the requests whose outcome nobody confirmed or reopened within the window (the portal acts,
/// as `system`). Returns how many it closed; a request changed meanwhile is left for the next round.
pub async fn auto_close_due(portal: &Portal, now: i64) -> Result<usize, AppError> {
    let due = portal.store.resolved_before(now - REOPEN_WINDOW_MS, 200).await?;
    let mut closed = 0;
    for request in due {
        let mv = Move { action: Action::AutoClose, message: None, new_holder: None, files: Vec::new() };
        let by = By { actor: Actor::System, user: None };
        match apply_at(portal, &request, by, mv, None, now).await {
            Ok(_) => closed += 1,
            Err(AppError::Conflict) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(closed)
}
