//! The "Info" side box: what the service is, its hours, that it is free, and the traditional channels.

use leptos::prelude::*;

use crate::brand::Brand;
use crate::i18n::*;

#[component]
pub fn InfoBox() -> impl IntoView {
    let i18n = use_i18n();
    let brand = use_context::<Brand>().unwrap_or_default();
    let tel = brand.call_centre_href();
    let number = brand.channels.call_centre.clone();
    // On a phone the box shows only on Home and Info (#21.8): elsewhere it would push the page's own
    // content below a screen of the same facts.
    let location = leptos_router::hooks::use_location();
    let elsewhere = move || !matches!(location.pathname.get().as_str(), "/" | "/info");
    view! {
        <aside class="card info-box" class:wide-only=elsewhere aria-labelledby="info-box-title">
            <h2 id="info-box-title">{t!(i18n, info_box.title)}</h2>
            <p>{t!(i18n, info_box.about)}</p>
            <dl class="facts">
                <div>
                    <dt>{t!(i18n, info_box.hours_title)}</dt>
                    <dd>{t!(i18n, info_box.hours)}</dd>
                </div>
                <div>
                    <dt>{t!(i18n, info_box.cost_title)}</dt>
                    <dd>{t!(i18n, info_box.cost)}</dd>
                </div>
            </dl>
            <h3>{t!(i18n, info_box.channels_title)}</h3>
            <p class="muted">{t!(i18n, info_box.channels_intro)}</p>
            <ul class="channels">
                <li>
                    <a href=tel>{t!(i18n, info_box.call_centre)} " " <strong>{number}</strong></a>
                </li>
                <li>
                    <a href=brand.channels.shops_url.clone() rel="noopener">{t!(i18n, info_box.shops)}</a>
                </li>
                <li>
                    <a href=brand.channels.self_care_url.clone() rel="noopener">{t!(i18n, info_box.self_care)}</a>
                </li>
            </ul>
        </aside>
    }
}
