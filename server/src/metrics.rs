//! Prometheus metrics (#20), in the OpenMetrics text format at `/metrics`: never public by default —
//! served on a separate address (`--metrics-bind`, e.g. a private interface) and/or on the portal's own
//! address behind a bearer token (`--metrics-token`). HTTP requests are labelled by their route template
//! (`/assistenza/richieste/{reference}`), never by the raw path, so no reference code or token reaches a
//! label. What lives in the database (requests per state, the queue, the outbox) is read at each scrape;
//! the rest is counted as it happens, per process.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use app::ports::{Limit, Limiter, Store, Throttled};
use async_trait::async_trait;
use axum::body::Body;
use axum::extract::{MatchedPath, State};
use axum::http::{HeaderMap, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LimitLabels {
    limit: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TaskLabels {
    task: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConnectionLabels {
    state: &'static str,
}

/// Seconds: 1 ms to 10 s.
fn latency_histogram() -> Histogram {
    Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
}

/// The timer tasks every server runs, as labelled in `sc3_timer_runs_total`.
#[derive(Clone, Copy, Debug)]
pub enum Task {
    Outbox,
    AutoClose,
    LimitsTidy,
    SessionPurge,
    Backup,
    Retention,
    FanOut,
}

impl Task {
    fn code(self) -> &'static str {
        match self {
            Task::Outbox => "outbox",
            Task::AutoClose => "auto_close",
            Task::LimitsTidy => "limits_tidy",
            Task::SessionPurge => "session_purge",
            Task::Backup => "backup",
            Task::Retention => "retention",
            Task::FanOut => "incident_fanout",
        }
    }
}

pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    http_in_flight: Gauge,
    limit_refusals: Family<LimitLabels, Counter>,
    login_failures: Counter,
    emails: Family<OutcomeLabels, Counter>,
    timer_runs: Family<TaskLabels, Counter>,
    backups: Family<OutcomeLabels, Counter>,
    requests: Family<StateLabels, Gauge>,
    queue_waiting: Gauge,
    queue_oldest_age: Gauge<f64, AtomicU64>,
    outbox_pending: Gauge,
    outbox_oldest_age: Gauge<f64, AtomicU64>,
    outbox_failed: Gauge,
    db_connections: Family<ConnectionLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("sc3");
        let http_requests = Family::<HttpLabels, Counter>::default();
        let http_duration =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let http_in_flight = Gauge::default();
        let limit_refusals = Family::<LimitLabels, Counter>::default();
        let login_failures = Counter::default();
        let emails = Family::<OutcomeLabels, Counter>::default();
        let timer_runs = Family::<TaskLabels, Counter>::default();
        let backups = Family::<OutcomeLabels, Counter>::default();
        let requests = Family::<StateLabels, Gauge>::default();
        let queue_waiting = Gauge::default();
        let queue_oldest_age = Gauge::<f64, AtomicU64>::default();
        let outbox_pending = Gauge::default();
        let outbox_oldest_age = Gauge::<f64, AtomicU64>::default();
        let outbox_failed = Gauge::default();
        let db_connections = Family::<ConnectionLabels, Gauge>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request (a page: rendered whole), by method and route template",
            http_duration.clone(),
        );
        registry.register("http_requests_in_flight", "HTTP requests being answered now", http_in_flight.clone());
        registry.register(
            "rate_limit_refusals",
            "Attempts refused by an abuse limit, by limit (global_ip: the per-address ceiling; login_delay: \
             the wait after failed logins)",
            limit_refusals.clone(),
        );
        registry.register(
            "login_failures",
            "Failed logins (and wrong current passwords when changing one)",
            login_failures.clone(),
        );
        registry.register("emails", "Emails handed to the mail server, by outcome (sent, failed)", emails.clone());
        registry.register("timer_runs", "Runs of the timer tasks, by task", timer_runs.clone());
        registry.register(
            "backups",
            "Periodic backups of the SQLite database, by outcome (made, failed)",
            backups.clone(),
        );
        registry.register("requests", "Assistance requests, by state (the whole site)", requests.clone());
        registry.register("queue_waiting", "Requests waiting in the queue for an agent", queue_waiting.clone());
        registry.register(
            "queue_oldest_waiting_seconds",
            "How long the oldest request in the queue has waited (0 when the queue is empty)",
            queue_oldest_age.clone(),
        );
        registry.register("outbox_pending", "Emails waiting to be sent", outbox_pending.clone());
        registry.register(
            "outbox_oldest_pending_seconds",
            "How long the oldest email waiting to be sent has waited (0 when none waits)",
            outbox_oldest_age.clone(),
        );
        registry.register("outbox_failed", "Emails given up on after their last attempt", outbox_failed.clone());
        registry.register(
            "db_pool_connections",
            "Database connections of this server, by state (in_use, idle)",
            db_connections.clone(),
        );
        Self {
            registry,
            http_requests,
            http_duration,
            http_in_flight,
            limit_refusals,
            login_failures,
            emails,
            timer_runs,
            backups,
            requests,
            queue_waiting,
            queue_oldest_age,
            outbox_pending,
            outbox_oldest_age,
            outbox_failed,
            db_connections,
        }
    }

    pub fn timer_ran(&self, task: Task) {
        self.timer_runs.get_or_create(&TaskLabels { task: task.code() }).inc();
    }

    pub fn emails_delivered(&self, sent: usize, failed: usize) {
        self.emails.get_or_create(&OutcomeLabels { outcome: "sent" }).inc_by(sent as u64);
        self.emails.get_or_create(&OutcomeLabels { outcome: "failed" }).inc_by(failed as u64);
    }

    pub fn backup_done(&self, ok: bool) {
        self.backups.get_or_create(&OutcomeLabels { outcome: if ok { "made" } else { "failed" } }).inc();
    }

    pub fn refused(&self, limit: &'static str) {
        self.limit_refusals.get_or_create(&LimitLabels { limit }).inc();
    }

    /// The exposition: what lives in the database read now, then everything encoded.
    pub async fn render(&self, store: &dyn Store, now_ms: i64) -> Result<String, app::ports::StoreError> {
        let ops = store.operations().await?;
        for (status, n) in &ops.per_state {
            self.requests.get_or_create(&StateLabels { state: status.code() }).set(*n);
        }
        let age = |since: Option<i64>| since.map_or(0.0, |t| ((now_ms - t).max(0) as f64) / 1000.0);
        self.queue_waiting.set(ops.waiting);
        self.queue_oldest_age.set(age(ops.oldest_waiting_since));
        self.outbox_pending.set(ops.outbox_pending);
        self.outbox_oldest_age.set(age(ops.outbox_oldest_pending_since));
        self.outbox_failed.set(ops.outbox_failed);
        let pool = store.pool_use();
        self.db_connections
            .get_or_create(&ConnectionLabels { state: "in_use" })
            .set(i64::from(pool.open - pool.idle.min(pool.open)));
        self.db_connections.get_or_create(&ConnectionLabels { state: "idle" }).set(i64::from(pool.idle));
        // Every limit appears, at zero until it first refuses: alerts and graphs need the series.
        for limit in Limit::ALL.iter().map(|l| l.code()).chain(["global_ip", "login_delay"]) {
            let _ = self.limit_refusals.get_or_create(&LimitLabels { limit });
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .map_err(|e| app::ports::StoreError::Database(Box::new(e)))?;
        Ok(out)
    }
}

/// A method as a label: the usual ones by name, anything else as "other" (labels stay few).
fn method_label(m: &axum::http::Method) -> &'static str {
    match m.as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    }
}

/// A route template as a label: the router's matched path; built files as one; anything the router did
/// not match (the not-found page, files of the site root) as "unmatched".
fn route_label(matched: Option<&MatchedPath>) -> String {
    match matched.map(MatchedPath::as_str) {
        Some(p) if p.starts_with("/pkg") => "/pkg/*".to_string(),
        Some(p) => p.to_string(),
        None => "unmatched".to_string(),
    }
}

/// Counts every request by route template and status, and times it.
pub async fn track(
    State(metrics): State<Arc<Metrics>>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    let route = route_label(req.extensions().get::<MatchedPath>());
    let method = method_label(req.method());
    metrics.http_in_flight.inc();
    let started = Instant::now();
    let res = next.run(req).await;
    metrics.http_in_flight.dec();
    metrics
        .http_duration
        .get_or_create(&RouteLabels { method, route: route.clone() })
        .observe(started.elapsed().as_secs_f64());
    metrics.http_requests.get_or_create(&HttpLabels { method, route, status: res.status().as_u16() }).inc();
    res
}

/// What `/metrics` needs: the counters, the store, and the token when one is set.
#[derive(Clone)]
pub struct Endpoint {
    pub metrics: Arc<Metrics>,
    pub store: app::ports::SharedStore,
    pub token: Option<Arc<str>>,
}

/// `GET /metrics`: with a token configured, only with `Authorization: Bearer <token>` (401 otherwise).
pub async fn scrape(State(endpoint): State<Endpoint>, headers: HeaderMap) -> Response<Body> {
    if let Some(token) = &endpoint.token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !same(given.as_bytes(), token.as_bytes()) {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], "a bearer token is needed\n")
                .into_response();
        }
    }
    match endpoint.metrics.render(endpoint.store.as_ref(), app::clock::now_ms()).await {
        Ok(body) => ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body)
            .into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "metrics not read");
            (StatusCode::SERVICE_UNAVAILABLE, "the database does not answer\n").into_response()
        }
    }
}

/// Compares in time that depends on the length only.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The limiter, counting what it refuses and the failed logins.
pub struct Counted {
    inner: app::ports::SharedLimiter,
    metrics: Arc<Metrics>,
}

impl Counted {
    pub fn new(inner: app::ports::SharedLimiter, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }
}

#[async_trait]
impl Limiter for Counted {
    async fn check(&self, limit: Limit, key: &str) -> Result<(), Throttled> {
        let result = self.inner.check(limit, key).await;
        if let Err(Throttled::Wait(_)) = result {
            self.metrics.refused(limit.code());
        }
        result
    }

    async fn login_delay(&self, key: &str) -> Result<(), Throttled> {
        let result = self.inner.login_delay(key).await;
        if let Err(Throttled::Wait(_)) = result {
            self.metrics.refused("login_delay");
        }
        result
    }

    async fn login_failed(&self, key: &str) {
        self.metrics.login_failures.inc();
        self.inner.login_failed(key).await;
    }

    async fn login_succeeded(&self, key: &str) {
        self.inner.login_succeeded(key).await;
    }

    async fn tidy(&self) {
        self.inner.tidy().await;
    }
}
