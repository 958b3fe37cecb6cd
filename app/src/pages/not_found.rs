//! The 404 page, inside the shell; the server answers it with status 404.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::components::A;

use crate::i18n::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=localized(move || t_string!(i18n, not_found.title)) />
        <section class="card hero">
            <h1>{t!(i18n, not_found.title)}</h1>
            <p class="lead">{t!(i18n, not_found.text)}</p>
            <A href="/" attr:class="button primary">{t!(i18n, not_found.back)}</A>
        </section>
    }
}
