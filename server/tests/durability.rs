//! Durability: a burst of concurrent submissions to a real server process, killed with SIGKILL in the
//! middle, then restarted. Every submission that got a success answer must be stored, complete, with its
//! `received` event and its outbox email. On SQLite (synchronous=FULL, WAL) and on PostgreSQL.
//!
//! The server binary is this build's `server` (set `SC3_DURABILITY_BIN` to run the release binary).

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::domain::account::{DisplayName, Email, Password};
use app::domain::request::parse_reference;
use app::ports::*;
use common::TestDb;

const PASSWORD: &str = "violet-otter-canyon-42";
const BURST: usize = 240;
const KILL_AFTER_ACKS: usize = 60;

fn server_bin() -> String {
    std::env::var("SC3_DURABILITY_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_server").to_string())
}

/// Starts the server on a port it picks itself (`--bind 127.0.0.1:0`: no probe-then-bind race with other
/// tests) and returns it with the address it logged, once it answers `/readyz`.
async fn start(db: &TestDb, mail_dir: &std::path::Path) -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt;
    // Emails stay in the outbox table for the checks; the files the sender writes go to a scratch dir.
    let mut child = tokio::process::Command::new(server_bin())
        .arg("--mail-dir")
        .arg(mail_dir)
        .args([
            "--database-url",
            &db.url,
            "--bind",
            "127.0.0.1:0",
            "--limit-new-request",
            "100000/60",
            "--limit-global-ip",
            "100000/60",
            "--limit-login-ip",
            "1000/60",
        ])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("server process");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.expect("server output") {
            if let Some(at) = line.find("listening on http://") {
                let address = &line[at + "listening on ".len()..];
                return address
                    .split(|c: char| c.is_whitespace() || c == '"' || c == '\x1b')
                    .next()
                    .unwrap_or("")
                    .to_string();
            }
        }
        panic!("the server stopped before it listened");
    })
    .await
    .expect("the server listens within 30 s");
    // Keep reading its log, or a full pipe would stall the server.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let probe = reqwest::Client::new();
    for _ in 0..300 {
        if probe.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not get ready");
}

/// What became of one submission of the burst.
enum Outcome {
    /// A success answer naming the stored request.
    Acknowledged(usize, String),
    /// Sent, and the connection died with the server before any answer.
    Unanswered,
    /// Answered, but not with a success (never expected here).
    Refused(u16),
}

async fn burst_then_kill(db: TestDb) {
    let backend = db.backend;
    // The customer, stored through the ports before the server starts.
    let cli = <server::config::Cli as clap::Parser>::try_parse_from(["server", "--database-url", &db.url]).unwrap();
    let store = server::db::connect(&cli.config).await.unwrap().store;
    let hash = app::auth::password::hash_password(&Password::parse(PASSWORD).unwrap()).await.unwrap();
    let email = Email::parse("durable@example.it").unwrap();
    let account = NewAccount {
        email: email.clone(),
        display_name: DisplayName::parse("Durable").unwrap(),
        password_hash: hash,
        line_number: None,
        locale: "it",
    };
    let noop = |kind| NewEmail {
        to: "x@example.it".into(),
        locale: "it".into(),
        kind,
        subject: "s".into(),
        text: "t".into(),
        html: "h".into(),
    };
    let token = NewToken { hash: "durable-token".into(), purpose: TokenPurpose::ConfirmEmail, expires_at: i64::MAX };
    store.register_account(account, token, noop("confirm_email"), noop("already_registered"), 1).await.unwrap();
    store.confirm_email("durable-token", 2).await.unwrap().expect("confirmed");

    let mail_dir = tempfile::tempdir().expect("scratch mail folder");
    let (mut server, base) = start(&db, mail_dir.path()).await;
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = client
        .post(format!("{base}/api/login"))
        .header("Accept", "text/html")
        .form(&[("email", "durable@example.it"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/assistenza/richieste");

    let client = Arc::new(client);
    let (acks_tx, mut acks_rx) = tokio::sync::mpsc::unbounded_channel::<Outcome>();
    let mut tasks = Vec::new();
    for i in 0..BURST {
        let (client, base, acks) = (client.clone(), base.clone(), acks_tx.clone());
        tasks.push(tokio::spawn(async move {
            let subject = format!("Durabilità numero {i}");
            let description = format!("Richiesta {i} della raffica: deve sopravvivere a un SIGKILL del server.");
            let form = [
                ("category", "other"),
                ("subject", subject.as_str()),
                ("description", description.as_str()),
                ("line_number", "333 765 4321"),
                ("contact", "portal"),
                ("reported_on", "none"),
                ("public_handle", ""),
                ("consent", "yes"),
            ];
            let Ok(res) =
                client.post(format!("{base}/api/requests/submit")).multipart(common::multipart_of(&form)).send().await
            else {
                let _ = acks.send(Outcome::Unanswered);
                return;
            };
            let status = res.status().as_u16();
            let location = res.headers().get("location").and_then(|l| l.to_str().ok()).map(str::to_string);
            let Ok(body) = res.text().await else {
                // The answer was cut off with the server: not an acknowledgement.
                let _ = acks.send(Outcome::Unanswered);
                return;
            };
            // A success answer: the reference in the body (fetch) or in the redirect.
            let reference = match status {
                200 => serde_json::from_str::<String>(&body).ok(),
                302 | 303 => {
                    location.and_then(|l| l.split('/').nth(3).map(|r| r.split('?').next().unwrap_or("").to_string()))
                }
                _ => None,
            };
            let outcome = match reference.filter(|r| r.starts_with("SC3-")) {
                Some(reference) => Outcome::Acknowledged(i, reference),
                None => Outcome::Refused(status),
            };
            let _ = acks.send(outcome);
        }));
    }
    drop(acks_tx);
    let mut acked: HashMap<usize, String> = HashMap::new();
    let (mut unanswered, mut refused) = (0, Vec::new());
    while let Some(outcome) = acks_rx.recv().await {
        match outcome {
            Outcome::Acknowledged(i, reference) => {
                acked.insert(i, reference);
                if acked.len() == KILL_AFTER_ACKS {
                    server.kill().await.expect("SIGKILL");
                }
            }
            Outcome::Unanswered => unanswered += 1,
            Outcome::Refused(status) => refused.push(status),
        }
    }
    for t in tasks {
        t.await.expect("a submission task");
    }
    assert!(refused.is_empty(), "no submission may be refused: {refused:?}");
    assert!(acked.len() >= KILL_AFTER_ACKS, "the burst got {} answers before the kill", acked.len());
    // The kill landed in the middle of the burst: some submissions were sent and never answered.
    assert!(unanswered > 0, "the kill came after the burst ({} of {BURST} answered): nothing was tested", acked.len());
    assert_eq!(acked.len() + unanswered, BURST, "every submission either answered or not");

    // Restart on the same database and check every acknowledged submission.
    let (_server, _) = start(&db, mail_dir.path()).await;
    let store = server::db::connect(&cli.config).await.unwrap().store;
    let emails = db.emails_to("durable@example.it").await;
    let mut lost = Vec::new();
    for (i, reference) in &acked {
        let id = parse_reference(reference).expect("a reference");
        let Some(r) = store.request_by_id(id).await.unwrap() else {
            lost.push(reference.clone());
            continue;
        };
        assert_eq!(r.subject, format!("Durabilità numero {i}"), "{reference} stored complete");
        assert!(r.description.starts_with(&format!("Richiesta {i} della raffica")));
        let events = store.request_events(id, true).await.unwrap();
        assert_eq!(events.first().map(|e| e.kind.code()), Some("received"), "{reference} has its received event");
        assert!(
            emails.iter().any(|e| e.kind == "request_received" && e.subject.contains(reference.as_str())),
            "{reference} has its email in the outbox"
        );
    }
    let total = store.customer_requests(r_customer(&store, &email).await, None, 10_000).await.unwrap().len();
    println!(
        "DURABILITY {backend}: {BURST} sent, {} acknowledged, {unanswered} unanswered (killed mid-burst), \
         {} lost; {total} stored in all (unacknowledged ones may have committed before the kill)",
        acked.len(),
        lost.len()
    );
    assert!(lost.is_empty(), "acknowledged and lost: {lost:?}");
    assert!(total >= acked.len(), "at least every acknowledged submission is stored");
}

async fn r_customer(store: &SharedStore, email: &Email) -> UserId {
    store.user_by_email(email).await.unwrap().unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_submissions_survive_a_sigkill_on_sqlite() {
    tokio::time::timeout(Duration::from_secs(240), burst_then_kill(TestDb::sqlite().await)).await.expect("in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_submissions_survive_a_sigkill_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        tokio::time::timeout(Duration::from_secs(240), burst_then_kill(db)).await.expect("in time");
    }
}
