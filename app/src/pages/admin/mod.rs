//! The care pool's pages under /admin, in the same shell with a staff header. Every page asks its server
//! function, which checks the role; customers get a not-found page, visitors the way to log in.
pub mod audit;
pub mod case;
pub mod cases;
pub mod dashboard;
pub mod documents;
pub mod moderation;
pub mod privacy;
pub mod queue;
pub mod search;
pub mod staff;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::auth::get_me;
use crate::components::fill;
use crate::domain::request::{AccountAction, AuditAction, EventKind};
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::not_found::NotFound;

/// A request's event as the staff pages name it.
pub fn event_label(locale: Locale, kind: EventKind) -> &'static str {
    match kind {
        EventKind::Received => td_string!(locale, admin.act_received),
        EventKind::Taken => td_string!(locale, admin.act_taken),
        EventKind::Message => td_string!(locale, admin.act_message),
        EventKind::Ask => td_string!(locale, admin.act_ask),
        EventKind::Note => td_string!(locale, admin.act_note),
        EventKind::Outcome => td_string!(locale, admin.act_outcome),
        EventKind::Released => td_string!(locale, admin.act_released),
        EventKind::Reassigned => td_string!(locale, admin.act_reassigned),
        EventKind::Warning => td_string!(locale, admin.act_warning),
        EventKind::CustomerReply => td_string!(locale, admin.act_customer_reply),
        EventKind::Confirmed => td_string!(locale, admin.act_confirmed),
        EventKind::Reopened => td_string!(locale, admin.act_reopened),
        EventKind::Closed => td_string!(locale, admin.act_closed),
        EventKind::Rated => td_string!(locale, admin.act_rated),
        EventKind::Withdrawn => td_string!(locale, admin.act_withdrawn),
        EventKind::Linked => td_string!(locale, admin.act_linked),
        EventKind::Unlinked => td_string!(locale, admin.act_unlinked),
        EventKind::IncidentNews => td_string!(locale, admin.act_incident_update),
    }
}

/// An audit log line's action in words.
pub fn audit_label(locale: Locale, action: AuditAction) -> &'static str {
    match action {
        AuditAction::Event(kind) => event_label(locale, kind),
        AuditAction::Account(AccountAction::CaseOpened) => td_string!(locale, admin.act_opened),
        AuditAction::Account(AccountAction::StaffCreated) => td_string!(locale, admin.act_staff_created),
        AuditAction::Account(AccountAction::RoleChanged) => td_string!(locale, admin.act_role_changed),
        AuditAction::Account(AccountAction::Reactivated) => td_string!(locale, admin.act_reactivated),
        AuditAction::Account(AccountAction::Deactivated) => td_string!(locale, admin.act_deactivated),
        AuditAction::Account(AccountAction::Blocked) => td_string!(locale, admin.act_blocked),
        AuditAction::Account(AccountAction::Unblocked) => td_string!(locale, admin.act_unblocked),
        AuditAction::Account(AccountAction::EditorGranted) => td_string!(locale, admin.act_editor_granted),
        AuditAction::Account(AccountAction::EditorRevoked) => td_string!(locale, admin.act_editor_revoked),
        AuditAction::Account(AccountAction::PostCreated) => td_string!(locale, admin.act_post_created),
        AuditAction::Account(AccountAction::PostEdited) => td_string!(locale, admin.act_post_edited),
        AuditAction::Account(AccountAction::PostDeleted) => td_string!(locale, admin.act_post_deleted),
        AuditAction::Account(AccountAction::PostPinned) => td_string!(locale, admin.act_post_pinned),
        AuditAction::Account(AccountAction::PostUnpinned) => td_string!(locale, admin.act_post_unpinned),
        AuditAction::Account(AccountAction::CommentPublished) => td_string!(locale, admin.act_comment_published),
        AuditAction::Account(AccountAction::CommentHidden) => td_string!(locale, admin.act_comment_hidden),
        AuditAction::Account(AccountAction::CommentWarned) => td_string!(locale, admin.act_comment_warned),
        AuditAction::Account(AccountAction::CommentToPrivate) => td_string!(locale, admin.act_comment_to_private),
        AuditAction::Account(AccountAction::WordListChanged) => td_string!(locale, admin.act_word_list_changed),
        AuditAction::Account(AccountAction::DataExported) => td_string!(locale, admin.act_data_exported),
        AuditAction::Account(AccountAction::AccountErased) => td_string!(locale, admin.act_account_erased),
        AuditAction::Account(AccountAction::DocumentPublished) => td_string!(locale, admin.act_document_published),
        AuditAction::Account(AccountAction::IncidentOpened) => td_string!(locale, admin.act_incident_opened),
        AuditAction::Account(AccountAction::IncidentUpdated) => td_string!(locale, admin.act_incident_updated),
        AuditAction::Account(AccountAction::AttachmentRemoved) => td_string!(locale, admin.act_attachment_removed),
    }
}

/// The staff header: the pool's sections (admins see theirs too).
#[component]
pub fn StaffNav() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| get_me());
    let waiting = Resource::new(|| (), |_| crate::api::staff::staff_waiting());
    view! {
        <nav class="staff-nav" aria-label=move || t_string!(i18n, admin.nav_label)>
            <A href="/admin" exact=true>
                {t!(i18n, admin.queue)}
                <Suspense>
                    {move || Suspend::new(async move {
                        waiting.await.ok().map(|n| {
                            let shown = if n >= crate::domain::request::STATE_COUNT_CAP { format!("{n}+") } else { n.to_string() };
                            view! {
                                " " <span class="count-badge waiting" title=move || t_string!(i18n, admin.waiting)>{shown}</span>
                            }
                        })
                    })}
                </Suspense>
            </A>
            <A href="/admin/casi">{t!(i18n, admin.my_cases)}</A>
            <A href="/admin/cerca">{t!(i18n, admin.search)}</A>
            <A href="/admin/moderazione">{t!(i18n, admin.moderation)}</A>
            <Suspense>
                {move || Suspend::new(async move {
                    let admin = matches!(me.await, Ok(Some(m)) if m.role == crate::domain::request::Role::Admin);
                    admin.then(|| view! {
                        <A href="/admin/dashboard">{t!(i18n, admin.dashboard)}</A>
                        <A href="/admin/staff">{t!(i18n, admin.staff)}</A>
                        <A href="/admin/audit">{t!(i18n, admin.audit)}</A>
                        <A href="/admin/privacy">{t!(i18n, admin.privacy)}</A>
                    })
                })}
            </Suspense>
        </nav>
    }
}

/// What a staff page shows when its server function refuses: the login for visitors, not-found for
/// customers, a plain refusal for agents on admin pages.
#[component]
pub fn StaffRefusal(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        AppError::Unauthorized => view! {
            <section class="card hero">
                <h1>{t!(i18n, admin.title)}</h1>
                <p class="lead">{t!(i18n, admin.login_needed)}</p>
                <A href=crate::pages::requests::new::login_back_here() attr:class="button primary">
                    {t!(i18n, nav.login)}
                </A>
            </section>
        }
        .into_any(),
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        AppError::Forbidden => view! {
            <section class="card"><p class="alert error" role="alert">{t!(i18n, errors.forbidden)}</p></section>
        }
        .into_any(),
        _ => view! {
            <section class="card"><p class="alert error" role="alert">{t!(i18n, errors.internal)}</p></section>
        }
        .into_any(),
    }
}

/// A duration as people say it: "3 min", "2 h 5 min", "4 g 2 h" / "4 d 2 h".
pub fn format_age(ms: i64, locale: Locale) -> String {
    let minutes = (ms / 60_000).max(0);
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let day = match locale {
        Locale::it => "g",
        Locale::en => "d",
    };
    if d > 0 {
        format!("{d} {day} {h} h")
    } else if h > 0 {
        format!("{h} h {m} min")
    } else if m > 0 {
        format!("{m} min")
    } else {
        leptos_i18n::td_string!(locale, admin.under_a_minute).to_string()
    }
}

/// "waiting for …".
pub fn waiting_for(ms: i64, locale: Locale) -> String {
    fill(leptos_i18n::td_string!(locale, admin.waiting_for), &[("age", &format_age(ms, locale))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(format_age(59_000, Locale::it), "meno di un minuto");
        assert_eq!(format_age(59_000, Locale::en), "less than a minute");
        assert_eq!(format_age(3 * 60_000, Locale::en), "3 min");
        assert_eq!(format_age(125 * 60_000, Locale::it), "2 h 5 min");
        assert_eq!(format_age((4 * 24 * 60 + 130) * 60_000, Locale::it), "4 g 2 h");
        assert_eq!(format_age((4 * 24 * 60 + 130) * 60_000, Locale::en), "4 d 2 h");
    }
}
