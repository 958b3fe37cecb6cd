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
    pub role: String,
    pub line_number: Option<String>,
    pub locale: String,
    pub email_notifications: bool,
    /// The pool's messages on the customer's requests that they have not seen yet.
    pub unread: i64,
}

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    pub use crate::brand::Brand;
    pub use crate::ports::{settings, store};
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
    let result = match crate::ports::limit(crate::ports::Limit::RegisterIp, &crate::ports::client_ip().await) {
        Ok(()) => accounts::register(&store()?, &settings()?, &brand(), locale, form).await,
        Err(e) => Err(e),
    };
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
    leptos_axum::redirect(if user.email_confirmed { "/account" } else { "/conferma-email" });
    Ok(())
}

/// The login behind its limits: per address, per email, and the growing delay after failures.
#[cfg(feature = "ssr")]
async fn guarded_login(
    store: &crate::ports::SharedStore,
    email: &str,
    password: &str,
) -> Result<crate::ports::UserRecord, AppError> {
    use crate::ports::{Limit, client_ip, limit, limiter};
    limit(Limit::LoginIp, &client_ip().await)?;
    let key = email.trim().to_lowercase();
    limit(Limit::LoginEmail, &key)?;
    let limiter = limiter();
    if let Some(l) = &limiter {
        l.login_delay(&key).map_err(|secs| AppError::RateLimited { retry_after_secs: secs })?;
    }
    let result = ctx::accounts::log_in(store, email, password).await;
    if let Some(l) = &limiter {
        match &result {
            Ok(_) => l.login_succeeded(&key),
            Err(AppError::InvalidCredentials) => l.login_failed(&key),
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
    let unread = if u.role == "customer" { store.customer_pulse(u.id).await?.unread } else { 0 };
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
    accounts::resend_confirmation(&store, &settings()?, &brand(), &user).await?;
    leptos_axum::redirect("/conferma-email?inviata=1");
    Ok(())
}

#[server(endpoint = "forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use ctx::*;
    crate::ports::limit(crate::ports::Limit::ResetIp, &crate::ports::client_ip().await)?;
    crate::ports::limit(crate::ports::Limit::ResetEmail, &email.trim().to_lowercase())?;
    accounts::request_password_reset(&store()?, &settings()?, &brand(), &email).await?;
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
    let epoch = accounts::change_password(
        &store,
        &settings()?,
        &brand(),
        me.user(),
        &current_password,
        &password,
        &password_confirm,
    )
    .await?;
    crate::auth::session::keep_session(&session, epoch).await?;
    leptos_axum::redirect("/account?password=1");
    Ok(())
}
