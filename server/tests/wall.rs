//! The page's wall (#16, posts): who may write, what everyone reads, scheduled and pinned posts, text
//! that can never become markup, the link preview and the Atom feed. Through the real router, on both
//! databases.

mod common;

use app::domain::request::Role;
use common::{TestApp, TestDb, location};

/// A form's fields, some of them made on the spot.
fn fields<'a>(pairs: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// Posts through the editors' form as a browser without JavaScript sends it; the post's id.
async fn write(app: &TestApp, editor: &reqwest::Client, kind: &str, body: &str, publish_at: &str) -> i64 {
    let fields = [("id", ""), ("kind", kind), ("body", body), ("publish_at", publish_at)];
    let res = app.post_form_as(editor, "/api/wall/save", "/", &fields).await;
    let to = location(&res);
    to.strip_prefix("/post/").and_then(|id| id.parse().ok()).unwrap_or_else(|| panic!("no post page: {to:?}"))
}

async fn only_editors_and_admins_write_posts(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (customer, _) = app.customer("fan@example.it", "Fan").await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let (editor, editor_user) = app.staff("editor@example.it", "Editor", Role::Agent).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    // The admin gives the second agent the editor permission, through the staff page's form.
    let id = editor_user.id.to_string();
    let (status, _) = app.call(&admin, "/api/staff/editor", &[("user", &id), ("editor", "yes")]).await;
    assert_eq!(status, 200);
    let post = [("kind", "news"), ("body", "Benvenuti sulla pagina!")];
    let cases = [(app.new_client(), 401), (customer, 404), (agent, 403), (editor.clone(), 200), (admin.clone(), 200)];
    for (client, expected) in cases {
        let (status, _) = app.call(&client, "/api/wall/save", &post).await;
        assert_eq!(status, expected, "writing a post");
        let (status, _) = app.call(&client, "/api/wall/scheduled", &[]).await;
        assert_eq!(status, expected, "the scheduled posts");
    }
    // Two posts written, by the editor and the admin; the audit log has both.
    let (_, wall) = app.get_text("/").await;
    assert_eq!(wall.matches("class=\"post-body\">Benvenuti sulla pagina!").count(), 2);
    let log = app.store().audit_log(None, Some(editor_user.id), None, false, 10).await.unwrap();
    assert!(log.iter().any(|l| l.action.code() == "post_created"));
    // Taking the permission back closes the door again.
    let (status, _) = app.call(&admin, "/api/staff/editor", &[("user", &id), ("editor", "no")]).await;
    assert_eq!(status, 200);
    let (status, _) = app.call(&editor, "/api/wall/save", &post).await;
    assert_eq!(status, 403);
}

async fn the_wall_shows_published_posts_pinned_first_and_pages_back(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(write(&app, &admin, "news", &format!("Notizia numero {n:02}"), "").await);
    }
    let scheduled = write(&app, &admin, "offer", "Offerta segreta di Natale", "2099-12-24T09:00").await;
    // The first post pinned: it leads the first page.
    let pin = [("id", ids[0].to_string()), ("action", "pin".into())];
    app.post_form_as(&admin, "/api/wall/act", "/", &fields(&pin)).await;

    let (status, first) = app.get_text("/").await;
    assert_eq!(status, 200);
    let pinned_at = first.find("Notizia numero 00").expect("the pinned post");
    assert!(pinned_at < first.find("Notizia numero 11").expect("the newest post"), "pinned first");
    assert!(!first.contains("Offerta segreta"), "a scheduled post is not on the wall before its time");
    let (_, editors_wall) = app.get_as(&admin, "/").await;
    assert!(editors_wall.contains("Post programmati"), "editors see the scheduled posts");
    assert!(editors_wall.contains(&format!("href=\"/post/{scheduled}\"")), "with a link to each");
    // Ten a page: the pinned one, then 11 … 02; 01 is on the older page.
    assert!(!first.contains("Notizia numero 01"));
    let older = first.split("href=\"/?prima=").nth(1).and_then(|s| s.split('"').next()).expect("an older page");
    let (_, second) = app.get_text(&format!("/?prima={older}")).await;
    assert!(second.contains("Notizia numero 01"));
    assert!(!second.contains("Notizia numero 00"), "the pinned post is not repeated");

    // A scheduled post's page is the editors' only.
    let (status, _) = app.get_text(&format!("/post/{scheduled}")).await;
    assert_eq!(status, 404);
    let (status, page) = app.get_as(&admin, &format!("/post/{scheduled}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Offerta segreta di Natale"));

    // Edited: marked so. Deleted: gone from the wall and its page.
    let edit = [
        ("id", ids[5].to_string()),
        ("kind", "question".into()),
        ("body", "Che ne pensate?".into()),
        ("publish_at", "".into()),
    ];
    app.post_form_as(&admin, "/api/wall/save", "/", &fields(&edit)).await;
    let (_, page) = app.get_text(&format!("/post/{}", ids[5])).await;
    assert!(page.contains("Che ne pensate?") && page.contains("modificato"));
    let delete = [("id", ids[7].to_string()), ("action", "delete".into())];
    app.post_form_as(&admin, "/api/wall/act", "/", &fields(&delete)).await;
    let (status, _) = app.get_text(&format!("/post/{}", ids[7])).await;
    assert_eq!(status, 404);
    let (_, wall) = app.get_text("/").await;
    assert!(!wall.contains("Notizia numero 07"));
}

/// Whatever a post holds, the page and the feed show it as text.
const PAYLOADS: [&str; 6] = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "<a href=\"javascript:alert('x3')\">clic</a>",
    "javascript:alert('x4')",
    "\"><svg onload=alert('x5')>",
    "https://example.it/\"onmouseover=\"alert('x6')",
];

async fn posts_render_as_text_with_safe_links_and_preview_tags(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let body = format!("Leggi https://example.it/offerte ora.\n{}", PAYLOADS.join("\n"));
    let id = write(&app, &admin, "offer", &body, "").await;
    for path in ["/".to_string(), format!("/post/{id}")] {
        let (status, html) = app.get_text(&path).await;
        assert_eq!(status, 200);
        for bad in ["<script>alert", "<img src=x", "<svg onload", "<a href=\"javascript:"] {
            if let Some(at) = html.find(bad) {
                panic!(
                    "{path} carries live markup: {bad} in …{}…",
                    &html[at.saturating_sub(300)..(at + 100).min(html.len())]
                );
            }
        }
        // Every link in a post goes to a web address, and takes no attribute from the text.
        for body in html.split("class=\"post-body\">").skip(1).filter_map(|b| b.split("</p>").next()) {
            for href in body.split("<a href=\"").skip(1) {
                assert!(href.starts_with("https://") || href.starts_with("http://"), "{path}: {href:.60}");
            }
        }
        assert!(
            html.contains("<a href=\"https://example.it/\" rel=\"nofollow ugc noopener\""),
            "{path}: x6 stays text"
        );
        assert!(html.contains("&lt;script&gt;alert"), "{path} shows the text as text");
        assert!(html.contains("href=\"https://example.it/offerte\" rel=\"nofollow ugc noopener\""), "{path}: the link");
    }
    let (_, page) = app.get_text(&format!("/post/{id}")).await;
    for tag in ["property=\"og:title\"", "property=\"og:description\"", "name=\"twitter:card\""] {
        assert!(page.contains(tag), "the post page has {tag}");
    }
    assert!(page.contains(&format!("content=\"http://portal.test/post/{id}\"")), "og:url is the post's address");
}

async fn the_atom_feed_parses_and_holds_the_posts_as_text(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    write(&app, &admin, "news", "Prima notizia", "").await;
    let second = write(&app, &admin, "question", &format!("Seconda & ultima {}", PAYLOADS[0]), "").await;
    write(&app, &admin, "offer", "Non ancora", "2099-01-01T10:00").await;
    let res = app.get("/feed.atom").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let xml = res.text().await.unwrap();
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("a valid Atom feed");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    let texts: Vec<String> = feed.entries.iter().filter_map(|e| e.content.as_ref()?.body.clone()).collect();
    assert_eq!(texts.len(), 2, "published posts only: {texts:?}");
    assert_eq!(texts[0], format!("Seconda & ultima {}", PAYLOADS[0]), "newest first, the text as it was written");
    assert_eq!(feed.entries[0].links[0].href, format!("http://portal.test/post/{second}"));
}

on_both_databases!(
    only_editors_and_admins_write_posts,
    the_wall_shows_published_posts_pinned_first_and_pages_back,
    posts_render_as_text_with_safe_links_and_preview_tags,
    the_atom_feed_parses_and_holds_the_posts_as_text,
);
