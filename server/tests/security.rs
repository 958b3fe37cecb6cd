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

on_both_databases!(
    forged_cross_site_posts_are_refused_and_change_nothing,
    every_response_carries_the_security_headers,
    hsts_is_sent_when_cookies_are_secure,
);
