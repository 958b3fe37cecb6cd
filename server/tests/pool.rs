//! The care pool through the real router, sessions and database: who may call what, the fair queue,
//! "take next" under concurrency (also from two server processes on PostgreSQL), internal notes that
//! never reach a customer, staff accounts, moderation, the audit log and the dashboard.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use app::domain::account::{Email, LineNumber};
use app::domain::request::*;
use app::error::AppError;
use app::ports::*;
use app::services::requests::{By, Move};
use common::{TestApp, TestDb, form_error, location};

use common::STAFF_PASSWORD;

/// A staff member stored through the port `create-admin` uses, then logged in on a browser of their own.
async fn staff(app: &TestApp, email: &str, name: &str, role: Role) -> (reqwest::Client, UserRecord) {
    app.staff(email, name, role).await
}

fn new_request(customer: UserId, n: usize) -> NewRequest {
    NewRequest {
        customer,
        category: Category::ALL[n % Category::ALL.len()],
        subject: Subject::parse(&format!("Richiesta numero {n}")).unwrap(),
        description: Description::parse("Descrizione abbastanza lunga del problema riscontrato.").unwrap(),
        line_number: LineNumber::parse("333 765 4321").unwrap(),
        contact: Contact::Portal,
        reported_on: ReportedOn::Nowhere,
        public_handle: None,
        attachments: Vec::new(),
    }
}

/// `n` requests of one customer, arriving one millisecond apart from `start`.
async fn seed(store: &SharedStore, customer: UserId, n: usize, start: i64) -> Vec<RequestId> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(store.submit_request(new_request(customer, i), None, start + i as i64).await.unwrap());
    }
    ids
}

fn no_email() -> EmailForTaken {
    Box::new(|_, _| None)
}

/// A fetch-style call (as a hydrated page makes): its status and body.
async fn call(app: &TestApp, client: &reqwest::Client, endpoint: &str, fields: &[(&str, &str)]) -> (u16, String) {
    app.call(client, endpoint, fields).await
}

async fn every_staff_function_checks_who_calls_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (customer, customer_user) = app.customer("cliente@example.it", "Cliente").await;
    let (agent, _) = staff(&app, "agente@example.it", "Agente", Role::Agent).await;
    let (admin, _) = staff(&app, "admin@example.it", "Admin", Role::Admin).await;
    let visitor = app.new_client();
    let secret_subject = "Segreto-Oggetto-4417";
    let mut req = new_request(customer_user.id, 0);
    req.subject = Subject::parse(secret_subject).unwrap();
    for _ in 0..4 {
        app.store().submit_request(new_request(customer_user.id, 1), None, 10).await.unwrap();
    }
    let id = app.store().submit_request(req, None, 5).await.unwrap();
    let code = reference(id);
    // Role and activation changes end the target's sessions: they aim at a third staff member.
    let (_, target) = staff(&app, "bersaglio@example.it", "Bersaglio", Role::Agent).await;
    let agent_id = target.id.to_string();

    // (endpoint, fields, admin only)
    let calls: Vec<(&str, Vec<(&str, &str)>, bool)> = vec![
        ("/api/staff/queue", vec![], false),
        ("/api/staff/take-next", vec![], false),
        ("/api/staff/my-cases", vec![], false),
        ("/api/staff/search", vec![("reference", ""), ("email", ""), ("line_number", ""), ("status", "")], false),
        ("/api/staff/case", vec![("reference", &code)], false),
        (
            "/api/staff/case-action",
            vec![("reference", &code), ("version", "0"), ("action", "note"), ("message", "nota")],
            false,
        ),
        ("/api/staff/block", vec![("reference", &code), ("block", "no")], true),
        ("/api/staff/list", vec![], true),
        ("/api/staff/create", vec![("email", "nuovo@example.it"), ("display_name", "Nuovo"), ("role", "agent")], true),
        ("/api/staff/role", vec![("user", &agent_id), ("role", "agent")], true),
        ("/api/staff/active", vec![("user", &agent_id), ("active", "yes")], true),
        ("/api/staff/audit", vec![("reference", ""), ("actor", "")], true),
        ("/api/staff/dashboard", vec![], true),
    ];
    for (endpoint, fields, admin_only) in &calls {
        // The case action carries the version the caller saw: always the current one here.
        let current = app.store().request_by_id(id).await.unwrap().unwrap().version.to_string();
        let fields: Vec<(&str, &str)> =
            fields.iter().map(|(k, v)| if *k == "version" { (*k, current.as_str()) } else { (*k, *v) }).collect();
        let fields = &fields;
        let (status, body) = call(&app, &visitor, endpoint, fields).await;
        assert_eq!(status, 401, "visitor → {endpoint}: {body}");
        let (status, body) = call(&app, &customer, endpoint, fields).await;
        assert_eq!(status, 404, "customer → {endpoint}: {body}");
        assert!(!body.contains(secret_subject) && !body.contains("cliente@example.it"), "{endpoint} leaked: {body}");
        let (status, body) = call(&app, &agent, endpoint, fields).await;
        if *admin_only {
            assert_eq!(status, 403, "agent → {endpoint}: {body}");
            assert!(!body.contains(secret_subject), "{endpoint} leaked to an agent");
        } else {
            assert!(matches!(status, 200 | 302), "agent → {endpoint}: {status} {body}");
        }
        let current = app.store().request_by_id(id).await.unwrap().unwrap().version.to_string();
        let fields: Vec<(&str, &str)> =
            fields.iter().map(|(k, v)| if *k == "version" { (*k, current.as_str()) } else { (*k, *v) }).collect();
        let (status, body) = call(&app, &admin, endpoint, &fields).await;
        assert!(matches!(status, 200 | 302), "admin → {endpoint}: {status} {body}");
    }
    // The pages answer alike: a customer sees the not-found page, a visitor the way to log in.
    let (status, html) = app.get_as(&customer, &format!("/admin/richieste/{code}")).await;
    assert_eq!(status, 404);
    assert!(!html.contains(secret_subject));
    let (_, html) = app.get_as(&visitor, "/admin").await;
    assert!(html.contains("Accedi con il tuo account del team di assistenza"));
    let (status, html) = app.get_as(&agent, &format!("/admin/richieste/{code}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(secret_subject) && html.contains("+393337654321"), "staff see the private data");
}

async fn take_next_always_gives_the_oldest_and_release_and_reopen_keep_the_place(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let store = app.store().clone();
    let (_, customer) = app.customer("fifo@example.it", "Fifo").await;
    let (_, agent) = staff(&app, "a1@example.it", "Agente Uno", Role::Agent).await;
    // Arrivals out of id order: the arrival time decides, then the id.
    let late = store.submit_request(new_request(customer.id, 0), None, 5_000).await.unwrap();
    let first = store.submit_request(new_request(customer.id, 1), None, 1_000).await.unwrap();
    let tie_a = store.submit_request(new_request(customer.id, 2), None, 3_000).await.unwrap();
    let tie_b = store.submit_request(new_request(customer.id, 3), None, 3_000).await.unwrap();
    let queue: Vec<RequestId> = store.queue(None, 10).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(queue, [first, tie_a, tie_b, late]);

    let taken = store.take_next(agent.id, no_email(), 6_000).await.unwrap().unwrap();
    assert_eq!((taken.id, taken.status, taken.holder_id), (first, Status::InCharge, Some(agent.id)));
    let second = store.take_next(agent.id, no_email(), 6_001).await.unwrap().unwrap();
    assert_eq!(second.id, tie_a);

    // Released: back at its original place, ahead of everything that arrived later.
    let actor = Actor::Staff { role: Role::Agent, holder: true };
    let mv = Move { action: Action::Release, message: None, new_holder: None, files: Vec::new() };
    let r = store.request_by_id(first).await.unwrap().unwrap();
    app::services::requests::apply(&app.state.portal(), &r, By { actor, user: Some(&agent) }, mv, None).await.unwrap();
    assert_eq!(store.take_next(agent.id, no_email(), 6_002).await.unwrap().unwrap().id, first);

    // Given an outcome, then reopened: again ahead of the later arrivals.
    for action in [Action::SetOutcome(Outcome::Solved), Action::Reopen] {
        let r = store.request_by_id(first).await.unwrap().unwrap();
        let (who, actor) = if action == Action::Reopen {
            (&customer, Actor::Customer { owner: true })
        } else {
            (&agent, Actor::Staff { role: Role::Agent, holder: true })
        };
        let mv = Move { action, message: Some("ok".into()), new_holder: None, files: Vec::new() };
        app::services::requests::apply(&app.state.portal(), &r, By { actor, user: Some(who) }, mv, None).await.unwrap();
    }
    let order: Vec<RequestId> = store.queue(None, 10).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(order, [first, tie_b, late]);
    let ids: Vec<RequestId> = [
        store.take_next(agent.id, no_email(), 7_000).await.unwrap().unwrap().id,
        store.take_next(agent.id, no_email(), 7_001).await.unwrap().unwrap().id,
        store.take_next(agent.id, no_email(), 7_002).await.unwrap().unwrap().id,
    ]
    .into();
    assert_eq!(ids, [first, tie_b, late]);
    assert!(store.take_next(agent.id, no_email(), 7_003).await.unwrap().is_none(), "empty queue");
}

async fn many_concurrent_takers_take_every_request_exactly_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let store = app.store().clone();
    let (_, customer) = app.customer("busy@example.it", "Busy").await;
    let (_, agent) = staff(&app, "a2@example.it", "Agente Due", Role::Agent).await;
    let ids = seed(&store, customer.id, 200, 1_000).await;
    let mut tasks = Vec::new();
    for t in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(r) = store.take_next(agent.id, no_email(), 10_000 + t).await.expect("take next") {
                mine.push(r.id);
            }
            mine
        }));
    }
    let mut taken = Vec::new();
    for t in tasks {
        taken.extend(t.await.unwrap());
    }
    let unique: HashSet<RequestId> = taken.iter().copied().collect();
    assert_eq!(taken.len(), 200, "every request taken once, none twice");
    assert_eq!(unique, ids.iter().copied().collect::<HashSet<_>>(), "none lost");
    // Each has exactly one `taken` event.
    for id in ids.iter().step_by(37) {
        let events = store.request_events(*id, true).await.unwrap();
        assert_eq!(events.iter().filter(|e| e.kind.code() == "taken").count(), 1);
    }
}

async fn internal_notes_never_reach_the_customer(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (customer, _) = app.customer("privacy@example.it", "Privata").await;
    let (agent, _) = staff(&app, "a3@example.it", "Agente Tre", Role::Agent).await;
    let fields = [
        ("category", "billing"),
        ("subject", "Addebito non riconosciuto"),
        ("description", "Mi è stato addebitato un servizio che non ho mai attivato."),
        ("line_number", "333 765 4321"),
        ("contact", "email"),
        ("reported_on", "twitter"),
        ("public_handle", ""),
        ("consent", "yes"),
    ];
    let res = app.post_form_as(&customer, "/api/requests/submit", "/assistenza/nuova", &fields).await;
    let code = location(&res).trim_start_matches("/assistenza/richieste/").trim_end_matches("?nuova=1").to_string();
    let res = app.post_form_as(&agent, "/api/staff/take-next", "/admin", &[]).await;
    assert_eq!(location(&res), format!("/admin/richieste/{code}"));
    let (_, html) = app.get_as(&agent, &format!("/admin/richieste/{code}")).await;
    let version = |html: &str| {
        html.split("name=\"version\" value=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or("").to_string()
    };
    let v = version(&html);
    const NOTE: &str = "NOTA-RISERVATA-9182 il cliente ha già chiamato tre volte";
    let res = app
        .post_form_as(
            &agent,
            "/api/staff/case-action",
            "/admin",
            &[("reference", &code), ("version", &v), ("action", "note"), ("message", NOTE)],
        )
        .await;
    assert_eq!(location(&res), format!("/admin/richieste/{code}"));
    let (_, html) = app.get_as(&agent, &format!("/admin/richieste/{code}")).await;
    assert!(html.contains(NOTE), "staff see the note");
    let v = version(&html);
    app.post_form_as(
        &agent,
        "/api/staff/case-action",
        "/admin",
        &[("reference", &code), ("version", &v), ("action", "reply"), ("message", "Verifichiamo subito.")],
    )
    .await;

    let (_, page) = app.get_as(&customer, &format!("/assistenza/richieste/{code}")).await;
    assert!(page.contains("Verifichiamo subito.") && !page.contains("NOTA-RISERVATA"), "page");
    for (endpoint, fields) in [
        ("/api/requests/get", vec![("reference", code.as_str())]),
        ("/api/requests/mine", vec![]),
        ("/api/requests/pulse", vec![]),
        ("/api/me", vec![]),
    ] {
        let (_, body) = call(&app, &customer, endpoint, &fields).await;
        assert!(!body.contains("NOTA-RISERVATA"), "{endpoint}: {body}");
    }
    let emails = app.db.emails_to("privacy@example.it").await;
    assert!(emails.len() >= 3, "received, taken, message");
    assert!(emails.iter().all(|e| !e.body_text.contains("NOTA-RISERVATA")
        && !e.body_html.contains("NOTA-RISERVATA")
        && !e.subject.contains("NOTA")));
}

async fn two_staff_acting_on_the_same_version_cannot_both_win(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, customer) = app.customer("race@example.it", "Race").await;
    let (agent, agent_user) = staff(&app, "a4@example.it", "Agente Quattro", Role::Agent).await;
    let (admin, _) = staff(&app, "boss@example.it", "Capo", Role::Admin).await;
    let id = seed(app.store(), customer.id, 1, 1_000).await[0];
    app.store().take_next(agent_user.id, no_email(), 2_000).await.unwrap();
    let code = reference(id);
    let version = app.store().request_by_id(id).await.unwrap().unwrap().version.to_string();
    // Both saw the same version: the agent gives the outcome, the admin releases it.
    let outcome = [
        ("reference", code.as_str()),
        ("version", &version),
        ("action", "outcome"),
        ("outcome", "solved"),
        ("message", "Fatto"),
    ];
    let release = [("reference", code.as_str()), ("version", &version), ("action", "release")];
    let (a, b) = tokio::join!(
        call(&app, &agent, "/api/staff/case-action", &outcome),
        call(&app, &admin, "/api/staff/case-action", &release),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one wins, the other is told: {a:?} {b:?}");
    let loser = if a.0 == 409 { a.1 } else { b.1 };
    assert_eq!(serde_json::from_str::<AppError>(&loser).unwrap(), AppError::Conflict);
    let events = app.store().request_events(id, true).await.unwrap();
    assert_eq!(events.len(), 3, "received, taken, and one winner");
}

async fn admins_manage_staff_and_a_deactivated_account_is_out_at_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, admin_user) = staff(&app, "chief@example.it", "Chief", Role::Admin).await;
    let res = app
        .post_form_as(
            &admin,
            "/api/staff/create",
            "/admin/staff",
            &[("email", "Nuova@Example.it"), ("display_name", "Nuova Agente"), ("role", "agent")],
        )
        .await;
    assert_eq!(location(&res), "/admin/staff?creato=1");
    // The same address again: refused, next to the field.
    let res = app
        .post_form_as(
            &admin,
            "/api/staff/create",
            "/admin/staff",
            &[("email", "nuova@example.it"), ("display_name", "Doppia"), ("role", "agent")],
        )
        .await;
    assert_eq!(form_error(&res).and_then(|e| e.field_code("email").map(str::to_string)), Some("email_taken".into()));

    let invite = app.db.emails_to("nuova@example.it").await.into_iter().find(|e| e.kind == "staff_invite").unwrap();
    let start = invite.body_text.find("token=").unwrap() + 6;
    let token: String = invite.body_text[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    let agent = app.new_client();
    // No password yet: nobody can log in.
    let res = app.log_in_as(&agent, "nuova@example.it", "!").await;
    assert_eq!(form_error(&res), Some(AppError::InvalidCredentials));
    let fresh = "saffron-glacier-piano-31";
    let res = app
        .post_form_as(
            &agent,
            "/api/reset-password",
            "/reimposta-password",
            &[("token", &token), ("password", fresh), ("password_confirm", fresh)],
        )
        .await;
    assert_eq!(location(&res), "/accedi?reimpostata=1");
    let res = app.log_in_as(&agent, "nuova@example.it", fresh).await;
    assert_eq!(location(&res), "/admin", "staff land on the queue");
    let (status, _) = call(&app, &agent, "/api/staff/queue", &[]).await;
    assert_eq!(status, 200, "the new agent works the queue");
    let (status, _) = call(&app, &agent, "/api/staff/list", &[]).await;
    assert_eq!(status, 403, "but is no admin");
    // Two requests in the new agent's hands, a third waiting behind them (the oldest of the test).
    let (_, held_by) = app.customer("held@example.it", "Held").await;
    let held = seed(app.store(), held_by.id, 3, 1).await;
    for _ in 0..2 {
        let (status, body) = call(&app, &agent, "/api/staff/take-next", &[]).await;
        assert_eq!(status, 200, "{body}");
    }
    for id in &held[..2] {
        let r = app.store().request_by_id(*id).await.unwrap().unwrap();
        assert_eq!(r.status, Status::InCharge, "taken by the new agent");
    }

    let member = app.store().user_by_email(&Email::parse("nuova@example.it").unwrap()).await.unwrap().unwrap();
    let (_, html) = app.get_as(&admin, "/admin/staff").await;
    assert!(html.contains("Sì, disattiva"), "deactivating is asked twice");
    let res = app
        .post_form_as(
            &admin,
            "/api/staff/active",
            "/admin/staff",
            &[("user", &member.id.to_string()), ("active", "no")],
        )
        .await;
    assert_eq!(location(&res), "/admin/staff");
    assert_eq!(app.me_via(&agent).await, None, "the deactivated account's session ended");
    let (status, _) = call(&app, &agent, "/api/staff/queue", &[]).await;
    assert_eq!(status, 401);
    let res = app.log_in_as(&agent, "nuova@example.it", fresh).await;
    assert!(form_error(&res).is_some(), "and it cannot log in again");
    // Their cases went back to the queue at their places (#21.2): the next take gives the oldest first.
    for id in &held[..2] {
        let r = app.store().request_by_id(*id).await.unwrap().unwrap();
        assert_eq!((r.status, r.holder_id), (Status::Received, None), "back in the queue");
    }
    let (status, body) = call(&app, &admin, "/api/staff/take-next", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Option<String>>(&body).unwrap(), Some(reference(held[0])));
    // An admin cannot lock themselves out.
    let (status, _) =
        call(&app, &admin, "/api/staff/active", &[("user", &admin_user.id.to_string()), ("active", "no")]).await;
    assert_eq!(status, 403);
    let (_, html) = app.get_as(&admin, "/admin/staff").await;
    assert!(html.contains("Nuova Agente") && html.contains("Disattivato"));
    let log = app.store().audit_log(None, Some(admin_user.id), None, false, 50).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|a| a.action.code()).collect();
    assert!(actions.contains(&"staff_created") && actions.contains(&"deactivated"), "{actions:?}");
}

async fn a_warned_then_blocked_customer_keeps_their_requests_handled(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (customer, customer_user) = app.customer("rude@example.it", "Rude").await;
    let (agent, agent_user) = staff(&app, "a5@example.it", "Agente Cinque", Role::Agent).await;
    let (admin, _) = staff(&app, "boss2@example.it", "Capo Due", Role::Admin).await;
    let id = seed(app.store(), customer_user.id, 1, 1_000).await[0];
    let code = reference(id);
    let version = app.store().request_by_id(id).await.unwrap().unwrap().version.to_string();
    let (status, _) = call(
        &app,
        &agent,
        "/api/staff/case-action",
        &[("reference", &code), ("version", &version), ("action", "warn"), ("message", "Per favore, toni cortesi.")],
    )
    .await;
    assert_eq!(status, 200);
    let (_, page) = app.get_as(&customer, &format!("/assistenza/richieste/{code}")).await;
    assert!(page.contains("Per favore, toni cortesi."));
    // Only admins block.
    let (status, _) = call(&app, &agent, "/api/staff/block", &[("reference", &code), ("block", "yes")]).await;
    assert_eq!(status, 403);
    let (status, _) = call(&app, &admin, "/api/staff/block", &[("reference", &code), ("block", "yes")]).await;
    assert_eq!(status, 200);
    assert_eq!(app.me_via(&customer).await, None, "logged out at once");
    let res = app.log_in_as(&customer, "rude@example.it", "violet-otter-canyon-42").await;
    // #14: the right password of a blocked account answers like a wrong one; the owner learns why by email.
    assert_eq!(form_error(&res), Some(AppError::InvalidCredentials));
    let wrong = app.log_in_as(&customer, "rude@example.it", "wrong-wrong-1").await;
    assert_eq!(form_error(&wrong), Some(AppError::InvalidCredentials));
    let told = app.db.emails_to("rude@example.it").await;
    let told: Vec<_> = told.iter().filter(|e| e.kind == "account_closed").collect();
    assert_eq!(told.len(), 1, "one email, for the right password only");
    assert!(told[0].body_text.contains("bloccato"), "{}", told[0].body_text);
    // The request is still in the queue and handled.
    let taken = app.store().take_next(agent_user.id, no_email(), 5_000).await.unwrap().unwrap();
    assert_eq!(taken.id, id);
}

async fn opening_a_case_is_audited_and_the_dashboard_shows_the_work(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (customer, customer_user) = app.customer("dash@example.it", "Dash").await;
    let (agent, agent_user) = staff(&app, "a6@example.it", "Agente Sei", Role::Agent).await;
    let (admin, _) = staff(&app, "boss3@example.it", "Capo Tre", Role::Admin).await;
    let now = app::clock::now_ms();
    let ids = seed(app.store(), customer_user.id, 3, now - 60_000).await;
    app.store().take_next(agent_user.id, no_email(), now).await.unwrap();
    let code = reference(ids[0]);
    app.get_as(&agent, &format!("/admin/richieste/{code}")).await;
    let log = app.store().audit_log(Some(ids[0]), None, None, false, 10).await.unwrap();
    assert_eq!(log[0].action.code(), "opened");
    assert_eq!(log[0].actor_id, Some(agent_user.id));
    assert!(log.iter().any(|a| a.action.code() == "taken"), "transitions are audited too");
    // The page names each action in the reader's language, never by its stored code.
    let (_, html) = app.get_as(&admin, &format!("/admin/audit?codice={code}")).await;
    assert!(
        html.contains("Caso consultato") && html.contains("Presa in carico") && html.contains("Agente Sei"),
        "{html}"
    );
    assert!(!html.contains(">opened<") && !html.contains(">taken<"), "no raw codes on the page");
    // Page openings can be left out (#21.3): the transitions stay.
    let (_, html) = app.get_as(&admin, &format!("/admin/audit?codice={code}&nascondi_consultazioni=1")).await;
    assert!(!html.contains("Caso consultato") && html.contains("Presa in carico"), "{html}");
    let log = app.store().audit_log(Some(ids[0]), None, None, true, 10).await.unwrap();
    assert!(!log.is_empty() && log.iter().all(|a| a.action.code() != "opened"), "{log:?}");
    // And in English for an admin who reads English.
    let english = admin.get(app.url(&format!("/admin/audit?codice={code}"))).header("Accept-Language", "en");
    let html = english.send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Case opened") && html.contains("Taken in charge"), "{html}");

    let (status, html) = app.get_as(&admin, "/admin/dashboard").await;
    assert_eq!(status, 200);
    assert!(html.contains("<svg") && html.contains("Richieste ricevute al giorno"), "{html}");
    assert!(html.contains("Agente Sei"), "open cases per agent");
    let (_, body) = call(&app, &admin, "/api/staff/dashboard", &[]).await;
    let d: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(d["take_30"]["count"], 1);
    assert!(d["take_30"]["p50"].as_i64().unwrap() >= 60_000, "time to take in charge: {}", d["take_30"]);
    let counts = d["counts"].as_array().unwrap();
    assert!(
        counts.contains(&serde_json::json!(["received", 2])) && counts.contains(&serde_json::json!(["in_charge", 1])),
        "{counts:?}"
    );
    let _ = customer;
}

/// #21.6: a link from an email survives the login, for staff as for customers; without one, customers
/// land on their requests and staff on the queue.
async fn a_link_from_an_email_survives_the_login(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, customer_user) = app.customer("link@example.it", "Cliente").await;
    app.staff("pool-link@example.it", "Agente", Role::Agent).await;
    let id = app.store().submit_request(new_request(customer_user.id, 0), None, 10).await.unwrap();
    let code = reference(id);
    for (page, email, password) in [
        (format!("/admin/richieste/{code}"), "pool-link@example.it", STAFF_PASSWORD),
        (format!("/assistenza/richieste/{code}"), "link@example.it", "violet-otter-canyon-42"),
    ] {
        let browser = app.new_client();
        let (_, html) = app.get_as(&browser, &page).await;
        let login = format!("/accedi?next={page}");
        assert!(html.contains(&login), "{page} asks to log in and keeps the place");
        let fields = [("email", email), ("password", password), ("next", page.as_str())];
        let res = app.post_form_as(&browser, "/api/login", &login, &fields).await;
        assert_eq!(location(&res), page, "back on the linked page");
        let (status, html) = app.get_as(&browser, &page).await;
        assert_eq!(status, 200);
        assert!(html.contains(&code));
    }
    // Without a link: where each comes to work.
    let res = app.log_in_as(&app.new_client(), "pool-link@example.it", STAFF_PASSWORD).await;
    assert_eq!(location(&res), "/admin");
    let res = app.log_in_as(&app.new_client(), "link@example.it", "violet-otter-canyon-42").await;
    assert_eq!(location(&res), "/assistenza/richieste");
}

/// #21.2: a refused action shows its error on the form that was sent, not on every message box of the
/// case page; and no outcome is chosen for the agent.
async fn a_refused_action_marks_only_its_own_form_and_the_outcome_is_never_defaulted(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, customer_user) = app.customer("form@example.it", "Cliente").await;
    let (agent, _) = staff(&app, "pool-form@example.it", "Agente", Role::Agent).await;
    app.store().submit_request(new_request(customer_user.id, 0), None, 10).await.unwrap();
    let (status, body) = call(&app, &agent, "/api/staff/take-next", &[]).await;
    assert_eq!(status, 200, "{body}");
    let code: String = serde_json::from_str::<Option<String>>(&body).unwrap().expect("taken");
    let page = format!("/admin/richieste/{code}");
    let (_, html) = app.get_as(&agent, &page).await;
    assert!(html.contains(r#"<option value="" selected"#), "the outcome starts unchosen");
    let version = html.split(r#"name="version" value=""#).nth(1).unwrap().split('"').next().unwrap().to_string();
    for (action, outcome, field, code_) in [
        ("outcome", "solved", "outcome_message", "required"),
        ("outcome", "", "outcome", "required"),
        ("note", "", "note_message", "required"),
    ] {
        let fields = [
            ("reference", code.as_str()),
            ("version", &version),
            ("action", action),
            ("outcome", outcome),
            ("message", if field == "outcome" { "Fatto." } else { "" }),
        ];
        let res = app.post_form_as(&agent, "/api/staff/case-action", &page, &fields).await;
        let error = form_error(&res).expect("refused");
        assert_eq!(error.field_code(field), Some(code_), "{action}: {error:?}");
        assert_eq!(error.field_code("message"), None, "named after its form");
        let back = location(&res);
        let back = back.strip_prefix(&app.url("")).unwrap_or(&back).to_string();
        let (_, html) = app.get_as(&agent, &back).await;
        assert_eq!(html.matches("field invalid").count(), 1, "{action} ({field}): one box marked\n{html}");
    }
    // The state in the agent's words (#21.3): after a question, the case waits for the customer.
    let fields =
        [("reference", code.as_str()), ("version", &version), ("action", "ask"), ("message", "Il numero SIM?")];
    let res = app.post_form_as(&agent, "/api/staff/case-action", &page, &fields).await;
    assert_eq!(form_error(&res), None);
    for path in [page.as_str(), "/admin/casi"] {
        let (_, html) = app.get_as(&agent, path).await;
        assert!(html.contains("In attesa del cliente"), "{path}");
        assert!(!html.contains("In attesa di una tua risposta"), "{path} speaks to the customer");
    }
    // Putting a case back in the queue is asked twice, without JavaScript too (a disclosure).
    let (_, html) = app.get_as(&agent, &page).await;
    let confirm =
        html.split(r#"<details class="confirm">"#).nth(1).expect("a confirmation").split("</details>").next().unwrap();
    assert!(confirm.contains("Sì, rimetti in coda") && confirm.contains(r#"value="release""#), "{confirm}");
}

/// #21.3: "My cases" marks the cases whose customer spoke last and lists them first.
async fn my_cases_put_new_customer_replies_first(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (customer, customer_user) = app.customer("replies@example.it", "Cliente").await;
    let (agent, _) = staff(&app, "pool-replies@example.it", "Agente", Role::Agent).await;
    let ids = seed(app.store(), customer_user.id, 2, 1).await;
    for _ in 0..2 {
        let (status, body) = call(&app, &agent, "/api/staff/take-next", &[]).await;
        assert_eq!(status, 200, "{body}");
    }
    let mine = |app: &TestApp, agent: &reqwest::Client| {
        let (app, agent) = (app.url("/api/staff/my-cases"), agent.clone());
        async move {
            let res = agent.post(app).send().await.unwrap();
            let lines: Vec<serde_json::Value> = res.json().await.unwrap();
            lines.iter().map(|l| (l["id"].as_i64().unwrap(), l["new_reply"].as_bool().unwrap())).collect::<Vec<_>>()
        }
    };
    assert_eq!(mine(&app, &agent).await, vec![(ids[0], false), (ids[1], false)], "arrival order, nothing new");
    // The agent asks on the later case, the customer answers: it comes first, marked.
    let later = reference(ids[1]);
    let r = app.store().request_by_id(ids[1]).await.unwrap().unwrap();
    let fields = [
        ("reference", later.as_str()),
        ("version", &r.version.to_string()),
        ("action", "ask"),
        ("message", "Quale SIM?"),
    ];
    let (status, body) = call(&app, &agent, "/api/staff/case-action", &fields).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(mine(&app, &agent).await, vec![(ids[0], false), (ids[1], false)], "the agent spoke last");
    let (status, body) =
        call(&app, &customer, "/api/requests/reply", &[("reference", &later), ("message", "La seconda")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(mine(&app, &agent).await, vec![(ids[1], true), (ids[0], false)], "the new reply first");
    let (_, html) = app.get_as(&agent, "/admin/casi").await;
    assert_eq!(html.matches("Nuova risposta").count(), 1, "marked on the page");
    // A note does not answer the customer; a reply does.
    let r = app.store().request_by_id(ids[1]).await.unwrap().unwrap();
    let fields = [
        ("reference", later.as_str()),
        ("version", &r.version.to_string()),
        ("action", "note"),
        ("message", "Verifico"),
    ];
    assert_eq!(call(&app, &agent, "/api/staff/case-action", &fields).await.0, 200);
    assert_eq!(mine(&app, &agent).await[0], (ids[1], true), "still waiting after a note");
    let r = app.store().request_by_id(ids[1]).await.unwrap().unwrap();
    let fields =
        [("reference", later.as_str()), ("version", &r.version.to_string()), ("action", "reply"), ("message", "Fatto")];
    assert_eq!(call(&app, &agent, "/api/staff/case-action", &fields).await.0, 200);
    assert_eq!(mine(&app, &agent).await, vec![(ids[0], false), (ids[1], false)], "answered");
    // The case page reads like a chat: the team's side and the customer's side (#21.3).
    let (_, html) = app.get_as(&agent, &format!("/admin/richieste/{later}")).await;
    assert!(html.contains(r#"class="event event-customer_reply from-customer""#), "{html}");
    assert!(
        html.contains(r#"class="event event-ask pool from-us""#)
            && html.contains(r#"class="event event-message pool from-us""#)
    );
}

/// #21.4: staff find a request by the customer's name, the public handle, or words of its text, alone or
/// with the other parts; `%` and `_` are plain characters; too short a text says why.
async fn search_finds_by_name_handle_and_words(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (agent, _) = staff(&app, "agente@example.it", "Agente", Role::Agent).await;
    let (fan, giulia) = app.customer("giulia@example.it", "Giulia Ferraresi").await;
    let (_, other) = app.customer("paolo@example.it", "Paolo Neri").await;
    let mut mine = new_request(giulia.id, 0);
    mine.subject = Subject::parse("Roaming 5G non attivo").unwrap();
    mine.public_handle = Some(PublicHandle::parse("@giulia_fe").unwrap());
    let mine = app.store().submit_request(mine, None, 1).await.unwrap();
    let theirs = app.store().submit_request(new_request(other.id, 1), None, 2).await.unwrap();
    let found = |text: &'static str, status: &'static str| {
        let (app, agent) = (&app, agent.clone());
        async move {
            let fields = [("reference", ""), ("email", ""), ("line_number", ""), ("status", status), ("text", text)];
            let (code, body) = app.call(&agent, "/api/staff/search", &fields).await;
            assert_eq!(code, 200, "{text}: {body}");
            let page: serde_json::Value = serde_json::from_str(&body).unwrap();
            page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect::<Vec<_>>()
        }
    };
    assert_eq!(found("ferrar", "").await, vec![mine], "part of the name, any case");
    assert_eq!(found("@GIULIA_FE", "").await, vec![mine], "the handle");
    assert_eq!(found("roaming 5g", "").await, vec![mine], "words of the subject");
    assert_eq!(found("abbastanza lunga", "").await, vec![theirs, mine], "words of the description");
    assert_eq!(found("roaming", "closed").await, Vec::<i64>::new(), "with the other parts");
    assert_eq!(found("100%", "").await, Vec::<i64>::new(), "a percent sign is a percent sign");
    let fields = [("reference", ""), ("email", ""), ("line_number", ""), ("status", ""), ("text", "x")];
    let (code, body) = app.call(&agent, "/api/staff/search", &fields).await;
    assert!(code == 422 && body.contains("text"), "{body}");
    let (_, page) = app.get_as(&agent, "/admin/cerca?testo=Ferraresi").await;
    assert!(page.contains(&reference(mine)) && !page.contains(&reference(theirs)));
    // Customers find nothing here.
    assert_eq!(app.call(&fan, "/api/staff/search", &fields).await.0, 404);
}

on_both_databases!(
    search_finds_by_name_handle_and_words,
    my_cases_put_new_customer_replies_first,
    a_refused_action_marks_only_its_own_form_and_the_outcome_is_never_defaulted,
    a_link_from_an_email_survives_the_login,
    every_staff_function_checks_who_calls_it,
    take_next_always_gives_the_oldest_and_release_and_reopen_keep_the_place,
    many_concurrent_takers_take_every_request_exactly_once,
    internal_notes_never_reach_the_customer,
    two_staff_acting_on_the_same_version_cannot_both_win,
    admins_manage_staff_and_a_deactivated_account_is_out_at_once,
    a_warned_then_blocked_customer_keeps_their_requests_handled,
    opening_a_case_is_audited_and_the_dashboard_shows_the_work,
);

/// Two server processes on one PostgreSQL database: the first admin comes from `create-admin`, a session
/// made on one is valid on the other, a request submitted through one is taken through the other, and
/// agents on either server take from one queue without taking anything twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_server_processes_share_one_queue_on_postgres() {
    let Some(db) = TestDb::postgres().await else { return };
    let bin = env!("CARGO_BIN_EXE_server");
    let mut admin_cmd = tokio::process::Command::new(bin);
    admin_cmd
        .args(["--database-url", &db.url, "create-admin", "--email", "first@example.it", "--name", "Prima Admin"])
        .stdin(std::process::Stdio::piped());
    let mut child = admin_cmd.spawn().expect("create-admin");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(format!("{STAFF_PASSWORD}\n").as_bytes()).await.unwrap();
    }
    assert!(child.wait().await.unwrap().success(), "create-admin succeeded");

    let mut servers = Vec::new();
    let mut urls = Vec::new();
    let mail = tempfile::tempdir().unwrap();
    let mail_dir = mail.path().display().to_string();
    for _ in 0..2 {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = tokio::process::Command::new(bin)
            .args(["--database-url", &db.url, "--bind", &format!("127.0.0.1:{port}"), "--db-max-connections", "8"])
            .args(["--mail-dir", &mail_dir])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("server process");
        servers.push(child);
        urls.push(format!("http://127.0.0.1:{port}"));
    }
    let plain = reqwest::Client::new();
    for url in &urls {
        let mut ready = false;
        for _ in 0..200 {
            if plain.get(format!("{url}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
                ready = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(ready, "{url} did not start");
    }
    // Log in on server 1; the same session works on server 2.
    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = browser
        .post(format!("{}/api/login", urls[0]))
        .header("Accept", "text/html")
        .form(&[("email", "first@example.it"), ("password", STAFF_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/admin");
    let me: serde_json::Value = browser.post(format!("{}/api/me", urls[1])).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["role"], "admin", "the session is valid on the other server");

    let cli = <server::config::Cli as clap::Parser>::try_parse_from(["server", "--database-url", &db.url]).unwrap();
    let store = server::db::connect(&cli.config).await.unwrap().store;

    // A customer registers on server 2, confirms through server 1, logs in on server 2 and submits there;
    // the admin takes it through server 1; the customer sees it taken in charge on server 2.
    const CUSTOMER_PASSWORD: &str = "violet-otter-canyon-42";
    let customer =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res = customer
        .post(format!("{}/api/register", urls[1]))
        .header("Accept", "text/html")
        .form(&[
            ("display_name", "Cliente Due Server"),
            ("email", "cliente@example.it"),
            ("password", CUSTOMER_PASSWORD),
            ("password_confirm", CUSTOMER_PASSWORD),
            ("line_number", "333 765 4321"),
            ("accept_privacy", "yes"),
            ("accept_conduct", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/registrati/controlla");
    let emails = db.emails_to("cliente@example.it").await;
    let body = &emails.iter().find(|e| e.kind == "confirm_email").expect("confirmation email").body_text;
    let token = body.split("/conferma/").nth(1).and_then(|t| t.split_whitespace().next()).expect("link");
    let res = customer.get(format!("{}/conferma/{token}", urls[0])).send().await.unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/accedi?confermato=1");
    let res = customer
        .post(format!("{}/api/login", urls[1]))
        .header("Accept", "text/html")
        .form(&[("email", "cliente@example.it"), ("password", CUSTOMER_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers().get("location").unwrap(), "/assistenza/richieste");
    let res = customer
        .post(format!("{}/api/requests/submit", urls[1]))
        .multipart(common::multipart_of(&[
            ("category", "billing"),
            ("subject", "Ricarica mai arrivata"),
            ("description", "La ricarica di ieri non risulta accreditata sul numero."),
            ("line_number", "333 765 4321"),
            ("contact", "portal"),
            ("reported_on", "none"),
            ("public_handle", ""),
            ("consent", "on"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "submitted through server 2");
    let reference: String = res.json().await.unwrap();
    let res = browser.post(format!("{}/api/staff/take-next", urls[0])).send().await.unwrap();
    let taken: Option<String> = res.json().await.unwrap();
    assert_eq!(taken.as_deref(), Some(reference.as_str()), "taken through server 1");
    let view: serde_json::Value = customer
        .post(format!("{}/api/requests/get", urls[1]))
        .form(&[("reference", reference.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "in_charge", "the customer sees it taken, on server 2: {view}");

    // 120 requests stored through the ports, then 8 takers per server at once.
    let admin_id = store.user_by_email(&Email::parse("first@example.it").unwrap()).await.unwrap().unwrap().id;
    let ids = seed(&store, admin_id, 120, 1_000).await;
    let browser = Arc::new(browser);
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (browser, url) = (browser.clone(), urls[t % 2].clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let res = browser.post(format!("{url}/api/staff/take-next")).send().await.expect("take next");
                let status = res.status().as_u16();
                let taken: Option<String> = if status == 302 {
                    res.headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .and_then(|l| l.strip_prefix("/admin/richieste/"))
                        .map(str::to_string)
                } else {
                    res.json().await.expect("JSON")
                };
                match taken {
                    Some(code) => mine.push(parse_reference(&code).expect("a reference")),
                    None => break,
                }
            }
            mine
        }));
    }
    let mut taken = Vec::new();
    for t in tasks {
        taken.extend(t.await.unwrap());
    }
    let unique: HashSet<RequestId> = taken.iter().copied().collect();
    assert_eq!(taken.len(), 120, "taken exactly once each across both servers");
    assert_eq!(unique, ids.into_iter().collect::<HashSet<_>>());
    drop(servers);
}

/// Benchmark (not a pass/fail timing): "take next" latency with 10,000 requests waiting, on each backend.
/// `cargo nextest run -p server --run-ignored only -E 'test(take_next_latency)' --no-capture`
async fn take_next_latency_with_ten_thousand_waiting(db: TestDb) {
    let backend = db.backend;
    let app = TestApp::spawn(db).await;
    let store = app.store().clone();
    let (_, customer) = app.customer("bench@example.it", "Bench").await;
    let (_, agent) = staff(&app, "bench-agent@example.it", "Bench Agent", Role::Agent).await;
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for part in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { seed(&store, customer.id, 1_250, 1_000 + part * 10_000).await }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let seeded = started.elapsed();
    let mut times = Vec::new();
    for i in 0..300 {
        let t = std::time::Instant::now();
        store.take_next(agent.id, no_email(), 10_000_000 + i).await.unwrap().expect("a request");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p = |q: f64| times[((q / 100.0) * times.len() as f64).ceil() as usize - 1];
    println!(
        "BENCH take_next {backend}: 10,000 waiting (seeded in {:.1} s); 300 takes p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        seeded.as_secs_f64(),
        p(50.0),
        p(95.0),
        times[times.len() - 1]
    );
}

mod bench {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "benchmark: run with --run-ignored"]
    async fn take_next_latency_sqlite() {
        super::take_next_latency_with_ten_thousand_waiting(super::TestDb::sqlite().await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "benchmark: run with --run-ignored"]
    async fn take_next_latency_postgres() {
        if let Some(db) = super::TestDb::postgres().await {
            super::take_next_latency_with_ten_thousand_waiting(db).await;
        }
    }
}
