//! Privacy rights (#18) through the real router, sessions and database: a customer downloads their data
//! (all of it, nobody else's, in the documented shape) and deletes their account (nothing of them is left
//! in any text column of any table, the dashboard does not move, their sessions are dead, the address can
//! register again); an admin erases an account on request. On both databases.

mod common;

use std::collections::BTreeSet;

use app::domain::request::Role;
use common::{TestApp, TestDb, location};

const PASSWORD: &str = "violet-otter-canyon-42";

/// What one customer wrote and gave, to find (or not find) afterwards.
struct Trail {
    name: String,
    email: String,
    line: String,
    stored_line: String,
    handle: String,
    subject: String,
    description: String,
    reply: String,
    rating_comment: String,
    thanks: String,
    comment: String,
    reference: String,
}

impl Trail {
    fn new(tag: &str, name: &str, email: &str, line: &str) -> Self {
        Self {
            name: name.into(),
            email: email.into(),
            line: line.into(),
            stored_line: String::new(),
            handle: format!("@{tag}.social"),
            subject: format!("Addebito doppio {tag}"),
            description: format!("La fattura {tag}-4411 di novembre mi è stata addebitata due volte sul conto."),
            reply: format!("Ecco la ricevuta del pagamento {tag}-7788, fatemi sapere."),
            rating_comment: format!("Gentili e veloci {tag}"),
            thanks: format!("Grazie di cuore al team {tag}"),
            comment: format!("Anche a me la nuova offerta {tag} piace molto"),
            reference: String::new(),
        }
    }

    /// Every text that is theirs.
    fn texts(&self) -> Vec<&str> {
        vec![
            &self.name,
            &self.email,
            &self.line,
            &self.stored_line,
            &self.handle,
            &self.subject,
            &self.description,
            &self.reply,
            &self.rating_comment,
            &self.thanks,
            &self.comment,
        ]
    }
}

/// A post on the wall, by a new admin.
async fn a_post(app: &TestApp) -> (reqwest::Client, i64) {
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let fields = [("id", ""), ("kind", "news"), ("body", "Arriva la nuova offerta estate!"), ("publish_at", "")];
    let res = app.post_form_as(&admin, "/api/wall/save", "/", &fields).await;
    let id = location(&res).strip_prefix("/post/").and_then(|id| id.parse().ok()).expect("the post's page");
    (admin, id)
}

async fn submit(app: &TestApp, fan: &reqwest::Client, t: &Trail) -> String {
    let fields = [
        ("category", "billing"),
        ("subject", t.subject.as_str()),
        ("description", t.description.as_str()),
        ("line_number", t.line.as_str()),
        ("contact", "portal"),
        ("reported_on", "facebook"),
        ("public_handle", t.handle.as_str()),
        ("consent", "yes"),
        ("from_comment", ""),
    ];
    let res = app.post_form_as(fan, "/api/requests/submit", "/assistenza/nuova", &fields).await;
    let to = location(&res);
    assert!(to.ends_with("?nuova=1"), "submitted: {to}");
    to.trim_start_matches("/assistenza/richieste/").trim_end_matches("?nuova=1").to_string()
}

async fn staff_act(app: &TestApp, agent: &reqwest::Client, reference: &str, action: &str, extra: &[(&str, &str)]) {
    let id = app::domain::request::parse_reference(reference).expect("a reference");
    let version = app.store().request_by_id(id).await.unwrap().unwrap().version.to_string();
    let mut fields = vec![("reference", reference), ("version", version.as_str()), ("action", action)];
    fields.extend_from_slice(extra);
    let (status, body) = app.call(agent, "/api/staff/case-action", &fields).await;
    assert_eq!(status, 200, "{action}: {body}");
}

/// A customer's whole life on the portal: a request answered by the team (who greets them by name), a
/// reply, an outcome, a rating with a comment, a public thanks, a comment and a reaction on the wall.
async fn a_full_life(app: &TestApp, agent: &reqwest::Client, post: i64, mut t: Trail) -> (reqwest::Client, Trail) {
    let (fan, user) = app.customer_with_line(&t.email, &t.name, &t.line).await;
    t.stored_line = user.line_number.clone().expect("a line number");
    t.reference = submit(app, &fan, &t).await;
    assert_eq!(app.call(agent, "/api/staff/take-next", &[]).await.0, 200);
    let greeting = format!("Ciao {}, stiamo verificando l'addebito.", t.name);
    staff_act(app, agent, &t.reference, "reply", &[("message", greeting.as_str())]).await;
    let reply = [("reference", t.reference.as_str()), ("message", t.reply.as_str())];
    assert_eq!(app.call(&fan, "/api/requests/reply", &reply).await.0, 200);
    staff_act(app, agent, &t.reference, "outcome", &[("outcome", "solved"), ("message", "Rimborso disposto.")]).await;
    let rate = [("reference", t.reference.as_str()), ("rating", "5"), ("comment", t.rating_comment.as_str())];
    assert_eq!(app.call(&fan, "/api/requests/rate", &rate).await.0, 200);
    let thank = [("reference", t.reference.as_str()), ("body", t.thanks.as_str())];
    let (status, body) = app.call(&fan, "/api/wall/thank", &thank).await;
    assert_eq!(status, 200, "{body}");
    let post_s = post.to_string();
    let fields = [("post", post_s.as_str()), ("parent", ""), ("id", ""), ("body", t.comment.as_str())];
    let res = app.post_form_as(&fan, "/api/wall/comment", &format!("/post/{post}"), &fields).await;
    assert!(location(&res).contains("#c-"), "comment published: {}", location(&res));
    let react = [("post", post_s.as_str()), ("target", "post"), ("id", post_s.as_str()), ("reaction", "love")];
    let (status, body) = app.call(&fan, "/api/wall/react", &react).await;
    assert_eq!(status, 200, "{body}");
    (fan, t)
}

async fn download(app: &TestApp, fan: &reqwest::Client, password: &str, format: &str) -> reqwest::Response {
    app.post_form_as(fan, "/account/dati", "/account", &[("password", password), ("format", format)]).await
}

/// The documented fields: the README's table between its `export-fields` markers (`?` dropped).
fn documented_fields() -> BTreeSet<String> {
    let readme = include_str!("../../README.md");
    let start = readme.find("<!-- export-fields -->").expect("the README documents the export");
    let end = readme.find("<!-- /export-fields -->").expect("the table ends");
    readme[start..end]
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(|field| field.trim_end_matches('?').to_string())
        .collect()
}

/// Every field of a JSON document as `a.b`, `list[].c`.
fn fields_of(value: &serde_json::Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                match v {
                    serde_json::Value::Object(_) => fields_of(v, &path, out),
                    serde_json::Value::Array(items) => {
                        for item in items {
                            fields_of(item, &format!("{path}[]"), out);
                        }
                    }
                    _ => {
                        out.insert(path);
                    }
                }
            }
        }
        _ => {
            out.insert(prefix.to_string());
        }
    }
}

async fn the_export_holds_all_of_one_customer_and_nothing_of_another(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_admin, post) = a_post(&app).await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let anna = Trail::new("annaqz", "Anna Esportata", "anna@example.it", "347 111 2233");
    let bruno = Trail::new("brunoqz", "Bruno Altrui", "bruno@example.it", "348 222 3344");
    let (fan, anna) = a_full_life(&app, &agent, post, anna).await;
    let (_, bruno) = a_full_life(&app, &agent, post, bruno).await;

    // Nothing leaves without the password: a wrong one goes back to the form, saying why.
    let res = download(&app, &fan, "not-the-password-1", "json").await;
    assert_eq!(location(&res), "/account?dati=password_wrong#dati");
    let (_, page) = app.get_as(&fan, "/account?dati=password_wrong").await;
    assert!(page.contains("La password attuale non è corretta") || page.contains("password"), "the form says why");
    let res = app.new_client().post(app.url("/account/dati")).form(&[("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(location(&res), "/accedi?next=/account", "a visitor is sent to log in");

    let res = download(&app, &fan, PASSWORD, "json").await;
    assert_eq!(res.status(), 200);
    let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(header("content-type").starts_with("application/json"));
    assert!(header("content-disposition").starts_with("attachment; filename=\"social-care-3-dati-"));
    assert_eq!(header("cache-control"), "no-store");
    let raw = res.text().await.unwrap();
    for text in anna.texts() {
        if text != anna.line {
            assert!(raw.contains(text), "the export holds {text:?}");
        }
    }
    for text in bruno.texts() {
        assert!(!raw.contains(text), "the export holds nothing of another customer: {text:?}");
    }
    assert!(raw.contains("stiamo verificando"), "the team's messages to them are theirs to see");

    // The documented shape: exactly the fields the README lists, and it reads back as the typed document.
    let json: serde_json::Value = serde_json::from_str(&raw).expect("JSON");
    let mut found = BTreeSet::new();
    fields_of(&json, "", &mut found);
    let documented = documented_fields();
    assert_eq!(found, documented, "the file and the README's table list the same fields");
    let data: app::ports::DataExport = serde_json::from_str(&raw).expect("the documented schema");
    assert_eq!(data.format, "social-care-3/personal-data");
    assert_eq!(
        (data.account.email.as_str(), data.account.display_name.as_str()),
        (anna.email.as_str(), "Anna Esportata")
    );
    let documents: Vec<&str> = data.consents.iter().map(|c| c.document.as_str()).collect();
    assert!(documents.contains(&"privacy") && documents.contains(&"rules") && documents.contains(&"request"));
    assert_eq!(data.requests.len(), 1);
    let request = &data.requests[0];
    assert_eq!((request.reference.as_str(), request.rating), (anna.reference.as_str(), Some(5)));
    assert!(request.events.iter().any(|e| e.by == "customer" && e.message.as_deref() == Some(anna.reply.as_str())));
    assert!(request.events.iter().any(|e| e.by == "team" && e.kind == "outcome"));
    assert_eq!(data.comments.len(), 1);
    assert_eq!(data.reactions.len(), 1);
    assert_eq!(data.thanks.len(), 1);
    assert!(data.emails.iter().any(|e| e.kind == "confirm_email"), "the emails sent to them");

    // The readable page: the same, escaped, with no script allowed.
    let res = download(&app, &fan, PASSWORD, "html").await;
    assert_eq!(res.status(), 200);
    let csp = res.headers().get("content-security-policy").unwrap().to_str().unwrap().to_string();
    assert!(csp.starts_with("default-src 'none'") && !csp.contains("script"), "{csp}");
    let html = res.text().await.unwrap();
    assert!(html.contains(&anna.subject) && html.contains(&anna.reference) && html.contains("Anna Esportata"));
    assert!(!html.contains(&bruno.subject));

    // Each download is in the admins' log: who and when, no content.
    let log = app.store().privacy_log(None, 10).await.unwrap();
    let anna_id = app.store().user_by_email(&app::domain::account::Email::parse(&anna.email).unwrap()).await;
    let anna_id = anna_id.unwrap().unwrap().id;
    assert_eq!(log.iter().filter(|l| l.action == "data_exported" && l.account_id == Some(anna_id)).count(), 2);
    assert!(log.iter().all(|l| l.reason.is_none()));
}

/// Every text column of every table (the session store's binary data aside) holding `needle`.
async fn tables_holding(db: &TestDb, needle: &str) -> Vec<String> {
    use sqlx::Connection;
    let mut hits = Vec::new();
    if db.backend == "sqlite" {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        let tables: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        for (table,) in tables {
            let columns: Vec<(i64, String, String, i64, Option<String>, i64)> =
                sqlx::query_as(&format!("PRAGMA table_info(\"{table}\")")).fetch_all(&mut conn).await.unwrap();
            for (_, column, kind, ..) in columns.into_iter().filter(|c| c.2.to_uppercase().contains("TEXT")) {
                let sql = format!("SELECT COUNT(*) FROM \"{table}\" WHERE instr(\"{column}\", $1) > 0");
                let (n,): (i64,) = sqlx::query_as(&sql).bind(needle).fetch_one(&mut conn).await.unwrap();
                if n > 0 {
                    hits.push(format!("{table}.{column} ({kind})"));
                }
            }
        }
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT table_schema::text, table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema NOT IN ('pg_catalog', 'information_schema') \
             AND data_type IN ('text', 'character varying', 'character')",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        for (schema, table, column) in columns {
            let sql = format!("SELECT COUNT(*) FROM \"{schema}\".\"{table}\" WHERE strpos(\"{column}\", $1) > 0");
            let (n,): (i64,) = sqlx::query_as(&sql).bind(needle).fetch_one(&mut conn).await.unwrap();
            if n > 0 {
                hits.push(format!("{schema}.{table}.{column}"));
            }
        }
    }
    hits
}

/// Delivers every due email (as the server's worker does), into a folder of the test's own.
async fn deliver_all(app: &TestApp) {
    use clap::Parser;
    let dir = tempfile::tempdir().unwrap();
    let dir_s = dir.path().display().to_string();
    let cli = server::config::Cli::try_parse_from(["server", "--mail-dir", dir_s.as_str()]).unwrap();
    let mailer = server::mail::Mailer::from_config(&cli.config).unwrap();
    while server::mail::deliver_due(app.store(), &mailer).await.sent > 0 {}
}

async fn dashboard(app: &TestApp, admin: &reqwest::Client) -> serde_json::Value {
    let (status, body) = app.call(admin, "/api/staff/dashboard", &[]).await;
    assert_eq!(status, 200, "{body}");
    let mut json: serde_json::Value = serde_json::from_str(&body).unwrap();
    json.as_object_mut().unwrap().remove("now");
    json
}

async fn a_deleted_account_leaves_no_trace_and_the_statistics_stay(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, post) = a_post(&app).await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let giulia = Trail::new("giuliazx", "Giulia Cancellata", "giulia@example.it", "347 555 6677");
    let (fan, giulia) = a_full_life(&app, &agent, post, giulia).await;
    let (_, other) =
        a_full_life(&app, &agent, post, Trail::new("otherzx", "Otto Resta", "otto@example.it", "348 999 0011")).await;
    // Giulia on a second device: that session must end too.
    let phone = app.new_client();
    assert_eq!(location(&app.log_in_as(&phone, &giulia.email, PASSWORD).await), "/assistenza/richieste");
    let before = dashboard(&app, &admin).await;
    for text in giulia.texts().into_iter().filter(|t| *t != giulia.line) {
        assert!(!tables_holding(&app.db, text).await.is_empty(), "the scan finds {text:?} before");
    }

    // The form refuses without the box ticked or with a wrong password, and changes nothing.
    let res = app.post_form_as(&fan, "/api/account/erase", "/account", &[("password", PASSWORD)]).await;
    assert_eq!(
        common::form_error(&res).and_then(|e| e.field_code("confirm").map(str::to_string)).as_deref(),
        Some("erase_confirm_needed")
    );
    let wrong = [("password", "wrong-password-99"), ("confirm", "yes")];
    let res = app.post_form_as(&fan, "/api/account/erase", "/account", &wrong).await;
    assert_eq!(
        common::form_error(&res).and_then(|e| e.field_code("password").map(str::to_string)).as_deref(),
        Some("password_wrong")
    );
    assert!(app.me_via(&fan).await.is_some(), "still there");

    let res =
        app.post_form_as(&fan, "/api/account/erase", "/account", &[("password", PASSWORD), ("confirm", "yes")]).await;
    assert_eq!(location(&res), "/accedi?eliminato=1");
    let (_, login) = app.get_as(&fan, "/accedi?eliminato=1").await;
    assert!(login.contains("Il tuo account è stato eliminato"));

    // Sessions are dead everywhere; the last email went out, and then it goes too.
    assert!(app.me_via(&fan).await.is_none() && app.me_via(&phone).await.is_none());
    let last = app.db.emails_to(&giulia.email).await;
    assert_eq!(last.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), vec!["account_erased"]);
    assert!(!last[0].body_text.contains(&giulia.name), "no name in it");
    deliver_all(&app).await;
    for text in giulia.texts() {
        assert_eq!(tables_holding(&app.db, text).await, Vec::<String>::new(), "nothing holds {text:?}");
    }
    for text in other.texts().into_iter().filter(|t| *t != other.line) {
        assert!(!tables_holding(&app.db, text).await.is_empty(), "another customer's {text:?} is untouched");
    }
    assert_eq!(dashboard(&app, &admin).await, before, "the statistics do not move");

    // Staff see a deleted account; the wall shows neither the name nor the thanks.
    let (_, case) = app.get_as(&agent, &format!("/admin/richieste/{}", giulia.reference)).await;
    assert!(case.contains("Account eliminato") && case.contains("[rimosso]"));
    let (_, wall) = app.get_text(&format!("/post/{post}")).await;
    assert!(wall.contains("Account eliminato") && wall.contains(&other.comment));
    let (_, home) = app.get_text("/").await;
    assert!(!home.contains(&giulia.thanks) && home.contains(&other.thanks));
    // The log says who and when.
    let log = app.store().privacy_log(None, 10).await.unwrap();
    assert_eq!(log.iter().filter(|l| l.action == "account_erased").count(), 1);

    // The old password opens nothing; the address registers again, as a new account.
    let res = app.log_in_as(&app.new_client(), &giulia.email, PASSWORD).await;
    assert!(common::form_error(&res).is_some(), "no login: {}", location(&res));
    let (again, user) = app.customer_with_line(&giulia.email, "Giulia Di Nuovo", "347 555 6677").await;
    let (_, mine) = app.get_as(&again, "/assistenza/richieste").await;
    assert!(!mine.contains(&giulia.reference), "a new account starts empty");
    assert!(!user.erased);
}

async fn an_admin_erases_on_request_and_open_requests_are_withdrawn(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, _post) = a_post(&app).await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let carla = Trail::new("carlazx", "Carla Aperta", "carla@example.it", "349 123 4567");
    let (fan, user) = app.customer_with_line(&carla.email, &carla.name, &carla.line).await;
    let waiting = submit(&app, &fan, &carla).await;
    let held = submit(&app, &fan, &carla).await;
    // The agent takes the oldest (`waiting`) and releases nothing: `held` stays in the queue, `waiting` in hand.
    assert_eq!(app.call(&agent, "/api/staff/take-next", &[]).await.0, 200);
    let erase = |email: &'static str, reason: &'static str, confirm: &'static str| {
        [("email", email), ("reason", reason), ("confirm", confirm)]
    };

    // Only admins; bad input says why and changes nothing.
    let (status, _) = app.call(&agent, "/api/staff/privacy/erase", &erase("carla@example.it", "PEC", "yes")).await;
    assert_eq!(status, 403, "agents may not");
    let (status, _) = app.call(&fan, "/api/staff/privacy/erase", &erase("carla@example.it", "PEC", "yes")).await;
    assert_eq!(status, 404, "customers find nothing");
    let (status, _) = app.call(&agent, "/api/staff/privacy/log", &[]).await;
    assert_eq!(status, 403);
    let (status, body) = app.call(&admin, "/api/staff/privacy/erase", &erase("carla@example.it", "", "")).await;
    assert!(status == 422 && body.contains("reason") && body.contains("erase_confirm_needed"), "{body}");
    let (status, body) = app.call(&admin, "/api/staff/privacy/erase", &erase("nessuno@example.it", "PEC", "yes")).await;
    assert!(status == 422 && body.contains("no_such_customer"), "{body}");
    let (status, body) = app.call(&admin, "/api/staff/privacy/erase", &erase("agente@example.it", "PEC", "yes")).await;
    assert!(status == 422 && body.contains("erase_staff"), "{body}");
    assert!(app.me_via(&fan).await.is_some());

    let res = app
        .post_form_as(
            &admin,
            "/api/staff/privacy/erase",
            "/admin/privacy",
            &erase("carla@example.it", "PEC del 3 dicembre di Carla Aperta", "yes"),
        )
        .await;
    assert_eq!(location(&res), "/admin/privacy?eliminato=2-2");
    assert!(app.me_via(&fan).await.is_none(), "the customer's session ended");
    for reference in [&waiting, &held] {
        let id = app::domain::request::parse_reference(reference).unwrap();
        let r = app.store().request_by_id(id).await.unwrap().unwrap();
        assert_eq!((r.status, r.holder_id), (app::domain::request::Status::Closed, None), "{reference} withdrawn");
    }
    let (_, queue) = app.get_as(&agent, "/admin").await;
    assert!(!queue.contains(&held), "out of the queue");
    let (_, case) = app.get_as(&agent, &format!("/admin/richieste/{waiting}")).await;
    assert!(case.contains("Ritirata") && case.contains("Account eliminato"), "the timeline says why");
    let (_, page) = app.get_as(&admin, "/admin/privacy").await;
    assert!(page.contains("PEC del 3 dicembre di [rimosso]") && page.contains(&format!("#{}", user.id)));
    assert!(tables_holding(&app.db, "Carla Aperta").await.is_empty(), "not even in the reason");
    let (status, _) = app.call(&admin, "/api/staff/privacy/erase", &erase("carla@example.it", "PEC", "yes")).await;
    assert_eq!(status, 422, "the address has no account any more");
}

/// One number from the test database (a test's own query: no port reads these columns).
async fn number(db: &TestDb, sql: &str, id: i64) -> Option<i64> {
    use sqlx::Connection;
    if db.backend == "sqlite" {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query_as::<_, (Option<i64>,)>(sql).bind(id).fetch_one(&mut conn).await.unwrap().0
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_as::<_, (Option<i64>,)>(sql).bind(id).fetch_one(&mut conn).await.unwrap().0
    }
}

async fn text(db: &TestDb, sql: &str, id: i64) -> Option<String> {
    use sqlx::Connection;
    if db.backend == "sqlite" {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query_as::<_, (Option<String>,)>(sql).bind(id).fetch_one(&mut conn).await.unwrap().0
    } else {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::query_as::<_, (Option<String>,)>(sql).bind(id).fetch_one(&mut conn).await.unwrap().0
    }
}

const DAY: i64 = 24 * 3_600_000;

/// The retention of two app servers on the same database, run at the same moment: what both did.
async fn both_servers_retain(
    one: &app::context::Portal,
    two: &app::context::Portal,
    now: i64,
) -> app::services::privacy::Retained {
    use app::services::privacy::apply_retention;
    let (a, b) = tokio::join!(apply_retention(one, now), apply_retention(two, now));
    let (a, b) = (a.expect("retention"), b.expect("retention"));
    app::services::privacy::Retained {
        unconfirmed_deleted: a.unconfirmed_deleted + b.unconfirmed_deleted,
        requests_anonymised: a.requests_anonymised + b.requests_anonymised,
        email_bodies_purged: a.email_bodies_purged + b.email_bodies_purged,
        audit_details_dropped: a.audit_details_dropped + b.audit_details_dropped,
        idle_warned: a.idle_warned + b.idle_warned,
        idle_erased: a.idle_erased + b.idle_erased,
    }
}

async fn retention_acts_exactly_at_each_boundary_and_once_with_two_servers(db: TestDb) {
    use clap::Parser;
    let app = TestApp::spawn(db).await;
    let cli =
        server::config::Cli::try_parse_from(["server", "--database-url", &app.db.url, "--db-max-connections", "4"])
            .unwrap();
    // Several app servers share a PostgreSQL database; a SQLite file has one server (README), which may
    // still run two passes at once (a slow pass and the next tick).
    let two = if app.db.backend == "postgres" {
        server::build(&cli.config).await.expect("a second server on the same database").1.portal()
    } else {
        app.state.portal()
    };
    let one = app.state.portal();
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;

    // An account never confirmed: deleted 7 days after it was made, not a millisecond before.
    let res =
        app.post_form("/api/register", "/registrati", &common::registration("Mai Confermato", "mai@example.it")).await;
    assert_eq!(location(&res), "/registrati/controlla");
    let email = app::domain::account::Email::parse("mai@example.it").unwrap();
    let never = app.store().user_by_email(&email).await.unwrap().unwrap().id;
    let made = number(&app.db, "SELECT created_at FROM users WHERE id = $1", never).await.unwrap();
    assert_eq!(both_servers_retain(&one, &two, made + 7 * DAY - 1).await.unconfirmed_deleted, 0);
    assert!(app.store().user_by_id(never).await.unwrap().is_some());
    assert_eq!(both_servers_retain(&one, &two, made + 7 * DAY).await.unconfirmed_deleted, 1, "once, by one server");
    assert!(app.store().user_by_id(never).await.unwrap().is_none());
    assert!(app.db.emails_to("mai@example.it").await.is_empty(), "with its emails");

    // A request closed (outcome confirmed), and two idle customers.
    let carla = Trail::new("carlart", "Carla Chiusa", "carla@example.it", "349 123 4567");
    let (fan, carla_user) = app.customer_with_line(&carla.email, &carla.name, &carla.line).await;
    let reference = submit(&app, &fan, &carla).await;
    let request = app::domain::request::parse_reference(&reference).unwrap();
    assert_eq!(app.call(&agent, "/api/staff/take-next", &[]).await.0, 200);
    staff_act(&app, &agent, &reference, "outcome", &[("outcome", "solved"), ("message", "Fatto, Carla Chiusa.")]).await;
    assert_eq!(app.call(&fan, "/api/requests/confirm", &[("reference", reference.as_str())]).await.0, 200);
    let (xavier, x_user) = app.customer("xavier@example.it", "Xavier Torna").await;
    let (_, y_user) = app.customer("ylenia@example.it", "Ylenia Sparita").await;
    deliver_all(&app).await;

    // Delivered emails lose their bodies 30 days after sending.
    let mail = number(
        &app.db,
        "SELECT MAX(id) FROM outbox WHERE recipient = (SELECT email FROM users WHERE id = $1)",
        carla_user.id,
    )
    .await
    .unwrap();
    let sent = number(&app.db, "SELECT sent_at FROM outbox WHERE id = $1", mail).await.expect("delivered");
    both_servers_retain(&one, &two, sent + 30 * DAY - 1).await;
    assert_ne!(text(&app.db, "SELECT body_text FROM outbox WHERE id = $1", mail).await.unwrap(), "");
    assert!(both_servers_retain(&one, &two, sent + 30 * DAY).await.email_bodies_purged >= 1);
    assert_eq!(text(&app.db, "SELECT body_text FROM outbox WHERE id = $1", mail).await.unwrap(), "");
    assert_eq!(text(&app.db, "SELECT body_html FROM outbox WHERE id = $1", mail).await.unwrap(), "");

    // Audit lines lose their details after 730 days.
    let line = number(&app.db, "SELECT MIN(id) FROM audit_log WHERE request_id = $1 AND detail IS NOT NULL", request)
        .await
        .unwrap();
    let at = number(&app.db, "SELECT at FROM audit_log WHERE id = $1", line).await.unwrap();
    both_servers_retain(&one, &two, at + 730 * DAY - 1).await;
    assert!(text(&app.db, "SELECT detail FROM audit_log WHERE id = $1", line).await.is_some());
    both_servers_retain(&one, &two, at + 730 * DAY).await;
    assert_eq!(text(&app.db, "SELECT detail FROM audit_log WHERE id = $1", line).await, None);

    // Closed requests are anonymised 730 days after closing, once.
    let closed = number(&app.db, "SELECT closed_at FROM requests WHERE id = $1", request).await.expect("closed");
    assert_eq!(both_servers_retain(&one, &two, closed + 730 * DAY - 1).await.requests_anonymised, 0);
    assert_eq!(both_servers_retain(&one, &two, closed + 730 * DAY).await.requests_anonymised, 1, "once, by one server");
    let r = app.store().request_by_id(request).await.unwrap().unwrap();
    assert_eq!((r.subject.as_str(), r.description.as_str(), r.line_number.as_str()), ("[rimosso]", "[rimosso]", ""));
    for needle in [&carla.subject, &carla.description, &carla.handle, "Fatto, Carla Chiusa."] {
        assert!(tables_holding(&app.db, needle).await.is_empty(), "{needle:?} is gone");
    }
    assert!(!app.store().user_by_id(carla_user.id).await.unwrap().unwrap().erased, "the account itself stays");

    // Idle for 1095 days: warned once (whatever the number of servers), erased 30 days later unless they
    // log in meanwhile.
    let idle = "SELECT last_login_at FROM users WHERE id = $1";
    let last = number(&app.db, idle, y_user.id).await.expect("a login on record");
    let warnings = |to: &'static str| {
        let db = &app.db;
        async move { db.emails_to(to).await.iter().filter(|e| e.kind == "account_idle").count() }
    };
    both_servers_retain(&one, &two, last + 1095 * DAY - 1).await;
    assert_eq!(warnings("ylenia@example.it").await, 0);
    both_servers_retain(&one, &two, last + 1095 * DAY).await;
    both_servers_retain(&one, &two, last + 1095 * DAY).await;
    for to in ["ylenia@example.it", "xavier@example.it", "carla@example.it"] {
        assert_eq!(warnings(to).await, 1, "{to} warned once");
    }
    let warned = number(&app.db, "SELECT inactivity_warned_at FROM users WHERE id = $1", y_user.id).await.unwrap();
    // Xavier logs in after the warning: his account stays.
    assert_eq!(location(&app.log_in_as(&xavier, "xavier@example.it", PASSWORD).await), "/assistenza/richieste");
    assert_eq!(number(&app.db, "SELECT inactivity_warned_at FROM users WHERE id = $1", x_user.id).await, None);
    assert_eq!(
        both_servers_retain(&one, &two, warned + 30 * DAY - 1).await.idle_erased,
        1,
        "Carla, warned a little earlier"
    );
    assert!(!app.store().user_by_id(y_user.id).await.unwrap().unwrap().erased);
    assert_eq!(both_servers_retain(&one, &two, warned + 30 * DAY).await.idle_erased, 1, "Ylenia, once");
    assert!(app.store().user_by_id(y_user.id).await.unwrap().unwrap().erased);
    assert!(!app.store().user_by_id(x_user.id).await.unwrap().unwrap().erased, "who logged in stays");
    let log = app.store().privacy_log(None, 50).await.unwrap();
    assert_eq!(log.iter().filter(|l| l.action == "account_erased" && l.account_id == Some(y_user.id)).count(), 1);
}

async fn a_new_notice_is_accepted_at_the_next_login_before_going_on(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let (fan, user) = app.customer("fan@example.it", "Fan Fedele").await;
    assert_eq!((user.privacy_version, user.rules_version, user.consent_pending), (1, 1, false));
    let notice = |it: &'static str, en: &'static str| [("kind", "privacy"), ("body_it", it), ("body_en", en)];

    // Only admins publish, both languages required.
    assert_eq!(app.call(&agent, "/api/staff/privacy/publish", &notice("Nuova", "New")).await.0, 403);
    assert_eq!(app.call(&fan, "/api/staff/privacy/publish", &notice("Nuova", "New")).await.0, 404);
    let (status, body) = app.call(&admin, "/api/staff/privacy/publish", &notice("Solo italiano", " ")).await;
    assert!(status == 422 && body.contains("body_en"), "{body}");
    let bad_kind = [("kind", "cookies"), ("body_it", "x"), ("body_en", "x")];
    assert_eq!(app.call(&admin, "/api/staff/privacy/publish", &bad_kind).await.0, 422);
    assert!(app.store().current_documents().await.unwrap().is_empty(), "nothing published");

    let text_it = "Informativa 2027.\n\nConserviamo i dati per 24 mesi dalla chiusura.";
    let text_en = "Notice 2027.\n\nWe keep data for 24 months after closing.";
    let res =
        app.post_form_as(&admin, "/api/staff/privacy/publish", "/admin/documenti", &notice(text_it, text_en)).await;
    assert_eq!(location(&res), "/admin/documenti?pubblicato=2");
    let (_, page) = app.get_text("/privacy").await;
    assert!(
        page.contains("Informativa 2027.") && page.contains("Conserviamo i dati per 24 mesi"),
        "the notice shows it"
    );

    // The customer's open session: customer functions refuse until they accept, saying why.
    let (status, body) = app.call(&fan, "/api/requests/mine", &[]).await;
    assert!(status == 422 && body.contains("consent_renew"), "{status} {body}");
    let me = app.me_via(&fan).await.expect("still logged in");
    assert_eq!(me["consent_pending"], true, "the header offers the acceptance page");
    // Their next login leads to the acceptance page first, then where they were going.
    let again = app.new_client();
    let res = app
        .post_form_as(
            &again,
            "/api/login",
            "/accedi",
            &[("email", "fan@example.it"), ("password", PASSWORD), ("next", "/assistenza/nuova")],
        )
        .await;
    assert_eq!(location(&res), "/consenso?next=/assistenza/nuova");
    let (_, page) = app.get_as(&again, "/consenso?next=/assistenza/nuova").await;
    assert!(page.contains("Informativa 2027.") && page.contains("Versione 2"), "the new text, with its version");
    let res = app
        .post_form_as(
            &again,
            "/api/privacy/accept",
            "/consenso?next=/assistenza/nuova",
            &[("next", "/assistenza/nuova")],
        )
        .await;
    assert_eq!(
        common::form_error(&res).and_then(|e| e.field_code("accept").map(str::to_string)).as_deref(),
        Some("consent_accept_needed")
    );
    let res = app
        .post_form_as(&again, "/api/privacy/accept", "/consenso", &[("accept", "yes"), ("next", "/assistenza/nuova")])
        .await;
    assert_eq!(location(&res), "/assistenza/nuova");
    assert_eq!(app.call(&fan, "/api/requests/mine", &[]).await.0, 200, "every session may go on");
    let now = app.store().user_by_id(user.id).await.unwrap().unwrap();
    assert_eq!((now.privacy_version, now.rules_version, now.consent_pending), (2, 1, false));
    // On record, in the export too.
    let res = download(&app, &fan, PASSWORD, "json").await;
    let data: app::ports::DataExport = res.json().await.unwrap();
    let accepted: Vec<(String, Option<i64>)> = data.consents.iter().map(|c| (c.document.clone(), c.version)).collect();
    assert!(accepted.contains(&("privacy".into(), Some(1))) && accepted.contains(&("privacy".into(), Some(2))));

    // Someone registering now accepts version 2 at once; staff are never asked.
    let (_, newcomer) = app.customer("nuova@example.it", "Nuova Arrivata").await;
    assert_eq!((newcomer.privacy_version, newcomer.consent_pending), (2, false));
    let res = app.log_in_as(&app.new_client(), "agente@example.it", common::STAFF_PASSWORD).await;
    assert_eq!(location(&res), "/admin");
    let log = app.store().audit_log(None, None, None, true, 10).await.unwrap();
    assert!(log.iter().any(|l| l.action.code() == "document_published" && l.detail.as_deref() == Some("privacy v2")));
}

/// A customer with 1,000 requests, all still open (the erasure's worst case: each is withdrawn with an
/// event and an audit line): the export holds all of them, the erasure closes and empties all of them.
/// Prints how long each took and the file's size (the numbers of the note; no time is asserted).
async fn a_customer_with_a_thousand_requests_is_exported_and_erased_whole(db: TestDb) {
    use app::domain::account::LineNumber;
    use app::domain::request::{Category, Contact, Description, ReportedOn, Subject};
    let app = TestApp::spawn(db).await;
    let (fan, user) = app.customer("mille@example.it", "Mille Richieste").await;
    let start = app::clock::now_ms();
    for n in 0..1000 {
        let request = app::ports::NewRequest {
            customer: user.id,
            category: Category::ALL[n % Category::ALL.len()],
            subject: Subject::parse(&format!("Richiesta numero {n}")).unwrap(),
            description: Description::parse(&format!("Il problema numero {n}, descritto con abbastanza parole."))
                .unwrap(),
            line_number: LineNumber::parse("333 765 4321").unwrap(),
            contact: Contact::Portal,
            reported_on: ReportedOn::Nowhere,
            public_handle: None,
            attachments: Vec::new(),
        };
        app.store().submit_request(request, None, start + n as i64).await.unwrap();
    }
    let clock = std::time::Instant::now();
    let res = download(&app, &fan, PASSWORD, "json").await;
    let file = res.bytes().await.unwrap();
    let export_ms = clock.elapsed().as_millis();
    let data: app::ports::DataExport = serde_json::from_slice(&file).unwrap();
    assert_eq!(data.requests.len(), 1000);
    assert!(data.requests.iter().all(|r| r.events.len() == 1 && r.description.starts_with("Il problema numero")));

    let clock = std::time::Instant::now();
    let res =
        app.post_form_as(&fan, "/api/account/erase", "/account", &[("password", PASSWORD), ("confirm", "yes")]).await;
    let erase_ms = clock.elapsed().as_millis();
    assert_eq!(location(&res), "/accedi?eliminato=1");
    let mine = app.store().customer_requests(user.id, None, 2000).await.unwrap();
    assert_eq!(mine.len(), 1000);
    assert!(mine.iter().all(|r| r.status == app::domain::request::Status::Closed && r.subject == "[rimosso]"));
    assert!(tables_holding(&app.db, "Il problema numero").await.is_empty());
    eprintln!(
        "[measure] {}: export of 1,000 requests: {} bytes in {export_ms} ms; erasure of the account: {erase_ms} ms",
        app.db.backend,
        file.len()
    );
}

on_both_databases!(
    the_export_holds_all_of_one_customer_and_nothing_of_another,
    a_deleted_account_leaves_no_trace_and_the_statistics_stay,
    an_admin_erases_on_request_and_open_requests_are_withdrawn,
    retention_acts_exactly_at_each_boundary_and_once_with_two_servers,
    a_new_notice_is_accepted_at_the_next_login_before_going_on,
    a_customer_with_a_thousand_requests_is_exported_and_erased_whole,
);
