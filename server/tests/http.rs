//! The page shell through the real router: languages, tabs, 404, health probes, brand configuration.

mod common;

use common::{TestApp, TestDb};

async fn the_home_page_is_in_italian_by_default(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"lang="it""#), "html lang should be it");
    assert!(html.contains("Ti aiutiamo in privato"));
    assert!(html.contains("Come funziona"));
    for tab in [r#"href="/""#, r#"href="/assistenza""#, r#"href="/info""#] {
        assert!(html.contains(tab), "missing tab {tab}");
    }
    assert!(html.contains("Social Care 3"));
}

async fn english_is_chosen_from_accept_language(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.client.get(app.url("/info")).header("Accept-Language", "en-GB,en;q=0.9").send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"lang="en""#));
    assert!(html.contains("The rules of the service"));
}

async fn the_language_cookie_wins_over_accept_language(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app
        .client
        .get(app.url("/"))
        .header("Accept-Language", "it-IT")
        .header("Cookie", format!("{}=en", app::LANG_COOKIE))
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("We help you in private"));
}

async fn the_language_switch_without_javascript_remembers_the_choice(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.get("/lang/en?next=/info").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/info");
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with(&format!("{}=en;", app::LANG_COOKIE)), "{cookie}");
    assert!(cookie.contains("Path=/") && cookie.contains("SameSite=Lax"), "{cookie}");
    // The client kept the cookie: the next page comes in English, and back to Italian the same way.
    let (_, html) = app.get_text("/info").await;
    assert!(html.contains("The rules of the service"));
    app.get("/lang/it?next=/").await;
    let (_, html) = app.get_text("/").await;
    assert!(html.contains("Ti aiutiamo in privato"));
}

/// Only `/lang/{code}` writes the language cookie. A page that set it too (leptos_i18n's cookie effect,
/// started before the app could pause it) scoped it to the page's folder (`/admin`, `/assistenza`), and that
/// narrower cookie then won over every later switch on those pages.
async fn pages_never_write_the_language_cookie(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("lingua@example.it", "Lingua").await;
    for round in 0..40 {
        for path in ["/", "/info", "/assistenza", "/assistenza/nuova", "/assistenza/richieste", "/account"] {
            let lang = if round % 2 == 0 { "en" } else { "it" };
            app.get_as(&client, &format!("/lang/{lang}?next={path}")).await;
            let res = client.get(app.url(path)).send().await.expect("GET");
            let cookies: Vec<String> = res
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .filter(|v| v.starts_with(app::LANG_COOKIE))
                .map(str::to_string)
                .collect();
            let html = res.text().await.expect("body");
            assert!(cookies.is_empty(), "round {round}: {path} wrote the language cookie: {cookies:?}");
            assert!(html.contains(&format!("<html lang=\"{lang}\"")), "round {round}: {path} is not in {lang}");
        }
    }
}

async fn the_language_switch_is_not_an_open_redirect(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.get("/lang/en?next=//evil.example/").await;
    assert_eq!(res.headers()["location"], "/");
    let res = app.get("/lang/xx?next=/").await;
    assert_eq!(res.status(), 404);
}

async fn every_tab_renders(db: TestDb) {
    let app = TestApp::spawn(db).await;
    for (path, text) in [
        ("/", "Ti aiutiamo in privato"),
        ("/assistenza", "Assistenza / Social Care"),
        ("/info", "Le regole del servizio"),
    ] {
        let (status, html) = app.get_text(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(html.contains(text), "{path} should contain {text}");
        // the Info side box is on every page (on a phone only on Home and Info), with the traditional channels
        assert!(html.contains("Canali tradizionali"), "{path} lacks the info box");
        assert!(html.contains(r#"href="tel:133""#), "{path} lacks the call centre");
    }
}

async fn an_unknown_page_is_a_404_inside_the_shell(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (status, html) = app.get_text("/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("Pagina non trovata"));
    assert!(html.contains(r#"href="/assistenza""#), "the 404 keeps the tab bar");
}

async fn health_and_readiness_probes_answer(db: TestDb) {
    let backend = db.backend;
    let app = TestApp::spawn(db).await;
    let (status, body) = app.get_text("/healthz").await;
    assert_eq!((status, body.as_str()), (200, "ok"));
    let (status, body) = app.get_text("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(body, format!("ready ({backend})"));
}

async fn the_brand_comes_from_configuration(db: TestDb) {
    let app = TestApp::spawn_with(
        db,
        &[
            "--brand-name",
            "Acme Care",
            "--brand-primary",
            "#123456",
            "--call-centre",
            "+39199",
            "--company-details",
            "Acme Telecom S.p.A. · P. IVA 01234567890",
        ],
    )
    .await;
    let (_, html) = app.get_text("/").await;
    assert!(html.contains("Acme Care"));
    // #21.8: the footer names the company and links the notice, the rules and the status page.
    assert!(html.contains("Acme Telecom S.p.A. · P. IVA 01234567890"));
    for link in [r#"href="/privacy""#, r#"href="/info""#, r#"href="/stato""#] {
        assert!(html.contains(link), "the footer links {link}");
    }
    assert!(html.contains("--brand:#123456"));
    assert!(html.contains(r#"href="tel:+39199""#));
    assert!(!html.contains("Social Care 3"), "the default name must not leak through");
}

/// A browser revalidating its cached WASM gets 304 (it used to get the 404 page, and never hydrated).
#[tokio::test]
async fn a_cached_bundle_is_revalidated_not_replaced_by_the_404_page() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/social-care-3.wasm"), b"\0asm").unwrap();
    let root = site.path().display().to_string();
    let app = TestApp::spawn_with(TestDb::sqlite().await, &["--site-root", &root]).await;
    let first = app.get("/pkg/social-care-3.wasm").await;
    assert_eq!(first.status(), 200);
    let modified = first.headers()["last-modified"].to_str().unwrap().to_string();
    let again =
        app.client.get(app.url("/pkg/social-care-3.wasm")).header("If-Modified-Since", modified).send().await.unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(app.get("/pkg/missing.wasm").await.status(), 404);
}

/// The bundle goes out as the build's brotli copy (compressed once, at the best level); pages are
/// compressed with gzip as they go out.
#[tokio::test]
async fn built_files_go_out_precompressed_and_pages_gzipped() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/social-care-3.wasm"), [b"\0asm".as_slice(), &[7u8; 4096]].concat()).unwrap();
    std::fs::write(site.path().join("pkg/social-care-3.wasm.br"), b"the build's brotli copy").unwrap();
    let root = site.path().display().to_string();
    let app = TestApp::spawn_with(TestDb::sqlite().await, &["--site-root", &root]).await;
    let raw = reqwest::Client::new();
    let wasm = raw.get(app.url("/pkg/social-care-3.wasm")).header("Accept-Encoding", "br, gzip").send().await.unwrap();
    assert_eq!(wasm.headers()["content-encoding"], "br");
    assert_eq!(wasm.bytes().await.unwrap().as_ref(), b"the build's brotli copy");
    let plain = raw.get(app.url("/pkg/social-care-3.wasm")).send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.bytes().await.unwrap().len(), 4100);
    let page = raw.get(app.url("/")).header("Accept-Encoding", "br, gzip").send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-encoding"], "gzip");
}

on_both_databases!(
    the_home_page_is_in_italian_by_default,
    english_is_chosen_from_accept_language,
    the_language_cookie_wins_over_accept_language,
    the_language_switch_without_javascript_remembers_the_choice,
    pages_never_write_the_language_cookie,
    the_language_switch_is_not_an_open_redirect,
    every_tab_renders,
    an_unknown_page_is_a_404_inside_the_shell,
    health_and_readiness_probes_answer,
    the_brand_comes_from_configuration,
);

/// Readiness follows the database: when PostgreSQL loses the database, `/readyz` says so (503) and
/// the error text stays in the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_when_the_database_goes_away() {
    let Some(db) = TestDb::postgres().await else {
        return;
    };
    let app = TestApp::spawn(db).await;
    assert_eq!(app.get_text("/readyz").await.0, 200);
    app.db.drop_now().await;
    let (status, body) = app.get_text("/readyz").await;
    assert_eq!(status, 503);
    assert_eq!(body, "database unavailable");
}

#[test]
fn server_help_documents_every_setting() {
    use clap::CommandFactory;
    let help = server::config::Cli::command().render_long_help().to_string();
    for flag in [
        "--bind",
        "--database-url",
        "--brand-name",
        "--brand-primary",
        "--brand-accent",
        "--brand-logo",
        "--call-centre",
        "--shops-url",
        "--self-care-url",
        "--secure-cookies",
        "--log-format",
    ] {
        assert!(help.contains(flag), "server --help lacks {flag}");
    }
}
