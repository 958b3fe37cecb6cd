//! Logging: text by default, JSON on request; `RUST_LOG` refines the levels.
//! Never log secrets or personal data: passwords, tokens, session ids, line numbers, request text.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn,leptos_axum=warn"));
    let registry = tracing_subscriber::registry().with(filter);
    // try_init: a test process may already have a subscriber.
    log_panics();
    let _ = match format {
        LogFormat::Text => registry.with(fmt::layer().with_target(false)).try_init(),
        LogFormat::Json => registry.with(fmt::layer().json().flatten_event(true)).try_init(),
    };
}

/// Panics (a defect anywhere, also in a detached task) go to the log as errors, with where they
/// happened, instead of bare text on stderr.
pub fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(%location, %message, "panicked");
    }));
}
