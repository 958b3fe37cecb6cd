//! Assistenza / Social Care: how to ask the care pool for help, and what happens next.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::components::A;

use crate::api::auth::get_me;
use crate::brand::Brand;
use crate::i18n::*;

#[component]
pub fn AssistancePage() -> impl IntoView {
    let i18n = use_i18n();
    let brand = use_context::<Brand>().unwrap_or_default();
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text=localized(move || t_string!(i18n, nav.assistance)) />
        <section class="card hero">
            <h1>{t!(i18n, assistance.title)}</h1>
            <p class="lead">{t!(i18n, assistance.intro)}</p>
            <Suspense>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(_)) => view! {
                            <p class="actions">
                                <A href="/assistenza/nuova" attr:class="button primary">{t!(i18n, nav.new_request)}</A>
                                <A href="/assistenza/richieste" attr:class="button secondary">{t!(i18n, nav.my_requests)}</A>
                            </p>
                        }.into_any(),
                        _ => view! {
                            <p class="actions">
                                <A href="/registrati" attr:class="button primary">{t!(i18n, nav.register)}</A>
                                <A href="/accedi" attr:class="button secondary">{t!(i18n, nav.login)}</A>
                            </p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="card">
            <h2>{t!(i18n, assistance.what_title)}</h2>
            <p>{t!(i18n, assistance.what_text)}</p>
            <h2>{t!(i18n, assistance.when_title)}</h2>
            <p>{t!(i18n, assistance.when_text)}</p>
        </section>
        <section class="card notice">
            <h2>{t!(i18n, assistance.urgent_title)}</h2>
            <p>
                {t!(i18n, assistance.urgent_text)} " "
                <a href=brand.call_centre_href()>
                    {t!(i18n, info_box.call_centre)} " " {brand.channels.call_centre.clone()}
                </a>
            </p>
        </section>
    }
}
