//! The application root: the HTML document (rendered by the server only) and the router.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::brand::{BRAND_ELEMENT_ID, Brand};
use crate::components::shell::PageShell;
use crate::i18n::*;
use crate::pages::account::{
    confirm::ConfirmNoticePage,
    forgot::ForgotPasswordPage,
    login::LoginPage,
    profile::AccountPage,
    register::{CheckInboxPage, RegisterPage},
    reset::ResetPasswordPage,
};
use crate::pages::admin::{
    audit::AuditPage, case::CasePage, cases::MyCasesPage, dashboard::DashboardPage, queue::QueuePage,
    search::SearchPage, staff::StaffPage,
};
use crate::pages::requests::{detail::RequestPage, list::MyRequestsPage, new::NewRequestPage};
use crate::pages::{
    assistance::AssistancePage, home::HomePage, info::InfoPage, not_found::NotFound, privacy::PrivacyPage,
};

/// The whole HTML document. The server calls it for every page; the brand comes from context.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let brand = use_context::<Brand>().unwrap_or_default();
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
        if let Ok(policy) = http::HeaderValue::from_str(&crate::csp::page_policy(&nonce.to_string())) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    // Brand colours are validated `#rrggbb` values, so this cannot inject anything.
    let colours = format!(":root{{--brand:{};--brand-2:{}}}", brand.primary.as_ref(), brand.accent.as_ref());
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <style>{colours}</style>
                <script type="application/json" id=BRAND_ELEMENT_ID inner_html=brand.to_script_json()></script>
                <HydrationScripts options />
                <leptos_meta::MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// leptos_i18n 0.6.2 starts an isomorphic effect that copies the language into its cookie. On the server
/// it runs in a detached task that can outlive the request: after leptos_axum has disposed the request's
/// reactive owner it reads the disposed language signal and panics in the background. The server never
/// needs it (the cookie is written by `/lang/{code}`, and by the browser when JavaScript runs), so it is
/// paused here, synchronously, right after the provider made it and before the task can first run: a
/// paused effect skips its runs. Pausing applies to the owners that exist now (the provider's effects);
/// everything rendered after this is untouched. Called first thing inside `I18nContextProvider`.
fn pause_server_language_effect() {
    #[cfg(feature = "ssr")]
    if let Some(owner) = Owner::current() {
        owner.pause();
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    crate::components::live::Live::provide();
    let brand = use_context::<Brand>().unwrap_or_default();
    let brand_name = brand.name.clone();
    view! {
        <I18nContextProvider cookie_name=crate::LANG_COOKIE>
            {pause_server_language_effect()}
            <Stylesheet id="leptos" href="/pkg/social-care-3.css" />
            <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
            <Meta name="theme-color" content=brand.primary.as_ref().to_string() />
            <Title formatter=move |page: String| format!("{page} · {brand_name}") />
            <Router>
                <PageShell>
                    // Async: every page is sent whole, data included, so it reads the same without JavaScript.
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                        <Route path=path!("assistenza") view=AssistancePage ssr=SsrMode::Async />
                        <Route path=path!("info") view=InfoPage ssr=SsrMode::Async />
                        <Route path=path!("privacy") view=PrivacyPage ssr=SsrMode::Async />
                        <Route path=path!("registrati") view=RegisterPage ssr=SsrMode::Async />
                        <Route path=path!("registrati/controlla") view=CheckInboxPage ssr=SsrMode::Async />
                        <Route path=path!("accedi") view=LoginPage ssr=SsrMode::Async />
                        <Route path=path!("conferma-email") view=ConfirmNoticePage ssr=SsrMode::Async />
                        <Route path=path!("password-dimenticata") view=ForgotPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("reimposta-password") view=ResetPasswordPage ssr=SsrMode::Async />
                        <Route path=path!("account") view=AccountPage ssr=SsrMode::Async />
                        <Route path=path!("assistenza/nuova") view=NewRequestPage ssr=SsrMode::Async />
                        <Route path=path!("assistenza/richieste") view=MyRequestsPage ssr=SsrMode::Async />
                        <Route path=path!("assistenza/richieste/:reference") view=RequestPage ssr=SsrMode::Async />
                        <Route path=path!("admin") view=QueuePage ssr=SsrMode::Async />
                        <Route path=path!("admin/casi") view=MyCasesPage ssr=SsrMode::Async />
                        <Route path=path!("admin/cerca") view=SearchPage ssr=SsrMode::Async />
                        <Route path=path!("admin/richieste/:reference") view=CasePage ssr=SsrMode::Async />
                        <Route path=path!("admin/staff") view=StaffPage ssr=SsrMode::Async />
                        <Route path=path!("admin/audit") view=AuditPage ssr=SsrMode::Async />
                        <Route path=path!("admin/dashboard") view=DashboardPage ssr=SsrMode::Async />
                    </Routes>
                </PageShell>
            </Router>
        </I18nContextProvider>
    }
}
