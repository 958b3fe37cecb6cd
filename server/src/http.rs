//! HTTP wiring: the leptos pages and server functions, health probes, the no-JavaScript language
//! switch, the configured logo, and the layers every request goes through.

use std::sync::Arc;
use std::time::Duration;

use app::LANG_COOKIE;
use app::app::{App, shell};
use app::brand::Brand;
use app::context::Settings;
use app::ports::SharedStore;
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Path, Query, State};
use axum::http::{HeaderValue, Request, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use serde::Deserialize;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::sessions::SessionBackend;

/// Largest request body accepted anywhere (forms and server functions are small).
const BODY_LIMIT: usize = 256 * 1024;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: SharedStore,
    pub brand: Brand,
    pub logo: Option<Arc<Logo>>,
    pub settings: Settings,
    pub secure_cookies: bool,
    pub sessions: SessionBackend,
    /// The global per-address ceiling (and, on SQLite, every limit): counted in this process.
    pub limits: Arc<crate::limits::Limits>,
    /// The keyed limits the server functions check: `limits` on SQLite, the database on PostgreSQL.
    pub limiter: app::ports::SharedLimiter,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// `/metrics` on the portal's address answers only with this bearer token (absent: no `/metrics`).
    pub metrics_token: Option<Arc<str>>,
    pub trusted_proxy_header: Option<axum::http::HeaderName>,
}

impl AppState {
    /// What the services work with.
    pub fn portal(&self) -> app::context::Portal {
        app::context::Portal { store: self.store.clone(), settings: self.settings.clone(), brand: self.brand.clone() }
    }

    /// The body limit of the forms that carry files.
    fn upload_body_limit(&self) -> usize {
        self.settings.attachments.body_limit()
    }
}

/// The configured avatar image, read once at start-up.
pub struct Logo {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// The app's routes, listed once per process. leptos_router lists them by rendering the app with a
/// process-wide switch on that turns every resource created meanwhile — in any request of any router of
/// this process — into a load that never ends (`SuppressResourceLoad`). Built a second time while another
/// router serves (every test of a file builds its own), it left that router's page waiting forever for its
/// data: the response stall of #13. Once per process, before any router of it can serve, nothing is
/// rendering while the switch is on.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// What `/metrics` serves, wherever it is served.
fn metrics_endpoint(state: &AppState) -> crate::metrics::Endpoint {
    crate::metrics::Endpoint {
        metrics: state.metrics.clone(),
        store: state.store.clone(),
        token: state.metrics_token.clone(),
    }
}

/// The separate metrics address (`--metrics-bind`): `/metrics` and nothing else.
pub fn metrics_router(state: &AppState) -> Router {
    Router::new().route("/metrics", get(crate::metrics::scrape)).with_state(metrics_endpoint(state))
}

pub fn router(state: AppState) -> Router {
    let context = {
        let ctx = app::context::Ctx::new(state.portal(), Some(state.limiter.clone()));
        let brand = state.brand.clone();
        move || {
            // What every server function works with, and the brand the pages show.
            provide_context(ctx.clone());
            provide_context(brand.clone());
            // A fresh script nonce per page: the shell puts it on its scripts and in the policy header.
            leptos::nonce::provide_nonce();
        }
    };
    let routes = route_list();
    let leptos_options = state.leptos_options.clone();
    // Built files are served by ServeDir itself: leptos_axum's file handler turns a 304 (a browser
    // revalidating its cached WASM) into the 404 page, and a returning visitor's page never hydrated.
    let site_root = leptos_options.site_root.to_string();
    // The build writes brotli and gzip copies beside each file (`precompress_site` in scripts/env.sh):
    // the 2 MB WASM is compressed once, at the best level, instead of on every first visit.
    let pkg =
        ServeDir::new(format!("{site_root}/{}", leptos_options.site_pkg_dir)).precompressed_br().precompressed_gzip();
    let favicon = ServeFile::new(format!("{site_root}/favicon.svg"));
    let mut router = Router::new();
    if state.metrics_token.is_some() {
        router = router.route("/metrics", get(crate::metrics::scrape).with_state(metrics_endpoint(&state)));
    }
    router
        .nest_service("/pkg", pkg)
        .route_service("/favicon.svg", favicon)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/feed.atom", get(crate::feed::atom))
        .route("/lang/{code}", get(switch_language))
        .route("/brand/logo", get(logo))
        .route("/conferma/{token}", get(confirm_email))
        .route("/account/dati", axum::routing::post(crate::privacy::download))
        .route("/stato.atom", get(crate::feed::incidents_atom))
        .route("/stato/{id}/nascondi", get(hide_incident_banner))
        .route("/allegati/{id}", get(crate::files::download))
        .route("/allegati/{id}/anteprima", get(crate::files::thumbnail))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(axum::middleware::from_fn(finish_started_pages))
        .layer(axum::middleware::from_fn(only_the_switch_writes_the_language))
        .layer(axum::middleware::map_response(error_status))
        .layer(axum::middleware::from_fn(forget_shown_form_values))
        .layer(axum::middleware::from_fn(errors_out_of_the_address))
        .layer(axum::middleware::from_fn_with_state(state.clone(), same_origin_only))
        .layer(axum::middleware::from_fn_with_state(state.clone(), client_address))
        .layer(axum::middleware::from_fn_with_state(state.secure_cookies, security_headers))
        .layer(axum::middleware::from_fn_with_state(state.upload_body_limit(), body_limit))
        // Pages and answers are compressed as they go out with gzip at a fast level: brotli's default
        // (11) cost more CPU than rendering the page, and even at level 4 its per-answer set-up made the
        // 200-message request page 30% slower than gzip for 20% fewer bytes (BENCHMARKS.md). Built files
        // come precompressed (brotli 11 and gzip 9) and are left alone.
        .layer(CompressionLayer::new().no_br().quality(CompressionLevel::Precise(4)))
        // A panic in a handler is a defect: it is logged and answered 500, never a hung connection.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http()
                // The path only: query strings are not logged. `account` is filled in once a server
                // function knows who is calling (`app::context`).
                .make_span_with(|req: &Request<Body>| {
                    tracing::info_span!(
                        "http",
                        method = %req.method(),
                        path = %loggable_path(req.uri().path()),
                        account = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(|res: &Response<Body>, latency: Duration, _span: &Span| {
                    tracing::info!(
                        status = res.status().as_u16(),
                        latency_ms = format!("{:.2}", latency.as_secs_f64() * 1000.0),
                        "request"
                    );
                })
                .on_failure(()),
        )
        // Outermost: every answer is counted and timed by its route template, whatever a layer decided.
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track))
        .with_state(state)
}

/// The server functions whose forms carry files (#19): multipart posts, with room for the files.
const UPLOADS: [&str; 3] = ["/api/requests/submit", "/api/requests/reply", "/api/staff/case-action"];

/// Every request body is limited (256 KB; the forms that carry files: their files' limit). An upload
/// that is not multipart is refused before anything reads it.
async fn body_limit(
    State(upload_limit): State<usize>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    let upload = UPLOADS.contains(&req.uri().path());
    let limit = if upload { upload_limit } else { BODY_LIMIT };
    if upload && req.method() == axum::http::Method::POST {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data; boundary="));
        if !multipart {
            return (StatusCode::UNSUPPORTED_MEDIA_TYPE, "multipart/form-data expected").into_response();
        }
    }
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request too large").into_response();
    }
    next.run(req.map(|body| Body::new(http_body_util::Limited::new(body, limit)))).await
}

/// Leptos answers every failed server function with 500; the error itself says what it was (a refused
/// field, a missing login, a conflict…), so the status is set from it: 4xx for the caller's mistakes,
/// 500 only for ours. Plain form posts are redirects and are left alone.
async fn error_status(res: Response<Body>) -> Response<Body> {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if let app::error::AppError::RateLimited { retry_after_secs } = error
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            parts.headers.insert(header::RETRY_AFTER, v);
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Only `/lang/{code}` writes the language cookie (Path=/). leptos_i18n wrote it back on every page read
/// with it, with no Path: the browser scoped that copy to the page's folder (`/assistenza`, `/admin`), and
/// the narrower cookie, sent first, then won over every later switch on those pages.
async fn only_the_switch_writes_the_language(req: Request<Body>, next: axum::middleware::Next) -> Response<Body> {
    let switch = req.uri().path().starts_with("/lang/");
    let mut res = next.run(req).await;
    if !switch {
        let prefix = format!("{LANG_COOKIE}=");
        let kept: Vec<HeaderValue> = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter(|v| !v.to_str().is_ok_and(|v| v.starts_with(&prefix)))
            .cloned()
            .collect();
        res.headers_mut().remove(header::SET_COOKIE);
        for value in kept {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    res
}

/// How long a page whose visitor went away may go on rendering before it is dropped after all.
const ABANDONED_PAGE_LIMIT: Duration = Duration::from_secs(30);

/// A page, once started, is rendered to the end even when its visitor goes away (closes the tab, loses
/// the signal). Dropped half done, the render's reactive owner was disposed while leptos' Suspense
/// effects still ran in their own tasks; they walked the page again, read the disposed language signal or
/// context and panicked (#13: "I18n context is missing", "a reactive value … already disposed" — seen in
/// the benchmark, whose client closes its connections mid-render at the end of each scenario). So the
/// page is rendered in a task of its own, its body gathered there (in async mode it is the whole document
/// already, then a few data scripts), and the owner is disposed only once everything has resolved.
async fn finish_started_pages(req: Request<Body>, next: axum::middleware::Next) -> Response<Body> {
    use tracing::Instrument;
    let path = req.uri().path();
    let page = req.method() == axum::http::Method::GET && !path.starts_with("/api/") && !path.starts_with("/pkg/");
    if !page {
        return next.run(req).await;
    }
    let render = tokio::spawn(
        async move {
            let (parts, body) = next.run(req).await.into_parts();
            match tokio::time::timeout(ABANDONED_PAGE_LIMIT, axum::body::to_bytes(body, usize::MAX)).await {
                Ok(Ok(bytes)) => Response::from_parts(parts, Body::from(bytes)),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, "page body failed");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
                Err(_) => {
                    tracing::error!("page did not finish rendering in time");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
        .instrument(Span::current()),
    );
    match render.await {
        Ok(res) => res,
        // A panic stays a panic: the panic layer outside logs it and answers 500.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A refused form's kept values are shown by the next page view, then forgotten. The page only reads
/// them, however many times leptos builds its parts (#13); once a page has been rendered and answered,
/// this forgets them.
async fn forget_shown_form_values(req: Request<Body>, next: axum::middleware::Next) -> Response<Body> {
    let path = req.uri().path();
    let page = req.method() == axum::http::Method::GET && !path.starts_with("/api/") && !path.starts_with("/pkg/");
    let session = if page { req.extensions().get::<tower_sessions::Session>().cloned() } else { None };
    let res = next.run(req).await;
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if let Some(session) = session.filter(|_| html && res.status().is_success())
        && let Err(e) = app::auth::session::forget_flash(&session).await
    {
        tracing::warn!(error = ?e, "kept form values not forgotten");
    }
    res
}

/// The session key holding a refused plain form post's error until its page shows it.
const FAILED_FORM: &str = "sc3.failed_form";
/// The redirect of a refused plain form post names its error here too.
pub const FORM_ERROR_HEADER: &str = "x-form-error";

/// A refused form posted without JavaScript comes back to its page with the error in the address
/// (`?__path=…&__err=<base64>`, leptos' way): long, ugly, and bookmarked or shared by accident (#21.5).
/// The redirect leaves with a clean address and the error waits in the session; the next view of that
/// page gets it back inside the server only, and it is forgotten once shown.
async fn errors_out_of_the_address(mut req: Request<Body>, next: axum::middleware::Next) -> Response<Body> {
    let session = req.extensions().get::<tower_sessions::Session>().cloned();
    let is_post = req.method() == axum::http::Method::POST;
    if let Some(session) = &session
        && req.method() == axum::http::Method::GET
        && !req.uri().path().starts_with("/api/")
        && !req.uri().path().starts_with("/pkg/")
        && let Ok(Some((path, error))) = session.get::<(String, String)>(FAILED_FORM).await
        && path == req.uri().path()
    {
        let _ = session.remove::<(String, String)>(FAILED_FORM).await;
        let query = match req.uri().query() {
            Some(q) if !q.is_empty() => format!("{q}&{error}"),
            _ => error,
        };
        if let Ok(uri) = format!("{}?{query}", req.uri().path()).parse() {
            *req.uri_mut() = uri;
        }
    }
    let mut res = next.run(req).await;
    let Some(session) = session.filter(|_| is_post && res.status().is_redirection()) else {
        return res;
    };
    let Some(location) = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string) else {
        return res;
    };
    let Some((path, query)) = location.split_once('?').filter(|(_, q)| q.contains("__err=")) else {
        return res;
    };
    let (error, rest): (Vec<&str>, Vec<&str>) =
        query.split('&').partition(|kv| kv.starts_with("__err=") || kv.starts_with("__path="));
    // The address may be absolute (leptos sends the page back to its Referer): the page's path is kept.
    let page = path.parse::<axum::http::Uri>().map(|u| u.path().to_string()).unwrap_or_else(|_| path.to_string());
    if session.insert(FAILED_FORM, (page, error.join("&"))).await.is_err() {
        return res;
    }
    let clean = if rest.is_empty() { path.to_string() } else { format!("{path}?{}", rest.join("&")) };
    if let Ok(v) = HeaderValue::from_str(&clean) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    // The refusal stays readable by a program (the same base64 JSON) without going through the address.
    if let Some(v) = error.iter().find_map(|kv| kv.strip_prefix("__err=")).and_then(|e| HeaderValue::from_str(e).ok()) {
        res.headers_mut().insert(FORM_ERROR_HEADER, v);
    }
    res
}

/// Works out the client's address (the connection's, or the trusted proxy's header when configured),
/// writes it into the request for the server functions (replacing any a client sent), and applies the
/// global per-address ceiling: over it, 429 with `Retry-After` and a short page in both languages.
async fn client_address(
    State(state): State<AppState>,
    mut req: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    let peer = req.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string());
    let forwarded = state.trusted_proxy_header.as_ref().and_then(|name| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|ip| ip.trim().to_string())
            .filter(|ip| ip.parse::<std::net::IpAddr>().is_ok())
    });
    let ip = forwarded.or(peer).unwrap_or_else(|| "unknown".to_string());
    if let Err(wait) = state.limits.check_global(&ip) {
        tracing::warn!("global rate limit reached");
        state.metrics.refused("global_ip");
        let mut res = (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html lang=\"it\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width\"><title>Troppe richieste</title></head><body style=\"font-family:system-ui;\
             max-width:40rem;margin:3rem auto;padding:0 1rem\"><h1>Troppe richieste</h1><p>Hai fatto molte richieste in \
             poco tempo: riprova tra qualche istante.</p><p lang=\"en\">Too many requests in a short time: please try \
             again in a moment.</p></body></html>",
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return res;
    }
    if let Ok(v) = HeaderValue::from_str(&ip) {
        req.headers_mut().insert(app::context::CLIENT_IP_HEADER, v);
    }
    next.run(req).await
}

/// Cross-site request protection (with SameSite=Lax cookies): a state-changing request whose `Origin`
/// (or, without one, `Referer`) names another site is refused with 403 and changes nothing. Browsers send
/// one of the two on every form post and fetch; a request with neither comes from no browser page.
async fn same_origin_only(
    State(state): State<AppState>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    if matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let claimed = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .map(origin_of);
    let allowed = match claimed {
        None => true,
        Some(None) => false,
        Some(Some(origin)) => {
            // The configured public URL, or this request's own host: either way with the public URL's
            // scheme, host and port (#14: `https://host` passed on an `http://host` deployment).
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let public = origin_of(&state.settings.public_url);
            let scheme = public.as_deref().and_then(|p| p.split_once("://")).map(|(s, _)| s);
            public.as_deref() == Some(origin.as_str())
                || (!host.is_empty() && scheme.is_some_and(|s| origin.eq_ignore_ascii_case(&format!("{s}://{host}"))))
        }
    };
    if allowed {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        (StatusCode::FORBIDDEN, "Cross-site request refused").into_response()
    }
}

/// `scheme://host[:port]` of a URL (an `Origin` header is one already); `None` for anything else,
/// including the `null` origin.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "http" | "https") {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// Headers every response carries. HTML pages get their own Content-Security-Policy with the page's
/// script nonce (set by the shell); everything else gets a policy that allows nothing.
async fn security_headers(
    State(secure): State<bool>,
    req: Request<Body>,
    next: axum::middleware::Next,
) -> Response<Body> {
    // Built files are the same for everyone; everything else may depend on the session (#14: personal
    // pages and server-function answers could be kept by a shared cache or the browser's history).
    let shared = req.uri().path().starts_with("/pkg/") || req.uri().path() == "/favicon.svg";
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if !shared && !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
        (header::CONTENT_SECURITY_POLICY, "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    if secure {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    res
}

/// The path as logs may hold it: the token of an email link is cut off.
fn loggable_path(path: &str) -> &str {
    if path.starts_with("/conferma/") { "/conferma/…" } else { path }
}

/// The process is alive.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers: only then should a load balancer send traffic here.
async fn readyz(State(store): State<SharedStore>) -> impl IntoResponse {
    match store.ping().await {
        Ok(()) => (StatusCode::OK, format!("ready ({})", store.backend())),
        Err(e) => {
            tracing::error!(error = ?e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable".to_string())
        }
    }
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// `GET /lang/{it|en}?next=/path`: remembers the language in a cookie and goes back to the page.
/// This is the language switch without JavaScript; hydrated pages switch in place.
async fn switch_language(
    Path(code): Path<String>,
    Query(query): Query<NextQuery>,
    State(state): State<AppState>,
) -> Response<Body> {
    if !matches!(code.as_str(), "it" | "en") {
        return StatusCode::NOT_FOUND.into_response();
    }
    let next = local_path(query.next.as_deref());
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{LANG_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax{secure}");
    let mut res = StatusCode::SEE_OTHER.into_response();
    let headers = res.headers_mut();
    if let (Ok(location), Ok(cookie)) = (HeaderValue::from_str(&next), HeaderValue::from_str(&cookie)) {
        headers.insert(header::LOCATION, location);
        headers.insert(header::SET_COOKIE, cookie);
    }
    res
}

/// Closes an incident's banner for the rest of the visit (#17): its id joins the session cookie the banner
/// reads; back to the page the visitor was on. A plain link, so it works without JavaScript.
async fn hide_incident_banner(
    Path(id): Path<i64>,
    Query(query): Query<NextQuery>,
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response<Body> {
    let name = app::api::incidents::HIDDEN_COOKIE;
    let mut hidden = app::api::incidents::hidden_incidents(&headers);
    if !hidden.contains(&id) {
        hidden.push(id);
    }
    // A few at most: the oldest are forgotten first.
    let keep = hidden.len().saturating_sub(20);
    let value = hidden[keep..].iter().map(i64::to_string).collect::<Vec<_>>().join(".");
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}");
    let next = local_path(query.next.as_deref());
    let mut res = StatusCode::SEE_OTHER.into_response();
    let h = res.headers_mut();
    if let (Ok(location), Ok(cookie)) = (HeaderValue::from_str(&next), HeaderValue::from_str(&cookie)) {
        h.insert(header::LOCATION, location);
        h.insert(header::SET_COOKIE, cookie);
    }
    res
}

/// Only a path on this site is a valid place to go back to (no `//host`, no scheme, no control
/// characters): anything else goes to the home page, so the switch cannot be an open redirect.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && p.len() <= 512
                && !p.chars().any(|c| c.is_control()) =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

async fn logo(State(logo): State<Option<Arc<Logo>>>) -> Response<Body> {
    match logo {
        Some(logo) => (
            [(header::CONTENT_TYPE, logo.content_type), (header::CACHE_CONTROL, "public, max-age=3600")],
            logo.bytes.clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /conferma/{token}`: the link in the confirmation email. Confirms and goes to the login page,
/// which says whether it worked (an unknown, used or expired link answers like the others).
async fn confirm_email(Path(token): Path<String>, State(store): State<SharedStore>) -> Response<Body> {
    let to = match app::services::accounts::confirm_email(&store, &token).await {
        Ok(true) => "/accedi?confermato=1",
        Ok(false) => "/accedi?link=scaduto",
        Err(_) => "/accedi?link=errore",
    };
    let mut res = StatusCode::SEE_OTHER.into_response();
    res.headers_mut().insert(header::LOCATION, HeaderValue::from_static(to));
    res
}

fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = message, "a request handler panicked");
    (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn the_language_switch_only_returns_to_pages_of_this_site() {
        assert_eq!(local_path(Some("/info")), "/info");
        assert_eq!(local_path(Some("//evil.example")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example")), "/");
        assert_eq!(local_path(Some("/a\r\nSet-Cookie: x=1")), "/");
        assert_eq!(local_path(None), "/");
    }
}
