//! Use cases on the server: the logic behind the server functions, over the ports.
pub mod accounts;

use crate::i18n::Locale;

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
