//! Service incidents (#17) through the real router and database: who may open and update them, the
//! status page with its history, the banner on every page (closable for the visit), the wall's notice and
//! the Atom feed. On both databases.

mod common;

use app::domain::request::{EventKind, Outcome, Role, Status, parse_reference};
use common::{TestApp, TestDb, location};

fn incident<'a>(title: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("description", description),
        ("places", "Napoli, Caserta"),
        ("status", "investigating"),
        ("started", ""),
        ("t_coverage", "yes"),
        ("t_internet", "yes"),
    ]
}

const TITLE: &str = "Rete mobile assente in Campania";
const DESCRIPTION: &str = "Da questa mattina la rete mobile non funziona in alcune zone della Campania.";

async fn every_incident_function_checks_who_calls_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, admin_user) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let (editor, editor_user) = app.staff("editor@example.it", "Editor", Role::Agent).await;
    app.store().set_editor(editor_user.id, true, admin_user.id, 3).await.unwrap();
    let (fan, _) = app.customer("fan@example.it", "Fan").await;
    let visitor = app.new_client();
    let form = incident(TITLE, DESCRIPTION);

    assert_eq!(app.call(&visitor, "/api/incidents/open-new", &form).await.0, 401, "visitors log in");
    assert_eq!(app.call(&fan, "/api/incidents/open-new", &form).await.0, 404, "customers find nothing");
    assert_eq!(app.call(&agent, "/api/incidents/open-new", &form).await.0, 403, "agents may not");
    let (status, body) = app.call(&editor, "/api/incidents/open-new", &form).await;
    assert_eq!(status, 200, "editors may: {body}");
    let id: i64 = serde_json::from_str(&body).unwrap();
    let (status, _) =
        app.call(&admin, "/api/incidents/open-new", &incident("Internet lento a Roma", DESCRIPTION)).await;
    assert_eq!(status, 200, "admins may");

    let id_s = id.to_string();
    let update = [("id", id_s.as_str()), ("status", "identified"), ("body", "Abbiamo trovato il guasto a un'antenna.")];
    assert_eq!(app.call(&visitor, "/api/incidents/update", &update).await.0, 401);
    assert_eq!(app.call(&fan, "/api/incidents/update", &update).await.0, 404);
    assert_eq!(app.call(&agent, "/api/incidents/update", &update).await.0, 403);
    assert_eq!(app.call(&editor, "/api/incidents/update", &update).await.0, 200);
    // The request form's known problems are for logged-in accounts; the waiting count for staff.
    assert_eq!(app.call(&visitor, "/api/incidents/known", &[]).await.0, 401);
    let (status, body) = app.call(&fan, "/api/incidents/known", &[]).await;
    assert!(status == 200 && body.contains(TITLE), "{body}");
    assert_eq!(app.call(&visitor, "/api/staff/waiting", &[]).await.0, 401);
    assert_eq!(app.call(&fan, "/api/staff/waiting", &[]).await.0, 404);
    let (status, body) = app.call(&agent, "/api/staff/waiting", &[]).await;
    assert_eq!((status, body.as_str()), (200, "0"), "nobody waits");
    // Reading is for everyone.
    for client in [&visitor, &fan, &agent] {
        assert_eq!(app.call(client, "/api/incidents/status", &[]).await.0, 200);
        assert_eq!(app.call(client, "/api/incidents/get", &[("id", id_s.as_str())]).await.0, 200);
        assert_eq!(app.call(client, "/api/incidents/banner", &[]).await.0, 200);
    }
    let log = app.store().audit_log(None, None, None, true, 10).await.unwrap();
    assert_eq!(log.iter().filter(|l| l.action.code() == "incident_opened").count(), 2);
    assert_eq!(log.iter().filter(|l| l.action.code() == "incident_updated").count(), 1);
}

async fn bad_input_says_why_and_opens_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let mut no_topic = incident(TITLE, DESCRIPTION);
    no_topic.retain(|(k, _)| !k.starts_with("t_"));
    let (status, body) = app.call(&admin, "/api/incidents/open-new", &no_topic).await;
    assert!(status == 422 && body.contains("topics"), "{body}");
    let (status, body) = app.call(&admin, "/api/incidents/open-new", &incident("Ko", "corto")).await;
    assert!(status == 422 && body.contains("title") && body.contains("description"), "{body}");
    let mut future = incident(TITLE, DESCRIPTION);
    future.retain(|(k, _)| *k != "started");
    future.push(("started", "2999-01-01T10:00"));
    assert_eq!(app.call(&admin, "/api/incidents/open-new", &future).await.0, 422, "it cannot start in the future");
    let mut bad_status = incident(TITLE, DESCRIPTION);
    bad_status.retain(|(k, _)| *k != "status");
    bad_status.push(("status", "panic"));
    assert_eq!(app.call(&admin, "/api/incidents/open-new", &bad_status).await.0, 422);
    assert!(app.store().open_incidents().await.unwrap().is_empty(), "nothing opened");
    // Without JavaScript the refused form comes back with what was typed.
    let res = app.post_form_as(&admin, "/api/incidents/open-new", "/stato", &no_topic).await;
    assert_eq!(location(&res), app.url("/stato"), "back to the form, with a clean address");
    let (_, page) = app.get_as(&admin, "/stato").await;
    assert!(page.contains(DESCRIPTION), "the description is kept");
    // Updates: unknown incidents are not found, resolved ones take no more.
    let (editor_status, _) = app
        .call(
            &admin,
            "/api/incidents/update",
            &[("id", "999"), ("status", "monitoring"), ("body", "Aggiornamento lungo abbastanza.")],
        )
        .await;
    assert_eq!(editor_status, 404);
}

async fn an_incident_lives_on_the_status_page_the_banner_and_the_wall_until_resolved(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let (_, home) = app.get_text("/stato").await;
    assert!(home.contains("Tutti i servizi funzionano regolarmente"));

    let res = app.post_form_as(&admin, "/api/incidents/open-new", "/stato", &incident(TITLE, DESCRIPTION)).await;
    let page = location(&res);
    assert!(page.starts_with("/stato/"), "{page}");
    let id = page.trim_start_matches("/stato/").to_string();

    // Everyone, on every page: the banner; the wall pins the notice; the status page and its own page.
    let visitor = app.new_client();
    for path in ["/", "/assistenza", "/info"] {
        let (_, html) = app.get_as(&visitor, path).await;
        assert!(html.contains("incident-banner") && html.contains(TITLE), "{path} shows the banner");
    }
    let (_, wall) = app.get_as(&visitor, "/").await;
    assert!(wall.contains("Avviso di servizio"));
    let (_, status) = app.get_as(&visitor, "/stato").await;
    assert!(status.contains(TITLE) && status.contains("Stiamo verificando") && status.contains("Napoli, Caserta"));
    assert!(!status.contains("Tutti i servizi funzionano"));
    let (code, own) = app.get_as(&visitor, &page).await;
    assert_eq!(code, 200);
    assert!(own.contains(DESCRIPTION) && own.contains("Copertura"), "its description and topics");
    assert!(!own.contains("Nuovo aggiornamento"), "visitors get no update form");

    // Closing the banner lasts the visit (a session cookie), and only for that incident.
    let res = visitor.get(app.url(&format!("/stato/{id}/nascondi?next=/info"))).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/info");
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with(&format!("sc3_hidden_incidents={id};")) && !cookie.contains("Max-Age"), "{cookie}");
    let closed = app.client_with_cookie(cookie.split(';').next().unwrap());
    let (_, html) = app.get_as(&closed, "/info").await;
    assert!(!html.contains("incident-banner"), "closed for this visit");
    let (_, html) = app.get_as(&closed, "/").await;
    assert!(html.contains("Avviso di servizio"), "the wall still says it");
    let res = visitor.get(app.url(&format!("/stato/{id}/nascondi?next=//evil.example"))).send().await.unwrap();
    assert_eq!(location(&res), "/", "never an open redirect");

    // Updates, then resolution: history newest first; off the banner and the wall, into the past.
    let update = |status: &'static str, body: &'static str| {
        [("id", id.clone()), ("status", status.into()), ("body", body.into())]
    };
    for (status, body) in
        [("identified", "Guasto individuato su un ripetitore."), ("resolved", "Tutto risolto, grazie della pazienza.")]
    {
        let fields = update(status, body);
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app.post_form_as(&admin, "/api/incidents/update", &page, &fields).await;
        assert_eq!(location(&res), page);
    }
    let (_, own) = app.get_as(&visitor, &page).await;
    let (resolved, identified, opened) =
        (own.find("Tutto risolto").unwrap(), own.find("Guasto individuato").unwrap(), own.find(DESCRIPTION).unwrap());
    assert!(resolved < identified && identified < opened, "newest first");
    let fields = update("monitoring", "Ancora un aggiornamento dopo la fine.");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(app.call(&admin, "/api/incidents/update", &fields).await.0, 409, "a resolved incident takes no more");
    let (_, html) = app.get_as(&visitor, "/").await;
    assert!(!html.contains("incident-banner") && !html.contains("Avviso di servizio"));
    let (_, status) = app.get_as(&visitor, "/stato").await;
    assert!(
        status.contains("Tutti i servizi funzionano") && status.contains("Problemi passati") && status.contains(TITLE)
    );

    // The feed: every update, as valid Atom.
    let res = app.get("/stato.atom").await;
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let xml = res.text().await.unwrap();
    assert_eq!(xml.matches("<entry>").count(), 3);
    assert!(xml.contains("Tutto risolto") && xml.contains(&format!("http://portal.test/stato/{id}")));
    assert!(xml.starts_with("<?xml") && xml.trim_end().ends_with("</feed>"));
    let (code, _) = app.get_text("/stato/99999").await;
    assert_eq!(code, 404);
    let (code, _) = app.get_text("/stato/abc").await;
    assert_eq!(code, 404);
}

/// Runs every pending fan-out to its end, as the server's timer does; how many requests it reached.
async fn fan_out(app: &TestApp) -> usize {
    let mut reached = 0;
    loop {
        let step = app::services::incidents::fan_out_batch(&app.state.portal(), app::clock::now_ms()).await.unwrap();
        if step == Default::default() {
            return reached;
        }
        reached += step.reached;
    }
}

async fn request_of(app: &TestApp, code: &str) -> app::ports::RequestRecord {
    app.store().request_by_id(parse_reference(code).unwrap()).await.unwrap().unwrap()
}

async fn queue_ids(app: &TestApp) -> Vec<i64> {
    app.store().queue(None, 100).await.unwrap().into_iter().map(|c| c.id).collect()
}

/// #17 end to end through the router: the request form names the known problem (topic step without
/// JavaScript), "I'm affected too" makes one request held by the incident, staff link and unlink, each
/// update reaches every linked request once, the resolution gives the outcome, a reopened request goes
/// back to the queue at its place.
async fn affected_customers_are_held_by_the_incident_and_told_every_update(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (admin, _) = app.staff("admin@example.it", "Admin", Role::Admin).await;
    let (agent, _) = app.staff("agente@example.it", "Agente", Role::Agent).await;
    let (giulia, giulia_user) = app.customer("giulia@example.it", "Giulia").await;
    let (marco, marco_user) = app.customer("marco@example.it", "Marco").await;
    let visitor = app.new_client();
    // Marco wrote a normal request before the incident was opened; so did someone else after him.
    let request = |category: &'static str, subject: &'static str| {
        vec![
            ("category", category),
            ("subject", subject),
            ("description", "Da stamattina non ho campo in casa né per strada, a Napoli centro."),
            ("line_number", "333 765 4321"),
            ("contact", "portal"),
            ("reported_on", "none"),
            ("public_handle", ""),
        ]
    };
    let (status, body) = app.call(&marco, "/api/requests/submit", &request("coverage", "Niente campo a Napoli")).await;
    assert_eq!(status, 200, "{body}");
    let marco_code: String = serde_json::from_str(&body).unwrap();
    let (other, _) = app.customer("altro@example.it", "Altro").await;
    let (_, body) = app.call(&other, "/api/requests/submit", &request("billing", "Problema di fatturazione")).await;
    let other_code: String = serde_json::from_str(&body).unwrap();
    let (marco_id, other_id) = (parse_reference(&marco_code).unwrap(), parse_reference(&other_code).unwrap());
    assert_eq!(queue_ids(&app).await, vec![marco_id, other_id]);

    let res = app.post_form_as(&admin, "/api/incidents/open-new", "/stato", &incident(TITLE, DESCRIPTION)).await;
    let id = location(&res).trim_start_matches("/stato/").to_string();

    // The queue offers to link the waiting request of the incident's topic, not the other one.
    let (_, queue) = app.get_as(&agent, "/admin").await;
    assert_eq!(queue.matches("queue-link").count(), 1, "one row of the incident's topic");

    // The form: without JavaScript the topic comes first; a matching topic names the known problem.
    let (_, form) = app.get_as(&giulia, "/assistenza/nuova").await;
    assert!(form.contains("topic-step"), "the topic step is offered when problems are open");
    let (_, form) = app.get_as(&giulia, "/assistenza/nuova?argomento=coverage").await;
    assert!(
        form.contains("class=\"known-problem\"") && form.contains("Anche io ho questo problema"),
        "a known problem"
    );
    let (_, form) = app.get_as(&giulia, "/assistenza/nuova?argomento=billing").await;
    assert!(!form.contains("class=\"known-problem\""), "another topic has none");

    // Who may press it, and bad input.
    let affected = |place: &'static str, line: &'static str| {
        vec![("id", id.clone()), ("place", place.to_string()), ("line_number", line.to_string())]
    };
    let call = |client: &reqwest::Client, endpoint: &'static str, f: Vec<(&'static str, String)>| {
        let client = client.clone();
        let app = &app;
        async move {
            let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&client, endpoint, &refs).await
        }
    };
    assert_eq!(call(&visitor, "/api/incidents/affected", affected("", "")).await.0, 401);
    let (status, body) = call(&giulia, "/api/incidents/affected", affected("", "12345")).await;
    assert!(status == 422 && body.contains("line_number"), "{body}");
    let long = "x".repeat(101);
    let (status, body) = call(
        &giulia,
        "/api/incidents/affected",
        vec![("id", id.clone()), ("place", long), ("line_number", String::new())],
    )
    .await;
    assert!(status == 422 && body.contains("place"), "{body}");
    let missing = vec![("id", "99999".to_string()), ("place", String::new()), ("line_number", String::new())];
    assert_eq!(call(&giulia, "/api/incidents/affected", missing).await.0, 404);
    assert!(app.store().joined_request(id.parse().unwrap(), giulia_user.id).await.unwrap().is_none());

    // One click without JavaScript: a request held by the incident, at once in charge, never queued.
    let form_fields = affected("Napoli", "");
    let refs: Vec<(&str, &str)> = form_fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.post_form_as(&giulia, "/api/incidents/affected", &format!("/stato/{id}"), &refs).await;
    let page = location(&res);
    assert!(page.starts_with("/assistenza/richieste/SC3-"), "{page}");
    let giulia_code = page.trim_start_matches("/assistenza/richieste/").to_string();
    let (status, body) = call(&giulia, "/api/incidents/affected", affected("", "")).await;
    assert_eq!((status, serde_json::from_str::<String>(&body).unwrap()), (200, giulia_code.clone()), "pressed twice");
    let held = request_of(&app, &giulia_code).await;
    assert_eq!((held.status, held.holder_id, held.incident_id), (Status::InCharge, None, Some(id.parse().unwrap())));
    assert!(held.description.contains("Napoli") && held.subject == TITLE && held.line_number == "+393337654321");
    assert_eq!(queue_ids(&app).await, vec![marco_id, other_id], "the queue did not move");
    let mails = app.db.emails_to("giulia@example.it").await;
    assert_eq!(mails.iter().filter(|m| m.kind == "request_linked").count(), 1, "one email, however many presses");
    assert!(mails.iter().any(|m| m.body_text.contains(TITLE)), "it names the incident");
    let (_, own) = app.get_as(&giulia, &page).await;
    assert!(own.contains("problema noto") && own.contains(&format!("/stato/{id}")), "the page says which incident");
    let (_, public) = app.get_as(&visitor, &format!("/stato/{id}")).await;
    assert!(public.contains("1 persona ha segnalato"), "the public page counts the affected");
    let (_, mine) = app.get_as(&giulia, &format!("/stato/{id}")).await;
    assert!(mine.contains(&giulia_code), "and shows Giulia her request");

    // Staff link Marco's request from the queue: it leaves it; then take it out and in again.
    let link = |code: &str, incident: &str| vec![("reference", code.to_string()), ("incident", incident.to_string())];
    assert_eq!(call(&visitor, "/api/staff/incident-link", link(&marco_code, &id)).await.0, 401);
    assert_eq!(call(&giulia, "/api/staff/incident-link", link(&marco_code, &id)).await.0, 404);
    assert_eq!(call(&agent, "/api/staff/incident-link", link(&marco_code, "abc")).await.0, 422);
    assert_eq!(call(&agent, "/api/staff/incident-link", link(&marco_code, &id)).await.0, 200);
    assert_eq!(queue_ids(&app).await, vec![other_id]);
    assert_eq!(call(&agent, "/api/staff/incident-link", link(&marco_code, &id)).await.0, 409, "already linked");
    assert!(app.db.emails_to("marco@example.it").await.iter().any(|m| m.kind == "request_linked"), "Marco is told");
    assert_eq!(call(&agent, "/api/staff/incident-link", link(&marco_code, "")).await.0, 200);
    assert_eq!(queue_ids(&app).await, vec![marco_id, other_id], "unlinked: back at its original place");
    assert_eq!(call(&agent, "/api/staff/incident-link", link(&other_code, "")).await.0, 409, "not linked");
    assert_eq!(call(&admin, "/api/staff/incident-link", link(&marco_code, &id)).await.0, 200);
    let (_, case) = app.get_as(&agent, &format!("/admin/richieste/{marco_code}")).await;
    assert!(case.contains("Seguita con il problema noto") && case.contains(TITLE));

    // One update for all: each linked request once, with its email; a second pass finds nothing.
    let update = |status: &'static str, body: &'static str| {
        vec![("id", id.clone()), ("status", status.to_string()), ("body", body.to_string())]
    };
    assert_eq!(
        call(&admin, "/api/incidents/update", update("identified", "Guasto a un ripetitore a Napoli.")).await.0,
        200
    );
    assert_eq!(fan_out(&app).await, 2);
    assert_eq!(fan_out(&app).await, 0, "exactly once");
    let mut times = Vec::new();
    for (code, email) in [(&giulia_code, "giulia@example.it"), (&marco_code, "marco@example.it")] {
        let events = app.store().request_events(parse_reference(code).unwrap(), false).await.unwrap();
        let news: Vec<_> = events.iter().filter(|e| e.kind == EventKind::IncidentNews).collect();
        assert_eq!(news.len(), 1, "{code}");
        times.push(news[0].at);
        assert_eq!(news[0].body.as_deref(), Some("Guasto a un ripetitore a Napoli."));
        let mails = app.db.emails_to(email).await;
        assert_eq!(mails.iter().filter(|m| m.kind == "incident_update").count(), 1, "{email}");
    }
    assert_eq!(times[0], times[1], "the same update at the same time for everyone");
    assert!(
        app.db.emails_to("altro@example.it").await.iter().all(|m| !m.kind.starts_with("incident")),
        "requests not linked hear nothing"
    );

    // The resolution is the outcome; Giulia reopens: back to the queue at the time she reported.
    assert_eq!(
        call(&admin, "/api/incidents/update", update("resolved", "Il ripetitore è stato riparato.")).await.0,
        200
    );
    assert_eq!(fan_out(&app).await, 2);
    for code in [&giulia_code, &marco_code] {
        let r = request_of(&app, code).await;
        assert_eq!((r.status, r.outcome), (Status::Resolved, Some(Outcome::Solved)), "{code}");
    }
    assert!(app.db.emails_to("giulia@example.it").await.iter().any(|m| m.kind == "incident_resolved"));
    let (status, body) = call(
        &giulia,
        "/api/requests/reopen",
        vec![("reference", giulia_code.clone()), ("message", "Da me non funziona ancora.".to_string())],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let giulia_id = parse_reference(&giulia_code).unwrap();
    assert_eq!(queue_ids(&app).await, vec![other_id, giulia_id], "reopened: at the time she reported");
    let (_, marco_page) = app.get_as(&marco, &format!("/assistenza/richieste/{marco_code}")).await;
    assert!(marco_page.contains("Il ripetitore è stato riparato."), "the final message is the outcome's");
    // A resolved incident takes no more presses.
    let (latecomer, _) = app.customer("tardi@example.it", "Tardi").await;
    assert_eq!(call(&latecomer, "/api/incidents/affected", affected("", "")).await.0, 409);
    let _ = marco_user;

    // The dashboard: two affected, one never queued, first reported (by Marco) before it was opened.
    let (status, body) = app.call(&admin, "/api/staff/dashboard", &[]).await;
    assert_eq!(status, 200, "{body}");
    let dashboard: serde_json::Value = serde_json::from_str(&body).unwrap();
    let stat = &dashboard["incidents"][0];
    assert_eq!((stat["affected"].as_i64(), stat["spared"].as_i64()), (Some(2), Some(1)), "{stat}");
    let marco_request = request_of(&app, &marco_code).await;
    assert_eq!(stat["first_report"].as_i64(), Some(marco_request.queue_at));
    assert!(stat["first_report"].as_i64() < stat["opened_at"].as_i64());
}

on_both_databases!(
    affected_customers_are_held_by_the_incident_and_told_every_update,
    every_incident_function_checks_who_calls_it,
    bad_input_says_why_and_opens_nothing,
    an_incident_lives_on_the_status_page_the_banner_and_the_wall_until_resolved,
);
