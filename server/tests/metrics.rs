//! Prometheus metrics (#20) through the real router and database: never public by default, behind a
//! bearer token or on a separate address, parsed by a strict OpenMetrics parser, HTTP requests labelled
//! by route template (no reference codes), and the queue, requests per state and the outbox as the
//! database has them.

mod common;

use common::{TestApp, TestDb};
use openmetrics_parser::{MetricsExposition, OpenMetricsType, OpenMetricsValue};

const TOKEN: &str = "metrics-token-0123456789abcdef";

const REQUEST: [(&str, &str); 8] = [
    ("category", "other"),
    ("subject", "La rete non funziona"),
    ("description", "Da ieri sera il telefono non prende in casa."),
    ("line_number", "333 765 4321"),
    ("contact", "portal"),
    ("reported_on", "none"),
    ("public_handle", ""),
    ("consent", "yes"),
];

type Exposition = MetricsExposition<OpenMetricsType, OpenMetricsValue>;

fn number(v: &OpenMetricsValue) -> f64 {
    match v {
        OpenMetricsValue::Counter(c) => c.value.as_f64(),
        OpenMetricsValue::Gauge(g) | OpenMetricsValue::Unknown(g) => g.as_f64(),
        OpenMetricsValue::Histogram(h) => h.count.unwrap_or_default() as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The samples of a family: (labels, value).
fn samples(m: &Exposition, family: &str) -> Vec<(Vec<(String, String)>, f64)> {
    let f = m.families.get(family).unwrap_or_else(|| panic!("no family {family}: {:?}", m.families.keys()));
    f.iter_samples()
        .map(|s| {
            let labels = s.get_labelset().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            (labels, number(&s.value))
        })
        .collect()
}

/// The value of the sample of `family` whose labels include every one of `want`.
fn value(m: &Exposition, family: &str, want: &[(&str, &str)]) -> Option<f64> {
    samples(m, family)
        .into_iter()
        .find(|(labels, _)| want.iter().all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v)))
        .map(|(_, v)| v)
}

async fn scrape(app: &TestApp, token: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new().get(app.url("/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

async fn metrics_need_the_token_and_parse_as_openmetrics(db: TestDb) {
    let app = TestApp::spawn_with(
        db,
        &["--metrics-token", TOKEN, "--limit-login-email", "2/300", "--limit-login-ip", "1000/60"],
    )
    .await;
    assert_eq!(scrape(&app, None).await.status(), 401, "no token");
    assert_eq!(scrape(&app, Some("metrics-token-0123456789abcdeX")).await.status(), 401, "a wrong token");

    // A customer asks for help and looks at the request; someone mistypes a password three times.
    let (customer, _) = app.customer("cliente@example.it", "Cliente").await;
    let (status, body) = app.call(&customer, "/api/requests/submit", &REQUEST).await;
    assert_eq!(status, 200, "{body}");
    let reference: String = serde_json::from_str(&body).unwrap();
    let (status, _) = app.get_as(&customer, &format!("/assistenza/richieste/{reference}")).await;
    assert_eq!(status, 200);
    let stranger = app.new_client();
    let mut logins = Vec::new();
    for _ in 0..3 {
        let res = stranger
            .post(app.url("/api/login"))
            .form(&[("email", "nessuno@example.it"), ("password", "wrong-password-1")])
            .send()
            .await
            .unwrap();
        logins.push(res.status().as_u16());
    }
    assert_eq!(logins, [401, 401, 429]);

    let res = scrape(&app, Some(TOKEN)).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = res.text().await.unwrap();
    let m = openmetrics_parser::openmetrics::parse_openmetrics(&text)
        .unwrap_or_else(|e| panic!("not valid OpenMetrics ({e}):\n{text}"));

    // HTTP requests by route template: the request page once, under its template; no reference code in
    // any label.
    assert!(!text.contains(&reference), "a reference code in a label:\n{text}");
    let page = [("method", "GET"), ("route", "/assistenza/richieste/{reference}"), ("status", "200")];
    assert_eq!(value(&m, "sc3_http_requests", &page), Some(1.0), "{text}");
    assert_eq!(
        value(&m, "sc3_http_requests", &[("route", "/api/login"), ("status", "401")]),
        Some(2.0),
        "two refused passwords"
    );
    let timed = value(&m, "sc3_http_request_duration_seconds", &[("route", "/assistenza/richieste/{reference}")]);
    assert_eq!(timed, Some(1.0), "the page is timed once");
    // Logins and limits.
    assert_eq!(value(&m, "sc3_login_failures", &[]), Some(2.0));
    assert_eq!(value(&m, "sc3_rate_limit_refusals", &[("limit", "login_email")]), Some(1.0));
    assert_eq!(value(&m, "sc3_rate_limit_refusals", &[("limit", "new_request")]), Some(0.0), "every limit listed");
    // What the database holds: one request, waiting in the queue; the confirmation email not sent yet
    // (no mail worker runs in tests).
    assert_eq!(value(&m, "sc3_requests", &[("state", "received")]), Some(1.0));
    assert_eq!(value(&m, "sc3_requests", &[("state", "closed")]), Some(0.0));
    assert_eq!(value(&m, "sc3_queue_waiting", &[]), Some(1.0));
    let age = value(&m, "sc3_queue_oldest_waiting_seconds", &[]).unwrap();
    assert!((0.0..120.0).contains(&age), "{age}");
    assert!(value(&m, "sc3_outbox_pending", &[]).unwrap() >= 1.0);
    assert_eq!(value(&m, "sc3_outbox_failed", &[]), Some(0.0));
    let open = value(&m, "sc3_db_pool_connections", &[("state", "in_use")]).unwrap()
        + value(&m, "sc3_db_pool_connections", &[("state", "idle")]).unwrap();
    assert!(open >= 1.0, "{open}");

    // Taken in charge: the queue is empty again.
    let (admin, _) = app.staff("capo@example.it", "Capo", app::domain::request::Role::Admin).await;
    let (status, body) = app.call(&admin, "/api/staff/take-next", &[]).await;
    assert_eq!(status, 200, "{body}");
    let m = openmetrics_parser::openmetrics::parse_openmetrics(&scrape(&app, Some(TOKEN)).await.text().await.unwrap())
        .unwrap();
    assert_eq!(value(&m, "sc3_queue_waiting", &[]), Some(0.0));
    assert_eq!(value(&m, "sc3_queue_oldest_waiting_seconds", &[]), Some(0.0));
    assert_eq!(value(&m, "sc3_requests", &[("state", "received")]), Some(0.0));
    assert_eq!(value(&m, "sc3_requests", &[("state", "in_charge")]), Some(1.0));
}

async fn without_a_token_or_address_there_are_no_metrics(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = scrape(&app, Some(TOKEN)).await;
    assert_eq!(res.status(), 404);
    assert!(!res.text().await.unwrap().contains("sc3_"), "nothing of the metrics");
}

/// `--metrics-bind`: the metrics on their own address, and not on the portal's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_live_on_a_separate_address() {
    let db = TestDb::sqlite().await;
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = common::server_process(&db, &["--metrics-bind", &format!("127.0.0.1:{metrics_port}")]).await;
    let client = reqwest::Client::new();
    let res = client.get(format!("http://127.0.0.1:{metrics_port}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let m = openmetrics_parser::openmetrics::parse_openmetrics(&text).expect("valid OpenMetrics");
    assert!(value(&m, "sc3_http_requests", &[("route", "/readyz"), ("status", "200")]).unwrap() >= 1.0);
    assert_eq!(value(&m, "sc3_queue_waiting", &[]), Some(0.0));
    let portal = client.get(format!("{}/metrics", server.url)).send().await.unwrap();
    assert_eq!(portal.status(), 404, "not on the portal's address");
    assert_eq!(
        client.get(format!("http://127.0.0.1:{metrics_port}/")).send().await.unwrap().status(),
        404,
        "the metrics address serves nothing else"
    );
}

on_both_databases!(metrics_need_the_token_and_parse_as_openmetrics, without_a_token_or_address_there_are_no_metrics);
