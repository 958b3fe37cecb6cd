//! Cerca: every request by words (customer name, public handle, subject, description), reference, customer
//! email, line number and state; a plain GET form, so
//! results have a URL and work without JavaScript. Paged by keyset (`prima=<id>`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use leptos_router::hooks::use_query_map;

use crate::api::staff::{SearchForm, search_cases};
use crate::components::form::field_message;
use crate::components::localized;
use crate::domain::request::Status;
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::admin::cases::CaseTable;
use crate::pages::admin::{StaffNav, StaffRefusal};
use crate::pages::requests::staff_status_label;

#[component]
pub fn SearchPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let results = Resource::new(
        move || SearchForm {
            reference: get("codice"),
            email: get("email"),
            line_number: get("linea"),
            status: get("stato"),
            text: get("testo"),
            before: query.read().get("prima"),
        },
        search_cases,
    );
    let status_options = Status::ALL
        .iter()
        .map(|s| {
            let s = *s;
            view! { <option value=s.code() selected=move || get("stato") == s.code()>{move || staff_status_label(i18n.get_locale(), s, None)}</option> }
        })
        .collect_view();
    view! {
        <Title text=localized(move || t_string!(i18n, admin.search)) />
        <StaffNav />
        <section class="card">
            <h1>{t!(i18n, admin.search)}</h1>
            <Form method="GET" action="/admin/cerca" attr:class="form search-form">
                <div class="field">
                    <label for="s-text">{t!(i18n, admin.search_text)}</label>
                    <input id="s-text" name="testo" type="search" prop:value=move || get("testo") />
                </div>
                <div class="field">
                    <label for="s-code">{t!(i18n, request.reference)}</label>
                    <input id="s-code" name="codice" placeholder="SC3-000123" prop:value=move || get("codice") />
                </div>
                <div class="field">
                    <label for="s-email">{t!(i18n, admin.customer_email)}</label>
                    <input id="s-email" name="email" type="email" prop:value=move || get("email") />
                </div>
                <div class="field">
                    <label for="s-line">{t!(i18n, request.line_number)}</label>
                    <input id="s-line" name="linea" type="tel" prop:value=move || get("linea") />
                </div>
                <div class="field">
                    <label for="s-status">{t!(i18n, request.status)}</label>
                    <select id="s-status" name="stato">
                        <option value="">{t!(i18n, admin.any_state)}</option>
                        {status_options}
                    </select>
                </div>
                <button type="submit" class="button primary">{t!(i18n, admin.search_button)}</button>
            </Form>
        </section>
        <Transition>
            {move || Suspend::new(async move {
                match results.await {
                    Ok(page) => {
                        let next = page.next.clone().map(|before| {
                            let q = query.read();
                            format!(
                                "/admin/cerca?testo={}&codice={}&email={}&linea={}&stato={}&prima={before}",
                                crate::components::shell::encode_path(&q.get("testo").unwrap_or_default()),
                                q.get("codice").unwrap_or_default(), q.get("email").unwrap_or_default(),
                                q.get("linea").unwrap_or_default(), q.get("stato").unwrap_or_default()
                            )
                        });
                        view! {
                            <section class="card">
                                <h2>{t!(i18n, admin.results)}</h2>
                                <CaseTable items=page.items empty=Signal::derive(move || t_string!(i18n, admin.no_results)) />
                                {next.map(|href| view! { <nav class="pager"><A href=href attr:rel="next">{t!(i18n, admin.more)} " →"</A></nav> })}
                            </section>
                        }.into_any()
                    }
                    Err(AppError::Invalid(errors)) => view! {
                        <section class="card">
                            {errors.into_iter().map(|e| view! {
                                <p class="alert error" role="alert">{move || field_message(i18n.get_locale(), &e.code)}</p>
                            }).collect_view()}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
