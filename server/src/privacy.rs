//! "Download my data" (#18): a plain form post from the account page (the password again, and a
//! format), answered with the file itself — the JSON document as a download, or the readable page. With
//! or without JavaScript the browser does the same thing. A refusal goes back to the account page, which
//! says why under the form.

use app::ports::Limit;
use app::services::privacy::{self, ExportFormat};
use axum::extract::{Form, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::http::AppState;

/// Where a refusal sends the browser back to: the account page's data section, with the error's code.
fn back(code: &str) -> Response {
    Redirect::to(&format!("/account?dati={code}#dati")).into_response()
}

pub async fn download(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<app::forms::ExportForm>,
) -> Response {
    let user = match app::auth::session::current_user(&state.store, &session).await {
        Ok(Some(user)) if user.email_confirmed => user,
        Ok(_) => return Redirect::to("/accedi?next=/account").into_response(),
        Err(e) => return failed(e),
    };
    // As a password change: a stolen session cannot guess the password at leisure (#14).
    let key = format!("password change {}", user.id);
    if let Err(app::ports::Throttled::Wait(_)) = state.limiter.login_delay(&key).await {
        return back("rate_limited");
    }
    let portal = state.portal();
    let result = privacy::export(&portal, &user, &form).await;
    let (data, format) = match result {
        Ok(done) => done,
        Err(e) if e.field_code("password") == Some("password_wrong") => {
            state.limiter.login_failed(&key).await;
            return match app::auth::session::wrong_current_password(&session).await {
                Ok(true) => {
                    let _ = app::auth::session::log_out(&session).await;
                    Redirect::to("/accedi?next=/account").into_response()
                }
                Ok(false) => back("password_wrong"),
                Err(e) => failed(e),
            };
        }
        Err(e) => {
            let code = e.field_code("password").or_else(|| e.field_code("format")).unwrap_or("internal").to_string();
            if code == "internal" {
                return failed(e);
            }
            return back(&code);
        }
    };
    state.limiter.login_succeeded(&key).await;
    // Counted once the password is right: a mistyped password does not use up the downloads.
    if let Err(app::ports::Throttled::Wait(_)) = state.limiter.check(Limit::Export, &user.id.to_string()).await {
        return back("rate_limited");
    }
    let day = app::components::time::format_date(data.generated_at, app::i18n::Locale::it).replace('/', "-");
    match format {
        ExportFormat::Json => {
            let body = match serde_json::to_vec_pretty(&data) {
                Ok(body) => body,
                Err(e) => {
                    tracing::error!(error = %e, "the export could not be written");
                    return failed(app::error::AppError::Internal);
                }
            };
            let disposition = format!("attachment; filename=\"social-care-3-dati-{day}.json\"");
            let mut res = ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], body).into_response();
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        ExportFormat::Html => {
            let locale = app::services::locale_of(&user.locale);
            let page = privacy::readable(&data, locale, &state.brand);
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (
                        header::CONTENT_SECURITY_POLICY,
                        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; \
                         form-action 'none'",
                    ),
                ],
                page,
            )
                .into_response()
        }
    }
}

fn failed(e: app::error::AppError) -> Response {
    tracing::error!(error = ?e, "the data export failed");
    back("internal")
}
