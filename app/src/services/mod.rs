//! Use cases on the server: the logic behind the server functions, over the ports.
pub mod accounts;
pub mod pool;
pub mod requests;

use crate::domain::account::FieldError;
use crate::error::AppError;
use crate::i18n::Locale;

/// Collects every refused field instead of stopping at the first.
#[derive(Default)]
pub(crate) struct Problems(Vec<FieldError>);

impl Problems {
    pub(crate) fn check<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        r.map_err(|e| self.0.push(e)).ok()
    }
    pub(crate) fn push(&mut self, field: &'static str, code: &'static str) {
        if !self.0.iter().any(|e| e.field == field) {
            self.0.push(FieldError::new(field, code));
        }
    }
    pub(crate) fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() { Ok(()) } else { Err(AppError::Invalid(self.0)) }
    }
}

/// The locale for a code stored or sent by a browser: anything but English is Italian (the default).
pub fn locale_of(code: &str) -> Locale {
    if code.eq_ignore_ascii_case("en") || code.to_ascii_lowercase().starts_with("en-") {
        Locale::en
    } else {
        Locale::it
    }
}

/// The language of the request being served: the language cookie, else Accept-Language, else Italian.
pub async fn request_locale() -> Locale {
    let Ok(headers) = leptos_axum::extract::<http::HeaderMap>().await else {
        return Locale::it;
    };
    let cookie = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == crate::LANG_COOKIE)
        .map(|(_, v)| v.to_string());
    if let Some(code) = cookie {
        return locale_of(&code);
    }
    let accept = headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    accept
        .split(',')
        .map(|part| part.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .find(|tag| tag.starts_with("it") || tag.starts_with("en"))
        .map(|tag| locale_of(&tag))
        .unwrap_or(Locale::it)
}
