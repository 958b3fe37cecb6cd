//! The page shell, in the manner of a brand's Facebook page: cover banner, round avatar, page name, tab
//! bar (Home · Assistenza · Info), the language switch, and the Info side box beside the content.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::auth::{Logout, get_me};
use crate::brand::Brand;
use crate::components::live::{Live, LivePoller};
use crate::components::{fill, info_box::InfoBox, logo::Avatar};
use crate::i18n::*;

#[component]
pub fn PageShell(children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let brand = use_context::<Brand>().unwrap_or_default();
    let name = brand.name.clone();
    let company = brand.company.clone();
    // Staff spend their day on /admin (#21.1): a slim header, no cover, no Info column.
    let location = use_location();
    let staff = Memo::new(move |_| location.pathname.get().starts_with("/admin"));
    let header = move || {
        let brand = brand.clone();
        let name = name.clone();
        let label = name.clone();
        if staff.get() {
            view! {
                <header class="page-header staff-header">
                    <div class="staff-bar">
                        <A href="/" attr:class="staff-brand" attr:aria-label=label>
                            // The name beside it says it all: the mark is decoration here.
                            <span class="staff-mark" aria-hidden="true"><Avatar brand=brand alt=String::new() /></span>
                            <span>{name}</span>
                        </A>
                        <div class="header-actions">
                            <UserMenu />
                            <LangSwitch />
                        </div>
                    </div>
                </header>
            }
            .into_any()
        } else {
            view! {
                <header class="page-header">
                    <div class="cover" aria-hidden="true"></div>
                    <div class="identity">
                        <Avatar brand=brand alt=name.clone() />
                        <div class="identity-text">
                            <p class="page-name">
                                {name}
                                <span class="verified" title=move || t_string!(i18n, site.official)>
                                    "✓"
                                </span>
                            </p>
                            <p class="tagline">{t!(i18n, site.tagline)}</p>
                        </div>
                        <div class="header-actions">
                            <UserMenu />
                            <LangSwitch />
                        </div>
                    </div>
                    <nav class="tabs" aria-label=move || t_string!(i18n, nav.label)>
                        <A href="/" exact=true>{t!(i18n, nav.home)}</A>
                        <A href="/assistenza">{t!(i18n, nav.assistance)}</A>
                        <A href="/info">{t!(i18n, nav.info)}</A>
                    </nav>
                </header>
            }
            .into_any()
        }
    };
    view! {
        <a class="skip-link" href="#content">{t!(i18n, site.skip)}</a>
        {header}
        <IncidentBanner />
        <div class="layout" class:staff-layout=staff>
            <main id="content" tabindex="-1">{children()}</main>
            {move || (!staff.get()).then(|| view! { <InfoBox /> })}
        </div>
        <footer class="page-footer">
            <p>{t!(i18n, site.footer)}</p>
            <nav class="footer-links" aria-label=move || t_string!(i18n, site.footer_nav)>
                <A href="/privacy">{t!(i18n, site.footer_privacy)}</A>
                <A href="/info">{t!(i18n, site.footer_rules)}</A>
                <A href="/stato">{t!(i18n, site.footer_status)}</A>
            </nav>
            {company.map(|c| view! { <p class="company">{c}</p> })}
        </footer>
    }
}

/// A service incident in progress (#17): one line on every page, linking to it; closable for the visit (a
/// plain link to the server, which remembers it in a session cookie, with or without JavaScript).
#[component]
fn IncidentBanner() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let open = Resource::new(move || location.pathname.get(), |_| crate::api::incidents::incident_banner());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let here = encode_path(&location.pathname.get_untracked());
                open.await.ok().filter(|o| !o.is_empty()).map(|open| {
                    let lines = open.into_iter().map(|i| {
                        let close = format!("/stato/{}/nascondi?next={here}", i.id);
                        view! {
                            <p class="incident-line">
                                <span aria-hidden="true">"⚠ "</span>
                                <A href=format!("/stato/{}", i.id)>{i.title.clone()}</A>
                                <a href=close rel="external" class="close" aria-label=move || t_string!(i18n, incident.close_banner)>"×"</a>
                            </p>
                        }
                    }).collect_view();
                    view! {
                        <div class="incident-banner" role="region" aria-label=move || t_string!(i18n, incident.banner_label)>
                            {lines}
                        </div>
                    }
                })
            })}
        </Transition>
    }
}

/// Log in / register, or the account and a logout button. Asked again on every navigation, so it
/// follows logins, logouts and expired sessions.
#[component]
fn UserMenu() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let me = Resource::new(move || location.pathname.get(), |_| get_me());
    let logout = ServerAction::<Logout>::new();
    view! {
        <nav class="user-menu" aria-label=move || t_string!(i18n, nav.user_menu)>
            <Transition>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => view! {
                            {me.consent_pending.then(|| view! {
                                <A href="/consenso" attr:class="button primary small">{t!(i18n, consent.banner)}</A>
                            })}
                            {if me.role == crate::domain::request::Role::Customer {
                                view! { <Bell count=me.notifications /> <MyRequestsLink unread=me.unread /> <LivePoller /> }.into_any()
                            } else {
                                view! { <A href="/admin" attr:class="user-link">{t!(i18n, admin.title)}</A> }.into_any()
                            }}
                            <A href="/account" attr:class="user-link">{me.display_name}</A>
                            <ActionForm action=logout attr:class="inline-form">
                                <button type="submit" class="link-button">{t!(i18n, nav.logout)}</button>
                            </ActionForm>
                        }.into_any(),
                        _ => view! {
                            <A href="/accedi" attr:class="user-link">{t!(i18n, nav.login)}</A>
                            <A href="/registrati" attr:class="button primary small">{t!(i18n, nav.register)}</A>
                        }.into_any(),
                    }
                })}
            </Transition>
        </nav>
    }
}

/// The bell: the fan's notifications, with the count of unread ones, kept live by the poller.
#[component]
fn Bell(count: i64) -> impl IntoView {
    let i18n = use_i18n();
    let live = Live::get();
    let count = move || live.and_then(|l| l.notices.get()).unwrap_or(count);
    let label = move || {
        let n = count();
        if n > 0 {
            fill(t_string!(i18n, nav.notifications_unread), &[("n", &n.to_string())])
        } else {
            t_string!(i18n, nav.notifications).to_string()
        }
    };
    view! {
        <A href="/notifiche" attr:class="user-link bell" attr:aria-label=label attr:title=label>
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M6 17V11a6 6 0 0 1 12 0v6l2 2H4zM10 21h4" fill="none" stroke="currentColor" stroke-width="2" />
            </svg>
            <Show when=move || { count() > 0 }>
                <span class="count-badge" aria-hidden="true">{count}</span>
            </Show>
        </A>
    }
}

/// "My requests" with the count of unread updates, kept live by the poller.
#[component]
fn MyRequestsLink(unread: i64) -> impl IntoView {
    let i18n = use_i18n();
    let live = Live::get();
    let count = move || live.and_then(|l| l.unread.get()).unwrap_or(unread);
    view! {
        <A href="/assistenza/richieste" attr:class="user-link my-requests">
            {t!(i18n, nav.my_requests)}
            <Show when=move || { count() > 0 }>
                <span class="count-badge" aria-label=move || fill(t_string!(i18n, nav.unread), &[("n", &count().to_string())])>
                    {count}
                </span>
            </Show>
        </A>
    }
}

/// Switches between Italian and English. Without JavaScript the link asks the server to set the
/// language cookie and come back; hydrated, it writes the same cookie and switches in place.
#[component]
fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let location = use_location();
    let other = move || match i18n.get_locale() {
        Locale::it => Locale::en,
        Locale::en => Locale::it,
    };
    let href = move || format!("/lang/{}?next={}", other().as_str(), encode_path(&location.pathname.get()));
    view! {
        <a
            class="lang-switch"
            // On a phone only its code shows ("EN"), so the header keeps to two lines (#21.8).
            data-short=move || other().as_str().to_uppercase()
            href=href
            rel="nofollow"
            hreflang=move || other().as_str()
            lang=move || other().as_str()
            title=move || t_string!(i18n, lang.other_title)
            on:click=move |ev| {
                ev.prevent_default();
                let next = other();
                remember_language(next.as_str());
                i18n.set_locale(next);
            }
        >
            <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" stroke-width="2" />
                <path
                    d="M3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2"
                />
            </svg>
            <span class="lang-name">{t!(i18n, lang.other_name)}</span>
        </a>
    }
}

/// The browser's half of `/lang/{code}`: the same cookie, so the next page the server renders is in
/// the chosen language too.
#[allow(unused_variables)]
fn remember_language(code: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let secure = window().location().protocol().is_ok_and(|p| p == "https:");
        let cookie = format!(
            "{}={code}; Path=/; Max-Age=31536000; SameSite=Lax{}",
            crate::LANG_COOKIE,
            if secure { "; Secure" } else { "" }
        );
        if let Ok(doc) = document().dyn_into::<web_sys::HtmlDocument>() {
            let _ = doc.set_cookie(&cookie);
        }
    }
}

/// Percent-encodes a path for use as a query value.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn a_path_keeps_its_slashes_and_escapes_the_rest() {
        assert_eq!(encode_path("/info"), "/info");
        assert_eq!(encode_path("/a b?c&d"), "/a%20b%3Fc%26d");
    }
}
