//! Test harness: a fresh database per test (a SQLite file in a temporary folder, or a new PostgreSQL
//! database on the server `TEST_DATABASE_URL` points at), and the real router served on a free port.
#![allow(dead_code)]

use std::net::SocketAddr;

use clap::Parser;
use server::config::Cli;
use server::http::AppState;
use sqlx::{Connection, Executor, PgConnection};

/// The password of every staff account the tests make.
pub const STAFF_PASSWORD: &str = "copper-lantern-meadow-88";

/// No request of a test may hang: a stalled answer fails the test and names the request.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Nor may a whole test.
pub const TEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// The real server binary, serving `db` at a free port (killed when dropped), its emails in a folder
/// of its own.
pub struct ServerProcess {
    pub url: String,
    _child: tokio::process::Child,
    _mail: tempfile::TempDir,
}

impl ServerProcess {
    /// Kills the process with SIGKILL (no shutdown of any kind) and waits for it to be gone.
    pub async fn kill(mut self) {
        self._child.kill().await.expect("SIGKILL the server");
    }
}

/// Starts a [`ServerProcess`] with `args` after the usual ones and waits until it answers `/readyz`.
pub async fn server_process(db: &TestDb, args: &[&str]) -> ServerProcess {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("port").port();
    let mail = tempfile::tempdir().expect("a mail folder");
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["--database-url", &db.url, "--bind", &format!("127.0.0.1:{port}"), "--db-max-connections", "4"])
        .args(["--public-url", "http://portal.test", "--mail-dir", &mail.path().display().to_string()])
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("server process");
    let url = format!("http://127.0.0.1:{port}");
    let plain = reqwest::Client::new();
    for _ in 0..300 {
        if plain.get(format!("{url}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return ServerProcess { url, _child: child, _mail: mail };
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{url} did not start");
}

/// A database made for one test.
pub struct TestDb {
    pub url: String,
    pub backend: &'static str,
    _dir: Option<tempfile::TempDir>,
    admin_url: Option<String>,
    name: Option<String>,
}

impl TestDb {
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}/sc3.db", dir.path().display());
        Self { url, backend: "sqlite", _dir: Some(dir), admin_url: None, name: None }
    }

    /// `None` (and a loud line on stderr) when no PostgreSQL is configured; under CI that is a failure.
    pub async fn postgres() -> Option<Self> {
        let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL tests must run under CI");
            }
            eprintln!("SKIPPED on PostgreSQL: TEST_DATABASE_URL is not set");
            return None;
        };
        let name = format!("sc3_t_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
        conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
        let base = admin_url.split('?').next().unwrap_or(&admin_url);
        let (server, _db) = base.rsplit_once('/').expect("TEST_DATABASE_URL names a database");
        let url = format!("{server}/{name}");
        Some(Self { url, backend: "postgres", _dir: None, admin_url: Some(admin_url), name: Some(name) })
    }

    /// Every email written to the outbox for one address, oldest first. A test's own query: the portal
    /// never lists an address's emails, so no port offers it.
    pub async fn emails_to(&self, recipient: &str) -> Vec<app::ports::OutboxEmail> {
        const SQL: &str = "SELECT id, recipient, locale, kind, subject, body_text, body_html, attempts, sent_at, \
             failed_at FROM outbox WHERE recipient = $1 ORDER BY id";
        let rows: Vec<OutboxRow> = if self.backend == "sqlite" {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await.expect("open the test database");
            sqlx::query_as(SQL).bind(recipient).fetch_all(&mut conn).await.expect("read the outbox")
        } else {
            let mut conn = PgConnection::connect(&self.url).await.expect("open the test database");
            sqlx::query_as(SQL).bind(recipient).fetch_all(&mut conn).await.expect("read the outbox")
        };
        rows.into_iter()
            .map(|r| app::ports::OutboxEmail {
                id: r.id,
                recipient: r.recipient,
                locale: r.locale,
                kind: r.kind,
                subject: r.subject,
                body_text: r.body_text,
                body_html: r.body_html,
                attempts: r.attempts,
                sent: r.sent_at.is_some(),
                failed: r.failed_at.is_some(),
            })
            .collect()
    }

    /// Runs one statement of a test's own (bulk set-up the ports have no reason to offer); rows changed.
    pub async fn execute(&self, sql: &str) -> u64 {
        if self.backend == "sqlite" {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await.expect("open the test database");
            sqlx::query(sql).execute(&mut conn).await.expect("test statement").rows_affected()
        } else {
            let mut conn = PgConnection::connect(&self.url).await.expect("open the test database");
            sqlx::query(sql).execute(&mut conn).await.expect("test statement").rows_affected()
        }
    }

    /// One number a test's own query counts.
    pub async fn count(&self, sql: &str) -> i64 {
        if self.backend == "sqlite" {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await.expect("open the test database");
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("test query")
        } else {
            let mut conn = PgConnection::connect(&self.url).await.expect("open the test database");
            sqlx::query_scalar(sql).fetch_one(&mut conn).await.expect("test query")
        }
    }

    /// Drops a PostgreSQL test database while the app still uses it (to see failures handled).
    pub async fn drop_now(&self) {
        if let (Some(admin), Some(name)) = (&self.admin_url, &self.name) {
            let mut conn = PgConnection::connect(admin).await.expect("admin connection");
            conn.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str()).await.expect("drop database");
        }
    }
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: i64,
    recipient: String,
    locale: String,
    kind: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i64,
    sent_at: Option<i64>,
    failed_at: Option<i64>,
}

/// The real server (router, state, database) listening on a free local port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    /// A client that keeps cookies and does not follow redirects (tests look at them).
    pub client: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub db: TestDb,
}

/// A registration form as a browser posts it (no line number), with the customers' test password.
pub fn registration<'a>(name: &'a str, email: &'a str) -> [(&'static str, &'a str); 7] {
    [
        ("display_name", name),
        ("email", email),
        ("password", "violet-otter-canyon-42"),
        ("password_confirm", "violet-otter-canyon-42"),
        ("line_number", ""),
        ("accept_privacy", "yes"),
        ("accept_conduct", "yes"),
    ]
}

/// Where a response redirects to.
pub fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
}

/// The error a no-JavaScript form post was answered with (leptos puts it in the redirect's query).
pub fn form_error(res: &reqwest::Response) -> Option<app::error::AppError> {
    use base64::Engine;
    // The address stays clean (#21.5): the refusal comes in a header of the redirect.
    let header = res.headers().get(server::http::FORM_ERROR_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let loc = location(res);
    let encoded =
        header.or_else(|| loc.split(['?', '&']).find_map(|kv| kv.strip_prefix("__err=")).map(str::to_string))?;
    let encoded = encoded.replace("%3D", "=");
    let bytes = base64::engine::general_purpose::URL_SAFE.decode(encoded.as_bytes()).ok()?;
    serde_json::from_slice(&bytes).ok()
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> Self {
        Self::spawn_with(db, &[]).await
    }

    pub async fn spawn_with(db: TestDb, extra_args: &[&str]) -> Self {
        let mut args = vec![
            "server",
            "--database-url",
            &db.url,
            "--db-max-connections",
            "4",
            "--public-url",
            "http://portal.test",
        ];
        // Tests log in and register many times from one address: generous limits, unless a test sets its own.
        if !extra_args.iter().any(|a| a.starts_with("--limit")) {
            args.extend_from_slice(&[
                "--limit-login-ip",
                "10000/60",
                "--limit-login-email",
                "10000/60",
                "--limit-register-ip",
                "10000/60",
                "--limit-reset-ip",
                "10000/60",
                "--limit-reset-email",
                "10000/60",
                "--limit-new-request",
                "10000/60",
                "--limit-comment",
                "10000/60",
                "--limit-global-ip",
                "100000/60",
            ]);
        }
        args.extend_from_slice(extra_args);
        if std::env::var_os("SC3_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
                .with_thread_ids(true)
                .with_span_events(
                    tracing_subscriber::fmt::format::FmtSpan::NEW | tracing_subscriber::fmt::format::FmtSpan::CLOSE,
                )
                .try_init();
        }
        let cli = Cli::try_parse_from(args).expect("test configuration");
        let (router, state) = server::build(&cli.config).await.expect("build the app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
        });
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Self { addr, state, client, jar, db }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// Posts a form the way a browser without JavaScript does (the page it came from as Referer).
    pub async fn post_form(&self, path: &str, from_page: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header("Accept", "text/html")
            .header("Referer", self.url(from_page))
            .fields(path, fields)
            .send()
            .await
            .expect("POST")
    }

    /// A plain form post from another browser.
    pub async fn post_form_as(
        &self,
        client: &reqwest::Client,
        path: &str,
        from_page: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url(path))
            .header("Accept", "text/html")
            .header("Referer", self.url(from_page))
            .fields(path, fields)
            .send()
            .await
            .expect("POST")
    }

    /// Logs in with a no-JavaScript form post from the login page, as the given browser.
    pub async fn log_in_as(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        self.post_form_as(client, "/api/login", "/accedi", &[("email", email), ("password", password)]).await
    }

    pub async fn get_as(&self, client: &reqwest::Client, path: &str) -> (u16, String) {
        let res = client.get(self.url(path)).send().await.expect("GET");
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// A registered, confirmed customer logged in on a browser of their own.
    pub async fn customer(&self, email: &str, name: &str) -> (reqwest::Client, app::ports::UserRecord) {
        self.customer_with_line(email, name, "333 765 4321").await
    }

    /// The same, with a line number of their own.
    pub async fn customer_with_line(
        &self,
        email: &str,
        name: &str,
        line: &str,
    ) -> (reqwest::Client, app::ports::UserRecord) {
        const PASSWORD: &str = "violet-otter-canyon-42";
        let client = self.new_client();
        let fields = [
            ("display_name", name),
            ("email", email),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
            ("line_number", line),
            ("accept_privacy", "yes"),
            ("accept_conduct", "yes"),
        ];
        let res = self.post_form_as(&client, "/api/register", "/registrati", &fields).await;
        assert_eq!(location(&res), "/registrati/controlla");
        let emails = self.db.emails_to(email).await;
        let body = &emails.iter().find(|e| e.kind == "confirm_email").expect("confirmation email").body_text;
        let start = body.find("http://portal.test/").expect("link") + "http://portal.test".len();
        let link = body[start..].split_whitespace().next().expect("link").to_string();
        let res = client.get(self.url(&link)).send().await.expect("confirm");
        assert_eq!(location(&res), "/accedi?confermato=1");
        let res =
            self.post_form_as(&client, "/api/login", "/accedi", &[("email", email), ("password", PASSWORD)]).await;
        assert_eq!(location(&res), "/assistenza/richieste", "customers land on their requests");
        let email = app::domain::account::Email::parse(email).expect("email");
        let user = self.store().user_by_email(&email).await.expect("lookup").expect("user");
        (client, user)
    }

    /// A staff member (confirmed, with `role`) logged in on a browser of their own.
    pub async fn staff(
        &self,
        email: &str,
        name: &str,
        role: app::domain::request::Role,
    ) -> (reqwest::Client, app::ports::UserRecord) {
        use app::domain::account::{DisplayName, Email, Password};
        let hash = app::auth::password::hash_password(&Password::parse(STAFF_PASSWORD).unwrap()).await.unwrap();
        let store = self.store();
        let id = store.create_admin(&Email::parse(email).unwrap(), &DisplayName::parse(name).unwrap(), &hash, 1).await;
        let id = id.expect("a new staff account");
        if role != app::domain::request::Role::Admin {
            store.set_role(id, role, None, 2).await.unwrap();
        }
        let client = self.new_client();
        let res = self.log_in_as(&client, email, STAFF_PASSWORD).await;
        assert_eq!(location(&res), "/admin", "staff land on the queue");
        (client, store.user_by_id(id).await.unwrap().unwrap())
    }

    /// A fetch-style call (as a hydrated page makes): its status and body.
    pub async fn call(&self, client: &reqwest::Client, endpoint: &str, fields: &[(&str, &str)]) -> (u16, String) {
        let res = client.post(self.url(endpoint)).fields(endpoint, fields).send().await.expect("POST");
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }

    pub fn store(&self) -> &app::ports::SharedStore {
        &self.state.store
    }

    /// The session cookie the client holds now.
    pub fn session_cookie(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let header = self.jar.cookies(&self.url("/").parse().ok()?)?;
        header.to_str().ok()?.split("; ").find(|c| c.starts_with("sc3_session=")).map(str::to_string)
    }

    /// Another browser: its own cookies.
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Who the server says is logged in for that client (`/api/me`).
    pub async fn me_via(&self, client: &reqwest::Client) -> Option<serde_json::Value> {
        let res = client.post(self.url("/api/me")).send().await.expect("POST /api/me");
        res.json().await.expect("JSON answer")
    }

    /// A second client with a given cookie (someone holding an old session id).
    pub fn client_with_cookie(&self, cookie: &str) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("Cookie", cookie.parse().expect("cookie header"));
        reqwest::Client::builder()
            .default_headers(headers)
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }
}

/// Runs each named `async fn(TestDb)` as two tests: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let run = super::$name($crate::common::TestDb::sqlite().await);
                    tokio::time::timeout($crate::common::TEST_TIMEOUT, run).await.expect("the test took too long");
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::common::TestDb::postgres().await {
                        tokio::time::timeout($crate::common::TEST_TIMEOUT, super::$name(db)).await.expect("the test took too long");
                    }
                }
            )*
        }
    };
}

/// The server functions whose forms carry files (#19): browsers post them `multipart/form-data`.
pub const UPLOADS: [&str; 3] = ["/api/requests/submit", "/api/requests/reply", "/api/staff/case-action"];

/// A form's text fields as a multipart body.
pub fn multipart_of(fields: &[(&str, &str)]) -> reqwest::multipart::Form {
    fields.iter().fold(reqwest::multipart::Form::new(), |form, (k, v)| form.text(k.to_string(), v.to_string()))
}

/// A form's fields, the way a browser posts them to that path.
pub trait FormFields {
    fn fields(self, path: &str, fields: &[(&str, &str)]) -> Self;
}

impl FormFields for reqwest::RequestBuilder {
    fn fields(self, path: &str, fields: &[(&str, &str)]) -> Self {
        if UPLOADS.contains(&path) { self.multipart(multipart_of(fields)) } else { self.form(fields) }
    }
}
