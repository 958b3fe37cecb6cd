//! Accounts: register, log in and out, confirm, reset and change the password, the profile.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::forms::{LoginForm, PasswordForm, ProfileForm, RegisterForm, ResetForm};
pub use crate::views::Me;
#[cfg(feature = "ssr")]
use {
    crate::api::kept::keep_on_error, crate::context::Ctx, crate::domain::request::Role, crate::ports::Limit,
    crate::services::accounts,
};

#[server(endpoint = "register")]
pub async fn register(#[server(flatten)] form: RegisterForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let locale = ctx.locale().await;
    // Refused by the limit or by the service, the typed values are kept for the page either way.
    let result = async {
        ctx.limit(Limit::RegisterIp, &ctx.client_ip().await).await?;
        accounts::register(&ctx, locale, &form).await
    }
    .await;
    keep_on_error("register", &form, result).await?;
    // The "check your inbox" page names the address and can send the link again (#21.8). Only this
    // browser's session holds it: the page tells nobody else which address registered.
    if let Ok(email) = crate::domain::account::Email::parse(&form.email) {
        let session = ctx.session().await?;
        crate::auth::session::put_value(&session, REGISTERED_EMAIL, String::from(email)).await?;
    }
    leptos_axum::redirect("/registrati/controlla");
    Ok(())
}

/// The session key of the address this browser just registered.
#[cfg(feature = "ssr")]
const REGISTERED_EMAIL: &str = "registered_email";

/// The address this browser just registered, for the "check your inbox" page.
#[server(endpoint = "registered-address")]
pub async fn registered_address() -> Result<Option<String>, AppError> {
    let ctx = Ctx::get()?;
    crate::auth::session::get_value(&ctx.session().await?, REGISTERED_EMAIL).await
}

/// Sends the confirmation link again to the address this browser just registered (when it still waits
/// for confirmation); the same answer whatever the case.
#[server(endpoint = "resend-registration")]
pub async fn resend_registration() -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    ctx.limit(Limit::RegisterIp, &ctx.client_ip().await).await?;
    let address = crate::auth::session::get_value(&ctx.session().await?, REGISTERED_EMAIL).await?;
    if let Some(email) = address.and_then(|a| crate::domain::account::Email::parse(&a).ok())
        && let Some(user) = ctx.store.user_by_email(&email).await?
        && !user.email_confirmed
    {
        ctx.limit(Limit::Resend, &user.id.to_string()).await?;
        accounts::resend_confirmation(&ctx, &user).await?;
    }
    leptos_axum::redirect("/registrati/controlla?inviata=1");
    Ok(())
}

#[server(endpoint = "login")]
pub async fn login(#[server(flatten)] form: LoginForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let result = guarded_login(&ctx, &form).await;
    let user = keep_on_error("login", &form, result).await?;
    let session = ctx.session().await?;
    crate::auth::session::log_in(&session, &user).await?;
    // The account is in use: retention's idle clock starts again (#18).
    ctx.store.record_login(user.id, crate::clock::now_ms()).await?;
    // From now on this browser is one the account knows (see `auth::device`).
    if let (Some(cookie), Some(response)) =
        (crate::auth::device::issue(&user), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(value) =
            http::HeaderValue::from_str(&crate::auth::device::set_cookie(&cookie, ctx.settings.secure_cookies))
    {
        response.append_header(http::header::SET_COOKIE, value);
    }
    // Back where the person was going (a link from an email, a page that asked them to log in); otherwise
    // where they come to work: customers to their requests, staff to the queue (#21.6).
    let home = if user.role.is_staff() { "/admin" } else { "/assistenza/richieste" };
    let next = crate::forms::local_path(&form.next).unwrap_or(home);
    if !user.email_confirmed {
        leptos_axum::redirect("/conferma-email");
    } else if user.role == Role::Customer && user.consent_pending {
        // A newer privacy notice or set of rules: accepted before anything else (#18).
        let back = crate::forms::local_path(&form.next).map(crate::components::shell::encode_path).unwrap_or_default();
        leptos_axum::redirect(&format!("/consenso?next={back}"));
    } else {
        leptos_axum::redirect(next);
    }
    Ok(())
}

/// The login behind its limits (#14: throttle the attacker, never the owner). Per client address, as
/// before. Per account only for browsers the account does not know: a browser holding the account's device
/// cookie is not counted against it, so a stranger's guesses cannot keep the owner out. The growing delay
/// after failures is per account and address, or per device for a known browser: it slows down whoever
/// guesses, wherever they guess from, and nobody else.
#[cfg(feature = "ssr")]
async fn guarded_login(ctx: &Ctx, form: &LoginForm) -> Result<crate::ports::UserRecord, AppError> {
    let ip = ctx.client_ip().await;
    let account = form.email.trim().to_lowercase();
    // The account is looked up before the limits only when the browser shows a device cookie.
    let cookie = crate::auth::device::from_headers(&ctx.headers().await);
    let known = match &cookie {
        Some(_) => Some(accounts::account_for_login(&ctx.store, &form.email).await?),
        None => None,
    };
    let device = match (known.as_ref().and_then(Option::as_ref), &cookie) {
        (Some(user), Some(cookie)) => crate::auth::device::recognise(cookie, user),
        _ => None,
    };
    let delay_key = match &device {
        Some(device) => format!("device {device}"),
        None => {
            ctx.limit(Limit::LoginIp, &ip).await?;
            ctx.limit(Limit::LoginEmail, &account).await?;
            format!("{account} {ip}")
        }
    };
    if let Some(l) = ctx.limiter() {
        l.login_delay(&delay_key).await?;
    }
    let user = match known {
        Some(user) => user,
        None => accounts::account_for_login(&ctx.store, &form.email).await?,
    };
    let result = accounts::check_password(&ctx.store, &ctx.brand, user, &form.password).await;
    if let Some(l) = ctx.limiter() {
        match &result {
            Ok(_) => l.login_succeeded(&delay_key).await,
            Err(AppError::InvalidCredentials) => l.login_failed(&delay_key).await,
            Err(_) => {}
        }
    }
    result
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = Ctx::get()?.session().await?;
    crate::auth::session::log_out(&session).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The logged-in account, if any (confirmed or not).
#[server(endpoint = "me")]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    let ctx = Ctx::get()?;
    let Some(u) = ctx.visitor().await? else {
        return Ok(None);
    };
    let (unread, notifications) = if u.role == Role::Customer {
        (ctx.store.customer_pulse(u.id).await?.unread, ctx.store.unread_notifications(u.id).await?)
    } else {
        (0, 0)
    };
    Ok(Some(Me {
        display_name: u.display_name,
        email: u.email,
        email_confirmed: u.email_confirmed,
        role: u.role,
        line_number: u.line_number,
        locale: u.locale,
        email_notifications: u.email_notifications,
        unread,
        notifications,
        consent_pending: u.role == Role::Customer && u.consent_pending,
    }))
}

#[server(endpoint = "resend-confirmation")]
pub async fn resend_confirmation() -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let user = ctx.visitor().await?.ok_or(AppError::Unauthorized)?;
    // Per address and per account (#14: thirty clicks queued thirty emails to the address's owner).
    ctx.limit(Limit::RegisterIp, &ctx.client_ip().await).await?;
    ctx.limit(Limit::Resend, &user.id.to_string()).await?;
    accounts::resend_confirmation(&ctx, &user).await?;
    leptos_axum::redirect("/conferma-email?inviata=1");
    Ok(())
}

#[server(endpoint = "forgot-password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    ctx.limit(Limit::ResetIp, &ctx.client_ip().await).await?;
    ctx.limit(Limit::ResetEmail, &email.trim().to_lowercase()).await?;
    let email = crate::domain::account::Email::for_lookup(&email)?;
    // #14: the answer goes out before the address is looked up, so it takes as long for an address with
    // an account as for one without (the lookup and the email took 2 ms more before, enough to tell).
    let portal = ctx.portal.clone();
    tokio::spawn(async move {
        if let Err(e) = accounts::request_password_reset(&portal, &email).await {
            tracing::error!(error = ?e, "password reset not sent");
        }
    });
    leptos_axum::redirect("/password-dimenticata?inviata=1");
    Ok(())
}

#[server(endpoint = "reset-password")]
pub async fn reset_password(#[server(flatten)] form: ResetForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    accounts::reset_password(&ctx, &form).await?;
    // Whoever asked for the reset may be logged in here: that session ended with the others.
    crate::auth::session::log_out(&ctx.session().await?).await?;
    leptos_axum::redirect("/accedi?reimpostata=1");
    Ok(())
}

#[server(endpoint = "update-profile")]
pub async fn update_profile(#[server(flatten)] form: ProfileForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    accounts::update_profile(&ctx.store, me.user(), &form).await?;
    leptos_axum::redirect("/account?salvato=1");
    Ok(())
}

#[server(endpoint = "change-password")]
pub async fn change_password(#[server(flatten)] form: PasswordForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    let session = ctx.session().await?;
    let change = accounts::change_password(&ctx, me.user(), &form);
    let epoch = password_guarded(&ctx, me.user(), &session, "current_password", change).await?;
    crate::auth::session::keep_session(&session, epoch).await?;
    leptos_axum::redirect("/account?password=1");
    Ok(())
}

/// Runs a use case that asks for the account's password again (changing it, deleting the account) behind
/// the guard of #14: guessing the password with a stolen session is throttled like a login, and the
/// session ends after a few wrong guesses. `field` is where the use case reports a wrong password.
#[cfg(feature = "ssr")]
pub(crate) async fn password_guarded<T>(
    ctx: &Ctx,
    user: &crate::ports::UserRecord,
    session: &tower_sessions::Session,
    field: &str,
    use_case: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let key = format!("password change {}", user.id);
    if let Some(l) = ctx.limiter() {
        l.login_delay(&key).await?;
    }
    match use_case.await {
        Err(e) if e.field_code(field) == Some("password_wrong") => {
            if let Some(l) = ctx.limiter() {
                l.login_failed(&key).await;
            }
            if crate::auth::session::wrong_current_password(session).await? {
                crate::auth::session::log_out(session).await?;
                return Err(AppError::Unauthorized);
            }
            Err(e)
        }
        Err(e) => Err(e),
        Ok(done) => {
            if let Some(l) = ctx.limiter() {
                l.login_succeeded(&key).await;
            }
            Ok(done)
        }
    }
}
