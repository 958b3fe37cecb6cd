//! The case page: the request with the customer's private data (each opening is audited), the whole
//! timeline with internal notes, and the pool's actions. Every form carries the version the page
//! showed: if someone else acted first, the action is refused with a clear message.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::incidents::LinkToIncident;
use crate::api::staff::{BlockCustomer, CaseAction, CaseView, StaffAction, StaffTimelineEntry, Switch, get_case};
use crate::components::form::{FormAlert, TextArea, failure, field_error};
use crate::components::time::Time;
use crate::domain::request::{ActorRole, Outcome};
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal};
use crate::pages::requests::{
    StatusBadge, category_label, contact_label, outcome_label, reported_label, staff_status_label,
};
use crate::tr;

#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("reference").unwrap_or_default();
    let act = ServerAction::<CaseAction>::new();
    let block = ServerAction::<BlockCustomer>::new();
    let link = ServerAction::<LinkToIncident>::new();
    let case = Resource::new(
        move || (code(), act.version().get(), block.version().get(), link.version().get()),
        |(code, _, _, _)| get_case(code),
    );
    view! {
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                match case.await {
                    Ok(view) => view! { <Case view act block link /> }.into_any(),
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A form for one action: hidden reference, version and action.
#[component]
fn ActionBox(
    act: ServerAction<CaseAction>,
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
        <ActionForm action=act attr:class="form" attr:novalidate=true>
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
        </ActionForm>
    }
}

#[component]
fn Case(
    view: CaseView,
    act: ServerAction<CaseAction>,
    block: ServerAction<BlockCustomer>,
    link: ServerAction<LinkToIncident>,
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
    // No outcome is chosen for the agent (#21.2): the first option asks for one.
    let outcome_options = Outcome::ALL
        .iter()
        .map(|o| {
            let o = *o;
            view! { <option value=o.code()>{move || outcome_label(i18n.get_locale(), o)}</option> }
        })
        .collect_view();
    let outcome_error = field_error(errors, "outcome");
    let agents = view
        .agents
        .iter()
        .map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> })
        .collect_view();
    let working = view.can_reply;
    view! {
        <Title text=r.clone() />
        <section class="card request-head">
            <FormAlert
                errors
                fields=&["reply_message", "ask_message", "note_message", "outcome_message", "warn_message", "outcome"]
            />
            <FormAlert errors=block_errors />
            <p class="request-top">
                <span class="reference">{r.clone()}</span>
                <StatusBadge status outcome=view.outcome staff=true />
                {view.holder_name.clone().map(|h| view! { <span class="muted">{t!(i18n, admin.held_by)} " " {h}</span> })}
            </p>
            <h1 class="request-title">{view.subject.clone()}</h1>
            <dl class="facts">
                <dt>{t!(i18n, admin.customer)}</dt>
                <dd>
                    {if view.customer_erased {
                        view! { <em>{t!(i18n, admin.deleted_account)}</em> }.into_any()
                    } else {
                        view! { {view.customer_name.clone()} " · " {view.customer_email.clone()} }.into_any()
                    }}
                    {view.customer_blocked.then(|| view! { " " <span class="badge status-closed">{t!(i18n, admin.blocked)}</span> })}
                </dd>
                <dt>{t!(i18n, request.line_number)}</dt>
                <dd>{view.line_number.clone()}</dd>
                <dt>{t!(i18n, request.category)}</dt>
                <dd>{move || category_label(i18n.get_locale(), category)}</dd>
                <dt>{t!(i18n, request.contact_short)}</dt>
                <dd>{move || contact_label(i18n.get_locale(), contact)}</dd>
                <dt>{t!(i18n, request.reported_short)}</dt>
                <dd>{move || reported_label(i18n.get_locale(), reported)} {view.public_handle.clone().map(|h| view! { " · " {h} })}</dd>
                <dt>{t!(i18n, admin.arrived)}</dt>
                <dd><Time ms=view.queue_at /></dd>
                {view.rating.map(|n| view! {
                    <dt>{t!(i18n, admin.rating)}</dt>
                    <dd>{format!("{n}/5")} {view.rating_comment.clone().map(|c| view! { " · " {c} })}</dd>
                })}
            </dl>
            <h2>{t!(i18n, request.description)}</h2>
            <p class="message-body">{view.description.clone()}</p>
            {incident_box}
        </section>
        <section class="card">
            <h2>{t!(i18n, request.timeline)}</h2>
            <ol class="timeline">
                {view.timeline.into_iter().map(|e| view! { <StaffEvent entry=e /> }).collect_view()}
            </ol>
        </section>
        <section class="card case-actions">
            <h2>{t!(i18n, admin.actions)}</h2>
            {working.then(|| view! {
                <ActionBox act reference=r.clone() version=v action=StaffAction::Reply button=tr!(i18n, admin.reply) message=tr!(i18n, admin.message_to_customer) />
                <ActionBox act reference=r.clone() version=v action=StaffAction::Ask button=tr!(i18n, admin.ask) message=tr!(i18n, admin.question) class="button secondary" />
            })}
            {view.can_outcome.then(|| view! {
                <ActionBox act reference=r.clone() version=v action=StaffAction::Outcome button=tr!(i18n, admin.set_outcome) message=tr!(i18n, admin.outcome_message)>
                    <div class="field" class:invalid=move || outcome_error.get().is_some()>
                        <label for="f-outcome">{t!(i18n, admin.outcome)}</label>
                        <select
                            id="f-outcome"
                            name="outcome"
                            required=true
                            aria-invalid=move || outcome_error.get().map(|_| "true")
                            aria-describedby="f-outcome-error"
                        >
                            <option value="" selected=true>{t!(i18n, admin.choose_outcome)}</option>
                            {outcome_options}
                        </select>
                        <p class="field-error" id="f-outcome-error">{move || outcome_error.get()}</p>
                    </div>
                </ActionBox>
            })}
            <ActionBox act reference=r.clone() version=v action=StaffAction::Note button=tr!(i18n, admin.add_note) message=tr!(i18n, admin.note) class="button secondary" />
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
            <p class="muted">{move || staff_status_label(i18n.get_locale(), status, None)}</p>
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
fn StaffEvent(entry: StaffTimelineEntry) -> impl IntoView {
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
        </li>
    }
}
