//! The audit log (admins): every transition, every opening of private data, every staff change, newest
//! first, filterable by request and by staff member, paged by keyset.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use crate::api::staff::{AuditFilter, audit_log};
use crate::components::localized;
use crate::components::time::Time;
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal};

#[component]
pub fn AuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let page = Resource::new(
        move || AuditFilter {
            reference: get("codice"),
            actor: get("staff"),
            before: query.read().get("prima"),
            hide_openings: get("nascondi_consultazioni"),
        },
        audit_log,
    );
    view! {
        <Title text=localized(move || t_string!(i18n, admin.audit)) />
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let staff_options = page.staff.iter().map(|(id, name)| {
                            let id = id.to_string();
                            let selected = get("staff") == id;
                            view! { <option value=id selected=selected>{name.clone()}</option> }
                        }).collect_view();
                        let next = page.next.clone().map(|b| {
                            format!(
                                "/admin/audit?codice={}&staff={}&nascondi_consultazioni={}&prima={b}",
                                get("codice"),
                                get("staff"),
                                get("nascondi_consultazioni")
                            )
                        });
                        let hiding = !get("nascondi_consultazioni").is_empty();
                        let rows = page.items.into_iter().map(|a| view! {
                            <tr>
                                <td><Time ms=a.at /></td>
                                <td>{a.actor_name.clone().unwrap_or_else(|| "—".into())}</td>
                                <td>{move || super::audit_label(i18n.get_locale(), a.action)}</td>
                                <td>{a.reference().map(|r| view! { <A href=format!("/admin/richieste/{r}")>{r.clone()}</A> })}</td>
                                <td>{a.subject_user_id.map(|u| format!("#{u}"))}</td>
                                <td>{a.detail.clone()}</td>
                            </tr>
                        }).collect_view();
                        view! {
                            <section class="card">
                                <h1>{t!(i18n, admin.audit)}</h1>
                                <Form method="GET" action="/admin/audit" attr:class="form search-form">
                                    <div class="field">
                                        <label for="a-code">{t!(i18n, request.reference)}</label>
                                        <input id="a-code" name="codice" placeholder="SC3-000123" value=get("codice") />
                                    </div>
                                    <div class="field">
                                        <label for="a-staff">{t!(i18n, admin.staff_member)}</label>
                                        <select id="a-staff" name="staff">
                                            <option value="">{t!(i18n, admin.anyone)}</option>
                                            {staff_options}
                                        </select>
                                    </div>
                                    <div class="check">
                                        <input type="checkbox" id="a-hide" name="nascondi_consultazioni" value="1" checked=hiding />
                                        <label for="a-hide">{t!(i18n, admin.hide_openings)}</label>
                                    </div>
                                    <button type="submit" class="button primary">{t!(i18n, admin.filter)}</button>
                                </Form>
                                <div class="table-wrap" tabindex="0" role="region" aria-label=move || t_string!(i18n, admin.table)>
                                    <table class="cases audit">
                                        <thead>
                                            <tr>
                                                <th>{t!(i18n, admin.when)}</th>
                                                <th>{t!(i18n, admin.who)}</th>
                                                <th>{t!(i18n, admin.what)}</th>
                                                <th>{t!(i18n, request.reference)}</th>
                                                <th>{t!(i18n, admin.account)}</th>
                                                <th>{t!(i18n, admin.detail)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                {next.map(|href| view! { <nav class="pager"><A href=href attr:rel="next">{t!(i18n, admin.more)} " →"</A></nav> })}
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
