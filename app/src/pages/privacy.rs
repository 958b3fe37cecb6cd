//! The privacy notice registration links to: what is kept, why, for how long (the retention flags, as
//! this server applies them), and the customer's rights.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::privacy::{legal_documents, retention_periods};
use crate::components::{fill, localized};
use crate::i18n::*;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let periods = Resource::new(|| (), |_| retention_periods());
    let published = Resource::new(|| (), |_| legal_documents());
    view! {
        <Title text=localized(move || t_string!(i18n, privacy.title)) />
        <section class="card">
            <h1>{t!(i18n, privacy.title)}</h1>
            // The notice an admin published (#18), or the one built into the portal (version 1).
            <Suspense>
                {move || Suspend::new(async move {
                    let english = i18n.get_locale_untracked() == Locale::en;
                    match published.await.ok().and_then(|docs| docs.into_iter().find(|d| d.kind == "privacy")) {
                        Some(doc) => view! { <DocumentText body=doc.body(english).to_string() /> }.into_any(),
                        None => view! {
                            <p>{t!(i18n, privacy.p1)}</p>
                            <p>{t!(i18n, privacy.p2)}</p>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <h2>{t!(i18n, privacy.retention_title)}</h2>
            <Suspense>
                {move || Suspend::new(async move {
                    periods.await.ok().map(|r| {
                        let days = |n: i64| n.to_string();
                        view! {
                            <ul>
                                <li>{move || fill(t_string!(i18n, privacy.r_unconfirmed), &[("days", &days(r.unconfirmed_days))])}</li>
                                <li>{move || fill(t_string!(i18n, privacy.r_closed), &[("days", &days(r.closed_requests_days))])}</li>
                                <li>{move || fill(t_string!(i18n, privacy.r_emails), &[("days", &days(r.email_bodies_days))])}</li>
                                <li>{move || fill(t_string!(i18n, privacy.r_audit), &[("days", &days(r.audit_details_days))])}</li>
                                <li>
                                    {move || fill(
                                        t_string!(i18n, privacy.r_idle),
                                        &[("days", &days(r.idle_days)), ("grace", &days(r.idle_grace_days))],
                                    )}
                                </li>
                            </ul>
                        }
                    })
                })}
            </Suspense>
            <h2>{t!(i18n, privacy.rights_title)}</h2>
            <p>{t!(i18n, privacy.p3)}</p>
            <p>{t!(i18n, privacy.p4)}</p>
            <p>{t!(i18n, privacy.p5)}</p>
        </section>
    }
}

/// A published document's text: paragraphs split at blank lines, each line kept. Plain text, never markup.
#[component]
pub fn DocumentText(body: String) -> impl IntoView {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines = p.lines().map(str::to_string).collect::<Vec<_>>();
            let last = lines.len().saturating_sub(1);
            let parts = lines
                .into_iter()
                .enumerate()
                .map(|(i, line)| view! { {line} {(i < last).then(|| view! { <br /> })} })
                .collect_view();
            view! { <p>{parts}</p> }
        })
        .collect_view()
}
