//! Logging: text by default, JSON on request; `RUST_LOG` refines the levels.
//! Never log secrets or personal data: passwords, tokens, session ids, line numbers, request text.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn,leptos_axum=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    // try_init: a test process may already have a subscriber.
    let _ = match format {
        LogFormat::Text => registry.with(fmt::layer().with_target(false)).try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().flatten_event(true)).try_init(),
    };
}
