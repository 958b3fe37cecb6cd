//! Social Care 3's server: configuration, the database adapters, HTTP wiring. `main.rs` only parses the
//! command line; tests start the same router through [`build`].

pub mod admin;
pub mod backup;
#[cfg(feature = "bench")]
pub mod bench;
pub mod config;
pub mod db;
pub mod feed;
pub mod files;
pub mod http;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod privacy;
pub mod sessions;
pub mod telemetry;

use std::sync::Arc;

use app::brand::{Brand, Channels};
use leptos::prelude::LeptosOptions;

use crate::config::Config;
use crate::http::{AppState, Logo};

/// Connects the database (running its migrations) and builds the router with its state.
pub async fn build(config: &Config) -> anyhow::Result<(axum::Router, AppState)> {
    let db::Connected { store, sessions, postgres } = db::connect(config).await?;
    let logo = match &config.brand_logo {
        Some(path) => Some(Arc::new(read_logo(path)?)),
        None => None,
    };
    let brand = Brand {
        name: config.brand_name.clone(),
        primary: config.brand_primary.clone(),
        accent: config.brand_accent.clone(),
        logo_url: logo.as_ref().map(|_| "/brand/logo".to_string()),
        channels: Channels {
            call_centre: config.call_centre.clone(),
            shops_url: config.shops_url.clone(),
            self_care_url: config.self_care_url.clone(),
        },
        company: config.company_details.clone().filter(|c| !c.trim().is_empty()),
    };
    let leptos_options = LeptosOptions::builder()
        .output_name(config.output_name.clone())
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .build();
    let settings = app::context::Settings {
        public_url: config.public_url.trim_end_matches('/').to_string(),
        secure_cookies: config.secure_cookies,
        attachments: app::domain::attachment::AttachmentLimits {
            max_files: usize::from(config.attachment_max_files),
            max_bytes: config.attachment_max_mb << 20,
            customer_quota: config.attachment_customer_quota_mb << 20,
            total_quota: config.attachment_total_quota_mb << 20,
        },
        retention: app::views::Retention {
            unconfirmed_days: config.retain_unconfirmed_days,
            closed_requests_days: config.retain_closed_requests_days,
            email_bodies_days: config.retain_email_bodies_days,
            audit_details_days: config.retain_audit_details_days,
            idle_days: config.idle_days,
            idle_grace_days: config.idle_grace_days,
        },
    };
    let rates = limits::Rates {
        login_ip: config.limit_login_ip,
        login_email: config.limit_login_email,
        register_ip: config.limit_register_ip,
        reset_ip: config.limit_reset_ip,
        reset_email: config.limit_reset_email,
        new_request: config.limit_new_request,
        comment: config.limit_comment,
        resend: config.limit_resend,
        export: config.limit_export,
        global_ip: config.limit_global_ip,
    };
    let limits = Arc::new(limits::Limits::new(rates));
    // One server owns a SQLite database: its limits count in the process. Several may share a PostgreSQL
    // one: the keyed limits count in the database, for the whole site.
    let counted: app::ports::SharedLimiter = match postgres {
        Some(pool) => Arc::new(db::limits::PgLimiter::new(pool, rates)),
        None => limits.clone(),
    };
    let metrics = Arc::new(metrics::Metrics::new());
    let limiter = Arc::new(metrics::Counted::new(counted, metrics.clone()));
    let state = AppState {
        limits,
        limiter,
        metrics,
        metrics_token: config.metrics_token.as_deref().map(Arc::from),
        trusted_proxy_header: config.trusted_proxy_header.as_ref().and_then(|h| h.parse().ok()),
        leptos_options,
        store,
        brand,
        logo,
        settings,
        secure_cookies: config.secure_cookies,
        sessions: sessions.clone(),
    };
    let router = http::router(state.clone()).layer(sessions::layer(
        sessions,
        config.secure_cookies,
        config.session_idle_minutes,
    ));
    Ok((router, state))
}

/// `server check-config`: what `serve` would start with, each line a fact; an error (non-zero exit) when
/// something would keep it from starting.
pub async fn check_config(config: &Config) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    let backend = config.database_url.backend().map_err(anyhow::Error::msg)?;
    if config.backup_dir.is_some() && backend == config::Backend::Postgres {
        anyhow::bail!("--backup-dir works with SQLite only: back PostgreSQL up with pg_dump or PITR (README)");
    }
    if let Some(path) = &config.brand_logo {
        read_logo(path)?;
        lines.push(format!("logo: {}", path.display()));
    }
    let pkg = std::path::Path::new(&config.site_root).join("pkg");
    if !pkg.join(format!("{}.wasm", config.output_name)).exists() {
        anyhow::bail!(
            "the built site is missing: no {}/{}.wasm (build it with `cargo leptos build --release`, or set \
             --site-root)",
            pkg.display(),
            config.output_name
        );
    }
    lines.push(format!("site: {}", config.site_root));
    let connected = db::connect(config)
        .await
        .map_err(|e| anyhow::anyhow!("the database does not answer ({:?}): {e:#}", config.database_url))?;
    connected.store.ping().await.map_err(|e| anyhow::anyhow!("the database answers badly: {e}"))?;
    lines.push(format!("database: {} ({:?}), schema up to date", connected.store.backend(), config.database_url));
    match &config.smtp_host {
        Some(host) => lines.push(format!("email: through {host}:{}", config.smtp_port)),
        None => lines.push(format!("email: written as files in {}", config.mail_dir.display())),
    }
    if let Some(dir) = &config.backup_dir {
        lines.push(format!(
            "backups: every {} minutes into {}, the newest {} kept",
            config.backup_every,
            dir.display(),
            config.backup_keep
        ));
    }
    match (&config.metrics_bind, &config.metrics_token) {
        (None, None) => lines.push("metrics: off (set --metrics-bind or --metrics-token)".into()),
        (bind, token) => lines.push(format!(
            "metrics: /metrics{}{}",
            bind.map(|b| format!(" on {b}")).unwrap_or_default(),
            if token.is_some() { " (bearer token)" } else { "" }
        )),
    }
    if config.metrics_token.as_deref().is_some_and(|t| t.len() < 16) {
        anyhow::bail!("--metrics-token is too short: use at least 16 random characters");
    }
    lines.push(format!("listening on: {}", config.bind));
    lines.push("the configuration is valid".into());
    Ok(lines)
}

/// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    if config.backup_dir.is_some() && config.database_url.backend().ok() == Some(config::Backend::Postgres) {
        anyhow::bail!("--backup-dir works with SQLite only: back PostgreSQL up with pg_dump or PITR (README)");
    }
    let (router, state) = build(&config).await?;
    if let Some(dir) = &config.backup_dir {
        let every = std::time::Duration::from_secs(config.backup_every * 60);
        backup::spawn_periodic(config.clone(), dir.clone(), every, config.backup_keep as usize, state.metrics.clone());
    }
    if let Some(address) = config.metrics_bind {
        let listener = tokio::net::TcpListener::bind(address).await?;
        tracing::info!(address = %listener.local_addr()?, "metrics at /metrics");
        let router = http::metrics_router(&state);
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the metrics address stopped");
            }
        });
    }
    let mailer = Arc::new(mail::Mailer::from_config(&config)?);
    mail::spawn_worker(state.store.clone(), mailer, state.metrics.clone());
    sessions::spawn_purge(state.sessions.clone(), state.metrics.clone());
    {
        let (limits, limiter, metrics) = (state.limits.clone(), state.limiter.clone(), state.metrics.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                every.tick().await;
                limits.tidy();
                limiter.tidy().await;
                metrics.timer_ran(metrics::Task::LimitsTidy);
            }
        });
    }
    {
        // Requests whose outcome nobody confirmed or reopened in 14 days close by themselves.
        let portal = state.portal();
        let metrics = state.metrics.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                every.tick().await;
                metrics.timer_ran(metrics::Task::AutoClose);
                match app::services::requests::auto_close_due(&portal, app::clock::now_ms()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(closed = n, "requests closed automatically"),
                    Err(e) => tracing::warn!(error = ?e, "automatic closing failed"),
                }
            }
        });
    }
    {
        // Retention (#18): every rule, every hour (the first pass at start-up), on every server.
        let portal = state.portal();
        let metrics = state.metrics.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every.tick().await;
                metrics.timer_ran(metrics::Task::Retention);
                match app::services::privacy::apply_retention(&portal, app::clock::now_ms()).await {
                    Ok(done) if done == Default::default() => {}
                    Ok(done) => tracing::info!(?done, "retention applied"),
                    Err(e) => tracing::warn!(error = ?e, "retention failed"),
                }
            }
        });
    }
    {
        // Incident updates reach every linked request (#17): one batch per transaction, the next at once
        // while work is left (other writers get the database between two batches), else a look every 2 s.
        let portal = state.portal();
        let metrics = state.metrics.clone();
        tokio::spawn(async move {
            loop {
                metrics.timer_ran(metrics::Task::FanOut);
                let pause = match app::services::incidents::fan_out_batch(&portal, app::clock::now_ms()).await {
                    Ok(step) if step == Default::default() => std::time::Duration::from_secs(2),
                    Ok(step) => {
                        tracing::info!(reached = step.reached, finished = step.finished, "incident update fan-out");
                        std::time::Duration::from_millis(5)
                    }
                    Err(e) => {
                        tracing::warn!(error = ?e, "incident update fan-out failed");
                        std::time::Duration::from_secs(2)
                    }
                };
                tokio::time::sleep(pause).await;
            }
        });
    }
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    // The bound address (`--bind 127.0.0.1:0` takes a free port: tests read it from this line).
    let address = listener.local_addr()?;
    tracing::info!(%address, "Social Care 3 listening on http://{address}");
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

fn read_logo(path: &std::path::Path) -> anyhow::Result<Logo> {
    let content_type = match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        _ => anyhow::bail!("the logo must be an .svg, .png, .jpg or .webp file"),
    };
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read the logo {}: {e}", path.display()))?;
    Ok(Logo { bytes, content_type })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
