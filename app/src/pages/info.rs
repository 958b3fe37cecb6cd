//! Info: the rules of the service (equal treatment, privacy, polite language, free and complementary).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::privacy::legal_documents;
use crate::components::localized;
use crate::i18n::*;
use crate::pages::privacy::DocumentText;

#[component]
pub fn InfoPage() -> impl IntoView {
    let i18n = use_i18n();
    let published = Resource::new(|| (), |_| legal_documents());
    view! {
        <Title text=localized(move || t_string!(i18n, nav.info)) />
        <section class="card">
            <h1>{t!(i18n, info.title)}</h1>
            <p class="lead">{t!(i18n, info.intro)}</p>
            // The rules an admin published (#18), or the ones built into the portal (version 1).
            <Suspense>
                {move || Suspend::new(async move {
                    let english = i18n.get_locale_untracked() == Locale::en;
                    match published.await.ok().and_then(|docs| docs.into_iter().find(|d| d.kind == "rules")) {
                        Some(doc) => view! { <div class="rules-text"><DocumentText body=doc.body(english).to_string() /></div> }.into_any(),
                        None => view! { <BuiltInRules /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The rules as the portal ships them (version 1).
#[component]
fn BuiltInRules() -> impl IntoView {
    let i18n = use_i18n();
    view! {
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
    }
}
