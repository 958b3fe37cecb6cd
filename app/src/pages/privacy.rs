//! The privacy notice registration links to: what is kept, why, for how long (the retention flags, as
//! this server applies them), and the customer's rights.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::privacy::retention_periods;
use crate::components::{fill, localized};
use crate::i18n::*;

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let periods = Resource::new(|| (), |_| retention_periods());
    view! {
        <Title text=localized(move || t_string!(i18n, privacy.title)) />
        <section class="card">
            <h1>{t!(i18n, privacy.title)}</h1>
            <p>{t!(i18n, privacy.p1)}</p>
            <p>{t!(i18n, privacy.p2)}</p>
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
