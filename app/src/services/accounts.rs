//! Accounts: registration with email confirmation (without telling whether an address has an
//! account), login, password reset and change, the profile.

use leptos_i18n::td_string;

use crate::auth::password::{check_strength, hash_password, verify_password};
use crate::auth::token::{hash_token, new_token};
use crate::brand::Brand;
use crate::clock::{DAY_MS, HOUR_MS, now_ms};
use crate::context::{Portal, Settings};
use crate::domain::account::{DisplayName, Email, FieldError, LineNumber, Password};
use crate::error::AppError;
use crate::forms::{PasswordForm, ProfileForm, RegisterForm, ResetForm, checked};
use crate::i18n::Locale;
use crate::mail::{Mail, fill};
use crate::ports::*;
use crate::services::{consent, invalid, locale_of};
use leptos_i18n::Locale as _;

/// Checks a new password: its own rules, not the email, strong enough, typed twice alike.
fn new_password(raw: &str, confirm: &str, email: Option<&Email>, name: &str) -> Result<Password, FieldError> {
    let password = Password::parse(raw)?;
    if let Some(email) = email {
        password.check_against(email)?;
    }
    let known: Vec<&str> =
        email.map(|e| e.as_ref()).into_iter().chain([name].into_iter().filter(|n| !n.is_empty())).collect();
    check_strength(&password, &known)?;
    if raw != confirm {
        return Err(FieldError::new("password_confirm", "password_mismatch"));
    }
    Ok(password)
}

/// A registration that passed every check.
struct ValidRegistration {
    name: DisplayName,
    email: Email,
    line: Option<LineNumber>,
    password: Password,
}

/// Every rule of the registration form, all at once.
fn valid_registration(form: &RegisterForm) -> Result<ValidRegistration, AppError> {
    let name = DisplayName::parse(&form.display_name);
    let email = Email::parse(&form.email);
    let line = LineNumber::parse_optional(&form.line_number);
    let name_text = name.as_ref().map(|n| n.as_ref()).unwrap_or("");
    let password = new_password(&form.password, &form.password_confirm, email.as_ref().ok(), name_text);
    let privacy = consent("accept_privacy", &form.accept_privacy, "consent_required");
    let conduct = consent("accept_conduct", &form.accept_conduct, "consent_required");
    match (name, email, line, password, privacy, conduct) {
        (Ok(name), Ok(email), Ok(line), Ok(password), Ok(()), Ok(())) => {
            Ok(ValidRegistration { name, email, line, password })
        }
        (name, email, line, password, privacy, conduct) => {
            Err(invalid([name.err(), email.err(), line.err(), password.err(), privacy.err(), conduct.err()]))
        }
    }
}

fn greeting(locale: Locale, name: &str) -> String {
    crate::mail::greeting(locale, name)
}

#[tracing::instrument(skip_all)]
pub async fn register(portal: &Portal, locale: Locale, form: &RegisterForm) -> Result<(), AppError> {
    let Portal { store, settings, brand } = portal;
    let ValidRegistration { name, email, line, password } = valid_registration(form)?;
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
pub async fn resend_confirmation(portal: &Portal, user: &UserRecord) -> Result<(), AppError> {
    let Portal { store, settings, brand } = portal;
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
pub async fn request_password_reset(portal: &Portal, email: &Email) -> Result<(), AppError> {
    let Portal { store, settings, brand } = portal;
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
pub async fn reset_password(portal: &Portal, form: &ResetForm) -> Result<(), AppError> {
    let Portal { store, settings, brand } = portal;
    let parsed = new_password(&form.password, &form.password_confirm, None, "").map_err(AppError::from)?;
    let token_hash = hash_token(&form.token);
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
pub async fn change_password(portal: &Portal, user: &UserRecord, form: &PasswordForm) -> Result<i64, AppError> {
    let Portal { store, settings, brand } = portal;
    if !verify_password(&form.current_password, Some(&user.password_hash)).await? {
        return Err(AppError::field("current_password", "password_wrong"));
    }
    let email = Email::parse(&user.email).map_err(|_| AppError::Internal)?;
    let parsed = new_password(&form.password, &form.password_confirm, Some(&email), &user.display_name)
        .map_err(AppError::from)?;
    let hash = hash_password(&parsed).await?;
    let notice = password_changed_email(user, settings, brand);
    Ok(store.change_password(user.id, &hash, notice, now_ms()).await?)
}

pub async fn update_profile(store: &SharedStore, user: &UserRecord, form: &ProfileForm) -> Result<(), AppError> {
    let profile = match (DisplayName::parse(&form.display_name), LineNumber::parse_optional(&form.line_number)) {
        (Ok(display_name), Ok(line_number)) => ProfileUpdate {
            display_name,
            line_number,
            locale: locale_of(&form.locale).as_str(),
            email_notifications: checked(&form.email_notifications),
        },
        (name, line) => return Err(invalid([name.err(), line.err()])),
    };
    Ok(store.update_profile(user.id, profile, now_ms()).await?)
}
