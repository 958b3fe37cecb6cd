//! One request, as its customer sees it: the fields as submitted, the status bar (Received → Taken in
//! charge → Outcome), the timeline of status messages and of the conversation, and what the customer can
//! do now: reply, confirm or reopen after the outcome, rate the help. Live while hydrated.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::requests::{
    ConfirmRequest, RateRequest, ReopenRequest, ReplyRequest, RequestView, TimelineEntry, get_request,
};
use crate::brand::Brand;
use crate::components::form::{FormAlert, Submit, TextArea, failure, field_error};
use crate::components::live::Live;
use crate::components::time::{Time, format_date};
use crate::components::upload::{FileList, FilePicker, Upload, UploadForm};
use crate::components::{fill, localized};
use crate::domain::attachment::AttachmentLimits;
use crate::domain::request::{EventKind, Status};
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::requests::new::LoginNeeded;
use crate::pages::requests::{StatusBadge, category_label, contact_label, outcome_label, reported_label};
use crate::tr;
use leptos::server_fn::ServerFn;

/// The actions of the page, shared by its parts: their answers refresh the request.
#[derive(Clone, Copy)]
struct Actions {
    reply: Upload<()>,
    /// What may be attached to a reply (#19).
    limits: Resource<Result<AttachmentLimits, AppError>>,
    confirm: ServerAction<ConfirmRequest>,
    reopen: ServerAction<ReopenRequest>,
    rate: ServerAction<RateRequest>,
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let code = move || params.read().get("reference").unwrap_or_default();
    let actions = Actions {
        reply: Upload::new(ReplyRequest::PATH),
        limits: Resource::new(|| (), |_| crate::api::upload::upload_limits()),
        confirm: ServerAction::new(),
        reopen: ServerAction::new(),
        rate: ServerAction::new(),
    };
    let tick = Live::get().map(|l| l.tick);
    // Only an action that was done reloads the request: a refused or unsent one (offline) leaves the page
    // as it is, with what was typed and the reason beside it (#21.5).
    let done = RwSignal::new(0u32);
    let reload_when_done = move |value: Signal<Option<bool>>| {
        Effect::new(move |_| {
            if value.get() == Some(true) {
                done.update(|n| *n += 1);
            }
        });
    };
    reload_when_done(Signal::derive(move || actions.reply.value().get().map(|r| r.is_ok())));
    reload_when_done(Signal::derive(move || actions.confirm.value().get().map(|r| r.is_ok())));
    reload_when_done(Signal::derive(move || actions.reopen.value().get().map(|r| r.is_ok())));
    reload_when_done(Signal::derive(move || actions.rate.value().get().map(|r| r.is_ok())));
    // The reply's draft belongs to the page: a redraw (a live update, a failed reload) keeps it; a sent
    // reply empties it.
    let draft = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.reply.value().get() {
            draft.set(String::new());
        }
    });
    // The last request shown: if a reload cannot reach the server, the page stays as it was.
    let last = StoredValue::new(None::<crate::views::RequestView>);
    let request = Resource::new(
        move || (code(), tick.map(|t| t.get()).unwrap_or(0), done.get()),
        |(code, _, _)| get_request(code),
    );
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let _ = actions.limits.await;
                match request.await {
                    Ok(view) => {
                        last.set_value(Some(view.clone()));
                        view! { <RequestDetail view actions draft /> }.into_any()
                    }
                    Err(AppError::Unreachable) => match last.get_value() {
                        Some(view) => view! {
                            <p class="alert error" role="alert">{t!(i18n, errors.unreachable)}</p>
                            <RequestDetail view actions draft />
                        }.into_any(),
                        None => view! {
                            <section class="card"><p class="alert error" role="alert">{t!(i18n, errors.unreachable)}</p></section>
                        }.into_any(),
                    },
                    Err(AppError::Unauthorized) => view! { <LoginNeeded /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <leptos_router::components::Redirect path="/conferma-email" /> }.into_any(),
                    Err(AppError::NotFound) => view! { <RequestNotFound /> }.into_any(),
                    Err(_) => view! {
                        <section class="card"><p class="alert error" role="alert">{t!(i18n, errors.internal)}</p></section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Another customer's request answers exactly like a missing one, status 404 included.
#[component]
fn RequestNotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=localized(move || t_string!(i18n, request.not_found_title)) />
        <section class="card hero">
            <h1>{t!(i18n, request.not_found_title)}</h1>
            <p class="lead">{t!(i18n, request.not_found_text)}</p>
            <A href="/assistenza/richieste" attr:class="button primary">{t!(i18n, request.list_title)}</A>
        </section>
    }
}

#[component]
fn RequestDetail(view: RequestView, actions: Actions, draft: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let reference = view.reference.clone();
    let just_created = move || query.read().get("nuova").is_some();
    let created_text = {
        let reference = reference.clone();
        move || fill(t_string!(i18n, request.created), &[("reference", &reference)])
    };
    // The title is the reference only: subjects are private.
    let title = reference.clone();
    let category = view.category;
    let contact = view.contact;
    let reported = view.reported_on;
    let step = view.status.step();
    let closed = view.status == Status::Closed;
    // The outcome's own words come first in the outcome box (#21.7); after the customer confirmed, thanks.
    let outcome_message =
        view.timeline.iter().rev().find(|e| e.kind == EventKind::Outcome).and_then(|e| e.body.clone());
    let confirmed = closed && view.timeline.last().is_some_and(|e| e.kind == EventKind::Confirmed);
    view! {
        <Title text=title />
        <p class="back-link"><A href="/assistenza/richieste">{t!(i18n, request.back)}</A></p>
        <section class="card request-head">
            <Show when=just_created>
                <p class="alert success" role="status">{created_text.clone()}</p>
            </Show>
            <p class="request-top">
                <span class="reference">{reference.clone()}</span>
                <StatusBadge status=view.status outcome=view.outcome />
            </p>
            <h1 class="request-title">{view.subject.clone()}</h1>
            {view.incident.map(|id| view! {
                <p class="incident-follow"><a href=format!("/stato/{id}")>{t!(i18n, request.incident_link)}</a></p>
            })}
            <ol class="progress-steps" aria-label=move || t_string!(i18n, request.progress)>
                <Step index=0 current=step label=tr!(i18n, request.step_received) />
                <Step index=1 current=step label=tr!(i18n, request.step_in_charge) />
                <Step index=2 current=step label=tr!(i18n, request.step_outcome) />
                <Step index=3 current=step label=tr!(i18n, request.step_closed) />
            </ol>
        </section>
        {confirmed.then(|| view! {
            <p class="alert success" role="status">{t!(i18n, request.confirmed_thanks)}</p>
        })}
        {(view.can_confirm || view.can_reopen).then(|| view! {
            <OutcomeBox
                reference=reference.clone()
                outcome=view.outcome
                message=outcome_message.clone()
                reopen_until=view.reopen_until
                can_confirm=view.can_confirm
                can_reopen=view.can_reopen
                actions
            />
        })}
        {(view.can_rate || view.rating.is_some()).then(|| view! {
            <RatingBox reference=reference.clone() rating=view.rating can_rate=view.can_rate actions />
            {(view.rating.is_some_and(|n| n >= 4)).then(|| view! { <ThanksBox reference=reference.clone() thanked=view.thanked /> })}
        })}
        <section class="card" id="timeline">
            <h2>{t!(i18n, request.timeline)}</h2>
            <ol class="timeline">
                {view.timeline.into_iter().map(|e| view! { <TimelineItem entry=e /> }).collect_view()}
            </ol>
            {if view.can_reply {
                view! { <ReplyBox reference=reference.clone() awaiting=view.status == Status::AwaitingCustomer actions draft /> }.into_any()
            } else if closed {
                view! { <p class="muted">{t!(i18n, request.closed_note)}</p> }.into_any()
            } else {
                ().into_any()
            }}
        </section>
        <section class="card">
            <h2>{t!(i18n, request.details)}</h2>
            <dl class="facts">
                <dt>{t!(i18n, request.reference)}</dt>
                <dd>{reference.clone()}</dd>
                <dt>{t!(i18n, request.sent_on)}</dt>
                <dd><Time ms=view.created_at /></dd>
                <dt>{t!(i18n, request.category)}</dt>
                <dd>{move || category_label(i18n.get_locale(), category)}</dd>
                <dt>{t!(i18n, request.line_number)}</dt>
                <dd>{view.line_number.clone()}</dd>
                <dt>{t!(i18n, request.contact_short)}</dt>
                <dd>{move || contact_label(i18n.get_locale(), contact)}</dd>
                <dt>{t!(i18n, request.reported_short)}</dt>
                <dd>
                    {move || reported_label(i18n.get_locale(), reported)}
                    {view.public_handle.clone().map(|h| view! { " · " {h} })}
                </dd>
            </dl>
            <h3>{t!(i18n, request.description)}</h3>
            <p class="message-body">{view.description.clone()}</p>
        </section>
    }
}

#[component]
fn Step(index: u8, current: u8, #[prop(into)] label: Signal<&'static str>) -> impl IntoView {
    let state = if index < current {
        "done"
    } else if index == current {
        "current"
    } else {
        "todo"
    };
    view! {
        <li class=format!("step {state}") aria-current=(index == current).then_some("step")>
            <span class="dot" aria-hidden="true"></span>
            {move || label.get()}
        </li>
    }
}

#[component]
fn TimelineItem(entry: TimelineEntry) -> impl IntoView {
    let i18n = use_i18n();
    let brand = use_context::<Brand>().unwrap_or_default();
    let kind = entry.kind;
    let outcome = entry.outcome;
    let title = move || {
        let locale = i18n.get_locale();
        match kind {
            EventKind::Received => t_string!(i18n, request.ev_received).to_string(),
            EventKind::Taken => t_string!(i18n, request.ev_taken).to_string(),
            EventKind::Message => t_string!(i18n, request.ev_message).to_string(),
            EventKind::Ask => t_string!(i18n, request.ev_ask).to_string(),
            EventKind::Outcome => format!(
                "{}: {}",
                t_string!(i18n, request.ev_outcome),
                outcome.map(|o| outcome_label(locale, o)).unwrap_or_default()
            ),
            EventKind::Released => t_string!(i18n, request.ev_released).to_string(),
            EventKind::Reassigned => t_string!(i18n, request.ev_reassigned).to_string(),
            EventKind::Warning => t_string!(i18n, request.ev_warning).to_string(),
            EventKind::CustomerReply => t_string!(i18n, request.ev_customer_reply).to_string(),
            EventKind::Confirmed => t_string!(i18n, request.ev_confirmed).to_string(),
            EventKind::Reopened => t_string!(i18n, request.ev_reopened).to_string(),
            EventKind::Closed => t_string!(i18n, request.ev_closed).to_string(),
            EventKind::Withdrawn => t_string!(i18n, request.ev_withdrawn).to_string(),
            EventKind::Linked => t_string!(i18n, request.ev_linked).to_string(),
            EventKind::Unlinked => t_string!(i18n, request.ev_unlinked).to_string(),
            EventKind::IncidentNews => t_string!(i18n, request.ev_incident_update).to_string(),
            // Notes never reach the customer's timeline; a rating has its own title below.
            EventKind::Note | EventKind::Rated => String::new(),
        }
    };
    let rated = entry.kind == EventKind::Rated;
    let received = entry.kind == EventKind::Received;
    let body = entry.body.clone();
    let rated_title = move || fill(t_string!(i18n, request.ev_rated), &[("n", body.as_deref().unwrap_or(""))]);
    let by_customer = entry.by_customer;
    let class = format!("event event-{}{}", entry.kind.code(), if by_customer { " mine" } else { " pool" });
    let call_centre = brand.channels.call_centre.clone();
    let text = if rated { None } else { entry.body.clone() };
    // The team signs as the page, with the writer's first name when a person wrote (#21.9).
    let page_name = brand.name.clone();
    let signed = match &entry.signature {
        Some(first) => format!("{page_name} · {first}"),
        None => page_name.clone(),
    };
    view! {
        <li class=class>
            <p class="event-head">
                <strong>{move || if by_customer { t_string!(i18n, request.who_you).to_string() } else { signed.clone() }}</strong>
                " · "
                <Time ms=entry.at />
            </p>
            <p class="event-title">{move || if rated { rated_title() } else { title() }}</p>
            {text.map(|t| view! { <p class="message-body">{t}</p> })}
            <FileList files=entry.files.clone() />
        </li>
        // The automatic welcome: the page's own words, signed by the page.
        {received.then(|| view! {
            <li class="event event-welcome pool">
                <p class="event-head"><strong>{page_name.clone()}</strong> " · " <Time ms=entry.at /></p>
                <p class="message-body auto">
                    {move || fill(t_string!(i18n, request.auto_message), &[("call_centre", &call_centre)])}
                </p>
            </li>
        })}
    }
}

#[component]
fn ReplyBox(reference: String, awaiting: bool, actions: Actions, draft: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let errors = failure(actions.reply.value());
    view! {
        <div class="reply-box" id="reply">
            <h3>{t!(i18n, request.reply_title)}</h3>
            {awaiting.then(|| view! { <p class="alert info">{t!(i18n, request.reply_awaiting)}</p> })}
            <UploadForm upload=actions.reply action=ReplyRequest::PATH>
                <input type="hidden" name="reference" value=reference />
                <FormAlert errors fields=&["message", "files"] />
                <TextArea
                    name="message"
                    label=tr!(i18n, request.message)
                    required=true
                    rows=4
                    draft
                    error=field_error(errors, "message")
                />
                <FilePicker limits=actions.limits.get_untracked().and_then(|r| r.ok()) error=errors id="reply-files" />
                <Submit
                    pending=actions.reply.pending()
                    label=Signal::derive(move || {
                        if matches!(errors.get(), Some(AppError::Unreachable)) {
                            t_string!(i18n, form.retry)
                        } else {
                            t_string!(i18n, request.reply_send)
                        }
                    })
                />
            </UploadForm>
        </div>
    }
}

#[component]
fn OutcomeBox(
    reference: String,
    outcome: Option<crate::domain::request::Outcome>,
    message: Option<String>,
    reopen_until: Option<i64>,
    can_confirm: bool,
    can_reopen: bool,
    actions: Actions,
) -> impl IntoView {
    let i18n = use_i18n();
    let confirm_errors = failure(actions.confirm.value());
    let reopen_errors = failure(actions.reopen.value());
    let reopen_reference = reference.clone();
    let until = move || {
        reopen_until
            .map(|ms| fill(t_string!(i18n, request.reopen_until), &[("date", &format_date(ms, i18n.get_locale()))]))
            .unwrap_or_default()
    };
    view! {
        <section class="card outcome-box" id="outcome">
            <h2>
                {t!(i18n, request.outcome_heading)}
                {outcome.map(|o| view! { ": " {move || outcome_label(i18n.get_locale(), o)} })}
            </h2>
            {message.map(|m| view! { <blockquote class="outcome-message">{m}</blockquote> })}
            <p class="outcome-question"><strong>{t!(i18n, request.outcome_title)}</strong></p>
            <div class="outcome-choices">
            {can_confirm.then(|| view! {
                <ActionForm action=actions.confirm attr:class="form inline">
                    <input type="hidden" name="reference" value=reference.clone() />
                    <FormAlert errors=confirm_errors />
                    <button type="submit" class="button secondary" disabled=move || actions.confirm.pending().get()>
                        {t!(i18n, request.confirm)}
                    </button>
                </ActionForm>
            })}
            {can_reopen.then(|| view! {
                <details class="reopen">
                    <summary class="button secondary">{t!(i18n, request.reopen)}</summary>
                    <p class="hint">{until}</p>
                    <ActionForm action=actions.reopen attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="reference" value=reopen_reference />
                        <FormAlert errors=reopen_errors fields=&["message"] />
                        <TextArea
                            name="message"
                            label=tr!(i18n, request.reopen_reason)
                            rows=3
                            error=field_error(reopen_errors, "message")
                        />
                        <Submit pending=actions.reopen.pending().into() label=tr!(i18n, request.reopen) />
                    </ActionForm>
                </details>
            })}
            </div>
        </section>
    }
}

/// After a rating of 4 or 5: a few words of thanks for the wall (their name and text, nothing else).
#[component]
fn ThanksBox(reference: String, thanked: bool) -> impl IntoView {
    let i18n = use_i18n();
    let thank = ServerAction::<crate::api::comments::ThankPage>::new();
    let errors = failure(thank.value());
    let done = move || thanked || matches!(thank.value().get(), Some(Ok(())));
    view! {
        <section class="card thanks-box" id="thanks">
            <h2>{t!(i18n, request.thanks_title)}</h2>
            <Show
                when=done
                fallback=move || {
                    let reference = reference.clone();
                    view! {
                        <p>{t!(i18n, request.thanks_intro)}</p>
                        <ActionForm action=thank attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="reference" value=reference />
                            <FormAlert errors fields=&["body"] />
                            <TextArea
                                name="body"
                                id="f-thanks"
                                label=tr!(i18n, request.thanks_label)
                                rows=3
                                maxlength=2000
                                error=field_error(errors, "body")
                            />
                            <Submit pending=thank.pending().into() label=tr!(i18n, request.thanks_send) />
                        </ActionForm>
                    }
                }
            >
                <p class="alert success" role="status">{t!(i18n, request.thanked)}</p>
            </Show>
        </section>
    }
}

#[component]
fn RatingBox(reference: String, rating: Option<u8>, can_rate: bool, actions: Actions) -> impl IntoView {
    let i18n = use_i18n();
    let errors = failure(actions.rate.value());
    let rating_error = field_error(errors, "rating");
    view! {
        <section class="card rating-box" id="rating">
            <h2>{t!(i18n, request.rate_title)}</h2>
            {match (rating, can_rate) {
                (Some(n), _) => view! {
                    <p class="alert success" role="status">
                        {move || fill(t_string!(i18n, request.rated), &[("n", &n.to_string())])}
                    </p>
                }.into_any(),
                (None, true) => view! {
                    <ActionForm action=actions.rate attr:class="form" attr:novalidate=true>
                        <input type="hidden" name="reference" value=reference.clone() />
                        <FormAlert errors fields=&["rating", "comment"] />
                        <fieldset class="stars" class:invalid=move || rating_error.get().is_some()>
                            <legend>{t!(i18n, request.rate_label)}</legend>
                            {(1..=5u8).map(|n| {
                                let id = format!("f-rating-{n}");
                                view! {
                                    <input type="radio" id=id.clone() name="rating" value=n.to_string() />
                                    <label for=id>{n.to_string()}</label>
                                }
                            }).collect_view()}
                            <p class="field-error">{move || rating_error.get()}</p>
                        </fieldset>
                        <TextArea
                            name="comment"
                            label=tr!(i18n, request.rate_comment)
                            rows=3
                            maxlength=1000
                            error=field_error(errors, "comment")
                        />
                        <Submit pending=actions.rate.pending().into() label=tr!(i18n, request.rate_send) />
                    </ActionForm>
                }.into_any(),
                (None, false) => ().into_any(),
            }}
        </section>
    }
}
