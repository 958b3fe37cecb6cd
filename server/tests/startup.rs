//! Starting a server must not disturb the servers already answering in the same process (#13).
//!
//! leptos_router lists an app's routes by rendering it once with a process-wide switch on that makes every
//! resource created meanwhile — in any request of any router of the process — a load that never ends.
//! Every test builds its own router, so a test starting up left a page of another test waiting forever for
//! its data: the rare "page that never answers" of the test suite. The route list is now made once per
//! process; here pages are asked for while a dozen more servers start, and every one must come back whole.

mod common;

use std::time::Duration;

use common::{TestApp, TestDb};

/// Far longer than any render here takes (milliseconds), far shorter than forever.
const STALL: Duration = Duration::from_secs(10);
const IN_FLIGHT: usize = 12;
const SERVERS_STARTED: usize = 12;

/// A page a customer opens: the shell's menu and the page each load data (resources) while rendering.
const PAGES: [&str; 3] = ["/assistenza/nuova", "/assistenza/richieste", "/account"];

async fn pages_keep_answering_while_other_servers_start(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("avvio@example.it", "Avvio").await;
    let all_started = std::sync::atomic::AtomicBool::new(false);
    let asking = async {
        let mut answered = 0;
        let mut round = 0;
        // Pages are asked for, a dozen at a time, for as long as servers are starting.
        while !all_started.load(std::sync::atomic::Ordering::SeqCst) {
            let mut asks = tokio::task::JoinSet::new();
            for i in 0..IN_FLIGHT {
                let path = PAGES[(round + i) % PAGES.len()];
                let request = client.get(app.url(path)).send();
                asks.spawn(async move {
                    let page = tokio::time::timeout(STALL, async { request.await?.text().await })
                        .await
                        .unwrap_or_else(|_| panic!("round {round}: {path} did not answer within {STALL:?}"))
                        .unwrap_or_else(|e| panic!("round {round}: {path}: {e}"));
                    assert!(
                        page.contains("</footer>") && page.trim_end().ends_with("__INCOMPLETE_CHUNKS=[];</script>"),
                        "round {round}: {path} came back cut short"
                    );
                });
            }
            while let Some(asked) = asks.join_next().await {
                asked.expect("the page was asked for and checked");
            }
            answered += IN_FLIGHT;
            round += 1;
        }
        answered
    };
    let starting = async {
        let mut started = Vec::new();
        for _ in 0..SERVERS_STARTED {
            // Each one builds its router (and its route list) while the pages above render.
            started.push(TestApp::spawn(TestDb::sqlite().await).await);
        }
        all_started.store(true, std::sync::atomic::Ordering::SeqCst);
        started.len()
    };
    let (answered, started) = tokio::join!(asking, starting);
    assert_eq!(started, SERVERS_STARTED);
    assert!(answered >= IN_FLIGHT, "pages were asked for while the servers started");
    eprintln!("{answered} pages answered whole while {started} servers started");
}

on_both_databases!(pages_keep_answering_while_other_servers_start);
