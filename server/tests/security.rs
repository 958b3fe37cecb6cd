//! Security through the real router: forged cross-site posts are refused and change nothing; every
//! response carries the security headers; pages allow only their own scripts (nonce, no unsafe-inline).

mod common;

use common::{TestApp, TestDb};

const REQUEST: [(&str, &str); 8] = [
    ("category", "other"),
    ("subject", "Richiesta da un altro sito"),
    ("description", "Questa richiesta arriva da una pagina di un altro sito."),
    ("line_number", "333 765 4321"),
    ("contact", "portal"),
    ("reported_on", "none"),
    ("public_handle", ""),
    ("consent", "yes"),
];

async fn forged_cross_site_posts_are_refused_and_change_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (customer, me) = app.customer("target@example.it", "Target").await;
    let post = |origin: Option<&'static str>, referer: Option<&'static str>| {
        let mut req = customer.post(app.url("/api/requests/submit")).header("Accept", "text/html").form(&REQUEST);
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        if let Some(r) = referer {
            req = req.header("Referer", r);
        }
        req.send()
    };
    for (origin, referer) in [
        (Some("https://evil.example"), None),
        (Some("null"), None),
        (None, Some("https://evil.example/page")),
        (Some("http://portal.test.evil.example"), None),
        // A lying Referer does not help when the Origin is foreign.
        (Some("https://evil.example"), Some("http://portal.test/assistenza/nuova")),
    ] {
        let res = post(origin, referer).await.unwrap();
        assert_eq!(res.status(), 403, "{origin:?} {referer:?}");
    }
    assert!(app.store().customer_requests(me.id, None, 10).await.unwrap().is_empty(), "nothing stored");
    // Logging in from another site is refused too (login CSRF).
    let res = app
        .new_client()
        .post(app.url("/api/login"))
        .header("Origin", "https://evil.example")
        .form(&[("email", "target@example.it"), ("password", "violet-otter-canyon-42")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());

    // The portal's own pages pass: by the configured public address or by the Host they were served from.
    let own = format!("http://{}", app.addr);
    for origin in ["http://portal.test", own.as_str()] {
        let res = customer
            .post(app.url("/api/requests/submit"))
            .header("Accept", "text/html")
            .header("Origin", origin)
            .form(&REQUEST)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302, "{origin}");
    }
    assert_eq!(app.store().customer_requests(me.id, None, 10).await.unwrap().len(), 2);
}

async fn every_response_carries_the_security_headers(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.get("/").await;
    let h = res.headers().clone();
    let html = res.text().await.unwrap();
    let csp = h.get("content-security-policy").expect("CSP").to_str().unwrap().to_string();
    let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"));
    let nonce = script_src.split("'nonce-").nth(1).and_then(|n| n.split('\'').next()).expect("a nonce");
    assert!(nonce.len() >= 16, "{nonce}");
    // Every executable inline script of the page carries it.
    for tag in html.split("<script").skip(1) {
        let open = tag.split('>').next().unwrap();
        let empty = tag[open.len() + 1..].starts_with("</script>");
        if !open.contains("application/json") && !empty {
            assert!(open.contains(&format!("nonce=\"{nonce}\"")), "script without the nonce: <script{open}>");
        }
    }
    // A new page, a new nonce.
    let again = app.get("/").await;
    assert_ne!(again.headers().get("content-security-policy").unwrap().to_str().unwrap(), csp);
    for (name, value) in
        [("x-content-type-options", "nosniff"), ("referrer-policy", "same-origin"), ("x-frame-options", "DENY")]
    {
        assert_eq!(h.get(name).map(|v| v.to_str().unwrap()), Some(value), "{name}");
    }
    assert!(h.get("permissions-policy").is_some());
    assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    // Non-HTML answers too.
    let res = app.client.post(app.url("/api/me")).send().await.unwrap();
    assert_eq!(res.headers().get("x-content-type-options").unwrap(), "nosniff");
    assert!(res.headers().get("content-security-policy").unwrap().to_str().unwrap().contains("default-src 'none'"));
}

async fn hsts_is_sent_when_cookies_are_secure(db: TestDb) {
    let app = TestApp::spawn_with(db, &["--secure-cookies"]).await;
    let res = app.get("/").await;
    let hsts = res.headers().get("strict-transport-security").expect("HSTS").to_str().unwrap();
    assert!(hsts.contains("max-age=31536000"));
}

/// Rows in every table a server function may write.
async fn row_counts(db: &TestDb) -> Vec<i64> {
    const TABLES: [&str; 6] = ["users", "requests", "request_events", "outbox", "account_tokens", "audit_log"];
    let mut counts = Vec::new();
    if db.backend == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        for t in TABLES {
            counts.push(
                sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(&pool).await.unwrap(),
            );
        }
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        for t in TABLES {
            counts.push(
                sqlx::query_scalar::<_, i64>(&format!("SELECT COUNT(*) FROM {t}")).fetch_one(&pool).await.unwrap(),
            );
        }
    }
    counts
}

async fn malformed_oversized_and_mistyped_bodies_get_a_4xx_and_change_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (customer, me) = app.customer("fuzz@example.it", "Fuzz").await;
    app.store()
        .submit_request(
            app::ports::NewRequest {
                customer: me.id,
                category: app::domain::request::Category::Other,
                subject: app::domain::request::Subject::parse("Una richiesta esistente").unwrap(),
                description: app::domain::request::Description::parse("Una descrizione esistente e lunga.").unwrap(),
                line_number: app::domain::account::LineNumber::parse("3331234567").unwrap(),
                contact: app::domain::request::Contact::Portal,
                reported_on: app::domain::request::ReportedOn::Nowhere,
                public_handle: None,
            },
            None,
            1,
        )
        .await
        .unwrap();
    // Every server function that takes arguments.
    let endpoints = [
        "register",
        "login",
        "forgot-password",
        "reset-password",
        "update-profile",
        "change-password",
        "form-values",
        "requests/submit",
        "requests/get",
        "requests/reply",
        "requests/confirm",
        "requests/reopen",
        "requests/rate",
        "staff/search",
        "staff/case",
        "staff/case-action",
        "staff/block",
        "staff/create",
        "staff/role",
        "staff/active",
        "staff/audit",
    ];
    let big = "x".repeat(300 * 1024);
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("application/x-www-form-urlencoded", b"%%%=&&=%ZZ&reference".to_vec()),
        ("application/x-www-form-urlencoded", vec![0xff, 0xfe, 0x00, 0x3d, 0x26, 0xc3]),
        ("application/json", br#"{"reference": 12, "message": ["a"]}"#.to_vec()),
        ("text/plain", b"hello".to_vec()),
        ("application/x-www-form-urlencoded", format!("message={big}").into_bytes()),
    ];
    let one_shot = reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let before = row_counts(&app.db).await;
    for endpoint in endpoints {
        for (content_type, body) in &bodies {
            // Oversized bodies go on a connection of their own: the server closes it after its 413.
            let client = if body.len() > 256 * 1024 { &one_shot } else { &customer };
            let sent = client
                .post(app.url(&format!("/api/{endpoint}")))
                .header("Content-Type", *content_type)
                .body(body.clone())
                .send()
                .await;
            let res = match sent {
                Ok(res) => res,
                // The server may answer 413 and close before the client has written the whole body.
                Err(e) if body.len() > 256 * 1024 && e.is_request() => continue,
                Err(e) => panic!("{endpoint}: {e}"),
            };
            let status = res.status().as_u16();
            if body.len() > 256 * 1024 {
                assert_eq!(status, 413, "{endpoint}: oversized body");
            }
            let text = res.text().await.unwrap_or_default();
            assert!(
                (400..500).contains(&status),
                "{endpoint} with {content_type} ({} bytes): {status} {text}",
                body.len()
            );
        }
    }
    // Wrongly typed or missing arguments.
    for (endpoint, body) in [
        ("staff/role", "user=not-a-number&role=admin"),
        ("staff/active", "user=1.5&active=yes"),
        ("requests/rate", "reference=SC3-000001&rating=lots&comment="),
        ("requests/reply", "reference=SC3-000001"),
        ("reset-password", "token=&password=x"),
        ("register", "email=a@b.it"),
    ] {
        let res = customer
            .post(app.url(&format!("/api/{endpoint}")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        assert!((400..500).contains(&status), "{endpoint} with {body}: {status}");
    }
    assert_eq!(row_counts(&app.db).await, before, "nothing changed");
    // The customer is still logged in and the server still answers.
    assert!(app.me_via(&customer).await.is_some());
}

async fn login_attempts_are_limited_per_address_with_a_friendly_answer(db: TestDb) {
    // The default limits, as shipped (5 logins per 5 minutes per address).
    let app = TestApp::spawn_with(db, &["--limit-login-ip", "5/300"]).await;
    let client = app.new_client();
    for i in 0..5 {
        let res = app
            .post_form_as(
                &client,
                "/api/login",
                "/accedi",
                &[("email", "x@example.it"), ("password", "wrong-password-1")],
            )
            .await;
        assert_eq!(common::form_error(&res), Some(app::error::AppError::InvalidCredentials), "attempt {i}");
    }
    // Over the limit; a client-chosen X-Forwarded-For changes nothing (no proxy is trusted here).
    let res = client
        .post(app.url("/api/login"))
        .header("X-Forwarded-For", "203.0.113.9")
        .form(&[("email", "other@example.it"), ("password", "wrong-password-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers().get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    // Without JavaScript: back on the login page, which says so in the user's language.
    let res = app.post_form_as(&client, "/api/login", "/accedi", &[("email", "x@example.it"), ("password", "p")]).await;
    assert!(matches!(common::form_error(&res), Some(app::error::AppError::RateLimited { .. })));
    let back = common::location(&res);
    let back = back.strip_prefix(&app.url("")).unwrap_or(&back).to_string();
    let (_, html) = app.get_as(&client, &back).await;
    assert!(html.contains("Troppi tentativi"), "friendly message");
}

async fn an_account_under_attack_gets_a_growing_delay_not_a_lockout(db: TestDb) {
    // Behind a trusted proxy, every attempt from a different address: the per-email limits still hold.
    let app =
        TestApp::spawn_with(db, &["--limit-login-ip", "1000/60", "--trusted-proxy-header", "x-forwarded-for"]).await;
    let (_, _) = app.customer("victim@example.it", "Victim").await;
    let attempt = |n: u32, password: &'static str| {
        let client = app.new_client();
        let url = app.url("/api/login");
        async move {
            client
                .post(url)
                .header("X-Forwarded-For", format!("198.51.100.7, 203.0.113.{n}"))
                .form(&[("email", "victim@example.it"), ("password", password)])
                .send()
                .await
                .unwrap()
        }
    };
    for n in 0..5 {
        assert_eq!(attempt(n, "guess-guess-guess").await.status(), 401);
    }
    // Five failures: even the right password waits a moment (1 s, then 2, 4 … at most 15 min).
    let res = attempt(10, "violet-otter-canyon-42").await;
    assert_eq!(res.status(), 429);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let res = attempt(11, "violet-otter-canyon-42").await;
    assert!(matches!(res.status().as_u16(), 200 | 302), "the owner gets in once the delay passed: {}", res.status());
    // 10 attempts per 15 minutes per email: the 11th is refused whatever the address.
    for n in 20..23 {
        attempt(n, "guess-guess-guess").await;
    }
    assert_eq!(attempt(30, "violet-otter-canyon-42").await.status(), 429);
}

async fn new_requests_are_limited_per_account(db: TestDb) {
    let app = TestApp::spawn_with(
        db,
        &["--limit-new-request", "2/3600", "--limit-login-ip", "100/60", "--limit-register-ip", "100/60"],
    )
    .await;
    let (customer, me) = app.customer("busy-customer@example.it", "Busy").await;
    for _ in 0..2 {
        let res = app.post_form_as(&customer, "/api/requests/submit", "/assistenza/nuova", &REQUEST).await;
        assert_eq!(res.status(), 302);
        assert!(common::form_error(&res).is_none());
    }
    let res = customer.post(app.url("/api/requests/submit")).form(&REQUEST).send().await.unwrap();
    assert_eq!(res.status(), 429);
    assert_eq!(app.store().customer_requests(me.id, None, 10).await.unwrap().len(), 2);
}

async fn every_address_has_a_global_ceiling(db: TestDb) {
    let app = TestApp::spawn_with(db, &["--limit-global-ip", "20/60"]).await;
    let mut last = 0;
    for _ in 0..25 {
        last = app.get("/healthz").await.status().as_u16();
    }
    assert_eq!(last, 429);
    let res = app.get("/").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert!(res.text().await.unwrap().contains("Troppe richieste"));
}

async fn known_and_unknown_addresses_get_the_same_answer_from_fetches_too(db: TestDb) {
    let app = TestApp::spawn(db).await;
    app.customer("known@example.it", "Known").await;
    let pairs: [(&str, Vec<(&str, &str)>, Vec<(&str, &str)>); 3] = [
        (
            "/api/login",
            vec![("email", "known@example.it"), ("password", "wrong-password-1")],
            vec![("email", "unknown@example.it"), ("password", "wrong-password-1")],
        ),
        ("/api/forgot-password", vec![("email", "known@example.it")], vec![("email", "unknown@example.it")]),
        (
            "/api/register",
            vec![
                ("display_name", "X"),
                ("email", "known@example.it"),
                ("password", "violet-otter-canyon-42"),
                ("password_confirm", "violet-otter-canyon-42"),
                ("line_number", ""),
                ("accept_privacy", "yes"),
                ("accept_conduct", "yes"),
            ],
            vec![
                ("display_name", "X"),
                ("email", "unknown@example.it"),
                ("password", "violet-otter-canyon-42"),
                ("password_confirm", "violet-otter-canyon-42"),
                ("line_number", ""),
                ("accept_privacy", "yes"),
                ("accept_conduct", "yes"),
            ],
        ),
    ];
    for (endpoint, known, unknown) in pairs {
        let a = app.new_client().post(app.url(endpoint)).form(&known).send().await.unwrap();
        let b = app.new_client().post(app.url(endpoint)).form(&unknown).send().await.unwrap();
        assert_eq!(a.status(), b.status(), "{endpoint}");
        assert_eq!(a.headers().get("location"), b.headers().get("location"), "{endpoint}");
        assert_eq!(a.text().await.unwrap(), b.text().await.unwrap(), "{endpoint}");
    }
}

async fn a_change_of_role_ends_the_account_s_sessions(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, me) = app.customer("promoted@example.it", "Promoted").await;
    assert!(app.me_via(&client).await.is_some());
    app.store().set_role(me.id, app::domain::request::Role::Agent, None, 10).await.unwrap();
    assert_eq!(app.me_via(&client).await, None, "privileges change only through a fresh login (a new session id)");
}

on_both_databases!(
    known_and_unknown_addresses_get_the_same_answer_from_fetches_too,
    a_change_of_role_ends_the_account_s_sessions,
    login_attempts_are_limited_per_address_with_a_friendly_answer,
    an_account_under_attack_gets_a_growing_delay_not_a_lockout,
    new_requests_are_limited_per_account,
    every_address_has_a_global_ceiling,
    malformed_oversized_and_mistyped_bodies_get_a_4xx_and_change_nothing,
    forged_cross_site_posts_are_refused_and_change_nothing,
    every_response_carries_the_security_headers,
    hsts_is_sent_when_cookies_are_secure,
);
