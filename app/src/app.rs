//! The application root: the HTML document (rendered by the server only) and the router.

use leptos::prelude::*;
use leptos_meta::{Link, Meta, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{Route, Router, Routes},
    lazy_route, path,
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
    audit::AuditPage, case::CasePage, cases::MyCasesPage, dashboard::DashboardPage, documents::DocumentsAdminPage,
    moderation::ModerationPage, privacy::PrivacyAdminPage, queue::QueuePage, search::SearchPage, staff::StaffPage,
};
use crate::pages::consent::ConsentPage;
use crate::pages::notifications::NotificationsPage;
use crate::pages::requests::{detail::RequestPage, list::MyRequestsPage, new::NewRequestPage};
use crate::pages::status::{IncidentPageView, StatusPageView};
use crate::pages::wall::PostPage;
use crate::pages::{
    assistance::AssistancePage, home::HomePage, info::InfoPage, not_found::NotFound, privacy::PrivacyPage,
};

/// A route whose page is a separate WASM chunk (built with `cargo leptos build --split`), fetched when the
/// route is first visited: the bundle every visitor downloads holds only the shell, the router and the
/// shared code, not the 21 pages (#7: the single bundle was 471 KB brotli).
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(HomeRoute, HomePage);
lazy_page!(AssistanceRoute, AssistancePage);
lazy_page!(InfoRoute, InfoPage);
lazy_page!(PrivacyRoute, PrivacyPage);
lazy_page!(RegisterRoute, RegisterPage);
lazy_page!(CheckInboxRoute, CheckInboxPage);
lazy_page!(LoginRoute, LoginPage);
lazy_page!(ConfirmNoticeRoute, ConfirmNoticePage);
lazy_page!(ForgotPasswordRoute, ForgotPasswordPage);
lazy_page!(ResetPasswordRoute, ResetPasswordPage);
lazy_page!(AccountRoute, AccountPage);
lazy_page!(NewRequestRoute, NewRequestPage);
lazy_page!(MyRequestsRoute, MyRequestsPage);
lazy_page!(RequestRoute, RequestPage);
lazy_page!(QueueRoute, QueuePage);
lazy_page!(MyCasesRoute, MyCasesPage);
lazy_page!(SearchRoute, SearchPage);
lazy_page!(CaseRoute, CasePage);
lazy_page!(StaffRoute, StaffPage);
lazy_page!(AuditRoute, AuditPage);
lazy_page!(DashboardRoute, DashboardPage);
lazy_page!(PostRoute, PostPage);
lazy_page!(ModerationRoute, ModerationPage);
lazy_page!(NotificationsRoute, NotificationsPage);
lazy_page!(PrivacyAdminRoute, PrivacyAdminPage);
lazy_page!(DocumentsAdminRoute, DocumentsAdminPage);
lazy_page!(ConsentRoute, ConsentPage);
lazy_page!(StatusRoute, StatusPageView);
lazy_page!(IncidentRoute, IncidentPageView);

/// The whole HTML document. The server calls it for every page; the brand comes from context.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let brand = use_context::<Brand>().unwrap_or_default();
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        && let Ok(policy) = http::HeaderValue::from_str(&crate::csp::page_policy(&nonce.to_string()))
    {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
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
    let (routing, set_routing) = signal(false);
    view! {
        <I18nContextProvider cookie_name=crate::LANG_COOKIE>
            {pause_server_language_effect()}
            <Stylesheet id="leptos" href="/pkg/social-care-3.css" />
            <Link rel="icon" type_="image/svg+xml" href="/favicon.svg" />
            <Meta name="theme-color" content=brand.primary.as_ref().to_string() />
            <Title formatter=move |page: String| format!("{page} · {brand_name}") />
            // A page opened for the first time brings its own WASM chunk: until it has arrived the old page
            // stays, so a thin bar at the top says the tap was heard (after 150 ms, see `.route-progress`).
            <Router set_is_routing=set_routing>
                <div class="route-progress" class:active=move || routing.get() aria-hidden="true"></div>
                <PageShell>
                    // Async: every page is sent whole, data included, so it reads the same without JavaScript.
                    <Routes fallback=|| view! { <NotFound /> }>
                        <Route path=path!("") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("post/:id") view={Lazy::<PostRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("notifiche") view={Lazy::<NotificationsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("assistenza") view={Lazy::<AssistanceRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("info") view={Lazy::<InfoRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("privacy") view={Lazy::<PrivacyRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("registrati") view={Lazy::<RegisterRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("registrati/controlla") view={Lazy::<CheckInboxRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("accedi") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("conferma-email") view={Lazy::<ConfirmNoticeRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("password-dimenticata") view={Lazy::<ForgotPasswordRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("reimposta-password") view={Lazy::<ResetPasswordRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("account") view={Lazy::<AccountRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("assistenza/nuova") view={Lazy::<NewRequestRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("assistenza/richieste") view={Lazy::<MyRequestsRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("assistenza/richieste/:reference") view={Lazy::<RequestRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin") view={Lazy::<QueueRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/casi") view={Lazy::<MyCasesRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/cerca") view={Lazy::<SearchRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/richieste/:reference") view={Lazy::<CaseRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/staff") view={Lazy::<StaffRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/audit") view={Lazy::<AuditRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/moderazione") view={Lazy::<ModerationRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/dashboard") view={Lazy::<DashboardRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/privacy") view={Lazy::<PrivacyAdminRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("admin/documenti") view={Lazy::<DocumentsAdminRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("consenso") view={Lazy::<ConsentRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("stato") view={Lazy::<StatusRoute>::new()} ssr=SsrMode::Async />
                        <Route path=path!("stato/:id") view={Lazy::<IncidentRoute>::new()} ssr=SsrMode::Async />
                    </Routes>
                </PageShell>
            </Router>
        </I18nContextProvider>
    }
}
