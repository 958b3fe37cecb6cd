//! Accounts: registration with email confirmation (without telling whether an address has an
//! account), login, password reset and change, the profile.

use leptos_i18n::td_string;

use crate::auth::password::{check_strength, hash_password, verify_password};
use crate::auth::token::{hash_token, new_token};
use crate::brand::Brand;
use crate::clock::{DAY_MS, HOUR_MS, now_ms};
use crate::context::Settings;
use crate::domain::account::{DisplayName, Email, LineNumber, Password};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::mail::{Mail, fill};
use crate::ports::*;
use crate::services::{Problems, locale_of};
use leptos_i18n::Locale as _;

/// The registration form as posted (raw strings: every rule is checked here, all at once).
pub struct RegisterForm {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
    pub line_number: String,
    pub accept_privacy: bool,
    pub accept_conduct: bool,
}

/// Checks a new password: its own rules, not the email, strong enough, typed twice alike.
fn new_password(p: &mut Problems, raw: &str, confirm: &str, email: Option<&Email>, name: &str) -> Option<Password> {
    let password = p.check(Password::parse(raw))?;
    if let Some(email) = email {
        p.check(password.check_against(email))?;
    }
    let known: Vec<&str> =
        email.map(|e| e.as_ref()).into_iter().chain([name].into_iter().filter(|n| !n.is_empty())).collect();
    p.check(check_strength(&password, &known))?;
    if raw != confirm {
        p.push("password_confirm", "password_mismatch");
        return None;
    }
    Some(password)
}

fn greeting(locale: Locale, name: &str) -> String {
    fill(td_string!(locale, email.greeting), &[("name", name)])
}

#[tracing::instrument(skip_all)]
pub async fn register(
    store: &SharedStore,
    settings: &Settings,
    brand: &Brand,
    locale: Locale,
    form: RegisterForm,
) -> Result<(), AppError> {
    let mut p = Problems::default();
    let name = p.check(DisplayName::parse(&form.display_name));
    let email = p.check(Email::parse(&form.email));
    let line = p.check(LineNumber::parse_optional(&form.line_number));
    let password = new_password(
        &mut p,
        &form.password,
        &form.password_confirm,
        email.as_ref(),
        name.as_ref().map(|n| n.as_ref()).unwrap_or(""),
    );
    if !form.accept_privacy {
        p.push("accept_privacy", "consent_required");
    }
    if !form.accept_conduct {
        p.push("accept_conduct", "consent_required");
    }
    p.into_result()?;
    let (Some(name), Some(email), Some(line), Some(password)) = (name, email, line, password) else {
        return Err(AppError::Internal);
    };
    // Hashing happens for new and known addresses alike, so both answers take the same time.
    let password_hash = hash_password(&password).await?;
    let (token, token_hash) = new_token();
    let now = now_ms();
    let brand_name = [("brand", brand.name.as_str())];
    let confirm = Mail::new(email.as_ref(), locale, "confirm_email", td_string!(locale, email.confirm_subject))
        .text(greeting(locale, name.as_ref()))
        .text(fill(td_string!(locale, email.confirm_intro), &brand_name))
        .link(td_string!(locale, email.confirm_action), format!("{}/conferma/{token}", settings.public_url))
        .text(td_string!(locale, email.confirm_expiry))
        .finish(brand);
    let taken = Mail::new(email.as_ref(), locale, "already_registered", td_string!(locale, email.taken_subject))
        .text(greeting(locale, ""))
        .text(fill(td_string!(locale, email.taken_intro), &brand_name))
        .link(td_string!(locale, email.taken_login), format!("{}/accedi", settings.public_url))
        .link(td_string!(locale, email.taken_reset), format!("{}/password-dimenticata", settings.public_url))
        .text(td_string!(locale, email.taken_ignore))
        .finish(brand);
    let account = NewAccount { email, display_name: name, password_hash, line_number: line, locale: locale.as_str() };
    let token = NewToken { hash: token_hash, purpose: TokenPurpose::ConfirmEmail, expires_at: now + DAY_MS };
    let outcome = store.register_account(account, token, confirm, taken, now).await?;
    tracing::info!(new = matches!(outcome, Registration::Created(_)), "registration handled");
    Ok(())
}

/// Uses a confirmation link; `false` when it is unknown, used or expired.
pub async fn confirm_email(store: &SharedStore, token: &str) -> Result<bool, AppError> {
    if token.len() > 100 {
        return Ok(false);
    }
    Ok(store.confirm_email(&hash_token(token), now_ms()).await?.is_some())
}

/// The account a login names, if any (the login's limits depend on whether the browser knows it).
pub async fn account_for_login(store: &SharedStore, email: &str) -> Result<Option<UserRecord>, AppError> {
    match Email::for_lookup(email) {
        Ok(email) => Ok(store.user_by_email(&email).await?),
        Err(_) => Ok(None),
    }
}

/// Checks the password of `user` (`None`: no such account). One answer for every failure, the same work
/// for unknown addresses, and a blocked or deactivated account answers like a wrong password too (#14: a
/// different answer confirmed the password to whoever tried it). Its owner learns why by email instead.
#[tracing::instrument(skip_all)]
pub async fn check_password(
    store: &SharedStore,
    brand: &Brand,
    user: Option<UserRecord>,
    password: &str,
) -> Result<UserRecord, AppError> {
    let ok = verify_password(password, user.as_ref().map(|u| u.password_hash.as_str())).await?;
    match user {
        Some(user) if ok && !user.deactivated && !user.blocked => Ok(user),
        Some(user) if ok => {
            tracing::info!(user = user.id, "login refused: account blocked or deactivated");
            store.enqueue_email(closed_account_email(&user, brand), now_ms()).await?;
            Err(AppError::InvalidCredentials)
        }
        _ => Err(AppError::InvalidCredentials),
    }
}

/// Tells the owner of a blocked or deactivated account, who just typed its right password, why they
/// cannot get in. The outbox sends at most a few of these a day to one address.
fn closed_account_email(user: &UserRecord, brand: &Brand) -> NewEmail {
    let locale = locale_of(&user.locale);
    let names = [("brand", brand.name.as_str()), ("call_centre", brand.channels.call_centre.as_str())];
    let why = if user.blocked {
        td_string!(locale, email.blocked_intro)
    } else {
        td_string!(locale, email.deactivated_intro)
    };
    Mail::new(&user.email, locale, "account_closed", &fill(td_string!(locale, email.closed_subject), &names))
        .text(greeting(locale, &user.display_name))
        .text(fill(why, &names))
        .text(fill(td_string!(locale, email.closed_help), &names))
        .finish(brand)
}

/// Sends a new confirmation link (the old ones stop working).
pub async fn resend_confirmation(
    store: &SharedStore,
    settings: &Settings,
    brand: &Brand,
    user: &UserRecord,
) -> Result<(), AppError> {
    if user.email_confirmed {
        return Ok(());
    }
    let locale = locale_of(&user.locale);
    let (token, token_hash) = new_token();
    let now = now_ms();
    let email = Mail::new(&user.email, locale, "confirm_email", td_string!(locale, email.confirm_subject))
        .text(greeting(locale, &user.display_name))
        .text(fill(td_string!(locale, email.confirm_intro), &[("brand", brand.name.as_str())]))
        .link(td_string!(locale, email.confirm_action), format!("{}/conferma/{token}", settings.public_url))
        .text(td_string!(locale, email.confirm_expiry))
        .finish(brand);
    let token = NewToken { hash: token_hash, purpose: TokenPurpose::ConfirmEmail, expires_at: now + DAY_MS };
    store.issue_token(user.id, token, email, now).await?;
    Ok(())
}

/// Sends a reset link when the address has an account; answers the same either way.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(
    store: &SharedStore,
    settings: &Settings,
    brand: &Brand,
    email: &Email,
) -> Result<(), AppError> {
    let Some(user) = store.user_by_email(email).await? else {
        return Ok(());
    };
    if user.deactivated {
        return Ok(());
    }
    let locale = locale_of(&user.locale);
    let (token, token_hash) = new_token();
    let now = now_ms();
    let mail = Mail::new(&user.email, locale, "reset_password", td_string!(locale, email.reset_subject))
        .text(greeting(locale, &user.display_name))
        .text(fill(td_string!(locale, email.reset_intro), &[("brand", brand.name.as_str())]))
        .link(
            td_string!(locale, email.reset_action),
            format!("{}/reimposta-password?token={token}", settings.public_url),
        )
        .text(td_string!(locale, email.reset_expiry))
        .finish(brand);
    let token = NewToken { hash: token_hash, purpose: TokenPurpose::ResetPassword, expires_at: now + HOUR_MS };
    store.issue_token(user.id, token, mail, now).await.map_err(Into::into)
}

fn password_changed_email(user: &UserRecord, settings: &Settings, brand: &Brand) -> NewEmail {
    let locale = locale_of(&user.locale);
    Mail::new(&user.email, locale, "password_changed", td_string!(locale, email.changed_subject))
        .text(greeting(locale, &user.display_name))
        .text(fill(td_string!(locale, email.changed_intro), &[("brand", brand.name.as_str())]))
        .text(td_string!(locale, email.changed_warning))
        .link(td_string!(locale, email.changed_action), format!("{}/password-dimenticata", settings.public_url))
        .finish(brand)
}

/// Sets a new password with a reset link; every session of the account ends.
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    store: &SharedStore,
    settings: &Settings,
    brand: &Brand,
    token: &str,
    password: &str,
    confirm: &str,
) -> Result<(), AppError> {
    let mut p = Problems::default();
    let parsed = new_password(&mut p, password, confirm, None, "");
    p.into_result()?;
    let Some(parsed) = parsed else { return Err(AppError::Internal) };
    let token_hash = hash_token(token);
    let hash = hash_password(&parsed).await?;
    let (settings, brand) = (settings.clone(), brand.clone());
    let notice: EmailFor = Box::new(move |user| password_changed_email(user, &settings, &brand));
    match store.reset_password(&token_hash, &hash, notice, now_ms()).await? {
        Some(_) => Ok(()),
        None => Err(AppError::field("token", "link_expired")),
    }
}

/// Changes the password of the logged-in account (asking the current one); returns the new epoch,
/// which keeps this session valid while every other one ends.
pub async fn change_password(
    store: &SharedStore,
    settings: &Settings,
    brand: &Brand,
    user: &UserRecord,
    current: &str,
    password: &str,
    confirm: &str,
) -> Result<i64, AppError> {
    if !verify_password(current, Some(&user.password_hash)).await? {
        return Err(AppError::field("current_password", "password_wrong"));
    }
    let email = Email::parse(&user.email).map_err(|_| AppError::Internal)?;
    let mut p = Problems::default();
    let parsed = new_password(&mut p, password, confirm, Some(&email), &user.display_name);
    p.into_result()?;
    let Some(parsed) = parsed else { return Err(AppError::Internal) };
    let hash = hash_password(&parsed).await?;
    let notice = password_changed_email(user, settings, brand);
    Ok(store.change_password(user.id, &hash, notice, now_ms()).await?)
}

/// The profile fields of the account page.
pub struct ProfileForm {
    pub display_name: String,
    pub line_number: String,
    pub locale: String,
    pub email_notifications: bool,
}

pub async fn update_profile(store: &SharedStore, user: &UserRecord, form: ProfileForm) -> Result<(), AppError> {
    let mut p = Problems::default();
    let name = p.check(DisplayName::parse(&form.display_name));
    let line = p.check(LineNumber::parse_optional(&form.line_number));
    p.into_result()?;
    let (Some(display_name), Some(line_number)) = (name, line) else { return Err(AppError::Internal) };
    let profile = ProfileUpdate {
        display_name,
        line_number,
        locale: locale_of(&form.locale).as_str(),
        email_notifications: form.email_notifications,
    };
    Ok(store.update_profile(user.id, profile, now_ms()).await?)
}
