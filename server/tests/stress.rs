//! Every kind of page rendered at high concurrency through the real router, sessions and database
//! (#13): public, customer and staff pages, short and 200-message conversations, Italian and English,
//! logged in and not. Under load a page was seen to panic ("I18n context is missing") or never answer.
//! Here every answer must be the page it was the first time (same status, the whole document, in the
//! language asked for), no render may take longer than a few seconds, and nothing may panic — also when
//! one visitor in five goes away while the page renders (the benchmark's client does that at the end of
//! each scenario, and it was what made the server panic).
//!
//! `SC3_STRESS_RENDERS` sets the renders per database (the test command's default is small; the
//! benchmark harness runs 100,000). PostgreSQL runs when `TEST_DATABASE_URL` is set, as everywhere.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use common::{TestApp, TestDb, location};

/// Renders per database when `SC3_STRESS_RENDERS` is not set.
const DEFAULT_RENDERS: usize = 1_500;
/// Requests in flight at once.
const CONCURRENCY: usize = 32;
/// An answer slower than this is a stalled request.
const STALL: Duration = Duration::from_secs(10);
const PASSWORD: &str = "saffron-glacier-piano-31";

/// One page as one kind of visitor asks for it.
#[derive(Clone)]
struct Page {
    label: String,
    path: String,
    client: reqwest::Client,
    lang: &'static str,
    /// The status of the first, unhurried render; every later one must match it.
    status: u16,
}

#[derive(Default)]
struct Tally {
    panics: AtomicUsize,
    stalled: AtomicUsize,
    wrong: AtomicUsize,
}

/// Counts the panics of this test process (one test per binary, so the count is this test's alone) and
/// still prints them.
fn count_panics() -> Arc<Tally> {
    let tally = Arc::new(Tally::default());
    let seen = Arc::clone(&tally);
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        seen.panics.fetch_add(1, Ordering::SeqCst);
        default(info);
    }));
    tally
}

fn browser(lang: &'static str, jar: Option<Arc<reqwest::cookie::Jar>>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("Accept-Language", lang.parse().expect("language"));
    let builder = reqwest::Client::builder()
        .default_headers(headers)
        .timeout(STALL)
        .pool_max_idle_per_host(CONCURRENCY)
        .redirect(reqwest::redirect::Policy::none());
    match jar {
        Some(jar) => builder.cookie_provider(jar),
        None => builder,
    }
    .build()
    .expect("client")
}

/// A logged-in browser's cookie jar.
async fn log_in(app: &TestApp, email: &str) -> Arc<reqwest::cookie::Jar> {
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = browser("it", Some(jar.clone()));
    let res = app.log_in_as(&client, email, PASSWORD).await;
    assert!(matches!(location(&res).as_str(), "/assistenza/richieste" | "/admin"), "{email} logs in");
    jar
}

/// A whole document: the shell's footer is there, and the last thing leptos sends once every part of
/// the page has resolved (the list of incomplete chunks, empty) ends it.
fn whole(body: &str) -> bool {
    body.contains("</footer>") && body.trim_end().ends_with("__INCOMPLETE_CHUNKS=[];</script>")
}

/// The server's threads, as gdb sees them, for a request that did not answer.
fn dump_stacks() {
    let pid = std::process::id().to_string();
    match std::process::Command::new("gdb")
        .args(["-p", &pid, "-batch", "-ex", "thread apply all bt 30"])
        .stdin(std::process::Stdio::null())
        .output()
    {
        Ok(out) => eprintln!("--- stacks of the stalled server ---\n{}", String::from_utf8_lossy(&out.stdout)),
        Err(e) => eprintln!("(no stack: gdb could not run: {e})"),
    }
}

async fn stress(db: TestDb, tally: Arc<Tally>) {
    let backend = db.backend;
    let cli = server::config::Cli::try_parse_from(["server", "--database-url", &db.url]).expect("configuration");
    let app = TestApp::spawn(db).await;
    let seeded = server::bench::seed(&cli.config, 300, PASSWORD).await.expect("seed");
    let customer = log_in(&app, &seeded.customer_email).await;
    let staff = log_in(&app, &seeded.staff_email).await;
    let conversation = &seeded.conversation_reference;
    let first = app::domain::request::reference(1);

    let public = [
        "/",
        "/info",
        "/assistenza",
        "/privacy",
        "/registrati",
        "/accedi",
        "/password-dimenticata",
        "/pagina-che-non-esiste",
    ];
    let customer_pages =
        ["/assistenza/nuova", "/assistenza/richieste", "/account", &format!("/assistenza/richieste/{conversation}")];
    let staff_pages = [
        "/admin".to_string(),
        "/admin/casi".into(),
        "/admin/cerca".into(),
        format!("/admin/richieste/{conversation}"),
        format!("/admin/richieste/{first}"),
        "/admin/staff".into(),
        "/admin/audit".into(),
        "/admin/dashboard".into(),
    ];
    let mut plan: Vec<(String, String, Option<Arc<reqwest::cookie::Jar>>)> = Vec::new();
    for p in public.iter().chain(customer_pages.iter()) {
        plan.push((format!("visitor {p}"), p.to_string(), None));
    }
    for p in public.iter().chain(customer_pages.iter()) {
        plan.push((format!("customer {p}"), p.to_string(), Some(customer.clone())));
    }
    for p in &staff_pages {
        plan.push((format!("visitor {p}"), p.clone(), None));
        plan.push((format!("staff {p}"), p.clone(), Some(staff.clone())));
    }

    // The first render of each page, one at a time: the answer every later render must give.
    let mut pages = Vec::new();
    for (label, path, jar) in plan {
        for lang in ["it", "en"] {
            let client = browser(lang, jar.clone());
            let res = client.get(app.url(&path)).send().await.unwrap_or_else(|e| panic!("{label}: {e}"));
            let status = res.status().as_u16();
            let body = res.text().await.expect("body");
            let tail = &body[body.len().saturating_sub(300)..];
            assert!(whole(&body), "{label} ({lang}) is a whole page: …{tail}");
            assert!(body.contains(&format!("lang=\"{lang}\"")), "{label} is in the language asked for ({lang})");
            pages.push(Page { label: format!("{label} [{lang}]"), path: path.clone(), client, lang, status });
        }
    }
    let long = pages.iter().find(|p| p.label.starts_with("customer /assistenza/richieste/SC3")).expect("long page");
    assert_eq!(long.status, 200, "the customer sees the 200-message conversation");

    let renders: usize =
        std::env::var("SC3_STRESS_RENDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_RENDERS);
    let next = Arc::new(AtomicUsize::new(0));
    let pages = Arc::new(pages);
    let url = Arc::new(app.url(""));
    let started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..CONCURRENCY {
        let (next, pages, url, tally) = (next.clone(), pages.clone(), url.clone(), tally.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= renders {
                    return latencies;
                }
                let page = &pages[(n * 7 + w) % pages.len()];
                if n % 5 == 4 {
                    // A visitor who goes away (closes the tab, loses the signal) while the page renders:
                    // the server drops a render half done, and nothing of it may run on and panic.
                    let leave_after = Duration::from_millis(1 + (n % 20) as u64);
                    let _ = tokio::time::timeout(leave_after, async {
                        let res = page.client.get(format!("{url}{}", page.path)).send().await?;
                        res.text().await
                    })
                    .await;
                    continue;
                }
                let t = Instant::now();
                let answer = async {
                    let res = page.client.get(format!("{url}{}", page.path)).send().await?;
                    let status = res.status().as_u16();
                    Ok::<_, reqwest::Error>((status, res.text().await?))
                }
                .await;
                latencies.push(t.elapsed());
                match answer {
                    Ok((status, body)) => {
                        let whole = whole(&body);
                        let lang = body.contains(&format!("lang=\"{}\"", page.lang));
                        if (status != page.status || !whole || !lang) && tally.wrong.fetch_add(1, Ordering::SeqCst) < 5
                        {
                            eprintln!(
                                "{}: status {status} (first render {}), whole page {whole}, language {lang}",
                                page.label, page.status
                            );
                        }
                    }
                    Err(e) if e.is_timeout() => {
                        if tally.stalled.fetch_add(1, Ordering::SeqCst) == 0 {
                            eprintln!("{}: no answer within {STALL:?}", page.label);
                            dump_stacks();
                        }
                    }
                    Err(e) => {
                        if tally.wrong.fetch_add(1, Ordering::SeqCst) < 5 {
                            eprintln!("{}: {e}", page.label);
                        }
                    }
                }
            }
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.expect("worker"));
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
    eprintln!(
        "{backend}: {renders} renders of {} page kinds at {CONCURRENCY} in flight in {seconds:.1} s \
         ({:.0}/s; p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms); panics {}, stalled {}, wrong {}",
        pages.len(),
        renders as f64 / seconds,
        at(0.5),
        at(0.95),
        at(1.0),
        tally.panics.load(Ordering::SeqCst),
        tally.stalled.load(Ordering::SeqCst),
        tally.wrong.load(Ordering::SeqCst),
    );
}

/// Both databases in one test: the panic count belongs to this process, so it is this test's alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_page_kind_under_concurrency_answers_whole_and_never_panics() {
    let tally = count_panics();
    stress(TestDb::sqlite().await, tally.clone()).await;
    if let Some(db) = TestDb::postgres().await {
        stress(db, tally.clone()).await;
    }
    assert_eq!(tally.stalled.load(Ordering::SeqCst), 0, "requests stalled");
    assert_eq!(tally.wrong.load(Ordering::SeqCst), 0, "pages answered differently from their first render");
    assert_eq!(tally.panics.load(Ordering::SeqCst), 0, "the server panicked");
}
