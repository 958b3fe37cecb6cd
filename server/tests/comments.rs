//! Comments under the page's posts (#16): who may do what, what each viewer may read, the privacy guard
//! and the word list, reactions, reports and moderation. Through the real router, on both databases.

mod common;

use app::domain::request::Role;
use common::{TestApp, TestDb, form_error, location};

/// A published post by a new admin; the admin's browser and the post's id.
async fn a_post(app: &TestApp) -> (reqwest::Client, i64) {
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let fields =
        [("id", ""), ("kind", "question"), ("body", "Che ne pensate della nuova offerta?"), ("publish_at", "")];
    let res = app.post_form_as(&admin, "/api/wall/save", "/", &fields).await;
    let id = location(&res).strip_prefix("/post/").and_then(|id| id.parse().ok()).expect("the post's page");
    (admin, id)
}

/// Comments as a browser without JavaScript posts them; the comment's id (from where it is sent back).
async fn comment(app: &TestApp, client: &reqwest::Client, post: i64, parent: &str, body: &str) -> i64 {
    let post_s = post.to_string();
    let fields = [("post", post_s.as_str()), ("parent", parent), ("id", ""), ("body", body)];
    let res = app.post_form_as(client, "/api/wall/comment", &format!("/post/{post}"), &fields).await;
    let to = location(&res);
    to.split("#c-").nth(1).and_then(|id| id.parse().ok()).unwrap_or_else(|| panic!("not published: {to:?}"))
}

/// The comments' JSON as a hydrated page fetches it.
async fn listed(app: &TestApp, client: &reqwest::Client, post: i64, oldest: bool) -> serde_json::Value {
    let post = post.to_string();
    let oldest = oldest.to_string();
    let (status, body) = app.call(client, "/api/wall/comments", &[("post", &post), ("oldest", &oldest)]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("JSON")
}

async fn every_comment_function_checks_who_calls_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, post) = a_post(&app).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let (blocked, blocked_user) = app.customer("bloccato@example.it", "Bloccato").await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let (editor, editor_user) = app.staff("editor@example.it", "Editor", Role::Agent).await;
    app.store().set_editor(editor_user.id, true, 1, 2).await.unwrap();
    let admin_email = app::domain::account::Email::parse("admin@example.it").unwrap();
    let admin_id = app.store().user_by_email(&admin_email).await.unwrap().unwrap().id;
    app.store().set_blocked(blocked_user.id, true, admin_id, 3).await.unwrap();
    // An account whose email is not confirmed yet.
    let unconfirmed = app.new_client();
    let reg = common::registration("Nuovo", "nuovo@example.it");
    app.post_form_as(&unconfirmed, "/api/register", "/registrati", &reg).await;
    app.log_in_as(&unconfirmed, "nuovo@example.it", "violet-otter-canyon-42").await;
    let target = comment(&app, &fan, post, "", "Un commento da segnalare e moderare").await;

    let p = post.to_string();
    let t = target.to_string();
    let write: &[(&str, &str)] = &[("post", &p), ("parent", ""), ("id", ""), ("body", "Ciao a tutti")];
    let react: &[(&str, &str)] = &[("post", &p), ("target", "post"), ("id", &p), ("reaction", "like")];
    let report: &[(&str, &str)] = &[("post", &p), ("id", &t), ("action", "report"), ("reason", "spam")];
    let private: &[(&str, &str)] = &[("body", "Il mio numero è 333 123 4567")];
    let moderate: &[(&str, &str)] = &[("id", &t), ("decision", "publish")];
    let words: &[(&str, &str)] = &[("words", "stronz*\nidiot*")];
    let anyone = app.new_client();
    // (who, [write, react, report, to-private, review queue, moderate, word list, save word list])
    let cases: [(&str, &reqwest::Client, [u16; 8]); 7] = [
        ("visitor", &anyone, [401, 401, 401, 401, 401, 401, 401, 401]),
        ("unconfirmed", &unconfirmed, [403, 403, 403, 403, 401, 401, 401, 401]),
        ("blocked", &blocked, [401, 401, 401, 401, 401, 401, 401, 401]),
        ("customer", &fan, [200, 200, 200, 200, 404, 404, 404, 404]),
        ("agent", &agent, [200, 200, 200, 200, 200, 200, 403, 403]),
        ("editor", &editor, [200, 200, 200, 200, 200, 200, 403, 403]),
        ("admin", &admin, [200, 200, 200, 200, 200, 200, 200, 200]),
    ];
    for (who, client, expected) in cases {
        let calls: [(&str, &[(&str, &str)]); 8] = [
            ("/api/wall/comment", write),
            ("/api/wall/react", react),
            ("/api/wall/comment-act", report),
            ("/api/wall/to-private", private),
            ("/api/staff/review", &[]),
            ("/api/staff/moderate", moderate),
            ("/api/staff/words", &[]),
            ("/api/staff/words/save", words),
        ];
        for ((endpoint, fields), status) in calls.into_iter().zip(expected) {
            let (got, body) = app.call(client, endpoint, fields).await;
            // The unconfirmed account is not a member of the pool: staff functions do not know it.
            let status = if who == "unconfirmed" && endpoint.starts_with("/api/staff") { 404 } else { status };
            assert_eq!(got, status, "{who} → {endpoint}: {body}");
        }
    }
    // Everyone reads the comments, logged in or not.
    let list = listed(&app, &anyone, post, false).await;
    assert_eq!(list["viewer"], "Visitor");
    assert!(list["comments"].as_array().unwrap().iter().any(|c| c["id"] == target));
}

async fn held_and_hidden_comments_never_reach_anyone_else(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, post) = a_post(&app).await;
    let (anna, _) = app.customer("anna@example.it", "Anna").await;
    let (bruno, _) = app.customer("bruno@example.it", "Bruno").await;
    let visitor = app.new_client();
    const HELD: &str = "Siete degli stronzi, SEGRETO-TRATTENUTO";
    const HIDDEN: &str = "Commento poi nascosto, SEGRETO-NASCOSTO";
    let held = comment(&app, &anna, post, "", HELD).await;
    let hidden = comment(&app, &anna, post, "", HIDDEN).await;
    let page = format!("/post/{post}");

    // The author sees the held comment, waiting for review; nobody else sees any of it.
    let (_, mine) = app.get_as(&anna, &page).await;
    assert!(mine.contains("SEGRETO-TRATTENUTO") && mine.contains("In attesa di verifica"));
    for (who, client) in [("Bruno", &bruno), ("a visitor", &visitor), ("the admin", &admin)] {
        let (_, html) = app.get_as(client, &page).await;
        assert!(!html.contains("SEGRETO-TRATTENUTO"), "{who}'s page");
        let json = listed(&app, client, post, true).await.to_string();
        assert!(!json.contains("SEGRETO-TRATTENUTO") && !json.contains(&format!("\"id\":{held},")), "{who}'s list");
    }
    let (_, wall) = app.get_text("/").await;
    assert!(wall.contains("1 commento<"), "the wall counts the published comment only");

    // The pool hides the other one: others see that it was hidden, not what it said; Anna sees both.
    let (status, _) =
        app.call(&admin, "/api/staff/moderate", &[("id", &hidden.to_string()), ("decision", "hide")]).await;
    assert_eq!(status, 200);
    for client in [&bruno, &visitor] {
        let (_, html) = app.get_as(client, &page).await;
        assert!(!html.contains("SEGRETO-NASCOSTO") && html.contains("Commento nascosto"));
        assert!(!listed(&app, client, post, false).await.to_string().contains("SEGRETO-NASCOSTO"));
    }
    let (_, mine) = app.get_as(&anna, &page).await;
    assert!(mine.contains("SEGRETO-NASCOSTO") && mine.contains("Nascosto dalla pagina"));

    // The queue shows the held one to the pool; published, everyone reads it.
    let (_, queue) = app.call(&admin, "/api/staff/review", &[]).await;
    assert!(queue.contains("SEGRETO-TRATTENUTO"));
    app.call(&admin, "/api/staff/moderate", &[("id", &held.to_string()), ("decision", "publish")]).await;
    let (_, html) = app.get_as(&bruno, &page).await;
    assert!(html.contains("SEGRETO-TRATTENUTO"));
    let (_, queue) = app.call(&admin, "/api/staff/review", &[]).await;
    let queue: serde_json::Value = serde_json::from_str(&queue).unwrap();
    assert_eq!(queue["items"], serde_json::json!([]));
    assert_eq!(queue["total"], 0);
}

async fn personal_data_is_refused_and_offered_as_a_private_request(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, post) = a_post(&app).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let p = post.to_string();
    for text in [
        "Non ho linea, il mio numero è 333 123 4567",
        "scrivetemi a mario.rossi@example.it",
        "codice fiscale RSSMRA85T10A562S",
        "IBAN IT60 X054 2811 1010 0000 0123 456",
    ] {
        let fields = [("post", p.as_str()), ("parent", ""), ("id", ""), ("body", text)];
        let res = app.post_form_as(&fan, "/api/wall/comment", &format!("/post/{post}"), &fields).await;
        let error = form_error(&res).unwrap_or_else(|| panic!("{text:?} was not refused: {}", location(&res)));
        assert_eq!(error.field_code("body"), Some("personal_data"), "{text:?}");
        // The page shows why, with the way to a private request.
        let back = location(&res).replace(&app.url(""), "");
        let (_, html) = app.get_as(&fan, &back).await;
        assert!(html.contains("Non condividere dati personali in pubblico"), "{text:?}: the message");
        assert!(html.contains("/api/wall/to-private"), "{text:?}: the private request button");
    }
    let list = listed(&app, &fan, post, false).await;
    assert_eq!(list["comments"], serde_json::json!([]), "nothing was stored");
    // The private request form opens with the text in it.
    let text = "Non ho linea da ieri, il mio numero è 333 123 4567";
    let res = app.post_form_as(&fan, "/api/wall/to-private", &format!("/post/{post}"), &[("body", text)]).await;
    assert_eq!(location(&res), "/assistenza/nuova");
    let (_, form) = app.get_as(&fan, "/assistenza/nuova").await;
    assert!(form.contains(text), "the request form holds the comment's text");
    assert_eq!(listed(&app, &fan, post, false).await["comments"], serde_json::json!([]));
}

async fn comments_page_both_ways_with_replies_and_counts(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, post) = a_post(&app).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let mut ids = Vec::new();
    for n in 0..23 {
        ids.push(comment(&app, &fan, post, "", &format!("Commento numero {n:02}")).await);
    }
    let first = ids[0].to_string();
    let reply = comment(&app, &admin, post, &first, "Grazie del commento, ti rispondiamo qui").await;
    // Newest first: 22 … 03 on the first page, then 02 … 00 after it.
    let newest = listed(&app, &fan, post, false).await;
    let shown: Vec<i64> = newest["comments"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(shown, ids.iter().rev().take(20).copied().collect::<Vec<_>>());
    let after = newest["next"].as_str().expect("a next page").to_string();
    let p = post.to_string();
    let (_, older) =
        app.call(&fan, "/api/wall/comments", &[("post", &p), ("oldest", "false"), ("after", &after)]).await;
    let older: serde_json::Value = serde_json::from_str(&older).unwrap();
    let shown: Vec<i64> = older["comments"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(shown, [ids[2], ids[1], ids[0]]);
    assert!(older["next"].is_null());
    // The page's answer is under its comment, as the page.
    let replies = &older["comments"][2]["replies"];
    assert_eq!(replies[0]["id"], reply);
    assert_eq!(replies[0]["from_staff"], true);
    assert_eq!(replies[0]["author"], "Social Care 3");
    // Oldest first starts from 00; the HTML page without JavaScript pages the same way.
    let oldest = listed(&app, &fan, post, true).await;
    assert_eq!(oldest["comments"][0]["id"], ids[0]);
    let (_, html) = app.get_text(&format!("/post/{post}?ordine=vecchi")).await;
    assert!(html.contains("Commento numero 00") && !html.contains("Commento numero 22"));
    assert!(html.contains("Grazie del commento"));
    assert!(html.contains(&format!("dopo={}", ids[19])), "a link to the next page");
    let (_, wall) = app.get_text("/").await;
    assert!(wall.contains("24 commenti"));
    // Bad cursors and unknown posts.
    let (status, _) = app.call(&fan, "/api/wall/comments", &[("post", &p), ("oldest", "true"), ("after", "x")]).await;
    assert_eq!(status, 422);
    let (status, _) = app.call(&fan, "/api/wall/comments", &[("post", "999999"), ("oldest", "true")]).await;
    assert_eq!(status, 404);
}

/// A discussion longer than what a page shows opens alone, its replies a page at a time.
async fn a_long_discussion_pages_its_replies(db: TestDb) {
    use app::domain::comment::{CommentBody, CommentState};
    use app::ports::NewComment;
    let app = TestApp::spawn(db).await;
    let (admin, post) = a_post(&app).await;
    let (fan, fan_user) = app.customer("fan@example.it", "Fan").await;
    let top = comment(&app, &fan, post, "", "Qualcuno ha la fibra a Bari?").await;
    let other = comment(&app, &fan, post, "", "Un altro commento").await;
    let now = app::clock::now_ms();
    let mut replies = Vec::new();
    for n in 0..61 {
        let body = CommentBody::parse(&format!("Risposta numero {n:03}")).unwrap();
        let reply = NewComment { post, parent: Some(top), body, state: CommentState::Published, from_staff: false };
        replies.push(app.store().add_comment(reply, fan_user.id, now).await.unwrap());
    }
    // The post's page shows the latest 3 (a new reply is seen at once) and links to the discussion.
    let (_, html) = app.get_text(&format!("/post/{post}")).await;
    assert!(html.contains("Risposta numero 058") && html.contains("Risposta numero 060"));
    assert!(!html.contains("Risposta numero 057") && !html.contains("Risposta numero 000"));
    let thread = format!("/post/{post}?discussione={top}");
    assert!(html.contains(&thread), "a link to the whole discussion");
    assert!(html.contains("Vedi le 58 risposte precedenti"));
    // The discussion alone: 50 replies at a time from the first, without the other comments, and ways
    // on and back.
    let (status, html) = app.get_text(&thread).await;
    assert_eq!(status, 200);
    assert!(html.contains("Qualcuno ha la fibra a Bari?") && !html.contains("Un altro commento"));
    assert!(html.contains("Risposta numero 000") && html.contains("Risposta numero 049"));
    assert!(!html.contains("Risposta numero 050") && html.contains("Tutti i commenti"));
    let later = format!("/post/{post}?discussione={top}&amp;dopo={}", replies[49]);
    assert!(html.contains(&later), "a link to the later replies");
    let (_, html) = app.get_text(&later.replace("&amp;", "&")).await;
    assert!(html.contains("Risposta numero 050") && html.contains("Risposta numero 060"));
    assert!(!html.contains("Risposta numero 049") && html.contains("Prime risposte"));
    // Through the server function: pages of 50, then the end.
    let (p, t) = (post.to_string(), top.to_string());
    let page = |after: String| {
        let (p, t, fan) = (p.clone(), t.clone(), fan.clone());
        let app = &app;
        async move {
            let fields = [("post", p.as_str()), ("oldest", "true"), ("thread", t.as_str()), ("after", after.as_str())];
            let (status, body) = app.call(&fan, "/api/wall/comments", &fields).await;
            assert_eq!(status, 200, "{body}");
            serde_json::from_str::<serde_json::Value>(&body).unwrap()
        }
    };
    let first = page(String::new()).await;
    assert_eq!(first["comments"].as_array().unwrap().len(), 1);
    assert_eq!(first["comments"][0]["replies"].as_array().unwrap().len(), 50);
    let next = first["next"].as_str().expect("more replies").to_string();
    assert_eq!(next, replies[49].to_string());
    let last = page(next).await;
    let ids: Vec<i64> =
        last["comments"][0]["replies"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, replies[50..]);
    assert!(last["next"].is_null());
    // A reply, another post's comment, a comment that does not exist: no discussion here.
    for thread in [replies[0].to_string(), "999999".to_string()] {
        let (status, _) = app.get_text(&format!("/post/{post}?discussione={thread}")).await;
        assert_eq!(status, 404, "discussione={thread}");
    }
    let fields = [("id", ""), ("kind", "news"), ("body", "Un'altra notizia"), ("publish_at", "")];
    let res = app.post_form_as(&admin, "/api/wall/save", "/", &fields).await;
    let elsewhere = location(&res).strip_prefix("/post/").unwrap().to_string();
    let (status, _) = app.get_text(&format!("/post/{elsewhere}?discussione={other}")).await;
    assert_eq!(status, 404);
    let (status, _) = app.call(&fan, "/api/wall/comments", &[("post", &p), ("oldest", "true"), ("thread", "x")]).await;
    assert_eq!(status, 422);
}

/// A long moderation queue shows its size and pages oldest first.
async fn the_moderation_queue_pages_oldest_first(db: TestDb) {
    use app::domain::comment::{CommentBody, CommentState};
    use app::ports::NewComment;
    let app = TestApp::spawn(db).await;
    let (admin, post) = a_post(&app).await;
    let (_, fan) = app.customer("fan@example.it", "Fan").await;
    let now = app::clock::now_ms();
    let mut held = Vec::new();
    for n in 0..52 {
        let body = CommentBody::parse(&format!("Trattenuto numero {n:03}")).unwrap();
        let c = NewComment { post, parent: None, body, state: CommentState::Held, from_staff: false };
        held.push(app.store().add_comment(c, fan.id, now).await.unwrap());
    }
    let (status, html) = app.get_as(&admin, "/admin/moderazione").await;
    assert_eq!(status, 200);
    assert!(html.contains("52 commenti da rivedere"));
    assert!(html.contains("Trattenuto numero 000") && html.contains("Trattenuto numero 049"));
    assert!(!html.contains("Trattenuto numero 050"));
    let next = format!("/admin/moderazione?dopo={}", held[49]);
    assert!(html.contains(&next), "a link to the next page");
    let (_, html) = app.get_as(&admin, &next).await;
    assert!(html.contains("Trattenuto numero 050") && html.contains("Trattenuto numero 051"));
    assert!(!html.contains("Trattenuto numero 049") && html.contains("Dal più vecchio"));
    // Deciding one shortens the queue.
    let id = held[0].to_string();
    app.post_form_as(&admin, "/api/staff/moderate", "/admin/moderazione", &[("id", &id), ("decision", "hide")]).await;
    let (_, html) = app.get_as(&admin, "/admin/moderazione").await;
    assert!(html.contains("51 commenti da rivedere") && !html.contains("Trattenuto numero 000"));
    let (status, _) = app.call(&admin, "/api/staff/review", &[("after", "x")]).await;
    assert_eq!(status, 422);
}

/// Whatever a comment holds, it is shown as text.
async fn comments_render_as_text_and_bad_input_changes_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, post) = a_post(&app).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let payloads = [
        "<script>alert('x1')</script>",
        "<img src=x onerror=alert('x2')>",
        "<a href=\"javascript:alert('x3')\">clic</a>",
        "\"><svg onload=alert('x5')> https://example.it/ok",
    ];
    comment(&app, &fan, post, "", &payloads.join("\n")).await;
    let (_, html) = app.get_text(&format!("/post/{post}")).await;
    for bad in ["<script>alert", "<img src=x", "<a href=\"javascript:", "<svg onload"] {
        assert!(!html.contains(bad), "{bad} became markup");
    }
    assert!(html.contains("&lt;script&gt;alert(&#x27;x1&#x27;)") || html.contains("&lt;script&gt;alert('x1')"));
    assert!(html.contains("href=\"https://example.it/ok\" rel=\"nofollow ugc noopener\""));
    // Empty, too long, a reply to nothing, an unknown post: refused, nothing stored.
    let p = post.to_string();
    let long = "a".repeat(2001);
    for (parent, body, field) in [("", "   ", "body"), ("", long.as_str(), "body")] {
        let fields = [("post", p.as_str()), ("parent", parent), ("id", ""), ("body", body)];
        let res = app.post_form_as(&fan, "/api/wall/comment", &format!("/post/{post}"), &fields).await;
        assert!(form_error(&res).and_then(|e| e.field_code(field).map(str::to_string)).is_some(), "{body:.10}");
    }
    for (post, parent) in [("999999", ""), (p.as_str(), "999999"), ("x", "")] {
        let (status, _) =
            app.call(&fan, "/api/wall/comment", &[("post", post), ("parent", parent), ("body", "Ciao")]).await;
        assert_eq!(status, 404, "post {post} parent {parent}");
    }
    assert_eq!(listed(&app, &fan, post, true).await["comments"].as_array().unwrap().len(), 1);
    let (status, _) = app.call(&fan, "/api/wall/react", &[("target", "post"), ("id", &p), ("reaction", "rage")]).await;
    assert_eq!(status, 422, "an unknown reaction");
}

async fn one_person_clicking_many_times_at_once_counts_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, post) = a_post(&app).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let p = post.to_string();
    let mut clicks = tokio::task::JoinSet::new();
    for i in 0..16 {
        let reaction = if i % 2 == 0 { "like" } else { "love" };
        let fields =
            [("post", p.clone()), ("target", "post".to_string()), ("id", p.clone()), ("reaction", reaction.into())];
        let (fan, url) = (fan.clone(), app.url("/api/wall/react"));
        clicks.spawn(async move { fan.post(url).form(&fields).send().await.unwrap().status().as_u16() });
    }
    while let Some(status) = clicks.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let (_, wall) = app.get_as(&fan, "/").await;
    let pressed = wall.matches("aria-pressed=\"true\"").count();
    assert_eq!(pressed, 1, "one reaction is the fan's");
    // Each reaction button shows its count after the reaction's name: one of them 1, the others none.
    let counts: Vec<String> = wall
        .split("<button")
        .skip(1)
        .filter(|b| b.split('>').next().is_some_and(|attrs| attrs.contains("class=\"reaction")))
        .map(|b| b.split("</button>").next().unwrap_or("").rsplit("</span>").next().unwrap_or("").replace("<!>", ""))
        .map(|tail| tail.trim().to_string())
        .collect();
    assert_eq!(counts.len(), 5, "five reaction buttons: {counts:?}");
    assert_eq!(counts.iter().filter(|c| c.as_str() == "1").count(), 1, "counted once: {counts:?}");
    assert_eq!(counts.iter().filter(|c| !c.is_empty()).count(), 1, "{counts:?}");
}

async fn comments_have_a_rate_limit_per_account(db: TestDb) {
    let app = TestApp::spawn_with(db, &["--limit-comment", "3/3600"]).await;
    let (_, post) = a_post(&app).await;
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let p = post.to_string();
    let fields = [("post", p.as_str()), ("parent", ""), ("id", ""), ("body", "Ancora io")];
    for _ in 0..3 {
        assert_eq!(app.call(&fan, "/api/wall/comment", &fields).await.0, 200);
    }
    assert_eq!(app.call(&fan, "/api/wall/comment", &fields).await.0, 429);
    let (other, _) = app.customer("altro@example.it", "Altro").await;
    assert_eq!(app.call(&other, "/api/wall/comment", &fields).await.0, 200, "another account has its own count");
}

async fn the_login_brings_a_visitor_back_to_the_comments(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, post) = a_post(&app).await;
    let (_, html) = app.get_text(&format!("/post/{post}")).await;
    let next = format!("/post/{post}%23comments");
    assert!(html.contains(&format!("/accedi?next={next}")), "the invitation to log in keeps the place");
    app.customer("fan@example.it", "Fan").await;
    let browser = app.new_client();
    let back = format!("/post/{post}#comments");
    for (next, expected) in [
        (back.as_str(), back.as_str()),
        ("//evil.example/x", "/assistenza/richieste"),
        ("https://evil.example", "/assistenza/richieste"),
    ] {
        let fields = [("email", "fan@example.it"), ("password", "violet-otter-canyon-42"), ("next", next)];
        let res = app.post_form_as(&browser, "/api/login", "/accedi", &fields).await;
        assert_eq!(location(&res), expected, "next={next}");
    }
}

async fn a_comment_taken_to_private_becomes_a_request_and_its_answer_tells_the_outcome(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, post) = a_post(&app).await;
    let (fan, fan_user) = app.customer("fan@example.it", "Fan").await;
    let (other, _) = app.customer("altro@example.it", "Altro").await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    const TEXT: &str = "Da ieri sera niente segnale a Bari centro, né chiamate né internet";
    let id = comment(&app, &fan, post, "", TEXT).await;
    let (p, c) = (post.to_string(), id.to_string());
    let handoff = [("post", p.as_str()), ("id", c.as_str())];
    // Only the pool takes a comment to private.
    assert_eq!(app.call(&fan, "/api/staff/to-private", &handoff).await.0, 404);
    let res = app.post_form_as(&agent, "/api/staff/to-private", &format!("/post/{post}"), &handoff).await;
    let answer = location(&res);
    assert!(answer.starts_with(&format!("/post/{post}#c-")), "{answer}");
    assert_eq!(app.call(&agent, "/api/staff/to-private", &handoff).await.0, 409, "once per comment");

    // Everyone sees the page's answer under the comment; the fan gets the email with the way in.
    let (_, page) = app.get_text(&format!("/post/{post}")).await;
    assert!(page.contains("Ti abbiamo scritto in privato"));
    let emails = app.db.emails_to("fan@example.it").await;
    let email = emails.iter().find(|e| e.kind == "comment_handoff").expect("the handoff email");
    let link = format!("http://portal.test/assistenza/nuova?commento={id}");
    assert!(email.body_text.contains(&link), "{}", email.body_text);
    // The link's form holds the comment's text for the fan only; a visitor is asked to log in and come back.
    let (_, form) = app.get_as(&fan, &format!("/assistenza/nuova?commento={id}")).await;
    assert!(form.contains(TEXT) && form.contains(&format!("name=\"from_comment\" value=\"{id}\"")));
    let (_, form) = app.get_as(&other, &format!("/assistenza/nuova?commento={id}")).await;
    assert!(!form.contains(TEXT), "another fan's form is empty");
    let (_, form) = app.get_text(&format!("/assistenza/nuova?commento={id}")).await;
    assert!(form.contains(&format!("/accedi?next=/assistenza/nuova%3Fcommento%3D{id}")), "back after the login");

    // The fan completes and sends it; the pool gives the outcome; the answer says so, and nothing more.
    let description = format!("{TEXT}. Il mio numero è 333 765 4321, ho già riavviato il telefono.");
    let fields = [
        ("category", "coverage"),
        ("subject", "Nessun segnale a Bari"),
        ("description", description.as_str()),
        ("line_number", "333 765 4321"),
        ("contact", "portal"),
        ("reported_on", "none"),
        ("public_handle", ""),
        ("consent", "yes"),
        ("from_comment", c.as_str()),
    ];
    let res = app.post_form_as(&fan, "/api/requests/submit", "/assistenza/nuova", &fields).await;
    let code = location(&res).trim_start_matches("/assistenza/richieste/").trim_end_matches("?nuova=1").to_string();
    let request = app::domain::request::parse_reference(&code).expect("a reference");
    assert_eq!(app.store().handoff_draft(id, fan_user.id).await.unwrap(), None, "the comment now has its request");
    assert_eq!(app.call(&agent, "/api/staff/take-next", &[]).await.0, 200);
    let version = app.store().request_by_id(request).await.unwrap().unwrap().version.to_string();
    let outcome = [
        ("reference", code.as_str()),
        ("version", version.as_str()),
        ("action", "outcome"),
        ("outcome", "solved"),
        ("message", "Abbiamo riattivato la cella di Bari centro."),
    ];
    let (status, body) = app.call(&agent, "/api/staff/case-action", &outcome).await;
    assert_eq!(status, 200, "{body}");
    for client in [&app.new_client(), &other, &fan] {
        let (_, page) = app.get_as(client, &format!("/post/{post}")).await;
        assert!(page.contains("Risolto in privato ✓"), "the answer tells the outcome");
        for private in ["riattivato la cella", "333 765 4321", &code, "Nessun segnale a Bari", "riavviato"] {
            assert!(!page.contains(private), "{private} is private");
        }
    }
}

async fn the_bell_tells_a_fan_of_answers_and_an_email_follows_when_they_want_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, post) = a_post(&app).await;
    let (anna, _) = app.customer("anna@example.it", "Anna").await;
    let (bruno, _) = app.customer("bruno@example.it", "Bruno").await;
    let first = comment(&app, &anna, post, "", "Quando arriva la fibra a Cosenza?").await;
    let (_, home) = app.get_as(&anna, "/").await;
    assert!(home.contains("aria-label=\"Notifiche\""), "the bell, quiet");
    comment(&app, &bruno, post, &first.to_string(), "Bella domanda, interessa anche a me").await;
    comment(&app, &admin, post, &first.to_string(), "Entro marzo, ti aggiorniamo qui").await;
    let (_, home) = app.get_as(&anna, "/").await;
    assert!(home.contains("aria-label=\"Notifiche: 2 nuove\""), "the bell counts two");
    let emails = app.db.emails_to("anna@example.it").await;
    let replies: Vec<&str> = emails.iter().filter(|e| e.kind == "comment_reply").map(|e| e.subject.as_str()).collect();
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert!(replies.iter().any(|s| s.contains("Bruno")) && replies.iter().any(|s| s.contains("Social Care 3")));
    // The bell's page lists them with the answers; seen, the bell is quiet again.
    let (status, page) = app.get_as(&anna, "/notifiche").await;
    assert_eq!(status, 200);
    assert!(page.contains("La pagina ha risposto al tuo commento") && page.contains("Entro marzo"));
    assert!(page.contains("Qualcuno ha risposto al tuo commento") && page.contains("interessa anche a me"));
    let (_, home) = app.get_as(&anna, "/").await;
    assert!(home.contains("aria-label=\"Notifiche\""));
    // Bruno has none of Anna's; a visitor has no bell.
    let (_, list) = app.call(&bruno, "/api/notifications", &[]).await;
    assert_eq!(list, "[]");
    assert_eq!(app.call(&app.new_client(), "/api/notifications", &[]).await.0, 401);
    let (_, home) = app.get_text("/").await;
    assert!(!home.contains("href=\"/notifiche\""));
}

/// A request of `fan`'s, solved by `agent` and rated `rating`; its reference.
async fn solved_and_rated(
    app: &TestApp,
    fan: &reqwest::Client,
    agent: &reqwest::Client,
    subject: &str,
    rating: &str,
) -> String {
    let fields = [
        ("category", "offers"),
        ("subject", subject),
        ("description", "L'offerta non risulta attiva dopo il rinnovo di ieri."),
        ("line_number", "333 765 4321"),
        ("contact", "portal"),
        ("reported_on", "none"),
        ("public_handle", ""),
        ("consent", "yes"),
        ("from_comment", ""),
    ];
    let res = app.post_form_as(fan, "/api/requests/submit", "/assistenza/nuova", &fields).await;
    let code = location(&res).trim_start_matches("/assistenza/richieste/").trim_end_matches("?nuova=1").to_string();
    let id = app::domain::request::parse_reference(&code).expect("a reference");
    assert_eq!(app.call(agent, "/api/staff/take-next", &[]).await.0, 200);
    let version = app.store().request_by_id(id).await.unwrap().unwrap().version.to_string();
    let outcome = [
        ("reference", code.as_str()),
        ("version", version.as_str()),
        ("action", "outcome"),
        ("outcome", "solved"),
        ("message", "Offerta attivata, grazie della pazienza."),
    ];
    assert_eq!(app.call(agent, "/api/staff/case-action", &outcome).await.0, 200);
    let rate = [("reference", code.as_str()), ("rating", rating), ("comment", "")];
    assert_eq!(app.call(fan, "/api/requests/rate", &rate).await.0, 200);
    code
}

async fn a_happy_customer_thanks_the_page_on_the_wall(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (fan, _) = app.customer("fan@example.it", "Carla").await;
    let (other, _) = app.customer("altro@example.it", "Altro").await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let so_so = solved_and_rated(&app, &fan, &agent, "Offerta Giga non attiva", "3").await;
    let happy = solved_and_rated(&app, &fan, &agent, "Offerta Estate non attiva", "5").await;
    let thank = |reference: &str, body: &str| [("reference", reference.to_string()), ("body", body.to_string())];
    let call = |client: &reqwest::Client, fields: [(&'static str, String); 2]| {
        let (app, client) = (&app, client.clone());
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&client, "/api/wall/thank", &fields).await
        }
    };
    assert_eq!(call(&fan, thank(&so_so, "Grazie comunque")).await.0, 404, "rated 3: nothing to thank for");
    assert_eq!(call(&other, thank(&happy, "Grazie!")).await.0, 404, "not theirs");
    let (status, body) = call(&fan, thank(&happy, "Grazie, chiamatemi al 333 765 4321")).await;
    assert_eq!((status, body.contains("personal_data")), (422, true), "{body}");
    let (status, body) = call(&fan, thank(&happy, "Grazie stronzi")).await;
    assert_eq!((status, body.contains("impolite")), (422, true), "{body}");
    assert_eq!(call(&fan, thank(&happy, "Gentilissimi e velocissimi, grazie a tutto il team!")).await.0, 200);
    assert_eq!(call(&fan, thank(&happy, "Ancora grazie")).await.0, 409, "once per request");
    let (_, wall) = app.get_text("/").await;
    assert!(wall.contains("Dicono di noi") && wall.contains("grazie a tutto il team") && wall.contains("Carla"));
    assert!(!wall.contains("Offerta Estate") && !wall.contains(&happy), "nothing of the request");
    let (_, page) = app.get_as(&fan, &format!("/assistenza/richieste/{happy}")).await;
    assert!(page.contains("Le tue parole sono sulla bacheca"));
}

on_both_databases!(
    every_comment_function_checks_who_calls_it,
    held_and_hidden_comments_never_reach_anyone_else,
    personal_data_is_refused_and_offered_as_a_private_request,
    comments_page_both_ways_with_replies_and_counts,
    a_long_discussion_pages_its_replies,
    the_moderation_queue_pages_oldest_first,
    comments_render_as_text_and_bad_input_changes_nothing,
    one_person_clicking_many_times_at_once_counts_once,
    comments_have_a_rate_limit_per_account,
    the_login_brings_a_visitor_back_to_the_comments,
    a_comment_taken_to_private_becomes_a_request_and_its_answer_tells_the_outcome,
    the_bell_tells_a_fan_of_answers_and_an_email_follows_when_they_want_it,
    a_happy_customer_thanks_the_page_on_the_wall,
);
