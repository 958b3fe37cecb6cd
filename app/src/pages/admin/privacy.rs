//! Privacy (admins, #18): erase a customer's account on their request, and the log of every data
//! download and erasure (who, when, no content).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::privacy::{AdminEraseAccount, privacy_log};
use crate::components::fill;
use crate::components::form::{Field, FormAlert, Submit, failure, field_error};
use crate::components::localized;
use crate::components::time::Time;
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal};
use crate::tr;

#[component]
pub fn PrivacyAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let erase = ServerAction::<AdminEraseAccount>::new();
    let errors = failure(erase.value());
    let before = move || query.read().get("prima").and_then(|b| b.parse::<i64>().ok());
    let log = Resource::new(move || (before(), erase.version().get()), |(before, _)| privacy_log(before));
    // "N requests anonymised, M closed", from the action (JavaScript) or the redirect's query (none).
    let done = move || {
        let counts = match erase.value().get() {
            Some(Ok((requests, withdrawn))) => Some((requests.to_string(), withdrawn.to_string())),
            _ => query.read().get("eliminato").and_then(|v| {
                let (r, w) = v.split_once('-')?;
                Some((r.parse::<u64>().ok()?.to_string(), w.parse::<u64>().ok()?.to_string()))
            }),
        };
        counts.map(|(r, w)| {
            fill(t_string!(i18n, admin.privacy_done), &[("requests", r.as_str()), ("withdrawn", w.as_str())])
        })
    };
    view! {
        <Title text=localized(move || t_string!(i18n, admin.privacy)) />
        <StaffNav />
        <section class="card form-card">
            <h1>{t!(i18n, admin.privacy_title)}</h1>
            <p>{t!(i18n, admin.privacy_intro)}</p>
            <p><A href="/admin/documenti">{t!(i18n, admin.documents_link)}</A></p>
            {move || done().map(|text| view! { <p class="alert success" role="status">{text}</p> })}
            <ActionForm action=erase attr:class="form" attr:novalidate=true>
                <FormAlert errors fields=&["email", "reason", "confirm"] />
                <Field
                    name="email"
                    label=tr!(i18n, admin.privacy_email)
                    input_type="email"
                    required=true
                    error=field_error(errors, "email")
                />
                <Field
                    name="reason"
                    label=tr!(i18n, admin.privacy_reason)
                    required=true
                    error=field_error(errors, "reason")
                    hint=tr!(i18n, admin.privacy_reason_hint)
                />
                <div class="check" class:invalid=move || field_error(errors, "confirm").get().is_some()>
                    <input type="checkbox" id="f-confirm" name="confirm" value="yes" />
                    <label for="f-confirm">{t!(i18n, admin.privacy_confirm)}</label>
                    <p class="field-error">{move || field_error(errors, "confirm").get()}</p>
                </div>
                <Submit pending=erase.pending().into() label=tr!(i18n, admin.privacy_erase) />
            </ActionForm>
        </section>
        <section class="card">
            <h2>{t!(i18n, admin.privacy_log)}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(lines) if lines.is_empty() => view! {
                            <p class="empty">{t!(i18n, admin.privacy_empty)}</p>
                        }.into_any(),
                        Ok(lines) => {
                            let next = (lines.len() == 50)
                                .then(|| lines.last().map(|l| format!("/admin/privacy?prima={}", l.id)))
                                .flatten();
                            let rows = lines.into_iter().map(|l| {
                                let what = if l.action == "account_erased" {
                                    tr!(i18n, admin.act_account_erased)
                                } else {
                                    tr!(i18n, admin.act_data_exported)
                                };
                                let who = match (&l.actor_name, l.actor_id == l.account_id) {
                                    (_, true) => t_string!(i18n, admin.privacy_self).to_string(),
                                    (Some(name), false) => name.clone(),
                                    (None, false) => "—".to_string(),
                                };
                                view! {
                                    <tr>
                                        <td><Time ms=l.at /></td>
                                        <td>{who}</td>
                                        <td>{move || what.get()}</td>
                                        <td>{l.account_id.map(|u| format!("#{u}"))}</td>
                                        <td>{l.reason.clone()}</td>
                                    </tr>
                                }
                            }).collect_view();
                            view! {
                                <div class="table-wrap" tabindex="0" role="region" aria-label=move || t_string!(i18n, admin.privacy_log)>
                                    <table class="cases">
                                        <thead>
                                            <tr>
                                                <th>{t!(i18n, admin.when)}</th>
                                                <th>{t!(i18n, admin.who)}</th>
                                                <th>{t!(i18n, admin.what)}</th>
                                                <th>{t!(i18n, admin.account)}</th>
                                                <th>{t!(i18n, admin.detail)}</th>
                                            </tr>
                                        </thead>
                                        <tbody>{rows}</tbody>
                                    </table>
                                </div>
                                {next.map(|href| view! { <A href=href attr:class="button">{t!(i18n, admin.more)}</A> })}
                            }.into_any()
                        }
                        Err(error) => view! { <StaffRefusal error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
