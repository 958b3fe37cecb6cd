//! What the logs hold: a whole customer and care-pool journey runs with every log line captured at
//! `debug` (more than production's `info`), then the capture is searched for each secret and private
//! value the journey used, and for any panic. None may appear.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use app::domain::account::{DisplayName, Email, Password};
use app::domain::request::Role;
use common::{TestApp, TestDb, location};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

const PASSWORD: &str = "violet-otter-canyon-42";
const LINE: &str = "333 765 4321";
const SUBJECT: &str = "Oggetto-Privato-5521";
const DESCRIPTION: &str = "Descrizione-Privata-7734 del problema, abbastanza lunga.";
const REPLY: &str = "Risposta-Privata-8812";
const NOTE: &str = "Nota-Privata-9903";

/// What one journey logged: the secrets it used (none may appear), and lines that must appear.
struct Journey {
    secrets: Vec<String>,
    expected: Vec<String>,
}

async fn journey(db: TestDb) -> Journey {
    let app = TestApp::spawn(db).await;
    let (customer, _) = app.customer("log-check@example.it", "Log Check").await;
    let session = app.session_cookie();
    let fields = [
        ("category", "billing"),
        ("subject", SUBJECT),
        ("description", DESCRIPTION),
        ("line_number", LINE),
        ("contact", "portal"),
        ("reported_on", "none"),
        ("public_handle", "@privato"),
        ("consent", "yes"),
    ];
    let res = app.post_form_as(&customer, "/api/requests/submit", "/assistenza/nuova", &fields).await;
    let code = location(&res).trim_start_matches("/assistenza/richieste/").trim_end_matches("?nuova=1").to_string();
    app.get_as(&customer, &format!("/assistenza/richieste/{code}")).await;
    app.post_form_as(&customer, "/api/requests/reply", "/", &[("reference", &code), ("message", REPLY)]).await;
    // A refused form too: its values must not be logged either.
    app.post_form_as(
        &customer,
        "/api/requests/submit",
        "/assistenza/nuova",
        &[("subject", SUBJECT), ("line_number", LINE)],
    )
    .await;
    // A wrong password and a reset link.
    app.log_in_as(&app.new_client(), "log-check@example.it", "wrong-password-123").await;
    app.post_form_as(&app.new_client(), "/api/forgot-password", "/", &[("email", "log-check@example.it")]).await;

    let hash = app::auth::password::hash_password(&Password::parse(PASSWORD).unwrap()).await.unwrap();
    let id = app
        .store()
        .create_admin(&Email::parse("log-agent@example.it").unwrap(), &DisplayName::parse("Agent").unwrap(), &hash, 1)
        .await
        .unwrap();
    app.store().set_role(id, Role::Agent, None, 2).await.unwrap();
    let agent = app.new_client();
    app.log_in_as(&agent, "log-agent@example.it", PASSWORD).await;
    app.post_form_as(&agent, "/api/staff/take-next", "/admin", &[]).await;
    let version = app
        .store()
        .request_by_id(app::domain::request::parse_reference(&code).unwrap())
        .await
        .unwrap()
        .unwrap()
        .version
        .to_string();
    app.post_form_as(
        &agent,
        "/api/staff/case-action",
        "/admin",
        &[("reference", &code), ("version", &version), ("action", "note"), ("message", NOTE)],
    )
    .await;
    app.get_as(&agent, &format!("/admin/richieste/{code}")).await;

    // The secrets of this journey: tokens from the emails, the session ids.
    let mut secrets = vec![
        PASSWORD.to_string(),
        "wrong-password-123".into(),
        LINE.into(),
        "+393337654321".into(),
        SUBJECT.into(),
        DESCRIPTION.into(),
        REPLY.into(),
        NOTE.into(),
    ];
    for email in app.db.emails_to("log-check@example.it").await {
        for marker in ["/conferma/", "token="] {
            if let Some(i) = email.body_text.find(marker) {
                let token: String = email.body_text[i + marker.len()..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                if token.len() > 20 {
                    secrets.push(token);
                }
            }
        }
    }
    if let Some(cookie) = session {
        secrets.push(cookie.trim_start_matches("sc3_session=").to_string());
    }
    // The agent's server function call is logged with who made it (the account id, nothing else).
    let expected = vec![format!("path=/api/staff/case-action account={id}")];
    Journey { secrets, expected }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_private_value_and_no_panic_reaches_the_logs() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("debug,hyper=info,h2=info,reqwest=info")
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");
    // As in the server: a panic anywhere (a handler, a detached task) becomes a log line.
    server::telemetry::log_panics();
    let Journey { mut secrets, mut expected } = journey(TestDb::sqlite().await).await;
    if let Some(db) = TestDb::postgres().await {
        let more = journey(db).await;
        secrets.extend(more.secrets);
        expected.extend(more.expected);
    }
    // Let detached tasks of the last requests finish (and panic, if they were going to).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).to_string();
    assert!(logs.lines().count() > 100, "the journey was logged ({} lines)", logs.lines().count());
    assert!(secrets.len() >= 9, "{secrets:?}");
    for secret in &secrets {
        let line = logs.lines().find(|l| l.contains(secret.as_str()));
        assert!(line.is_none(), "the logs contain a secret or private value ({secret}): {line:?}");
    }
    for line in logs.lines() {
        assert!(!line.contains("panicked"), "a panic was logged: {line}");
    }
    for wanted in &expected {
        assert!(logs.lines().any(|l| l.contains(wanted.as_str()) && l.contains("request")), "no log line has {wanted}");
    }
}
