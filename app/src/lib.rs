//! Social Care 3, the part that runs on both sides: the pages and components, the domain types, the
//! server functions, the error type users see and, for the server only, the ports that the server's
//! database adapters implement.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
#[cfg(feature = "ssr")]
pub mod auth;
pub mod brand;
#[cfg(feature = "ssr")]
pub mod clock;
pub mod components;
#[cfg(feature = "ssr")]
pub mod context;
#[cfg(feature = "ssr")]
pub mod csp;
pub mod domain;
pub mod error;
pub mod forms;
#[cfg(feature = "ssr")]
pub mod mail;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ports;
#[cfg(feature = "ssr")]
pub mod services;
pub mod views;

// The translations of app/locales/*.json, checked at compile time. The build-script variant of
// leptos_i18n 0.6 pulls ICU's data exporters into every build; the macro needs none of that.
#[allow(deprecated)]
mod i18n_gen {
    leptos_i18n::load_locales!();
}
pub use i18n_gen::i18n;

/// Name of the cookie that remembers the chosen language (read by leptos_i18n, written by the
/// language switch with or without JavaScript).
pub const LANG_COOKIE: &str = "i18n_pref_locale";

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let brand = brand::Brand::from_document();
    // Lazy: the page's own WASM chunk (code splitting, see `app::lazy_page!`) is fetched before its
    // part of the page hydrates; the document is marked `data-hydrated` once all of it is interactive.
    wasm_bindgen_futures::spawn_local(async move {
        let Some(body) = leptos::prelude::document().body() else { return };
        let mounted = leptos::mount::hydrate_from_async(body, move || {
            leptos::prelude::provide_context(brand);
            leptos::view! { <app::App /> }
        })
        .await;
        mounted.forget();
        // Lets tests (and curious people) see that the page is interactive.
        if let Some(html) = leptos::prelude::document().document_element() {
            let _ = html.set_attribute("data-hydrated", "true");
        }
    });
}
