//! Keeping what was typed when a form posted without JavaScript is refused: the server keeps the
//! non-secret fields in the session for one page view (never in the URL, never passwords), and the
//! page fills them back in.

use leptos::prelude::*;

use crate::error::AppError;

pub type FormValues = Vec<(String, String)>;

/// The values kept for a form (the server forgets them once the page that shows them has been sent).
#[server(endpoint = "form-values")]
pub async fn take_form_values(form: String) -> Result<Option<FormValues>, AppError> {
    let session = crate::auth::session::session().await?;
    crate::auth::session::kept_flash(&session, &form).await
}

/// The kept value of one field, or an empty string.
pub fn kept(values: &Option<FormValues>, field: &str) -> String {
    values.as_ref().and_then(|v| v.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone())).unwrap_or_default()
}

/// On the server: when a plain form post (no JavaScript) is refused, keep these fields for the page.
#[cfg(feature = "ssr")]
pub async fn keep_on_error<T>(form: &str, fields: &[(&str, &str)], result: Result<T, AppError>) -> Result<T, AppError> {
    if result.is_err()
        && is_plain_post().await
        && let Ok(session) = crate::auth::session::session().await
    {
        let values: FormValues = fields.iter().map(|(k, v)| (k.to_string(), v.chars().take(500).collect())).collect();
        crate::auth::session::put_flash(&session, form, values).await?;
    }
    result
}

/// Was this call a browser's plain form post (no JavaScript)? Those ask for HTML.
#[cfg(feature = "ssr")]
pub async fn is_plain_post() -> bool {
    leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| h.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Sends a plain form post on to `path`; a hydrated page stays where it is and refreshes itself.
#[cfg(feature = "ssr")]
pub async fn redirect_plain_post(path: &str) {
    if is_plain_post().await {
        leptos_axum::redirect(path);
    }
}
