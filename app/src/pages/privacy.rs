//! The privacy notice registration links to.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;

use crate::i18n::*;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=localized(move || t_string!(i18n, privacy.title)) />
        <section class="card">
            <h1>{t!(i18n, privacy.title)}</h1>
            <p>{t!(i18n, privacy.p1)}</p>
            <p>{t!(i18n, privacy.p2)}</p>
            <p>{t!(i18n, privacy.p3)}</p>
            <p>{t!(i18n, privacy.p4)}</p>
            <p>{t!(i18n, privacy.p5)}</p>
        </section>
    }
}
