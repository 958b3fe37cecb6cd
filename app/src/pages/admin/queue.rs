//! The queue: requests nobody holds, oldest first, counts per state, and "Take next". There is no
//! way to open a later request from here before an earlier one: the list shows, "Take next" assigns.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::incidents::LinkToIncident;
use crate::api::staff::{QueueView, TakeNext, staff_queue};
use crate::components::localized;
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal, waiting_for};
use crate::pages::requests::{StatusBadge, category_label, count_label};

#[component]
pub fn QueuePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let take = ServerAction::<TakeNext>::new();
    let link = ServerAction::<LinkToIncident>::new();
    let queue = Resource::new(
        move || (query.read().get("dopo"), take.version().get(), link.version().get()),
        |(after, _, _)| staff_queue(after),
    );
    view! {
        <Title text=localized(move || t_string!(i18n, admin.queue)) />
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(view) => view! { <Queue view take link /> }.into_any(),
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Queue(view: QueueView, take: ServerAction<TakeNext>, link: ServerAction<LinkToIncident>) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let empty_after_take = move || query.read().get("vuota").is_some() || matches!(take.value().get(), Some(Ok(None)));
    let now = view.now;
    let counts = view
        .counts
        .iter()
        .map(|(status, n)| {
            let status = *status;
            let n = *n;
            view! {
                <li class=format!("count status-{}", status.code())>
                    <span class="count-n">
                        {if n >= crate::domain::request::STATE_COUNT_CAP { format!("{}+", n) } else { n.to_string() }}
                    </span>
                    <span class="count-label">{move || count_label(i18n.get_locale(), status, n)}</span>
                </li>
            }
        })
        .collect_view();
    let waiting = view.items.len();
    let incidents = view.incidents.clone();
    let crisis = !incidents.is_empty();
    let rows = view
        .items
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let category = c.category;
            let age = now - c.queue_at;
            // During a crisis a waiting request of the incident's topic can join it from here (#17).
            let matching: Vec<(i64, String)> = incidents
                .iter()
                .filter(|inc| inc.topics.contains(&category))
                .map(|inc| (inc.id, inc.title.clone()))
                .collect();
            let link_cell = (!incidents.is_empty()).then(|| {
                view! { <td><QueueLink reference=c.reference() incidents=matching link /></td> }
            });
            view! {
                <tr>
                    <td>{i + 1}</td>
                    <td class="reference">{c.reference()}</td>
                    <td>{move || waiting_for(age, i18n.get_locale())}</td>
                    <td>{move || category_label(i18n.get_locale(), category)}</td>
                    <td>{c.line_masked.clone()}</td>
                    <td><StatusBadge status=c.status outcome=c.outcome staff=true /></td>
                    {link_cell}
                </tr>
            }
        })
        .collect_view();
    let next = view.next.map(|c| format!("/admin?dopo={c}"));
    view! {
        <section class="card">
            <h1>{t!(i18n, admin.queue)}</h1>
            <ul class="counts">{counts}</ul>
            <p class="muted">{t!(i18n, admin.queue_rule)}</p>
            <ActionForm action=take attr:class="form inline">
                <button type="submit" class="button primary" disabled=move || take.pending().get()>
                    {t!(i18n, admin.take_next)}
                </button>
            </ActionForm>
            <Show when=empty_after_take>
                <p class="alert info" role="status">{t!(i18n, admin.queue_empty)}</p>
            </Show>
        </section>
        <section class="card">
            <h2>{t!(i18n, admin.waiting)}</h2>
            {if waiting == 0 {
                view! { <p class="empty-state">{t!(i18n, admin.queue_empty)}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label=move || t_string!(i18n, admin.table)>
                        <table class="cases">
                            <thead>
                                <tr>
                                    <th>"#"</th>
                                    <th>{t!(i18n, request.reference)}</th>
                                    <th>{t!(i18n, admin.age)}</th>
                                    <th>{t!(i18n, request.category)}</th>
                                    <th>{t!(i18n, request.line_number)}</th>
                                    <th>{t!(i18n, request.status)}</th>
                                    {crisis.then(|| view! { <th>{t!(i18n, admin.link_title)}</th> })}
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {next.map(|href| view! { <nav class="pager"><A href=href attr:rel="next">{t!(i18n, admin.more)} " →"</A></nav> })}
        </section>
    }
}

/// Links a waiting request to a known problem of its topic, from its row of the queue.
#[component]
fn QueueLink(reference: String, incidents: Vec<(i64, String)>, link: ServerAction<LinkToIncident>) -> impl IntoView {
    let i18n = use_i18n();
    if incidents.is_empty() {
        return ().into_any();
    }
    let options =
        incidents.into_iter().map(|(id, title)| view! { <option value=id.to_string()>{title}</option> }).collect_view();
    view! {
        <ActionForm action=link attr:class="form inline queue-link">
            <input type="hidden" name="reference" value=reference.clone() />
            <select name="incident" aria-label=move || t_string!(i18n, admin.link_label)>{options}</select>
            <button type="submit" class="button secondary">{t!(i18n, admin.link_short)}</button>
        </ActionForm>
    }
    .into_any()
}
