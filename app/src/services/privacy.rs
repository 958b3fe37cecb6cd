//! Privacy rights (#18): a customer downloads everything the portal holds about them, or deletes their
//! account; an admin erases an account on a customer's request.

use leptos_i18n::td_string;

use crate::auth::password::verify_password;
use crate::auth::session::Admin;
use crate::brand::Brand;
use crate::clock::now_ms;
use crate::context::Portal;
use crate::domain::account::{Email, FieldError};
use crate::domain::request::Role;
use crate::error::AppError;
use crate::forms::{AdminEraseForm, EraseForm, ExportForm, checked};
use crate::i18n::Locale;
use crate::mail::{Mail, escape, fill};
use crate::ports::*;
use crate::services::{invalid, locale_of};

/// The two files a customer can download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The machine-readable file (JSON, documented in the README).
    Json,
    /// The same, as a page to read or print.
    Html,
}

/// The longest reason an admin may give for an erasure.
const REASON_MAX: usize = 500;

/// Asks the password again before anything personal leaves the portal.
async fn password_again(user: &UserRecord, password: &str) -> Result<(), FieldError> {
    match verify_password(password, Some(&user.password_hash)).await {
        Ok(true) => Ok(()),
        Ok(false) | Err(_) if password.is_empty() => Err(FieldError::new("password", "required")),
        _ => Err(FieldError::new("password", "password_wrong")),
    }
}

/// Everything held about the logged-in customer, once the password is right; the download is logged.
#[tracing::instrument(skip_all)]
pub async fn export(
    portal: &Portal,
    user: &UserRecord,
    form: &ExportForm,
) -> Result<(DataExport, ExportFormat), AppError> {
    let format = match form.format.as_str() {
        "" | "json" => ExportFormat::Json,
        "html" => ExportFormat::Html,
        _ => return Err(AppError::field("format", "choice_invalid")),
    };
    password_again(user, &form.password).await.map_err(|e| invalid([Some(e)]))?;
    let now = now_ms();
    let data = portal.store.export_data(user.id, now).await?;
    portal.store.record_export(user.id, now).await?;
    Ok((data, format))
}

/// The customer deletes their own account (password and the box ticked).
#[tracing::instrument(skip_all)]
pub async fn erase_own(portal: &Portal, user: &UserRecord, form: &EraseForm) -> Result<Erased, AppError> {
    let confirmed =
        if checked(&form.confirm) { Ok(()) } else { Err(FieldError::new("confirm", "erase_confirm_needed")) };
    let password = password_again(user, &form.password).await;
    if password.is_err() || confirmed.is_err() {
        return Err(invalid([password.err(), confirmed.err()]));
    }
    erase(portal, user, user.id, None).await
}

/// An admin erases a customer's account on their request, saying why (the reason is in the log).
#[tracing::instrument(skip_all)]
pub async fn erase_by_admin(portal: &Portal, admin: &Admin, form: &AdminEraseForm) -> Result<Erased, AppError> {
    let email = Email::parse(&form.email);
    let reason = form.reason.trim();
    let reason_check = if reason.is_empty() {
        Err(FieldError::new("reason", "required"))
    } else if reason.chars().count() > REASON_MAX {
        Err(FieldError::new("reason", "too_long"))
    } else {
        Ok(())
    };
    let confirmed =
        if checked(&form.confirm) { Ok(()) } else { Err(FieldError::new("confirm", "erase_confirm_needed")) };
    let email = match (email, reason_check, confirmed) {
        (Ok(email), Ok(()), Ok(())) => email,
        (email, reason, confirmed) => return Err(invalid([email.err(), reason.err(), confirmed.err()])),
    };
    let user = match portal.store.user_by_email(&email).await? {
        Some(user) if user.role == Role::Customer => user,
        Some(_) => return Err(AppError::field("email", "erase_staff")),
        None => return Err(AppError::field("email", "no_such_customer")),
    };
    erase(portal, &user, admin.staff().user().id, Some(reason.to_string())).await
}

async fn erase(portal: &Portal, user: &UserRecord, by: UserId, reason: Option<String>) -> Result<Erased, AppError> {
    let confirmation = erased_email(user, &portal.brand, false);
    let erasure = Erasure { user: user.id, by: Some(by), reason, confirmation };
    match portal.store.erase_account(erasure, now_ms()).await {
        Err(StoreError::Conflict) => Err(AppError::field("email", "erase_staff")),
        other => Ok(other?),
    }
}

/// The last email to the address: no name in it, nothing of what was erased. `idle`: erased by the
/// retention, not on request.
fn erased_email(user: &UserRecord, brand: &Brand, idle: bool) -> NewEmail {
    let locale = locale_of(&user.locale);
    let intro = if idle { td_string!(locale, email.erased_idle_intro) } else { td_string!(locale, email.erased_intro) };
    Mail::new(&user.email, locale, "account_erased", td_string!(locale, email.erased_subject))
        .text(fill(intro, &[("brand", brand.name.as_str())]))
        .text(td_string!(locale, email.erased_again))
        .finish(brand)
}

/// The export as a page to read or print: every part of the file, in the customer's language. Every text
/// is escaped (what customers wrote is plain text, never markup).
pub fn readable(data: &DataExport, locale: Locale, brand: &Brand) -> String {
    use std::fmt::Write;
    let when = |ms: i64| crate::components::time::format_time(ms, locale);
    let opt = |v: &Option<String>| v.as_deref().map(escape).unwrap_or_else(|| "—".into());
    let mut h = String::with_capacity(4096 + data.requests.len() * 2048);
    let lang = if locale == Locale::en { "en" } else { "it" };
    let title = td_string!(locale, privacy.export_title);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{} · {}</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:50rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a}}\
         table{{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}}th,td{{text-align:left;vertical-align:top;\
         border-bottom:1px solid #ddd;padding:.3rem .5rem}}th{{width:14rem;font-weight:600}}\
         .msg{{white-space:pre-wrap}}h2{{margin-top:2rem}}</style></head><body>",
        escape(title),
        escape(&brand.name)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p>{}</p>",
        escape(title),
        escape(&fill(td_string!(locale, privacy.export_generated), &[("at", &when(data.generated_at))]))
    );
    let a = &data.account;
    let _ = write!(
        h,
        "<h2>{}</h2><table><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr>\
         <tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}</td></tr>\
         <tr><th>{}</th><td>{}</td></tr></table>",
        td_string!(locale, privacy.export_account),
        td_string!(locale, account.email),
        escape(&a.email),
        td_string!(locale, account.display_name),
        escape(&a.display_name),
        td_string!(locale, account.line_number),
        opt(&a.line_number),
        td_string!(locale, account.locale),
        escape(&a.locale),
        td_string!(locale, account.email_notifications),
        if a.email_notifications { td_string!(locale, privacy.yes) } else { td_string!(locale, privacy.no) },
        td_string!(locale, privacy.export_created),
        when(a.created_at),
    );
    let _ = write!(h, "<h2>{}</h2><table>", td_string!(locale, privacy.export_consents));
    for c in &data.consents {
        let what = match (c.document.as_str(), &c.request) {
            ("privacy", _) => td_string!(locale, privacy.doc_privacy).to_string(),
            ("rules", _) => td_string!(locale, privacy.doc_rules).to_string(),
            (_, Some(r)) => fill(td_string!(locale, privacy.doc_request), &[("reference", r)]),
            (other, None) => other.to_string(),
        };
        let version = c.version.map(|v| format!(" (v{v})")).unwrap_or_default();
        let _ = write!(h, "<tr><th>{}{version}</th><td>{}</td></tr>", escape(&what), when(c.accepted_at));
    }
    let _ = write!(h, "</table><h2>{} ({})</h2>", td_string!(locale, privacy.export_requests), data.requests.len());
    for r in &data.requests {
        let _ = write!(
            h,
            "<h3>{} · {}</h3><table><tr><th>{}</th><td class=\"msg\">{}</td></tr><tr><th>{}</th><td>{}</td></tr>\
             <tr><th>{}</th><td>{}</td></tr><tr><th>{}</th><td>{}{}</td></tr>",
            escape(&r.reference),
            escape(&r.subject),
            td_string!(locale, privacy.export_description),
            escape(&r.description),
            td_string!(locale, account.line_number),
            escape(&r.line_number),
            td_string!(locale, privacy.export_created),
            when(r.created_at),
            td_string!(locale, privacy.export_status),
            escape(&r.status),
            r.outcome.as_deref().map(|o| format!(" · {}", escape(o))).unwrap_or_default(),
        );
        if let Some(rating) = r.rating {
            let _ = write!(
                h,
                "<tr><th>{}</th><td>{rating}/5 {}</td></tr>",
                td_string!(locale, privacy.export_rating),
                opt(&r.rating_comment)
            );
        }
        h.push_str("</table><table>");
        for e in &r.events {
            let who = match e.by.as_str() {
                "customer" => td_string!(locale, privacy.by_you),
                "team" => td_string!(locale, privacy.by_team),
                _ => td_string!(locale, privacy.by_portal),
            };
            let _ = write!(
                h,
                "<tr><th>{} · {}</th><td>{}{}</td></tr>",
                when(e.at),
                who,
                escape(&e.kind),
                e.message.as_deref().map(|m| format!("<div class=\"msg\">{}</div>", escape(m))).unwrap_or_default()
            );
        }
        h.push_str("</table>");
        if !r.files.is_empty() {
            h.push_str("<ul>");
            for f in &r.files {
                let _ = write!(
                    h,
                    "<li>{} · {} ({} KB){}</li>",
                    when(f.added_at),
                    escape(&f.name),
                    (f.size / 1024).max(1),
                    if f.removed { format!(" · {}", td_string!(locale, files.removed)) } else { String::new() }
                );
            }
            h.push_str("</ul>");
        }
    }
    let _ = write!(h, "<h2>{} ({})</h2><table>", td_string!(locale, privacy.export_comments), data.comments.len());
    for c in &data.comments {
        let _ = write!(
            h,
            "<tr><th>{} · {}</th><td class=\"msg\">{}</td></tr>",
            when(c.created_at),
            escape(&c.state),
            escape(&c.body)
        );
    }
    let _ = write!(
        h,
        "</table><h2>{} ({})</h2><table>",
        td_string!(locale, privacy.export_reactions),
        data.reactions.len()
    );
    for r in &data.reactions {
        let _ = write!(
            h,
            "<tr><th>{}</th><td>{} {} · {}</td></tr>",
            when(r.created_at),
            escape(&r.target),
            r.target_id,
            escape(&r.reaction)
        );
    }
    let _ = write!(h, "</table><h2>{} ({})</h2><table>", td_string!(locale, privacy.export_thanks), data.thanks.len());
    for t in &data.thanks {
        let _ = write!(
            h,
            "<tr><th>{} · {}</th><td class=\"msg\">{}</td></tr>",
            when(t.created_at),
            escape(&t.request),
            escape(&t.body)
        );
    }
    let _ = write!(h, "</table><h2>{} ({})</h2><table>", td_string!(locale, privacy.export_emails), data.emails.len());
    for e in &data.emails {
        let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", when(e.created_at), escape(&e.subject));
    }
    let _ = write!(h, "</table><p>{}</p></body></html>", escape(td_string!(locale, privacy.export_notes)));
    h
}

/// What one pass of the retention did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Retained {
    pub unconfirmed_deleted: u64,
    pub requests_anonymised: u64,
    pub email_bodies_purged: u64,
    pub audit_details_dropped: u64,
    pub idle_warned: u64,
    pub idle_erased: u64,
}

/// Rows one statement of the retention changes at most (a pass loops until a batch comes back short).
const BATCH: i64 = 500;

/// One pass of every retention rule at `now` (the timer task calls it; tests give it their own clock). A
/// rule acts on what is exactly as old as its period or older. Several servers may run it at once: each
/// row is changed by one of them only.
#[tracing::instrument(skip_all)]
pub async fn apply_retention(portal: &Portal, now: i64) -> Result<Retained, AppError> {
    const DAY: i64 = crate::clock::DAY_MS;
    let r = portal.settings.retention;
    let store = &portal.store;
    let mut done = Retained::default();
    loop {
        let n = store.delete_unconfirmed(now - r.unconfirmed_days * DAY, BATCH).await?;
        done.unconfirmed_deleted += n;
        if n < BATCH as u64 {
            break;
        }
    }
    loop {
        let n = store.anonymise_closed(now - r.closed_requests_days * DAY, BATCH, now).await?;
        done.requests_anonymised += n;
        if n < BATCH as u64 {
            break;
        }
    }
    done.email_bodies_purged = store.purge_email_bodies(now - r.email_bodies_days * DAY).await?;
    done.audit_details_dropped = store.drop_audit_details(now - r.audit_details_days * DAY).await?;
    // Erase first those warned long enough ago, then warn: an account is never warned and erased at once.
    loop {
        let idle = store.idle_to_erase(now - r.idle_grace_days * DAY, BATCH).await?;
        let last = (idle.len() as i64) < BATCH;
        for user in idle {
            let erasure = Erasure {
                user: user.id,
                by: None,
                reason: Some(format!("idle for {} days", r.idle_days)),
                confirmation: erased_email(&user, &portal.brand, true),
            };
            match store.erase_account(erasure, now).await {
                Ok(_) => done.idle_erased += 1,
                // Another server erased it meanwhile.
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if last {
            break;
        }
    }
    let (settings, brand) = (portal.settings.clone(), portal.brand.clone());
    let warning: EmailForEach =
        std::sync::Arc::new(move |user: &UserRecord| idle_email(user, &settings, &brand, now, r.idle_grace_days));
    loop {
        let n = store.warn_idle(now - r.idle_days * DAY, warning.clone(), BATCH, now).await?;
        done.idle_warned += n;
        if n < BATCH as u64 {
            break;
        }
    }
    Ok(done)
}

/// "Your account has not been used for a long time: log in by {date} to keep it."
fn idle_email(
    user: &UserRecord,
    settings: &crate::context::Settings,
    brand: &Brand,
    now: i64,
    grace_days: i64,
) -> NewEmail {
    let locale = locale_of(&user.locale);
    let date = crate::components::time::format_date(now + grace_days * crate::clock::DAY_MS, locale);
    Mail::new(&user.email, locale, "account_idle", td_string!(locale, email.idle_subject))
        .text(fill(td_string!(locale, email.greeting), &[("name", user.display_name.as_str())]))
        .text(fill(td_string!(locale, email.idle_intro), &[("brand", brand.name.as_str()), ("date", date.as_str())]))
        .link(td_string!(locale, email.idle_action), format!("{}/accedi", settings.public_url))
        .text(td_string!(locale, email.idle_ignore))
        .finish(brand)
}

/// The longest text of a published document, per language.
const DOCUMENT_MAX: usize = 20_000;

/// The current documents this account has not accepted (customers only: staff accept nothing here).
pub async fn pending(portal: &Portal, user: &UserRecord) -> Result<Vec<Document>, AppError> {
    if user.role != Role::Customer || !user.consent_pending {
        return Ok(Vec::new());
    }
    let current = portal.store.current_documents().await?;
    Ok(current
        .into_iter()
        .filter(|d| match d.kind.as_str() {
            "privacy" => d.version > user.privacy_version,
            "rules" => d.version > user.rules_version,
            _ => false,
        })
        .collect())
}

/// The customer accepts the current versions (the box must be ticked).
pub async fn accept(portal: &Portal, user: &UserRecord, form: &crate::forms::AcceptForm) -> Result<(), AppError> {
    if !checked(&form.accept) {
        return Err(AppError::field("accept", "consent_accept_needed"));
    }
    Ok(portal.store.accept_documents(user.id, now_ms()).await?)
}

/// Publishes a new version of the notice or of the rules, both languages required.
pub async fn publish(portal: &Portal, admin: &Admin, form: &crate::forms::DocumentForm) -> Result<i64, AppError> {
    let kind = match form.kind.as_str() {
        k @ ("privacy" | "rules") => Ok(k),
        _ => Err(FieldError::new("kind", "choice_invalid")),
    };
    let text = |field: &'static str, value: &str| {
        let value = value.trim();
        if value.is_empty() {
            Err(FieldError::new(field, "required"))
        } else if value.chars().count() > DOCUMENT_MAX {
            Err(FieldError::new(field, "too_long"))
        } else {
            Ok(())
        }
    };
    match (kind, text("body_it", &form.body_it), text("body_en", &form.body_en)) {
        (Ok(kind), Ok(()), Ok(())) => {
            let by = admin.staff().user().id;
            let published =
                portal.store.publish_document(kind, form.body_it.trim(), form.body_en.trim(), by, now_ms()).await;
            Ok(published?)
        }
        (kind, it, en) => Err(invalid([kind.err(), it.err(), en.err()])),
    }
}
