//! The case page: the request with the customer's private data (each opening is audited), the whole
//! timeline with internal notes, and the pool's actions. Every form carries the version the page
//! showed: if someone else acted first, the action is refused with a clear message.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::incidents::LinkToIncident;
use crate::api::kept::{FormValues, kept as kept_value, take_form_values};
use crate::api::staff::{
    BlockCustomer, CaseAction, CaseView, RemoveAttachment, StaffAction, StaffTimelineEntry, Switch, TakeNext, get_case,
};
use crate::components::form::{FormAlert, TextArea, failure, field_error, field_message};
use crate::components::time::Time;
use crate::components::upload::{FileList, FilePicker, Upload, UploadForm};
use crate::domain::attachment::AttachmentLimits;
use crate::domain::request::{ActorRole, Contact, Outcome, Status};
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal};
use crate::pages::requests::{
    StatusBadge, category_label, contact_label, outcome_label, reported_label, staff_status_label,
};
use crate::tr;
use leptos::server_fn::ServerFn;

#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("reference").unwrap_or_default();
    let act = Upload::<()>::new(CaseAction::PATH);
    let remove = ServerAction::<RemoveAttachment>::new();
    let limits = Resource::new(|| (), |_| crate::api::upload::upload_limits());
    let block = ServerAction::<BlockCustomer>::new();
    let link = ServerAction::<LinkToIncident>::new();
    // A refused action leaves the page as it is (the composer keeps its words); a done one reloads the case.
    let done = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(())) = act.value().get() {
            done.update(|n| *n += 1);
        }
    });
    let case = Resource::new(
        move || (code(), done.get(), block.version().get(), link.version().get(), remove.version().get()),
        |(code, _, _, _, _)| get_case(code),
    );
    // Without JavaScript, a refused composer comes back filled in (kept by the server for one view).
    let kept_values = Resource::new(|| (), |_| take_form_values("case".into()));
    view! {
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                let kept = kept_values.await.ok().flatten();
                let limits = limits.await.ok();
                match case.await {
                    Ok(view) => view! { <Case view act block link remove kept limits /> }.into_any(),
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A form for one action: hidden reference, version and action.
#[component]
fn ActionBox(
    act: Upload<()>,
    reference: String,
    version: i64,
    action: StaffAction,
    #[prop(into)] button: Signal<&'static str>,
    #[prop(optional, into)] message: Option<Signal<&'static str>>,
    #[prop(optional)] children: Option<Children>,
    #[prop(default = "button primary")] class: &'static str,
) -> impl IntoView {
    let errors = failure(act.value());
    view! {
        <UploadForm upload=act action=CaseAction::PATH>
            <input type="hidden" name="reference" value=reference />
            <input type="hidden" name="version" value=version.to_string() />
            <input type="hidden" name="action" value=action.code() />
            {children.map(|c| c())}
            {message.map(|label| view! {
                <TextArea
                    name="message"
                    id=format!("f-{}-message", action.code())
                    label=label
                    required=true
                    rows=3
                    error=field_error(errors, action.message_field())
                />
            })}
            <button type="submit" class=class disabled=move || act.pending().get()>{move || button.get()}</button>
        </UploadForm>
    }
}

#[component]
fn Case(
    view: CaseView,
    act: Upload<()>,
    block: ServerAction<BlockCustomer>,
    link: ServerAction<LinkToIncident>,
    remove: ServerAction<RemoveAttachment>,
    kept: Option<FormValues>,
    limits: Option<AttachmentLimits>,
) -> impl IntoView {
    let i18n = use_i18n();
    let incident_box = view! {
        <IncidentLink
            reference=view.reference.clone()
            incident=view.incident.clone()
            link_to=view.link_to.clone()
            can_unlink=view.can_unlink
            link
        />
    };
    let errors = failure(act.value());
    let block_errors = failure(block.value());
    let r = view.reference.clone();
    let v = view.version;
    let (category, contact, reported, status) = (view.category, view.contact, view.reported_on, view.status);
    let agents = view
        .agents
        .iter()
        .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
        .collect_view();
    let done = matches!(status, Status::Resolved | Status::Closed);
    // Click to call or write when the customer chose that channel (#21.1).
    let line = view.line_number.clone();
    let line_view = match contact {
        Contact::Phone => view! { <a href=format!("tel:{}", line.replace(' ', ""))>{line.clone()}</a> }.into_any(),
        _ => view! { {line.clone()} }.into_any(),
    };
    let email = view.customer_email.clone();
    let customer_view = if view.customer_erased {
        view! { <em>{t!(i18n, admin.deleted_account)}</em> }.into_any()
    } else {
        let mailto = (contact == Contact::Email).then(|| format!("mailto:{email}?subject={}", r.clone()));
        view! {
            {view.customer_name.clone()} <br />
            {match mailto {
                Some(href) => view! { <a href=href>{email.clone()}</a> }.into_any(),
                None => view! { {email.clone()} }.into_any(),
            }}
        }
        .into_any()
    };
    let history = view
        .history
        .iter()
        .map(|h| {
            let code = crate::domain::request::reference(h.id);
            view! {
                <li>
                    <a href=format!("/admin/richieste/{code}")>{code.clone()}</a> " · " {h.subject.clone()} " "
                    <StatusBadge status=h.status outcome=h.outcome staff=true />
                </li>
            }
        })
        .collect_view();
    let has_history = !view.history.is_empty();
    view! {
        <Title text=r.clone() />
        <div class="case-layout">
            <div class="case-main">
                <section class="card request-head case-head">
                    <FormAlert errors=block_errors />
                    <p class="request-top">
                        <span class="reference">{r.clone()}</span>
                        <StatusBadge status outcome=view.outcome staff=true />
                        {view.holder_name.clone().map(|h| view! { <span class="muted">{t!(i18n, admin.held_by)} " " {h}</span> })}
                    </p>
                    <h1 class="request-title">{view.subject.clone()}</h1>
                </section>
                <section class="card conversation-card" aria-labelledby="conversation-title">
                    <h2 id="conversation-title" class="visually-hidden">{t!(i18n, request.timeline)}</h2>
                    // Scrolled to its end from the start (column-reverse), with or without JavaScript.
                    <div class="conversation" tabindex="0" role="region" aria-labelledby="conversation-title">
                        <ol class="timeline">
                            <li class="event event-description from-customer">
                                <p class="event-head">
                                    <strong>{t!(i18n, admin.customer)}</strong> " · " <Time ms=view.queue_at /> " · "
                                    <span class="kind">{t!(i18n, request.description)}</span>
                                </p>
                                <p class="message-body">{view.description.clone()}</p>
                            </li>
                            {view
                                .timeline
                                .into_iter()
                                .map(|e| {
                                    let removal = view.is_admin.then(|| (remove, r.clone()));
                                    view! { <StaffEvent entry=e removal /> }
                                })
                                .collect_view()}
                        </ol>
                    </div>
                </section>
                <Composer
                    act
                    reference=r.clone()
                    version=v
                    working=view.can_reply
                    can_outcome=view.can_outcome
                    errors
                    kept
                    limits
                />
                {done.then(|| view! { <NextOffer /> })}
            </div>
            <aside class="case-side">
                <section class="card">
                    <h2>{t!(i18n, admin.customer)}</h2>
                    <dl class="facts">
                        <dt>{t!(i18n, admin.customer)}</dt>
                        <dd>
                            {customer_view}
                            {view.customer_blocked.then(|| view! { " " <span class="badge status-closed">{t!(i18n, admin.blocked)}</span> })}
                        </dd>
                        <dt>{t!(i18n, request.line_number)}</dt>
                        <dd>{line_view}</dd>
                        <dt>{t!(i18n, request.contact_short)}</dt>
                        <dd>{move || contact_label(i18n.get_locale(), contact)}</dd>
                        <dt>{t!(i18n, request.category)}</dt>
                        <dd>{move || category_label(i18n.get_locale(), category)}</dd>
                        <dt>{t!(i18n, request.reported_short)}</dt>
                        <dd>{move || reported_label(i18n.get_locale(), reported)} {view.public_handle.clone().map(|h| view! { " · " {h} })}</dd>
                        <dt>{t!(i18n, admin.arrived)}</dt>
                        <dd><Time ms=view.queue_at /></dd>
                        {view.rating.map(|n| view! {
                            <dt>{t!(i18n, admin.rating)}</dt>
                            <dd>{format!("{n}/5")} {view.rating_comment.clone().map(|c| view! { " · " {c} })}</dd>
                        })}
                    </dl>
                    {incident_box}
                    {has_history.then(|| view! {
                        <h3>{t!(i18n, admin.customer_history)}</h3>
                        <ul class="history">{history}</ul>
                    })}
                </section>
                <section class="card case-actions">
                    <h2>{t!(i18n, admin.actions)}</h2>
                    <p class="muted">{move || staff_status_label(i18n.get_locale(), status, None)}</p>
                    {view.can_release.then(|| view! {
                        // Asked twice (#21.2): a disclosure, so it works without JavaScript too.
                        <details class="confirm">
                            <summary class="button secondary">{t!(i18n, admin.release)} "…"</summary>
                            <p class="hint">{t!(i18n, admin.release_confirm_text)}</p>
                            <ActionBox act reference=r.clone() version=v action=StaffAction::Release button=tr!(i18n, admin.release_confirm) class="button secondary" />
                        </details>
                    })}
                    {view.can_reassign.then(|| view! {
                        <ActionBox act reference=r.clone() version=v action=StaffAction::Reassign button=tr!(i18n, admin.reassign) class="button secondary">
                            <div class="field">
                                <label for="f-assignee">{t!(i18n, admin.assignee)}</label>
                                <select id="f-assignee" name="assignee">{agents}</select>
                            </div>
                        </ActionBox>
                    })}
                    <details class="moderation">
                        <summary>{t!(i18n, admin.moderation)}</summary>
                        <ActionBox act reference=r.clone() version=v action=StaffAction::Warn button=tr!(i18n, admin.warn) message=tr!(i18n, admin.warning_text) class="button secondary" />
                        {view.is_admin.then(|| view! {
                            <ActionForm action=block attr:class="form inline">
                                <input type="hidden" name="reference" value=r.clone() />
                                <input type="hidden" name="block" value=Switch::toggle(view.customer_blocked).code() />
                                <button type="submit" class="button secondary">
                                    {if view.customer_blocked { t!(i18n, admin.unblock).into_any() } else { t!(i18n, admin.block).into_any() }}
                                </button>
                            </ActionForm>
                        })}
                    </details>
                </section>
            </aside>
        </div>
    }
}

/// One composer for the conversation (#21.2): reply, ask for information, internal note or the outcome,
/// in one text box; the outcome has no default. Without JavaScript every part is there and the server
/// checks what the chosen kind needs.
#[component]
fn Composer(
    act: Upload<()>,
    reference: String,
    version: i64,
    working: bool,
    can_outcome: bool,
    errors: Signal<Option<crate::error::AppError>>,
    kept: Option<FormValues>,
    limits: Option<AttachmentLimits>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kept_kind = kept_value(&kept, "action");
    let default_kind = if working { "reply" } else { "note" };
    let kind = RwSignal::new(if kept_kind.is_empty() { default_kind.to_string() } else { kept_kind });
    let kept_message = kept_value(&kept, "message");
    let kept_outcome = kept_value(&kept, "outcome");
    let no_outcome = kept_outcome.is_empty();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    // Only this form sends messages: whichever kind was refused, its words show here.
    let message_error = Signal::derive(move || {
        ["reply_message", "ask_message", "note_message", "outcome_message"]
            .into_iter()
            .find_map(|f| errors.get().and_then(|e| e.field_code(f).map(|code| field_message(i18n.get_locale(), code))))
    });
    let outcome_error = field_error(errors, "outcome");
    let outcome_options = move || {
        let kept_outcome = kept_outcome.clone();
        Outcome::ALL
            .iter()
            .map(|o| {
                let o = *o;
                let selected = kept_outcome == o.code();
                view! { <option value=o.code() selected=selected>{move || outcome_label(i18n.get_locale(), o)}</option> }
            })
            .collect_view()
    };
    let mut kinds = Vec::new();
    if working {
        kinds.push(("reply", tr!(i18n, admin.kind_reply)));
        kinds.push(("ask", tr!(i18n, admin.kind_ask)));
    }
    kinds.push(("note", tr!(i18n, admin.kind_note)));
    if can_outcome {
        kinds.push(("outcome", tr!(i18n, admin.kind_outcome)));
    }
    let radios = kinds
        .into_iter()
        .map(|(code, label)| {
            let (id, for_id) = (format!("kind-{code}"), format!("kind-{code}"));
            view! {
                <label class="kind-choice" for=for_id>
                    <input
                        type="radio"
                        id=id
                        name="action"
                        value=code
                        checked=move || kind.get() == code
                        on:change=move |_| kind.set(code.to_string())
                    />
                    <span>{move || label.get()}</span>
                </label>
            }
        })
        .collect_view();
    // Shown while "Dai l'esito" is the chosen kind: the stylesheet decides (`:has`), so it holds before
    // the page hydrates and without JavaScript too.
    let button = move || match kind.get().as_str() {
        _ if !hydrated.get() => t_string!(i18n, admin.send),
        "ask" => t_string!(i18n, admin.send_ask),
        "note" => t_string!(i18n, admin.send_note),
        "outcome" => t_string!(i18n, admin.send_outcome),
        _ => t_string!(i18n, admin.send_reply),
    };
    view! {
        <section class="card composer" id="composer">
            <UploadForm upload=act action=CaseAction::PATH>
                <FormAlert
                    errors
                    fields=&["reply_message", "ask_message", "note_message", "outcome_message", "outcome", "files"]
                />
                <input type="hidden" name="reference" value=reference />
                <input type="hidden" name="version" value=version.to_string() />
                <fieldset class="composer-kinds">
                    <legend class="visually-hidden">{t!(i18n, admin.kind_label)}</legend>
                    {radios}
                </fieldset>
                {can_outcome.then(|| view! {
                    <div class="field outcome-field" class:invalid=move || outcome_error.get().is_some()>
                        <label for="f-outcome">{t!(i18n, admin.outcome)}</label>
                        <select
                            id="f-outcome"
                            name="outcome"
                            aria-invalid=move || outcome_error.get().map(|_| "true")
                            aria-describedby="f-outcome-error"
                        >
                            <option value="" selected=no_outcome>{t!(i18n, admin.choose_outcome)}</option>
                            {outcome_options()}
                        </select>
                        <p class="field-error" id="f-outcome-error">{move || outcome_error.get()}</p>
                    </div>
                })}
                <TextArea
                    name="message"
                    id="f-composer"
                    label=tr!(i18n, admin.composer_label)
                    required=true
                    rows=3
                    value=kept_message
                    error=message_error
                />
                <p class="hint">{move || match kind.get().as_str() {
                    _ if !hydrated.get() => t_string!(i18n, admin.composer_hint),
                    "ask" => t_string!(i18n, admin.hint_ask),
                    "note" => t_string!(i18n, admin.hint_note),
                    "outcome" => t_string!(i18n, admin.hint_outcome),
                    _ => t_string!(i18n, admin.hint_reply),
                }}</p>
                <FilePicker limits error=errors id="composer-files" compact=true />
                <button type="submit" class="button primary" disabled=move || act.pending().get()>{button}</button>
            </UploadForm>
        </section>
    }
}

/// After the outcome: the next request, one click away.
#[component]
fn NextOffer() -> impl IntoView {
    let i18n = use_i18n();
    let take = ServerAction::<TakeNext>::new();
    view! {
        <section class="card next-offer">
            <p>{t!(i18n, admin.next_offer)}</p>
            <ActionForm action=take attr:class="form inline">
                <button type="submit" class="button primary" disabled=move || take.pending().get()>{t!(i18n, admin.take_next)}</button>
            </ActionForm>
        </section>
    }
}

/// The known problem holding the case, with "unlink"; or the open ones it may join (#17).
#[component]
fn IncidentLink(
    reference: String,
    incident: Option<(i64, String)>,
    link_to: Vec<(i64, String)>,
    can_unlink: bool,
    link: ServerAction<LinkToIncident>,
) -> impl IntoView {
    let i18n = use_i18n();
    let errors = failure(link.value());
    if let Some((id, title)) = incident {
        return view! {
            <div class="incident-link">
                <FormAlert errors />
                <p>
                    <strong>{t!(i18n, admin.incident_held)} ": "</strong>
                    <a href=format!("/stato/{id}")>{title}</a>
                </p>
                {can_unlink.then(|| view! {
                    <p class="hint">{t!(i18n, admin.unlink_hint)}</p>
                    <ActionForm action=link attr:class="form inline">
                        <input type="hidden" name="reference" value=reference.clone() />
                        <input type="hidden" name="incident" value="" />
                        <button type="submit" class="button secondary">{t!(i18n, admin.unlink_button)}</button>
                    </ActionForm>
                })}
            </div>
        }
        .into_any();
    }
    if link_to.is_empty() {
        return ().into_any();
    }
    let options =
        link_to.into_iter().map(|(id, title)| view! { <option value=id.to_string()>{title}</option> }).collect_view();
    view! {
        <div class="incident-link">
            <FormAlert errors />
            <ActionForm action=link attr:class="form inline">
                <input type="hidden" name="reference" value=reference />
                <div class="field">
                    <label for="f-incident">{t!(i18n, admin.link_label)}</label>
                    <select id="f-incident" name="incident">{options}</select>
                </div>
                <button type="submit" class="button secondary">{t!(i18n, admin.link_button)}</button>
            </ActionForm>
        </div>
    }
    .into_any()
}

#[component]
fn StaffEvent(
    entry: StaffTimelineEntry,
    /// Admins may remove an abusive attachment (#19.5).
    removal: Option<(ServerAction<RemoveAttachment>, String)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let who = match entry.actor_role {
        ActorRole::Customer => None,
        _ => entry.actor_name.clone(),
    };
    let role = entry.actor_role;
    let kind = entry.kind;
    let outcome = entry.outcome;
    let class = format!(
        "event event-{}{}{}",
        entry.kind.code(),
        // A chat (#21.3): the team's side on the right, the customer's on the left.
        if entry.actor_role == ActorRole::Customer { " from-customer" } else { " pool from-us" },
        if entry.internal { " internal" } else { "" }
    );
    view! {
        <li class=class>
            <p class="event-head">
                <strong>
                    {move || match role {
                        ActorRole::Customer => t_string!(i18n, admin.customer).to_string(),
                        ActorRole::System => "Social Care".to_string(),
                        ActorRole::Agent | ActorRole::Admin => {
                            who.clone().unwrap_or_else(|| t_string!(i18n, request.who_pool).to_string())
                        }
                    }}
                </strong>
                " · " <Time ms=entry.at /> " · "
                <span class="kind">
                    {move || super::event_label(i18n.get_locale(), kind)}
                </span>
                {outcome.map(|o| view! { " · " {move || outcome_label(i18n.get_locale(), o)} })}
                {entry.internal.then(|| view! { " " <span class="badge internal-badge">{t!(i18n, admin.internal)}</span> })}
            </p>
            {entry.body.clone().map(|b| view! { <p class="message-body">{b}</p> })}
            <FileList files=entry.files.clone() />
            {removal.map(|(remove, reference)| {
                entry
                    .files
                    .iter()
                    .filter(|f| !f.removed)
                    .map(|f| {
                        let (id, name, reference) = (f.id.to_string(), f.name.clone(), reference.clone());
                        view! {
                            <details class="remove-file">
                                <summary>{t!(i18n, files.remove)} " · " {name}</summary>
                                <p>{t!(i18n, files.remove_confirm)}</p>
                                <ActionForm action=remove attr:class="form inline">
                                    <input type="hidden" name="reference" value=reference />
                                    <input type="hidden" name="attachment" value=id />
                                    <button type="submit" class="button danger">{t!(i18n, files.remove)}</button>
                                </ActionForm>
                            </details>
                        }
                    })
                    .collect_view()
            })}
        </li>
    }
}
