//! What the server provides to every page and server function through leptos' context.

use crate::error::AppError;
use crate::ports::{Limit, SharedLimiter, SharedStore};

/// Settings the server functions need, from the server's configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Public address of the portal, without a trailing slash (links in emails start with it).
    pub public_url: String,
    /// Cookies the server sets itself carry `Secure` (the portal is served over HTTPS).
    pub secure_cookies: bool,
}

/// Counts an attempt against a limit, if the server configured limits.
pub fn limit(limit: Limit, key: &str) -> Result<(), AppError> {
    match leptos::prelude::use_context::<SharedLimiter>() {
        Some(l) => l.check(limit, key).map_err(|secs| AppError::RateLimited { retry_after_secs: secs }),
        None => Ok(()),
    }
}

/// The limiter from context (`None` when the server runs without one).
pub fn limiter() -> Option<SharedLimiter> {
    leptos::prelude::use_context::<SharedLimiter>()
}

/// The client's address, as the server determined it (a header it sets itself; see `server/src/http.rs`).
pub async fn client_ip() -> String {
    leptos_axum::extract::<http::HeaderMap>()
        .await
        .ok()
        .and_then(|h| h.get(CLIENT_IP_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}

/// The request header the server writes the client's address into (any incoming one is replaced).
pub const CLIENT_IP_HEADER: &str = "x-sc3-client-ip";

/// The store from context (the server provides it to every page and server function).
pub fn store() -> Result<SharedStore, AppError> {
    leptos::prelude::use_context::<SharedStore>().ok_or_else(|| {
        tracing::error!("no store in context");
        AppError::Internal
    })
}

pub fn settings() -> Result<Settings, AppError> {
    leptos::prelude::use_context::<Settings>().ok_or(AppError::Internal)
}
