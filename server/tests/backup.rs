//! Backups of the embedded database (#20): a backup taken under a stream of submissions restores every
//! request acknowledged before it began, whole; a restore refuses while the database is open and keeps
//! the file it replaces; bad files and PostgreSQL are refused in plain words; periodic backups rotate.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use common::{TestApp, TestDb, location};
use server::config::Cli;
use sqlx::Connection;

fn config_for(url: &str) -> server::config::Config {
    Cli::try_parse_from(["server", "--database-url", url]).expect("configuration").config
}

async fn integrity(path: &Path) -> String {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display())).await.unwrap();
    let (ok,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&mut conn).await.unwrap();
    ok
}

/// One submission as a browser without JavaScript sends it; its reference once acknowledged.
async fn submit(app: &TestApp, client: &reqwest::Client, subject: &str, description: &str) -> Option<String> {
    let form = [
        ("category", "other"),
        ("subject", subject),
        ("description", description),
        ("line_number", "333 765 4321"),
        ("contact", "portal"),
        ("reported_on", "none"),
        ("public_handle", ""),
        ("consent", "yes"),
    ];
    let res = app.post_form_as(client, "/api/requests/submit", "/assistenza/nuova", &form).await;
    let to = location(&res);
    to.strip_prefix("/assistenza/richieste/").map(|r| r.split(['?', '#']).next().unwrap_or("").to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_a_stream_of_submissions_restores_every_acknowledged_request() {
    let db = TestDb::sqlite().await;
    let url = db.url.clone();
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("flusso@example.it", "Flusso").await;
    let scratch = tempfile::tempdir().unwrap();
    let backup = scratch.path().join("copia.db");

    // Submissions go on without a pause while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(std::sync::Mutex::new(Vec::<(Instant, String, String, String)>::new()));
    let stream = async {
        let mut n = 0;
        while !stop.load(Ordering::SeqCst) {
            let subject = format!("Flusso numero {n}");
            let description = format!("Richiesta {n} del flusso: deve esserci intera nel backup. àèìòù €");
            if let Some(reference) = submit(&app, &client, &subject, &description).await {
                acked.lock().unwrap().push((Instant::now(), reference, subject, description));
            }
            n += 1;
        }
    };
    let take = async {
        while acked.lock().unwrap().len() < 30 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let began = Instant::now();
        let report = server::backup::backup_to(&config_for(&url), &backup).await.expect("backup");
        // A few more after it, so that the stream really ran across it.
        let after = acked.lock().unwrap().len();
        while acked.lock().unwrap().len() < after + 5 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        stop.store(true, Ordering::SeqCst);
        (began, report)
    };
    let ((), (began, report)) = tokio::join!(stream, take);
    let acked = acked.lock().unwrap().clone();
    let before: Vec<_> = acked.iter().filter(|a| a.0 < began).collect();
    assert!(before.len() >= 30, "{} acknowledged before the backup", before.len());
    assert!(report.requests >= before.len() as i64);
    assert!(report.bytes > 0 && backup.exists() && !scratch.path().join("copia.db.partial").exists());
    assert_eq!(integrity(&backup).await, "ok");

    // Restored into a new file, a server starts on it and has every one of them, whole.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored_url = format!("sqlite://{}/restored.db", restored_dir.path().display());
    let config = config_for(&restored_url);
    let done = server::backup::restore_from(&config, &backup).await.expect("restore");
    assert!(done.previous.is_none(), "there was nothing to keep");
    assert_eq!(integrity(&restored_dir.path().join("restored.db")).await, "ok");
    let (router, state) = server::build(&config).await.expect("a server on the restored database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    for (_, reference, subject, description) in before {
        let id = app::domain::request::parse_reference(reference).unwrap();
        let request = state.store.request_by_id(id).await.unwrap().unwrap_or_else(|| panic!("{reference} lost"));
        assert_eq!((&request.subject, &request.description), (subject, description), "{reference} whole");
    }
}

#[tokio::test]
async fn a_restore_refuses_an_open_database_and_a_bad_file_and_keeps_what_it_replaces() {
    let db = TestDb::sqlite().await;
    let url = db.url.clone();
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("copia@example.it", "Copia").await;
    let reference = submit(&app, &client, "Prima del backup", "Questa richiesta è nel backup.").await.unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let backup = scratch.path().join("copia.db");
    server::backup::backup_to(&config_for(&url), &backup).await.expect("backup");

    // Never over an existing file; never into the database the server has open.
    let again = server::backup::backup_to(&config_for(&url), &backup).await.unwrap_err().to_string();
    assert!(again.contains("already exists"), "{again}");
    let open = server::backup::restore_from(&config_for(&url), &backup).await.unwrap_err().to_string();
    assert!(open.contains("stop every server"), "{open}");
    let later = submit(&app, &client, "Dopo il tentativo", "Il server continua a funzionare.").await;
    assert!(later.is_some(), "the refused restore changed nothing");

    // A closed database is replaced, and the one it replaces is kept beside it.
    let other_dir = tempfile::tempdir().unwrap();
    let other_url = format!("sqlite://{}/other.db", other_dir.path().display());
    let other = config_for(&other_url);
    drop(server::db::connect(&other).await.expect("a database of its own"));
    let done = server::backup::restore_from(&other, &backup).await.expect("restore");
    let previous = done.previous.expect("the replaced database is kept");
    assert!(previous.exists() && previous.display().to_string().contains("other.db.before-restore-"));
    let store = server::db::connect(&other).await.unwrap().store;
    let id = app::domain::request::parse_reference(&reference).unwrap();
    assert_eq!(store.request_by_id(id).await.unwrap().unwrap().subject, "Prima del backup");
    drop(store);

    // A file that is not a database, or not ours, is refused and nothing changes.
    let garbage = scratch.path().join("garbage.db");
    std::fs::write(&garbage, b"this is not a database, just some bytes").unwrap();
    let refused = format!("{:#}", server::backup::restore_from(&other, &garbage).await.unwrap_err());
    assert!(refused.contains("cannot be restored"), "{refused}");
    let foreign = scratch.path().join("foreign.db");
    {
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=rwc", foreign.display())).await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)").execute(&mut conn).await.unwrap();
    }
    let refused = format!("{:#}", server::backup::restore_from(&other, &foreign).await.unwrap_err());
    assert!(refused.contains("not a Social Care 3 database"), "{refused}");
    let missing =
        format!("{:#}", server::backup::restore_from(&other, &scratch.path().join("no.db")).await.unwrap_err());
    assert!(missing.contains("there is no backup"), "{missing}");
    let store = server::db::connect(&other).await.unwrap().store;
    assert!(store.request_by_id(id).await.unwrap().is_some(), "the restored database is still there");
}

#[tokio::test]
async fn postgres_is_backed_up_with_its_own_tools() {
    let Some(db) = TestDb::postgres().await else { return };
    let scratch = tempfile::tempdir().unwrap();
    let config = config_for(&db.url);
    let e = server::backup::backup_to(&config, &scratch.path().join("x.db")).await.unwrap_err().to_string();
    assert!(e.contains("pg_dump"), "{e}");
    let e = server::backup::restore_from(&config, &scratch.path().join("x.db")).await.unwrap_err().to_string();
    assert!(e.contains("pg_restore"), "{e}");
}

#[tokio::test]
async fn periodic_backups_are_checked_and_rotated() {
    let db = TestDb::sqlite().await;
    let url = db.url.clone();
    let _app = TestApp::spawn(db).await;
    let dir = tempfile::tempdir().unwrap();
    // Something else in the folder is never touched.
    std::fs::write(dir.path().join("notes.txt"), "keep me").unwrap();
    server::backup::spawn_periodic(
        config_for(&url),
        dir.path().to_path_buf(),
        Duration::from_millis(1100),
        2,
        Default::default(),
    );
    let backups = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.starts_with("social-care-3-") && n.ends_with(".db"))
            .collect();
        names.sort();
        names
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    // Names carry the second they were made: four periods make at least three distinct backups.
    while Instant::now() < deadline && backups(dir.path()).len() < 2 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let kept = backups(dir.path());
    assert_eq!(kept.len(), 2, "the newest two are kept: {kept:?}");
    for name in &kept {
        assert_eq!(integrity(&dir.path().join(name)).await, "ok");
    }
    assert!(dir.path().join("notes.txt").exists());
    assert!(
        !std::fs::read_dir(dir.path()).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".partial"))
    );
}

/// The command line, as an operator meets it: plain words, and a non-zero exit when something is wrong.
#[tokio::test]
async fn the_commands_speak_plain_words() {
    let bin = env!("CARGO_BIN_EXE_server");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let run = |args: Vec<String>, stdin: &'static str| async move {
        use tokio::io::AsyncWriteExt;
        let mut child = tokio::process::Command::new(bin)
            .args(&args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).await.unwrap();
        let out = child.wait_with_output().await.unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    };
    let args = |rest: &[&str]| {
        let mut v: Vec<String> = vec!["--database-url".into(), url.clone()];
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    };
    let (ok, text) = run(args(&["create-admin", "--email", "capo@example.it", "--name", "Capo"]), "corta\n").await;
    assert!(!ok);
    assert!(text.contains("The password must have at least 10 characters"), "{text}");
    assert!(!text.contains("password_too_short"), "{text}");
    let (ok, text) =
        run(args(&["create-admin", "--email", "capo@example.it", "--name", "Capo"]), "violet-otter-canyon-42\n").await;
    assert!(ok, "{text}");

    // check-config: the missing site is named; with it, every fact and exit 0.
    let site = tempfile::tempdir().unwrap();
    let site_root = site.path().display().to_string();
    let (ok, text) = run(args(&["--site-root", &site_root, "check-config"]), "").await;
    assert!(!ok && text.contains("the built site is missing"), "{text}");
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/social-care-3.wasm"), b"\0asm").unwrap();
    let (ok, text) = run(args(&["--site-root", &site_root, "check-config"]), "").await;
    assert!(ok && text.contains("the configuration is valid") && text.contains("database: sqlite"), "{text}");
    let bad = vec!["--database-url".into(), "mysql://x".into(), "check-config".into()];
    let (ok, text) = run(bad, "").await;
    assert!(!ok && text.contains("must start with sqlite:// or postgres://"), "{text}");

    // backup and restore from the command line.
    let copy = dir.path().join("copy.db");
    let (ok, text) = run(args(&["backup", "--to", &copy.display().to_string()]), "").await;
    assert!(ok && text.contains("passed the integrity check"), "{text}");
    let (ok, text) = run(args(&["restore", "--from", &copy.display().to_string()]), "").await;
    assert!(ok && text.contains("is kept as"), "{text}");
}
