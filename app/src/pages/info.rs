//! Info: the rules of the service (equal treatment, privacy, polite language, free and complementary).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;

use crate::i18n::*;

#[component]
pub fn InfoPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=localized(move || t_string!(i18n, nav.info)) />
        <section class="card">
            <h1>{t!(i18n, info.title)}</h1>
            <p class="lead">{t!(i18n, info.intro)}</p>
            <ul class="rules">
                <li>
                    <h2>{t!(i18n, info.equal_title)}</h2>
                    <p>{t!(i18n, info.equal_text)}</p>
                </li>
                <li>
                    <h2>{t!(i18n, info.privacy_title)}</h2>
                    <p>{t!(i18n, info.privacy_text)}</p>
                </li>
                <li>
                    <h2>{t!(i18n, info.polite_title)}</h2>
                    <p>{t!(i18n, info.polite_text)}</p>
                </li>
                <li>
                    <h2>{t!(i18n, info.free_title)}</h2>
                    <p>{t!(i18n, info.free_text)}</p>
                </li>
                <li>
                    <h2>{t!(i18n, info.always_title)}</h2>
                    <p>{t!(i18n, info.always_text)}</p>
                </li>
            </ul>
        </section>
    }
}
