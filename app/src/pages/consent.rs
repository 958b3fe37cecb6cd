//! Accept the new terms (#18): when an admin publishes a new privacy notice or new rules, each customer
//! reads and accepts them here at their next login before going on (or deletes their account instead).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::privacy::{AcceptDocuments, pending_documents};
use crate::components::form::{Submit, failure, field_error};
use crate::components::time::format_date;
use crate::components::{fill, localized};
use crate::i18n::*;
use crate::pages::privacy::DocumentText;
use crate::tr;

#[component]
pub fn ConsentPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let pending = Resource::new(|| (), |_| pending_documents());
    let accept = ServerAction::<AcceptDocuments>::new();
    let errors = failure(accept.value());
    let accept_error = field_error(errors, "accept");
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text=localized(move || t_string!(i18n, consent.title)) />
        <Suspense>
            {move || Suspend::new(async move {
                match pending.await {
                    Ok(Some(docs)) if !docs.is_empty() => {
                        let english = i18n.get_locale_untracked() == Locale::en;
                        let sections = docs.into_iter().map(|d| {
                            let heading = if d.kind == "privacy" { tr!(i18n, consent.privacy_heading) } else { tr!(i18n, consent.rules_heading) };
                            let version = d.version.to_string();
                            let published = d.published_at;
                            let body = d.body(english).to_string();
                            view! {
                                <article class="document">
                                    <h2>{move || heading.get()}</h2>
                                    <p class="muted">
                                        {move || fill(
                                            t_string!(i18n, consent.version),
                                            &[("version", version.as_str()), ("date", &format_date(published, i18n.get_locale()))],
                                        )}
                                    </p>
                                    <DocumentText body />
                                </article>
                            }
                        }).collect_view();
                        view! {
                            <section class="card form-card">
                                <h1>{t!(i18n, consent.title)}</h1>
                                <p class="lead">{t!(i18n, consent.intro)}</p>
                                {sections}
                                <ActionForm action=accept attr:class="form" attr:novalidate=true>
                                    <input type="hidden" name="next" value=next />
                                    <div class="check" class:invalid=move || accept_error.get().is_some()>
                                        <input type="checkbox" id="f-accept" name="accept" value="yes" />
                                        <label for="f-accept">{t!(i18n, consent.accept)}</label>
                                        <p class="field-error">{move || accept_error.get()}</p>
                                    </div>
                                    <Submit pending=accept.pending().into() label=tr!(i18n, consent.submit) />
                                </ActionForm>
                                <p class="muted">
                                    {t!(i18n, consent.not_accepting)} " "
                                    <A href="/account#elimina">{t!(i18n, account.erase_title)}</A>
                                </p>
                            </section>
                        }.into_any()
                    }
                    Ok(Some(_)) => view! {
                        <section class="card hero">
                            <h1>{t!(i18n, consent.title)}</h1>
                            <p class="lead">{t!(i18n, consent.nothing)}</p>
                            <A href="/assistenza/richieste" attr:class="button primary">{t!(i18n, nav.my_requests)}</A>
                        </section>
                    }.into_any(),
                    _ => view! {
                        <section class="card hero">
                            <h1>{t!(i18n, consent.title)}</h1>
                            <p class="lead">{t!(i18n, consent.login_needed)}</p>
                            <A href="/accedi?next=/consenso" attr:class="button primary">{t!(i18n, nav.login)}</A>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
