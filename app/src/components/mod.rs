//! Pieces every page shares: the Facebook-page-style shell, the brand mark, the Info side box.
pub mod form;
pub mod info_box;
pub mod live;
pub mod logo;
pub mod shell;
pub mod time;
pub mod upload;

use leptos::prelude::Owner;

/// A translated text for `leptos_meta` (page titles). On the server leptos_meta reads it after the page
/// has rendered, outside the request's reactive owner; reading the language signal there panics, so
/// the read runs inside the owner that made it.
pub fn localized(
    text: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl Fn() -> String + Send + Sync + 'static {
    let owner = Owner::current();
    move || match &owner {
        Some(owner) => owner.with(|| text().to_string()),
        None => text().to_string(),
    }
}

/// Fills `{name}`-style placeholders of a translated text.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}
