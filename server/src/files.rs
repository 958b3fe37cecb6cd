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
    // The name is ours (`safe_name`: letters, digits, spaces, `-_()`), quoted all the same.
    let disposition = format!("{}; filename=\"{}\"", if inline { "inline" } else { "attachment" }, file.name);
    let mut res = Response::new(Body::from(bytes));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(mime).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // A file never changes (a removed one is gone): the browser may keep it for a day, nobody else.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    h.insert(header::HeaderName::from_static("cross-origin-resource-policy"), HeaderValue::from_static("same-origin"));
    res
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response()
}
