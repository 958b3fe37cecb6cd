//! The status page (`/stato`, #17): incidents open now and the past ones, each with a page of its own
//! and its history. Editors and admins open incidents and post updates here.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::incidents::{AffectedToo, IncidentSummary, OpenIncident, UpdateIncident, get_incident, get_status};
use crate::api::kept::{kept, take_form_values};
use crate::components::form::{Field, FormAlert, Submit, TextArea, failure, field_error};
use crate::components::localized;
use crate::components::time::Time;
use crate::domain::incident::IncidentStatus;
use crate::domain::request::Category;
use crate::i18n::*;
use crate::pages::privacy::DocumentText;
use crate::pages::requests::category_label;
use crate::tr;

/// An incident's status in words.
pub fn status_label(locale: Locale, status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Investigating => td_string!(locale, incident.investigating),
        IncidentStatus::Identified => td_string!(locale, incident.identified),
        IncidentStatus::Monitoring => td_string!(locale, incident.monitoring),
        IncidentStatus::Resolved => td_string!(locale, incident.resolved),
    }
}

/// The statuses as a select's options (only the open ones when opening an incident).
fn status_options(only_open: bool) -> impl IntoView {
    let i18n = use_i18n();
    IncidentStatus::ALL
        .iter()
        .filter(|s| !only_open || s.is_open())
        .map(|s| {
            let s = *s;
            view! { <option value=s.code()>{move || status_label(i18n.get_locale(), s)}</option> }
        })
        .collect_view()
}

/// The status's badge.
#[component]
pub fn IncidentBadge(status: IncidentStatus) -> impl IntoView {
    let i18n = use_i18n();
    let class = if status.is_open() { "badge status-open" } else { "badge status-resolved" };
    view! { <span class=class>{move || status_label(i18n.get_locale(), status)}</span> }
}

/// An incident in a list: title, status, where, since when, its latest update.
#[component]
pub fn IncidentCard(incident: IncidentSummary) -> impl IntoView {
    let i18n = use_i18n();
    let topics = incident.topics.clone();
    let places = incident.places.join(", ");
    view! {
        <article class="incident" class:open=incident.status.is_open()>
            <h3>
                <A href=format!("/stato/{}", incident.id)>{incident.title.clone()}</A>
                " " <IncidentBadge status=incident.status />
            </h3>
            <p class="muted">
                {move || topics.iter().map(|c| category_label(i18n.get_locale(), *c)).collect::<Vec<_>>().join(", ")}
                {(!places.is_empty()).then(|| format!(" · {places}"))}
                " · " {t!(i18n, incident.since)} " " <Time ms=incident.started_at />
                {incident.resolved_at.map(|at| view! { " · " {t!(i18n, incident.resolved_at)} " " <Time ms=at /> })}
            </p>
            <p class="incident-latest">{incident.latest.clone()}</p>
            <AffectedCount n=incident.affected />
        </article>
    }
}

#[component]
pub fn StatusPageView() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page = Resource::new(move || query.read().get("prima"), get_status);
    view! {
        <Title text=localized(move || t_string!(i18n, incident.status_title)) />
        <Suspense>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let all_well = page.open.is_empty();
                        let open = page.open.into_iter().map(|incident| view! { <IncidentCard incident /> }).collect_view();
                        let past_empty = page.past.is_empty();
                        let past = page.past.into_iter().map(|incident| view! { <IncidentCard incident /> }).collect_view();
                        let next = page.next.map(|n| format!("/stato?prima={n}"));
                        view! {
                            <section class="card">
                                <h1>{t!(i18n, incident.status_title)}</h1>
                                {if all_well {
                                    view! { <p class="alert success" role="status">{t!(i18n, incident.all_well)}</p> }.into_any()
                                } else {
                                    view! { <div class="incidents">{open}</div> }.into_any()
                                }}
                                <p class="muted">
                                    <a href="/stato.atom" rel="external">{t!(i18n, incident.feed)}</a>
                                </p>
                            </section>
                            {page.can_open.then(|| view! { <OpenIncidentForm /> })}
                            <section class="card">
                                <h2>{t!(i18n, incident.past)}</h2>
                                {if past_empty {
                                    view! { <p class="empty">{t!(i18n, incident.no_past)}</p> }.into_any()
                                } else {
                                    view! { <div class="incidents">{past}</div> }.into_any()
                                }}
                                {next.map(|href| view! { <A href=href attr:class="button">{t!(i18n, incident.older)}</A> })}
                            </section>
                        }.into_any()
                    }
                    Err(_) => view! { <p class="alert error" role="alert">{t!(i18n, errors.internal)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Editors open an incident: title, what happens, topics, places, status, when it began.
#[component]
fn OpenIncidentForm() -> impl IntoView {
    let i18n = use_i18n();
    let open = ServerAction::<OpenIncident>::new();
    let errors = failure(open.value());
    let kept_values = Resource::new(|| (), |_| take_form_values("incident".into()));
    let value = move |field: &'static str| {
        Signal::derive(move || kept(&kept_values.get().and_then(Result::ok).flatten(), field))
    };
    let topics = Category::ALL
        .iter()
        .map(|c| {
            let c = *c;
            let name = format!("t_{}", c.code());
            let id = format!("f-t-{}", c.code());
            let checked = Signal::derive(move || {
                kept(&kept_values.get().and_then(Result::ok).flatten(), &format!("t_{}", c.code())) == "yes"
            });
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name=name value="yes" checked=checked />
                    <label for=id>{move || category_label(i18n.get_locale(), c)}</label>
                </div>
            }
        })
        .collect_view();
    let topics_error = field_error(errors, "topics");
    let statuses = status_options(true);
    view! {
        <section class="card form-card">
            <h2>{t!(i18n, incident.open_title)}</h2>
            <ActionForm action=open attr:class="form" attr:novalidate=true>
                <FormAlert errors fields=&["title", "description", "topics", "places", "status", "started"] />
                <Field name="title" label=tr!(i18n, incident.title_label) required=true value=value("title") error=field_error(errors, "title") />
                <TextArea
                    name="description"
                    label=tr!(i18n, incident.description_label)
                    required=true
                    rows=4
                    value=value("description")
                    error=field_error(errors, "description")
                />
                <fieldset class="choices" class:invalid=move || topics_error.get().is_some()>
                    <legend>{t!(i18n, incident.topics_label)}</legend>
                    {topics}
                    <p class="field-error">{move || topics_error.get()}</p>
                </fieldset>
                <Field
                    name="places"
                    label=tr!(i18n, incident.places_label)
                    value=value("places")
                    error=field_error(errors, "places")
                    hint=tr!(i18n, incident.places_hint)
                />
                <div class="field">
                    <label for="f-status">{t!(i18n, incident.status_label)}</label>
                    <select id="f-status" name="status">{statuses}</select>
                </div>
                <div class="field" class:invalid=move || field_error(errors, "started").get().is_some()>
                    <label for="f-started">{t!(i18n, incident.started_label)}</label>
                    <input id="f-started" name="started" type="datetime-local" aria-describedby="f-started-hint f-started-error" />
                    <p class="hint" id="f-started-hint">{t!(i18n, incident.started_hint)}</p>
                    <p class="field-error" id="f-started-error">{move || field_error(errors, "started").get()}</p>
                </div>
                <Submit pending=open.pending().into() label=tr!(i18n, incident.open_button) />
            </ActionForm>
        </section>
    }
}

/// "N people reported having this problem" (nothing when nobody did).
#[component]
pub fn AffectedCount(n: i64) -> impl IntoView {
    let i18n = use_i18n();
    (n > 0).then(|| {
        view! {
            <p class="affected-count">
                {move || if n == 1 {
                    t_string!(i18n, incident.affected_one).to_string()
                } else {
                    crate::components::fill(t_string!(i18n, incident.affected_count), &[("n", &n.to_string())])
                }}
            </p>
        }
    })
}

/// "I'm affected too": one click (place and line optional) for a logged-in customer; a login link for a
/// visitor; the customer's request once they pressed.
#[component]
pub fn AffectedBox(
    id: i64,
    #[prop(optional, into)] category: Option<String>,
    joined: Option<String>,
    can_join: bool,
    signed_in: bool,
    #[prop(optional)] compact: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let affected = ServerAction::<AffectedToo>::new();
    let errors = failure(affected.value());
    if let Some(code) = joined {
        let href = format!("/assistenza/richieste/{code}");
        return view! {
            <div class="affected-box joined">
                <p>{move || crate::components::fill(t_string!(i18n, incident.joined), &[("reference", &code)])}</p>
                <p><A href=href>{t!(i18n, incident.joined_link)}</A></p>
            </div>
        }
        .into_any();
    }
    if !signed_in {
        let next = format!("/login?next=/stato/{id}");
        return view! {
            <div class="affected-box">
                <p><a class="button secondary" href=next>{t!(i18n, incident.join_login)}</a></p>
            </div>
        }
        .into_any();
    }
    if !can_join {
        return ().into_any();
    }
    let field_id = move |name: &str| format!("affected-{id}-{name}");
    view! {
        <div class="affected-box">
            {(!compact).then(|| view! {
                <h2>{t!(i18n, incident.join_title)}</h2>
                <p class="muted">{t!(i18n, incident.join_hint)}</p>
            })}
            <ActionForm action=affected attr:class="form affected-form" attr:novalidate=true>
                <FormAlert errors fields=&["place", "line_number"] />
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="category" value=category.unwrap_or_default() />
                <details class="affected-more">
                    <summary>{t!(i18n, incident.join_place)}</summary>
                    <Field
                        name="place"
                        id=field_id("place")
                        label=tr!(i18n, incident.join_place)
                        hint=tr!(i18n, incident.join_place_hint)
                        error=field_error(errors, "place")
                    />
                    <Field
                        name="line_number"
                        id=field_id("line")
                        label=tr!(i18n, incident.join_line)
                        input_type="tel"
                        error=field_error(errors, "line_number")
                    />
                </details>
                <Submit pending=affected.pending().into() label=tr!(i18n, incident.join_button) />
            </ActionForm>
        </div>
    }
    .into_any()
}

#[component]
pub fn IncidentPageView() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let update = ServerAction::<UpdateIncident>::new();
    let page = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), update.version().get()),
        |(id, _)| get_incident(id),
    );
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let i = page.incident.clone();
                        let title = i.title.clone();
                        let topics = i.topics.clone();
                        let places = i.places.join(", ");
                        let history = page.updates.into_iter().map(|u| view! {
                            <li>
                                <p class="muted"><IncidentBadge status=u.status /> " · " <Time ms=u.at /></p>
                                <DocumentText body=u.body />
                            </li>
                        }).collect_view();
                        let open = i.status.is_open();
                        view! {
                            <Title text=title.clone() />
                            <section class="card">
                                <p class="muted"><A href="/stato">{t!(i18n, incident.back)}</A></p>
                                <h1>{title} " " <IncidentBadge status=i.status /></h1>
                                <dl class="facts">
                                    <dt>{t!(i18n, incident.topics_label)}</dt>
                                    <dd>{move || topics.iter().map(|c| category_label(i18n.get_locale(), *c)).collect::<Vec<_>>().join(", ")}</dd>
                                    <dt>{t!(i18n, incident.places_label)}</dt>
                                    <dd>{if places.is_empty() { t_string!(i18n, incident.everywhere).to_string() } else { places }}</dd>
                                    <dt>{t!(i18n, incident.since)}</dt>
                                    <dd><Time ms=i.started_at /></dd>
                                    {i.resolved_at.map(|at| view! { <dt>{t!(i18n, incident.resolved_at)}</dt> <dd><Time ms=at /></dd> })}
                                </dl>
                                <AffectedCount n=i.affected />
                                {open.then(|| view! {
                                    <AffectedBox id=i.id joined=page.joined.clone() can_join=page.can_join signed_in=page.signed_in />
                                })}
                                <h2>{t!(i18n, incident.history)}</h2>
                                <ol class="incident-history">{history}</ol>
                            </section>
                            {(page.can_update && open).then(|| view! { <UpdateForm id=i.id update /> })}
                        }.into_any()
                    }
                    Err(_) => view! { <crate::pages::not_found::NotFound /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Editors post a public update (resolving it is a status like the others).
#[component]
fn UpdateForm(id: i64, update: ServerAction<UpdateIncident>) -> impl IntoView {
    let i18n = use_i18n();
    let errors = failure(update.value());
    let statuses = status_options(false);
    view! {
        <section class="card form-card">
            <h2>{t!(i18n, incident.update_title)}</h2>
            <p class="muted">{t!(i18n, incident.update_hint)}</p>
            <ActionForm action=update attr:class="form" attr:novalidate=true>
                <FormAlert errors fields=&["status", "body"] />
                <input type="hidden" name="id" value=id.to_string() />
                <div class="field">
                    <label for="f-status">{t!(i18n, incident.status_label)}</label>
                    <select id="f-status" name="status">{statuses}</select>
                </div>
                <TextArea name="body" label=tr!(i18n, incident.update_label) required=true rows=4 error=field_error(errors, "body") />
                <Submit pending=update.pending().into() label=tr!(i18n, incident.update_button) />
            </ActionForm>
        </section>
    }
}
