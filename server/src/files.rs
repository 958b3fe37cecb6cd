//! Attachments served (#19): only to the request's customer and to the care pool (checked on every
//! download), the same 404 for everyone else. Images are shown inline (the timeline's thumbnails, the
//! full image on click), PDFs only ever downloaded. Every answer carries a policy that runs nothing
//! (`sandbox`), `nosniff`, and may be kept by the browser only (never by a shared proxy).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::http::AppState;

pub async fn download(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    serve(&state, &session, &id, false).await
}

pub async fn thumbnail(State(state): State<AppState>, session: Session, Path(id): Path<String>) -> Response {
    serve(&state, &session, &id, true).await
}

async fn serve(state: &AppState, session: &Session, id: &str, thumbnail: bool) -> Response {
    let user = match app::auth::session::current_user(&state.store, session).await {
        Ok(Some(user)) => user,
        Ok(None) => return not_found(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let (file, bytes) = match app::services::attachments::fetch(&state.store, &user, id, thumbnail).await {
        Ok(found) => found,
        Err(app::error::AppError::NotFound) => return not_found(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let mime = if thumbnail { "image/jpeg" } else { file.mime.as_str() };
    let inline = thumbnail || file.mime.starts_with("image/");
    let disposition = disposition(inline, &file.name);
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    let fallback = if inline { "inline" } else { "attachment" };
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static(fallback)),
    );
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Kept by nobody, the browser included: after a logout, a removal or an erasure the file must not
    // open from a cache (#14's rule for personal answers).
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    h.insert(header::HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin"));
    res
}

/// `inline` or `attachment`, with the name: plain ASCII in `filename` (others become `_`), the whole name
/// in `filename*` (RFC 6266). Names are ours (`safe_name`: letters, digits, spaces, `-_()`).
fn disposition(inline: bool, name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect();
    if ascii == name {
        format!("{kind}; filename=\"{ascii}\"")
    } else {
        format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response()
}
