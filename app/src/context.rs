//! What the server gives every server function: one [`Ctx`], provided once per request
//! (`server/src/http.rs`). The services get its plain part, the [`Portal`]: the store, the settings and
//! the brand, nothing of HTTP.

use tower_sessions::Session;

use crate::auth::session::{self, Admin, Editor, SignedIn, Staff};
use crate::brand::Brand;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ports::{Limit, Limiter, SharedLimiter, SharedStore, UserRecord};

/// Settings the services need, from the server's configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Public address of the portal, without a trailing slash (links in emails start with it).
    pub public_url: String,
    /// Cookies the server sets itself carry `Secure` (the portal is served over HTTPS).
    pub secure_cookies: bool,
    /// What attachments may be (#19).
    pub attachments: crate::domain::attachment::AttachmentLimits,
    /// How long personal data is kept (#18): the retention task applies it, the privacy notice names it.
    pub retention: crate::views::Retention,
}

/// What the services work with.
#[derive(Clone)]
pub struct Portal {
    pub store: SharedStore,
    pub settings: Settings,
    pub brand: Brand,
}

/// A server function's context: the portal, the abuse limits, and the HTTP request being served.
#[derive(Clone)]
pub struct Ctx {
    pub portal: Portal,
    limiter: Option<SharedLimiter>,
}

impl std::ops::Deref for Ctx {
    type Target = Portal;

    fn deref(&self) -> &Portal {
        &self.portal
    }
}

/// The request header the server writes the client's address into (any incoming one is replaced).
pub const CLIENT_IP_HEADER: &str = "x-sc3-client-ip";

impl Ctx {
    pub fn new(portal: Portal, limiter: Option<SharedLimiter>) -> Self {
        Self { portal, limiter }
    }

    /// The context of the request being served.
    pub fn get() -> Result<Self, AppError> {
        leptos::prelude::use_context::<Ctx>().ok_or_else(|| {
            tracing::error!("no server context: the server provides one to every request");
            AppError::Internal
        })
    }

    /// Counts one attempt against a limit (when the server has limits).
    pub async fn limit(&self, limit: Limit, key: &str) -> Result<(), AppError> {
        match &self.limiter {
            Some(l) => Ok(l.check(limit, key).await?),
            None => Ok(()),
        }
    }

    /// The limiter, for the growing delay after failed logins.
    pub fn limiter(&self) -> Option<&dyn Limiter> {
        self.limiter.as_deref()
    }

    /// The request's headers (empty when there is no request, which the server never does).
    pub async fn headers(&self) -> http::HeaderMap {
        leptos_axum::extract::<http::HeaderMap>().await.unwrap_or_default()
    }

    /// The client's address, as the server determined it.
    pub async fn client_ip(&self) -> String {
        self.headers()
            .await
            .get(CLIENT_IP_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .unwrap_or_else(|| "unknown".to_string())
    }

    /// The language of the request: the language cookie, else Accept-Language, else Italian.
    pub async fn locale(&self) -> Locale {
        let headers = self.headers().await;
        let cookie = headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == crate::LANG_COOKIE)
            .map(|(_, v)| v.to_string());
        if let Some(code) = cookie {
            return crate::services::locale_of(&code);
        }
        let accept = headers.get(http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        accept
            .split(',')
            .map(|part| part.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
            .find(|tag| tag.starts_with("it") || tag.starts_with("en"))
            .map(|tag| crate::services::locale_of(&tag))
            .unwrap_or(Locale::it)
    }

    pub async fn session(&self) -> Result<Session, AppError> {
        session::session().await
    }

    /// Whoever is logged in, if anyone (confirmed or not).
    pub async fn visitor(&self) -> Result<Option<UserRecord>, AppError> {
        let user = session::current_user(&self.store, &self.session().await?).await?;
        if let Some(user) = &user {
            traced(user);
        }
        Ok(user)
    }

    /// The logged-in customer (any confirmed account); `Unauthorized` without a login, `Forbidden` while
    /// the email is unconfirmed.
    /// A customer who has not accepted a newer privacy notice or set of rules is refused until they do
    /// (`consent_renew`: the page says so and links to the acceptance page, #18).
    pub async fn customer(&self) -> Result<SignedIn, AppError> {
        let me = self.customer_before_consent().await?;
        if me.user().role == crate::domain::request::Role::Customer && me.user().consent_pending {
            return Err(AppError::field("consent", "consent_renew"));
        }
        Ok(me)
    }

    /// The logged-in customer even before they accept new terms: deleting one's account or downloading
    /// one's data never waits for that.
    pub async fn customer_before_consent(&self) -> Result<SignedIn, AppError> {
        let me = session::require_user(&self.store).await?.0;
        traced(me.user());
        Ok(me)
    }

    /// The logged-in member of the care pool; customers get `NotFound`.
    pub async fn agent(&self) -> Result<Staff, AppError> {
        let staff = session::require_agent(&self.store).await?;
        traced(staff.user());
        Ok(staff)
    }

    /// The logged-in editor of the page's posts (or admin); other staff get `Forbidden`.
    pub async fn editor(&self) -> Result<Editor, AppError> {
        let editor = session::require_editor(&self.store).await?;
        traced(editor.user());
        Ok(editor)
    }

    /// The logged-in admin; agents get `Forbidden`.
    pub async fn admin(&self) -> Result<Admin, AppError> {
        let admin = session::require_admin(&self.store).await?;
        traced(admin.user());
        Ok(admin)
    }
}

/// Names the calling account (its id, nothing personal) on the request's span, so every line logged
/// while serving it says who asked.
fn traced(user: &UserRecord) {
    tracing::Span::current().record("account", user.id);
}
