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

/// On the server: when a plain form post (no JavaScript) is refused, keep the form's text fields for the
/// page that shows it again. Passwords and tokens are never kept.
#[cfg(feature = "ssr")]
pub async fn keep_on_error<T>(
    name: &str,
    form: &impl serde::Serialize,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if result.is_err()
        && is_plain_post().await
        && let Ok(session) = crate::auth::session::session().await
    {
        crate::auth::session::put_flash(&session, name, kept_fields(form)).await?;
    }
    result
}

/// The text fields of a form that may be shown again (at most 5,000 characters each).
#[cfg(feature = "ssr")]
fn kept_fields(form: &impl serde::Serialize) -> FormValues {
    let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(form) else {
        return FormValues::new();
    };
    fields
        .into_iter()
        .filter(|(name, _)| !name.contains("password") && name != "token")
        .filter_map(|(name, value)| match value {
            serde_json::Value::String(text) => Some((name, text.chars().take(5000).collect())),
            _ => None,
        })
        .collect()
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
