//! The brand's round avatar: the configured logo, or an original "3"-style mark drawn in SVG.

use leptos::prelude::*;

use crate::brand::Brand;

/// The built-in mark: a bold numeral 3 in white on the brand colour, drawn from two arcs.
#[component]
pub fn BrandMark() -> impl IntoView {
    view! {
        <svg class="brand-mark" viewBox="0 0 100 100" aria-hidden="true" focusable="false">
            <circle cx="50" cy="50" r="50" fill="var(--brand)" />
            <path
                d="M33 28 C40 20 66 19 67 35 C68 46 56 49 47 49 C58 49 71 52 70 65 C69 82 41 84 31 73"
                fill="none"
                stroke="#fff"
                stroke-width="11"
                stroke-linecap="round"
                stroke-linejoin="round"
            />
        </svg>
    }
}

/// The avatar: an `<img>` when a logo is configured, the SVG mark otherwise.
#[component]
pub fn Avatar(brand: Brand, alt: String) -> impl IntoView {
    match brand.logo_url {
        Some(url) => view! { <img class="avatar" src=url alt=alt width="168" height="168" /> }.into_any(),
        None => view! {
            <span class="avatar" role="img" aria-label=alt>
                <BrandMark />
            </span>
        }
        .into_any(),
    }
}
