//! Service incidents (#17) through the real router and database: who may open and update them, the
//! status page with its history, the banner on every page (closable for the visit), the wall's notice and
//! the Atom feed. On both databases.

mod common;

use app::domain::request::Role;
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
    assert!(location(&res).contains("/stato?"), "back to the form: {}", location(&res));
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

on_both_databases!(
    every_incident_function_checks_who_calls_it,
    bad_input_says_why_and_opens_nothing,
    an_incident_lives_on_the_status_page_the_banner_and_the_wall_until_resolved,
);
