//! Home: the page's wall (the brand's posts), with what Social Care is and how it works beside it.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::components::A;

use crate::i18n::*;
use crate::pages::wall::Wall;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=localized(move || t_string!(i18n, nav.home)) />
        <section class="card hero">
            <h1>{t!(i18n, home.title)}</h1>
            <p class="lead">{t!(i18n, home.intro)}</p>
            <A href="/assistenza" attr:class="button primary">{t!(i18n, home.cta)}</A>
        </section>
        <IncidentNotices />
        <Wall />
        <section class="card" aria-labelledby="how-title">
            <h2 id="how-title">{t!(i18n, home.how_title)}</h2>
            <ol class="steps">
                <li>
                    <h3>{t!(i18n, home.step1_title)}</h3>
                    <p>{t!(i18n, home.step1_text)}</p>
                </li>
                <li>
                    <h3>{t!(i18n, home.step2_title)}</h3>
                    <p>{t!(i18n, home.step2_text)}</p>
                </li>
                <li>
                    <h3>{t!(i18n, home.step3_title)}</h3>
                    <p>{t!(i18n, home.step3_text)}</p>
                </li>
            </ol>
        </section>
        <section class="card notice">
            <h2>{t!(i18n, home.fair_title)}</h2>
            <p>{t!(i18n, home.fair_text)}</p>
        </section>
    }
}

/// Incidents in progress, pinned above the wall as service notices (#17).
#[component]
fn IncidentNotices() -> impl IntoView {
    let i18n = use_i18n();
    let open = Resource::new(|| (), |_| crate::api::incidents::open_incidents());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                open.await.ok().filter(|o| !o.is_empty()).map(|open| view! {
                    <section class="card notice service-notice" aria-labelledby="incidents-title">
                        <h2 id="incidents-title">{t!(i18n, incident.notice_title)}</h2>
                        {open.into_iter().map(|incident| view! { <crate::pages::status::IncidentCard incident /> }).collect_view()}
                        <p><A href="/stato">{t!(i18n, incident.status_link)}</A></p>
                    </section>
                })
            })}
        </Suspense>
    }
}
