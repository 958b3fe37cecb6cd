//! I miei casi: the open requests the logged-in agent holds.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::staff::{CaseLine, my_cases};
use crate::components::localized;
use crate::components::time::Time;
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal};
use crate::pages::requests::{StatusBadge, category_label};

#[component]
pub fn MyCasesPage() -> impl IntoView {
    let i18n = use_i18n();
    let cases = Resource::new(|| (), |_| my_cases());
    view! {
        <Title text=localized(move || t_string!(i18n, admin.my_cases)) />
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                match cases.await {
                    Ok(items) => view! {
                        <section class="card">
                            <h1>{t!(i18n, admin.my_cases)}</h1>
                            <CaseTable items empty=tr_empty() />
                        </section>
                    }.into_any(),
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn tr_empty() -> Signal<&'static str> {
    let i18n = use_i18n();
    Signal::derive(move || t_string!(i18n, admin.no_cases))
}

/// A table of cases, each opening the case page.
#[component]
pub fn CaseTable(items: Vec<CaseLine>, #[prop(into)] empty: Signal<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    if items.is_empty() {
        return view! { <p class="empty-state">{move || empty.get()}</p> }.into_any();
    }
    let rows = items
        .into_iter()
        .map(|c| {
            let category = c.category;
            let code = c.reference();
            let href = format!("/admin/richieste/{code}");
            view! {
                <tr class:new-reply=c.new_reply>
                    <td><A href=href attr:class="reference">{code}</A></td>
                    <td class="subject">
                        {c.subject.clone()}
                        {c.new_reply.then(|| view! { " " <span class="badge new-reply">{t!(i18n, admin.new_reply)}</span> })}
                    </td>
                    <td>{move || category_label(i18n.get_locale(), category)}</td>
                    <td><StatusBadge status=c.status outcome=c.outcome staff=true /></td>
                    <td>{c.holder_name.clone().unwrap_or_default()}</td>
                    <td><Time ms=c.last_activity_at /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=move || t_string!(i18n, admin.table)>
            <table class="cases">
                <thead>
                    <tr>
                        <th>{t!(i18n, request.reference)}</th>
                        <th>{t!(i18n, request.subject)}</th>
                        <th>{t!(i18n, request.category)}</th>
                        <th>{t!(i18n, request.status)}</th>
                        <th>{t!(i18n, admin.holder)}</th>
                        <th>{t!(i18n, request.last_update)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
