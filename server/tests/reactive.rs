//! leptos_i18n 0.6.2 starts an isomorphic effect that copies the language into its cookie. On the server
//! that effect runs in a detached task, late: after the page has rendered, sometimes after leptos_axum has
//! disposed the request's reactive owner, and then it reads a disposed signal and panics in the
//! background ("already disposed", seen in a browser-suite log). The server does not need it: the language
//! cookie is written by `/lang/{code}` and, with JavaScript, by the browser. The app pauses it on the
//! server (`app::app::App`). These tests render the app the way a request does and let every spawned task
//! run, on a current-thread runtime so the late order happens every time.
//!
//! The panic hook is process-wide, so this file holds one test (its phases in turn): a second test in
//! the same process would count its panics into this one's, or steal them.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use leptos_router::location::RequestUrl;

fn count_panics() -> Arc<AtomicUsize> {
    let panics = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&panics);
    std::panic::set_hook(Box::new(move |info| {
        seen.fetch_add(1, Ordering::SeqCst);
        eprintln!("panic in a task the render left: {info}");
    }));
    panics
}

/// Lets every task the render spawned run.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
}

/// Renders a few pages the way a request does, lets the late tasks run while the owner lives and again
/// after it is cleaned up: no language cookie, nothing left behind.
async fn the_server_never_writes_the_language_cookie_by_itself() {
    for path in ["/", "/info", "/assistenza", "/nope"] {
        let owner = Owner::new_root(None);
        let response = ResponseOptions::default();
        let html = owner.with(|| {
            provide_context(RequestUrl::new(path));
            provide_context(response.clone());
            view! { <app::app::App /> }.to_html()
        });
        assert!(html.contains("<main"), "{path} rendered a page: {html}");
        // The answer is out; the late tasks run while the owner still lives ...
        settle().await;
        let cookies = response.0.read().expect("response parts").headers.get_all("set-cookie").iter().count();
        assert_eq!(cookies, 0, "{path}: the language effect ran on the server and set a cookie");
        // ... and again once leptos_axum has cleaned it up.
        owner.unset_with_forced_cleanup();
        settle().await;
    }
}

/// 2,000 renders on four worker threads, each owner cleaned up as soon as its page is out.
async fn pages_rendered_in_parallel_leave_no_task_behind_that_panics() {
    let mut renders = tokio::task::JoinSet::new();
    for i in 0..2000 {
        renders.spawn(async move {
            let path = ["/", "/info", "/assistenza", "/nope"][i % 4];
            let owner = Owner::new_root(None);
            let html = owner.with(|| {
                provide_context(RequestUrl::new(path));
                view! { <app::app::App /> }.to_html()
            });
            owner.unset_with_forced_cleanup();
            html.len()
        });
    }
    while let Some(rendered) = renders.join_next().await {
        assert!(rendered.expect("a render") > 1000);
    }
    settle().await;
}

#[test]
fn renders_leave_no_task_behind_that_writes_a_cookie_or_panics() {
    let panics = count_panics();
    // One thread: the late tasks run in the order that used to panic, every time.
    let one_thread = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    one_thread.block_on(async {
        let _ = leptos_axum::generate_route_list(app::app::App);
        settle().await;
        the_server_never_writes_the_language_cookie_by_itself().await;
    });
    assert_eq!(panics.load(Ordering::SeqCst), 0, "a task outlived a render and panicked (one thread)");
    let four_threads =
        tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().expect("runtime");
    four_threads.block_on(pages_rendered_in_parallel_leave_no_task_behind_that_panics());
    assert_eq!(panics.load(Ordering::SeqCst), 0, "a task outlived a render and panicked (four threads)");
}
