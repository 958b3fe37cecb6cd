//! Crises (#17) under load, on both databases: a thousand customers pressing "I'm affected too" at once get
//! exactly one request each; an update fanned out to 10,000 linked requests by a real server process
//! reaches each exactly once although the process is killed with SIGKILL in the middle; and the home page
//! keeps answering while a fan-out runs (its p95 is printed as `[measure]`, run with `--no-capture`).

mod common;

use std::time::{Duration, Instant};

use app::domain::incident::{IncidentStatus, IncidentText, IncidentTitle, Places};
use app::domain::request::{Category, Role};
use app::forms::AffectedForm;
use app::ports::*;
use common::{TestApp, TestDb, server_process};

/// These tests take longer than the others' limit: 10,000 requests, a kill and a restart.
const CRISIS_TIMEOUT: Duration = Duration::from_secs(600);

/// `n` confirmed customers made in one statement (`<prefix><i>@example.it`), as a bulk set-up.
async fn customers(db: &TestDb, prefix: &str, n: usize) {
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         INSERT INTO users (email, display_name, password_hash, line_number, created_at, updated_at, \
         email_confirmed_at) SELECT '{prefix}' || i || '@example.it', 'Cliente ' || i, 'not-a-login', \
         '+393331234567', 1, 1, 1 FROM n"
    );
    assert_eq!(db.execute(&sql).await, n as u64);
}

async fn open_incident(app: &TestApp, by: UserId) -> i64 {
    let incident = NewIncident {
        title: IncidentTitle::parse("Rete mobile assente in Campania").unwrap(),
        description: IncidentText::parse("description", "La rete mobile non funziona in alcune zone.").unwrap(),
        topics: vec![Category::Coverage],
        places: Places::parse("Napoli").unwrap(),
        status: IncidentStatus::Investigating,
        started_at: 1,
    };
    app.store().open_incident(incident, by, app::clock::now_ms()).await.unwrap()
}

async fn a_thousand_customers_press_affected_too_at_once(db: TestDb) {
    const N: usize = 1000;
    let app = TestApp::spawn(db).await;
    let (_, admin) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let id = open_incident(&app, admin.id).await;
    customers(&app.db, "fan", N).await;
    let mut users = Vec::with_capacity(N);
    for i in 1..=N {
        let email = app::domain::account::Email::parse(&format!("fan{i}@example.it")).unwrap();
        users.push(app.store().user_by_email(&email).await.unwrap().unwrap());
    }
    // Everyone presses twice, all at once.
    let started = Instant::now();
    let mut presses = tokio::task::JoinSet::new();
    for user in users.iter().chain(users.iter()) {
        let (portal, user) = (app.state.portal(), user.clone());
        presses.spawn(async move {
            let form = AffectedForm { id: id.to_string(), ..Default::default() };
            let code = app::services::incidents::affected_too(&portal, &user, &form).await;
            (user.id, code.expect("every press is answered"))
        });
    }
    let mut by_customer: std::collections::HashMap<i64, Vec<String>> = Default::default();
    while let Some(done) = presses.join_next().await {
        let (customer, code) = done.unwrap();
        by_customer.entry(customer).or_default().push(code);
    }
    println!("[measure] {} x2 concurrent presses: {:?}", N, started.elapsed());
    assert_eq!(by_customer.len(), N);
    for (customer, codes) in &by_customer {
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[0], codes[1], "customer {customer} pressed twice and got the same request back");
    }
    let linked = app.db.count(&format!("SELECT COUNT(*) FROM requests WHERE incident_id = {id}")).await;
    assert_eq!(linked, N as i64, "exactly one request per customer");
    let distinct =
        app.db.count(&format!("SELECT COUNT(DISTINCT customer_id) FROM requests WHERE incident_id = {id}")).await;
    assert_eq!(distinct, N as i64);
    let (summary, _, _) = app.store().incident(id).await.unwrap().unwrap();
    assert_eq!(summary.affected, N as i64, "the public count");
    assert!(app.store().queue(None, 10).await.unwrap().is_empty(), "none of them waits in the queue");
    let emails = app.db.count("SELECT COUNT(*) FROM outbox WHERE kind = 'request_linked'").await;
    assert_eq!(emails, N as i64, "one email each");
}

async fn events_of(db: &TestDb, kind: &str) -> i64 {
    db.count(&format!("SELECT COUNT(*) FROM request_events WHERE kind = '{kind}'")).await
}

async fn fan_out_done(db: &TestDb) -> bool {
    db.count("SELECT COUNT(*) FROM incident_fanouts WHERE done_at IS NULL").await == 0
}

async fn an_update_reaches_ten_thousand_requests_once_through_a_sigkill(db: TestDb) {
    const N: i64 = 10_000;
    let app = TestApp::spawn(db).await;
    let (_, admin) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let id = open_incident(&app, admin.id).await;
    customers(&app.db, "linked", N as usize).await;
    let linked = app
        .db
        .execute(&format!(
            "INSERT INTO requests (customer_id, category, subject, description, line_number, contact, reported_on, \
             consent_at, queue_at, created_at, updated_at, last_activity_at, status, taken_at, incident_id, version) \
             SELECT id, 'coverage', 'Rete mobile assente', 'Anche io ho questo problema.', '+393331234567', \
             'portal', 'none', 1, id, 1, 1, 1, 'in_charge', 1, {id}, 1 FROM users WHERE email LIKE 'linked%'"
        ))
        .await;
    assert_eq!(linked as i64, N);
    app.db.execute(&format!("UPDATE incidents SET affected = {N} WHERE id = {id}")).await;

    // A server process fans the update out; it is killed once some batches are in.
    let server = server_process(&app.db, &[]).await;
    let body = IncidentText::parse("body", "Abbiamo individuato il guasto: un ripetitore a Napoli.").unwrap();
    let now = app::clock::now_ms();
    app.store().update_incident(id, IncidentStatus::Identified, &body, admin.id, now).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while events_of(&app.db, "incident_update").await < 1000 {
        assert!(Instant::now() < deadline, "the fan-out started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().await;
    let at_kill = events_of(&app.db, "incident_update").await;
    assert!(at_kill < N, "killed in the middle of the fan-out ({at_kill} reached)");
    assert_eq!(at_kill % app::services::incidents::FAN_OUT_BATCH, 0, "only whole batches are committed");

    // Restarted, it finishes: every request exactly once, every email exactly once.
    let server = server_process(&app.db, &[]).await;
    while !fan_out_done(&app.db).await {
        assert!(Instant::now() < deadline + Duration::from_secs(120), "the fan-out finishes after the restart");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(events_of(&app.db, "incident_update").await, N);
    let once = app
        .db
        .count(
            "SELECT COUNT(*) FROM (SELECT request_id FROM request_events WHERE kind = 'incident_update' \
             GROUP BY request_id HAVING COUNT(*) = 1) AS once",
        )
        .await;
    assert_eq!(once, N, "no request got the update twice, none missed it");
    assert_eq!(app.db.count("SELECT COUNT(*) FROM outbox WHERE kind = 'incident_update'").await, N);

    // The fan-out's time, and the home page's while it runs.
    let body = IncidentText::parse("body", "La squadra tecnica è sul posto, riparazione in corso.").unwrap();
    let started = Instant::now();
    app.store().update_incident(id, IncidentStatus::Monitoring, &body, admin.id, app::clock::now_ms()).await.unwrap();
    let client = reqwest::Client::new();
    let mut home = Vec::new();
    while !fan_out_done(&app.db).await {
        let t = Instant::now();
        let res = client.get(format!("{}/", server.url)).send().await.expect("the home page answers");
        assert!(res.status().is_success());
        res.bytes().await.expect("the home page");
        home.push(t.elapsed());
        assert!(started.elapsed() < Duration::from_secs(300), "the second fan-out finishes");
    }
    let elapsed = started.elapsed();
    assert_eq!(events_of(&app.db, "incident_update").await, 2 * N);
    home.sort();
    let p95 = home.get((home.len() * 95).div_ceil(100).saturating_sub(1)).copied().unwrap_or_default();
    println!(
        "[measure] {} fan-out of one update to {N} linked requests: {elapsed:?} (incl. up to 2 s until the timer \
         looks); home page during it: {} loads, p50 {:?}, p95 {p95:?}",
        app.db.backend,
        home.len(),
        home.get(home.len() / 2).copied().unwrap_or_default()
    );
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_thousand_customers_press_affected_too_at_once() {
        let run = super::a_thousand_customers_press_affected_too_at_once(super::TestDb::sqlite().await);
        tokio::time::timeout(super::CRISIS_TIMEOUT, run).await.expect("the test took too long");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_update_reaches_ten_thousand_requests_once_through_a_sigkill() {
        let run = super::an_update_reaches_ten_thousand_requests_once_through_a_sigkill(super::TestDb::sqlite().await);
        tokio::time::timeout(super::CRISIS_TIMEOUT, run).await.expect("the test took too long");
    }
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_thousand_customers_press_affected_too_at_once() {
        if let Some(db) = super::TestDb::postgres().await {
            let run = super::a_thousand_customers_press_affected_too_at_once(db);
            tokio::time::timeout(super::CRISIS_TIMEOUT, run).await.expect("the test took too long");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_update_reaches_ten_thousand_requests_once_through_a_sigkill() {
        if let Some(db) = super::TestDb::postgres().await {
            let run = super::an_update_reaches_ten_thousand_requests_once_through_a_sigkill(db);
            tokio::time::timeout(super::CRISIS_TIMEOUT, run).await.expect("the test took too long");
        }
    }
}
