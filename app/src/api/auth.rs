//! Accounts: register, log in and out, confirm, reset and change the password, the profile.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the pages may know about the logged-in account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub email_confirmed: bool,
    pub role: crate::domain::request::Role,
    pub line_number: Option<String>,
    pub locale: String,
    pub email_notifications: bool,
    /// The pool's messages on the customer's requests that they have not seen yet.
    pub unread: i64,
}

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    pub use crate::brand::Brand;
    pub use crate::context::{settings, store};
    pub use crate::services::{self, accounts};
    pub use leptos::prelude::use_context;
    pub fn brand() -> Brand {
        use_context::<Brand>().unwrap_or_default()
    }
}

#[server(endpoint = "register")]
pub async fn register(
    display_name: String,
    email: String,
    password: String,
    password_confirm: String,
    line_number: String,
    accept_privacy: Option<String>,
    accept_conduct: Option<String>,
) -> Result<(), AppError> {
    use ctx::*;
    let locale = services::request_locale().await;
    let keep = [("display_name", display_name.clone()), ("email", email.clone()), ("line_number", line_number.clone())];
    let form = accounts::RegisterForm {
        display_name,
        email,
        password,
        password_confirm,
        line_number,
        accept_privacy: accept_privacy.is_some(),
        accept_conduct: accept_conduct.is_some(),
    };
    // Refused by the limit or by the service, the typed values are kept for the page either way.
    let result = async {
        crate::context::limit(crate::ports::Limit::RegisterIp, &crate::context::client_ip().await)?;
        accounts::register(&store()?, &settings()?, &brand(), locale, form).await
    }
    .await;
    let keep: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (*k, v.as_str())).collect();
    crate::api::forms::keep_on_error("register", &keep, result).await?;
    leptos_axum::redirect("/registrati/controlla");
    Ok(())
}

#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let result = guarded_login(&store, &email, &password).await;
    let user = crate::api::forms::keep_on_error("login", &[("email", &email)], result).await?;
    let session = crate::auth::session::session().await?;
    crate::auth::session::log_in(&session, &user).await?;
    // From now on this browser is one the account knows (see `auth::device`).
    if let (Some(cookie), Some(response)) =
        (crate::auth::device::issue(&user), use_context::<leptos_axum::ResponseOptions>())
    {
        let secure = settings().map(|s| s.secure_cookies).unwrap_or(false);
        if let Ok(value) = http::HeaderValue::from_str(&crate::auth::device::set_cookie(&cookie, secure)) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }
    leptos_axum::redirect(if user.email_confirmed { "/account" } else { "/conferma-email" });
    Ok(())
}

/// The login behind its limits (#14: throttle the attacker, never the owner). Per client address, as
/// before. Per account only for browsers the account does not know: a browser holding the account's device
/// cookie is not counted against it, so a stranger's guesses cannot keep the owner out. The growing delay
/// after failures is per account and address, or per device for a known browser: it slows down whoever
/// guesses, wherever they guess from, and nobody else.
#[cfg(feature = "ssr")]
async fn guarded_login(
    store: &crate::ports::SharedStore,
    email: &str,
    password: &str,
) -> Result<crate::ports::UserRecord, AppError> {
    use crate::context::{client_ip, limit, limiter};
    use crate::ports::Limit;
    let ip = client_ip().await;
    let account = email.trim().to_lowercase();
    let headers = leptos_axum::extract::<http::HeaderMap>().await.unwrap_or_default();
    // The account is looked up before the limits only when the browser shows a device cookie.
    let cookie = crate::auth::device::from_headers(&headers);
    let known = match &cookie {
        Some(_) => Some(ctx::accounts::account_for_login(store, email).await?),
        None => None,
    };
    let device = match (known.as_ref().and_then(Option::as_ref), &cookie) {
        (Some(user), Some(cookie)) => crate::auth::device::recognise(cookie, user),
        _ => None,
    };
    let delay_key = match &device {
        Some(device) => format!("device {device}"),
        None => {
            limit(Limit::LoginIp, &ip)?;
            limit(Limit::LoginEmail, &account)?;
            format!("{account} {ip}")
        }
    };
    let limiter = limiter();
    if let Some(l) = &limiter {
        l.login_delay(&delay_key).map_err(|secs| AppError::RateLimited { retry_after_secs: secs })?;
    }
    let user = match known {
        Some(user) => user,
        None => ctx::accounts::account_for_login(store, email).await?,
    };
    let result = ctx::accounts::check_password(store, &ctx::brand(), user, password).await;
    if let Some(l) = &limiter {
        match &result {
            Ok(_) => l.login_succeeded(&delay_key),
            Err(AppError::InvalidCredentials) => l.login_failed(&delay_key),
            Err(_) => {}
        }
    }
    result
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = crate::auth::session::session().await?;
    crate::auth::session::log_out(&session).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The logged-in account, if any (confirmed or not).
#[server(endpoint = "me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    use ctx::*;
    let session = crate::auth::session::session().await?;
    let store = store()?;
    let Some(u) = crate::auth::session::current_user(&store, &session).await? else {
        return Ok(None);
    };
    let unread =
        if u.role == crate::domain::request::Role::Customer { store.customer_pulse(u.id).await?.unread } else { 0 };
    Ok(Some(Me {
        display_name: u.display_name,
        email: u.email,
        email_confirmed: u.email_confirmed,
        role: u.role,
        line_number: u.line_number,
        locale: u.locale,
        email_notifications: u.email_notifications,
        unread,
    }))
}

#[server(endpoint = "resend-confirmation")]
pub async fn resend_confirmation() -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let session = crate::auth::session::session().await?;
    let user = crate::auth::session::current_user(&store, &session).await?.ok_or(AppError::Unauthorized)?;
    // Per address and per account (#14: thirty clicks queued thirty emails to the address's owner).
    crate::context::limit(crate::ports::Limit::RegisterIp, &crate::context::client_ip().await)?;
    crate::context::limit(crate::ports::Limit::Resend, &user.id.to_string())?;
    accounts::resend_confirmation(&store, &settings()?, &brand(), &user).await?;
    leptos_axum::redirect("/conferma-email?inviata=1");
    Ok(())
}

#[server(endpoint = "forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use ctx::*;
    crate::context::limit(crate::ports::Limit::ResetIp, &crate::context::client_ip().await)?;
    crate::context::limit(crate::ports::Limit::ResetEmail, &email.trim().to_lowercase())?;
    let email = crate::domain::account::Email::for_lookup(&email).map_err(|e| AppError::Invalid(vec![e]))?;
    // #14: the answer goes out before the address is looked up, so it takes as long for an address with
    // an account as for one without (the lookup and the email took 2 ms more before, enough to tell).
    let (store, settings, brand) = (store()?, settings()?, brand());
    tokio::spawn(async move {
        if let Err(e) = accounts::request_password_reset(&store, &settings, &brand, &email).await {
            tracing::error!(error = ?e, "password reset not sent");
        }
    });
    leptos_axum::redirect("/password-dimenticata?inviata=1");
    Ok(())
}

#[server(endpoint = "reset-password")]
pub async fn reset_password(token: String, password: String, password_confirm: String) -> Result<(), AppError> {
    use ctx::*;
    accounts::reset_password(&store()?, &settings()?, &brand(), &token, &password, &password_confirm).await?;
    // Whoever asked for the reset may be logged in here: that session ended with the others.
    let session = crate::auth::session::session().await?;
    crate::auth::session::log_out(&session).await?;
    leptos_axum::redirect("/accedi?reimpostata=1");
    Ok(())
}

#[server(endpoint = "update-profile")]
pub async fn update_profile(
    display_name: String,
    line_number: String,
    locale: String,
    email_notifications: Option<String>,
) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let (me, _session) = crate::auth::session::require_user(&store).await?;
    let form =
        accounts::ProfileForm { display_name, line_number, locale, email_notifications: email_notifications.is_some() };
    accounts::update_profile(&store, me.user(), form).await?;
    leptos_axum::redirect("/account?salvato=1");
    Ok(())
}

#[server(endpoint = "change-password")]
pub async fn change_password(
    current_password: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use ctx::*;
    let store = store()?;
    let (me, session) = crate::auth::session::require_user(&store).await?;
    // #14: guessing the current password with a stolen session is throttled like a login, and the
    // session ends after a few wrong guesses.
    let key = format!("password change {}", me.user().id);
    let limiter = crate::context::limiter();
    if let Some(l) = &limiter {
        l.login_delay(&key).map_err(|secs| AppError::RateLimited { retry_after_secs: secs })?;
    }
    let result = accounts::change_password(
        &store,
        &settings()?,
        &brand(),
        me.user(),
        &current_password,
        &password,
        &password_confirm,
    )
    .await;
    let epoch = match result {
        Err(e) if e.field_code("current_password") == Some("password_wrong") => {
            if let Some(l) = &limiter {
                l.login_failed(&key);
            }
            if crate::auth::session::wrong_current_password(&session).await? {
                crate::auth::session::log_out(&session).await?;
                return Err(AppError::Unauthorized);
            }
            return Err(e);
        }
        other => other?,
    };
    if let Some(l) = &limiter {
        l.login_succeeded(&key);
    }
    crate::auth::session::keep_session(&session, epoch).await?;
    leptos_axum::redirect("/account?password=1");
    Ok(())
}
