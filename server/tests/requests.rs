//! Assistance requests through the real router, sessions and database, as customers use them (plain
//! form posts, as without JavaScript). The care pool's side is driven through the same service and
//! ports its pages will use.

mod common;

use app::domain::request::{Action, Actor, EventKind, Outcome, Role, Status, parse_reference};
use app::error::AppError;
use app::ports::{RequestRecord, UserRecord};
use app::services::requests::{By, Move, apply};
use common::{TestApp, TestDb, form_error, location};

const SUBJECT: &str = "Nessun segnale a casa";
const DESCRIPTION: &str = "Da lunedì il telefono non prende in nessuna stanza di casa, via Roma 1.";

fn request_fields<'a>(subject: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("category", "coverage"),
        ("subject", subject),
        ("description", description),
        ("line_number", "333 765 4321"),
        ("contact", "portal"),
        ("reported_on", "facebook"),
        ("public_handle", "@mario.rossi"),
        ("consent", "yes"),
    ]
}

/// Submits a request as a browser without JavaScript; returns its reference.
async fn submit(app: &TestApp, client: &reqwest::Client, subject: &str) -> String {
    let res = app
        .post_form_as(client, "/api/requests/submit", "/assistenza/nuova", &request_fields(subject, DESCRIPTION))
        .await;
    let to = location(&res);
    assert!(to.starts_with("/assistenza/richieste/SC3-") && to.ends_with("?nuova=1"), "{to}");
    to.trim_start_matches("/assistenza/richieste/").trim_end_matches("?nuova=1").to_string()
}

async fn record(app: &TestApp, reference: &str) -> RequestRecord {
    app.store().request_by_id(parse_reference(reference).unwrap()).await.unwrap().expect("stored")
}

/// A care-pool member (made through the port the admin pages will use).
async fn agent(app: &TestApp, email: &str) -> UserRecord {
    let (_, user) = app.customer(email, "Agente Uno").await;
    app.store().set_role(user.id, Role::Agent, None, 1).await.unwrap();
    app.store().user_by_id(user.id).await.unwrap().unwrap()
}

/// The pool acts on a request, through the same use case its pages will call.
async fn pool(app: &TestApp, staff: &UserRecord, reference: &str, action: Action, message: Option<&str>) {
    let r = record(app, reference).await;
    let actor = Actor::Staff { role: staff.role, holder: r.holder_id == Some(staff.id) };
    let mv = Move { action, message: message.map(str::to_string), new_holder: None, files: Vec::new() };
    apply(&app.state.portal(), &r, By { actor, user: Some(staff) }, mv, None).await.expect("pool move");
}

/// #13: a refused form without JavaScript came back without what was typed about one time in three (the
/// page built its form-values resource twice for one view and the first took the values). Thirty refused
/// posts in a row, each followed by the page, each page holding the typed description. (With the rest of
/// this file beside it, it also caught the stall of #13 nearly every run: see `startup.rs`.)
async fn a_refused_form_keeps_what_was_typed_every_time(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("ripete@example.it", "Ripete").await;
    for n in 0..30 {
        let typed = format!("Descrizione numero {n} scritta senza JavaScript");
        // As a browser posts the form with only the description filled in.
        let fields =
            [("category", ""), ("subject", ""), ("description", &typed), ("line_number", ""), ("public_handle", "")];
        let res = app.post_form_as(&client, "/api/requests/submit", "/assistenza/nuova", &fields).await;
        assert!(matches!(form_error(&res), Some(AppError::Invalid(_))), "refused: {}", location(&res));
        let back = location(&res);
        let back = back.strip_prefix(&app.url("")).unwrap_or(&back).to_string();
        let (status, html) = app.get_as(&client, &back).await;
        assert_eq!(status, 200);
        let field =
            html.find("id=\"f-description\"").map(|i| &html[i..(i + 400).min(html.len())]).unwrap_or("no field");
        assert!(html.contains(&typed), "attempt {n}: the page lost the typed description: {field}");
        // The address is clean (#21.5), and the page still says what to fix.
        assert_eq!(back, "/assistenza/nuova", "attempt {n}: no error in the address");
        assert!(html.contains("Questo campo è obbligatorio."), "attempt {n}: the refusal is shown");
        // Taken once: the next view of the form is empty again, its error gone.
        let (_, again) = app.get_as(&client, "/assistenza/nuova").await;
        assert!(!again.contains(&typed), "attempt {n}: kept values are shown once");
        assert!(!again.contains("Questo campo è obbligatorio."), "attempt {n}: the refusal is shown once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_keeps_what_was_typed_every_time_on_sqlite() {
    a_refused_form_keeps_what_was_typed_every_time(TestDb::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_form_keeps_what_was_typed_every_time_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        a_refused_form_keeps_what_was_typed_every_time(db).await;
    }
}

/// A page with its per-response CSP nonce blanked, to compare two answers.
fn without_nonces(html: &str) -> String {
    let mut out = html.to_string();
    for part in html.split("nonce=\"").skip(1) {
        if let Some(value) = part.split('"').next().filter(|v| !v.is_empty()) {
            out = out.replace(value, "NONCE");
        }
    }
    out
}

async fn a_customer_submits_sees_it_listed_and_opens_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, me) = app.customer("mario@example.it", "Mario Rossi").await;

    // Empty at first, with an invitation.
    let (status, html) = app.get_as(&client, "/assistenza/richieste").await;
    assert_eq!(status, 200);
    assert!(html.contains("Non hai ancora inviato richieste."), "{html}");
    // The form has the line number from the account and the privacy notice.
    let (_, html) = app.get_as(&client, "/assistenza/nuova").await;
    assert!(html.contains("+393337654321"), "line number pre-filled");
    assert!(html.contains("lo vede solo il nostro team di assistenza"));

    let reference = submit(&app, &client, SUBJECT).await;
    assert_eq!(reference, "SC3-000001");
    let r = record(&app, &reference).await;
    assert_eq!((r.customer_id, r.status), (me.id, Status::Received));
    assert_eq!(r.description, DESCRIPTION);

    let (_, html) = app.get_as(&client, "/assistenza/richieste").await;
    assert!(html.contains(&reference) && html.contains(SUBJECT) && html.contains("Copertura di rete"));
    assert!(html.contains("Ricevuta"));

    let (status, html) = app.get_as(&client, &format!("/assistenza/richieste/{reference}?nuova=1")).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("Il codice da citare è {reference}")));
    assert!(html.contains(DESCRIPTION) && html.contains("@mario.rossi"));
    assert!(html.contains("in ordine di arrivo"), "the automatic first message");
    assert!(html.contains("il servizio è gratuito") && html.contains("senza corsie preferenziali"));
    // The welcome is signed by the page, not by the customer (#21.9).
    let welcome = html.split("event-welcome").nth(1).unwrap_or("");
    assert!(welcome.split("</li>").next().unwrap_or("").contains("Social Care 3"), "signed by the page");
    // The title holds the reference only, never the private subject.
    let title = html.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or("");
    assert!(title.starts_with(&reference) && !title.contains(SUBJECT), "{title}");

    let emails = app.db.emails_to("mario@example.it").await;
    let received = emails.iter().find(|e| e.kind == "request_received").expect("received email");
    assert!(received.subject.contains(&reference));
    assert!(received.body_text.contains(&format!("http://portal.test/assistenza/richieste/{reference}")));
    assert!(!received.body_text.contains(DESCRIPTION), "the conversation stays on the portal");

    // The same in English.
    app.get_as(&client, &format!("/lang/en?next=/assistenza/richieste/{reference}")).await;
    let (_, en) = app.get_as(&client, &format!("/assistenza/richieste/{reference}")).await;
    assert!(en.contains("Received") && en.contains("Network coverage"), "English page");
}

async fn a_refused_request_says_why_changes_nothing_and_keeps_what_was_typed(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("lucia@example.it", "Lucia").await;
    let fields = [
        ("category", "vip"),
        ("subject", "Hi"),
        ("description", "Too short"),
        ("line_number", "12"),
        ("contact", "portal"),
        ("reported_on", ""),
        ("public_handle", "@a\nb"),
    ];
    let res = app.post_form_as(&client, "/api/requests/submit", "/assistenza/nuova", &fields).await;
    let Some(AppError::Invalid(errors)) = form_error(&res) else { panic!("{:?}", location(&res)) };
    let mut refused: Vec<(String, String)> = errors.into_iter().map(|e| (e.field.into(), e.code.into())).collect();
    refused.sort();
    let expected = [
        ("category", "choice_invalid"),
        ("description", "description_too_short"),
        ("line_number", "line_invalid"),
        ("public_handle", "handle_invalid"),
        ("reported_on", "required"),
        ("subject", "subject_too_short"),
    ];
    assert_eq!(refused, expected.map(|(f, c)| (f.to_string(), c.to_string())));
    assert!(app.store().request_by_id(1).await.unwrap().is_none(), "nothing stored");
    // Called by a hydrated page (no redirect): 422 with the same errors.
    let fetched =
        client.post(app.url("/api/requests/submit")).multipart(common::multipart_of(&fields)).send().await.unwrap();
    assert_eq!(fetched.status(), 422);
    let body: AppError = fetched.json().await.unwrap();
    assert_eq!(body.field_code("subject"), Some("subject_too_short"));
    // Back on the form: the messages and the typed text.
    let back = location(&res);
    let back = back.strip_prefix(&app.url("")).unwrap_or(&back).to_string();
    let (_, html) = app.get_as(&client, &back).await;
    assert!(html.contains("Descrivi il problema con almeno 20 caratteri."), "{html}");
    assert!(html.contains("Too short"));
}

async fn visitors_are_invited_to_log_in_and_cannot_submit(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (_, html) = app.get_text("/assistenza/nuova").await;
    assert!(html.contains("Accedi per chiedere assistenza"));
    let res = app.post_form("/api/requests/submit", "/assistenza/nuova", &request_fields(SUBJECT, DESCRIPTION)).await;
    assert_eq!(form_error(&res), Some(AppError::Unauthorized));
    assert!(app.store().request_by_id(1).await.unwrap().is_none());
    let (status, _) = app.get_text("/assistenza/richieste/SC3-000001").await;
    assert_eq!(status, 200, "the page invites to log in");
}

async fn another_customer_finds_nothing_and_can_change_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (owner, _) = app.customer("owner@example.it", "Owner").await;
    let (other, _) = app.customer("other@example.it", "Other").await;
    let reference = submit(&app, &owner, SUBJECT).await;

    let (status, theirs) = app.get_as(&other, &format!("/assistenza/richieste/{reference}")).await;
    let (missing_status, missing) = app.get_as(&other, "/assistenza/richieste/SC3-000999").await;
    assert_eq!((status, missing_status), (404, 404));
    assert_eq!(without_nonces(&theirs), without_nonces(&missing).replace("SC3-000999", &reference));
    assert!(!theirs.contains(SUBJECT) && !theirs.contains(DESCRIPTION));
    let (_, list) = app.get_as(&other, "/assistenza/richieste").await;
    assert!(!list.contains(&reference));

    // The server functions answer alike too.
    let res = other.post(app.url("/api/requests/get")).form(&[("reference", &reference)]).send().await.unwrap();
    let missing_res =
        other.post(app.url("/api/requests/get")).form(&[("reference", "SC3-000999")]).send().await.unwrap();
    assert_eq!(res.status(), 404, "a server function answers with the error's own status");
    assert_eq!(res.status(), missing_res.status());
    assert_eq!(res.text().await.unwrap(), missing_res.text().await.unwrap());

    for (path, fields) in [
        ("/api/requests/reply", vec![("reference", reference.as_str()), ("message", "I am not the owner")]),
        ("/api/requests/confirm", vec![("reference", reference.as_str())]),
        ("/api/requests/reopen", vec![("reference", reference.as_str()), ("message", "")]),
        ("/api/requests/rate", vec![("reference", reference.as_str()), ("rating", "1"), ("comment", "")]),
    ] {
        let res = app.post_form_as(&other, path, "/assistenza/richieste", &fields).await;
        assert_eq!(form_error(&res), Some(AppError::NotFound), "{path}");
    }
    let r = record(&app, &reference).await;
    assert_eq!((r.status, r.version, r.rating), (Status::Received, 0, None));
    assert_eq!(app.store().request_events(r.id, true).await.unwrap().len(), 1);
}

async fn the_customer_talks_with_the_pool_and_confirms_the_outcome(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("anna@example.it", "Anna").await;
    let staff = agent(&app, "agent@example.it").await;
    let reference = submit(&app, &client, SUBJECT).await;

    pool(&app, &staff, &reference, Action::Take, None).await;
    pool(&app, &staff, &reference, Action::AskInfo, Some("Da quale indirizzo chiami?")).await;
    pool(&app, &staff, &reference, Action::Note, Some("NOTA-INTERNA-7731 cliente storico")).await;

    // The list shows the update, and the shell counts it.
    let (_, list) = app.get_as(&client, "/assistenza/richieste").await;
    assert!(list.contains("In attesa di una tua risposta"));
    assert!(list.contains("2 nuovi"), "taken + ask are unread");
    assert!(list.contains("count-badge"));

    let page = format!("/assistenza/richieste/{reference}");
    let (_, html) = app.get_as(&client, &page).await;
    assert!(html.contains("Presa in carico dal nostro team di assistenza"));
    assert!(html.contains("Da quale indirizzo chiami?"));
    assert!(!html.contains("NOTA-INTERNA-7731"), "internal notes never reach the customer");
    // Seen: the badge is gone.
    let (_, list) = app.get_as(&client, "/assistenza/richieste").await;
    assert!(!list.contains("count-badge"), "cleared once the page was seen");

    // An empty reply is refused; a real one moves the request back to the pool.
    let res =
        app.post_form_as(&client, "/api/requests/reply", &page, &[("reference", &reference), ("message", "  ")]).await;
    assert_eq!(form_error(&res).and_then(|e| e.field_code("message").map(str::to_string)), Some("required".into()));
    let res = app
        .post_form_as(
            &client,
            "/api/requests/reply",
            &page,
            &[("reference", &reference), ("message", "Via Roma 1, Milano")],
        )
        .await;
    assert_eq!(location(&res), format!("{page}#timeline"));
    assert_eq!(record(&app, &reference).await.status, Status::InCharge);

    // Confirming before the outcome is refused.
    let res = app.post_form_as(&client, "/api/requests/confirm", &page, &[("reference", &reference)]).await;
    assert_eq!(form_error(&res), Some(AppError::Conflict));

    pool(&app, &staff, &reference, Action::SetOutcome(Outcome::Solved), Some("Ripetitore riavviato.")).await;
    let (_, html) = app.get_as(&client, &page).await;
    assert!(html.contains("Esito: Risolta") && html.contains("Ripetitore riavviato."));
    assert!(html.contains("esito ti soddisfa?"));
    // #21.7: the outcome's words first, then the question, with confirm and reopen side by side.
    let (words, question) = (html.find("Ripetitore riavviato.").unwrap(), html.find("esito ti soddisfa?").unwrap());
    assert!(words < question, "the outcome's message comes before the question");
    assert!(html.contains(r#"<summary class="button secondary">"#) && html.contains("No, riapri la richiesta"));
    assert!(html.contains("badge status-resolved"), "a solution is green");

    let res = app.post_form_as(&client, "/api/requests/confirm", &page, &[("reference", &reference)]).await;
    assert_eq!(location(&res), format!("{page}#outcome"));
    let r = record(&app, &reference).await;
    assert_eq!((r.status, r.outcome), (Status::Closed, Some(Outcome::Solved)));
    let (_, html) = app.get_as(&client, &page).await;
    assert!(html.contains("Chiusa") && html.contains("Hai confermato l"), "{html}");
    assert!(html.contains("Grazie per averci confermato"), "a thank-you after confirming");
    let steps = &html[html.find("progress-steps").unwrap()..];
    let steps = &steps[..steps.find("</ol>").unwrap()];
    assert_eq!(steps.matches("step done").count(), 3, "received, in charge, outcome done: {steps}");
    let current = steps.find("step current").expect("a current step");
    assert!(steps[current..].contains("Chiusa"), "the current step is Chiusa: {steps}");
    // Closed: no more replies.
    let res = app
        .post_form_as(&client, "/api/requests/reply", &page, &[("reference", &reference), ("message", "Ancora")])
        .await;
    assert_eq!(form_error(&res), Some(AppError::Conflict));

    let events: Vec<&str> =
        app.store().request_events(r.id, true).await.unwrap().into_iter().map(|e| e.kind.code()).collect();
    assert_eq!(events, ["received", "taken", "ask", "note", "customer_reply", "outcome", "confirmed"]);
    // Every status message also went out by email; none carries the note or the conversation.
    let emails = app.db.emails_to("anna@example.it").await;
    let kinds: Vec<&str> = emails.iter().map(|e| e.kind.as_str()).filter(|k| k.starts_with("request_")).collect();
    assert_eq!(kinds, ["request_received", "request_taken", "request_ask", "request_outcome"]);
    assert!(emails.iter().all(|e| !e.body_text.contains("NOTA-INTERNA") && !e.body_html.contains("NOTA-INTERNA")));
}

async fn a_reopened_request_goes_back_to_its_original_place_in_the_queue(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("paolo@example.it", "Paolo").await;
    let staff = agent(&app, "agent2@example.it").await;
    let first = submit(&app, &client, "Prima richiesta di Paolo").await;
    let second = submit(&app, &client, "Seconda richiesta di Paolo").await;
    let arrived = record(&app, &first).await.queue_at;
    pool(&app, &staff, &first, Action::Take, None).await;
    pool(&app, &staff, &first, Action::SetOutcome(Outcome::Redirected), Some("Vai in negozio.")).await;

    let page = format!("/assistenza/richieste/{first}");
    let (_, html) = app.get_as(&client, &page).await;
    assert!(html.contains("Puoi riaprirla fino al"));
    let res = app
        .post_form_as(
            &client,
            "/api/requests/reopen",
            &page,
            &[("reference", &first), ("message", "Il negozio era chiuso")],
        )
        .await;
    assert_eq!(location(&res), format!("{page}#timeline"));
    let r = record(&app, &first).await;
    assert_eq!((r.status, r.holder_id, r.outcome), (Status::Received, None, None));
    assert_eq!(r.queue_at, arrived, "its arrival time, not the reopening time");
    assert!(r.queue_at <= record(&app, &second).await.queue_at, "still ahead of the later request");
    let last = app.store().request_events(r.id, false).await.unwrap().pop().unwrap();
    assert_eq!((last.kind.code(), last.body.as_deref()), ("reopened", Some("Il negozio era chiuso")));
}

async fn the_help_is_rated_once_after_the_outcome(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("gina@example.it", "Gina").await;
    let staff = agent(&app, "agent3@example.it").await;
    let reference = submit(&app, &client, "Offerta non attivata").await;
    let page = format!("/assistenza/richieste/{reference}");
    let rate = |rating: &'static str| {
        let (app, client, reference, page) = (&app, &client, reference.clone(), page.clone());
        async move {
            app.post_form_as(
                client,
                "/api/requests/rate",
                &page,
                &[("reference", &reference), ("rating", rating), ("comment", "Gentili")],
            )
            .await
        }
    };
    assert_eq!(form_error(&rate("5").await), Some(AppError::Conflict), "no outcome yet");
    pool(&app, &staff, &reference, Action::Take, None).await;
    pool(&app, &staff, &reference, Action::SetOutcome(Outcome::NotSolvable), Some("Non possiamo.")).await;
    let res = rate("9").await;
    assert_eq!(
        form_error(&res).and_then(|e| e.field_code("rating").map(str::to_string)),
        Some("rating_invalid".into())
    );
    // No vote chosen (no radio checked: the field is absent), with and without JavaScript: "choose a
    // rating" next to the stars, not a server error (#21.7).
    let fields = [("reference", reference.as_str()), ("comment", "")];
    let res = app.post_form_as(&client, "/api/requests/rate", &page, &fields).await;
    assert_eq!(
        form_error(&res).and_then(|e| e.field_code("rating").map(str::to_string)),
        Some("rating_invalid".into())
    );
    let (status, body) = app.call(&client, "/api/requests/rate", &fields).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("rating_invalid"), "{body}");
    let res = rate("4").await;
    assert_eq!(location(&res), format!("{page}#rating"));
    assert_eq!(form_error(&rate("5").await), Some(AppError::Conflict), "only once");
    let r = record(&app, &reference).await;
    assert_eq!((r.rating, r.rating_comment.as_deref()), (Some(4), Some("Gentili")));
    let (_, html) = app.get_as(&client, &page).await;
    assert!(html.contains("Grazie per la valutazione: 4 su 5."));
}

async fn the_pulse_tells_a_live_page_that_the_pool_acted(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("live@example.it", "Live").await;
    let staff = agent(&app, "agent4@example.it").await;
    let reference = submit(&app, &client, "Internet lento la sera").await;
    let pulse = |c: &reqwest::Client| {
        let req = c.post(app.url("/api/requests/pulse"));
        async move { req.send().await.unwrap().json::<serde_json::Value>().await.unwrap() }
    };
    let before = pulse(&client).await;
    assert_eq!(before["unread"], 0);
    pool(&app, &staff, &reference, Action::Take, None).await;
    let after = pulse(&client).await;
    assert_eq!(after["unread"], 1);
    assert!(after["latest_event"].as_i64() > before["latest_event"].as_i64());
    // Visitors get nothing to follow.
    assert_eq!(pulse(&app.new_client()).await, serde_json::Value::Null);
}

async fn unconfirmed_outcomes_close_by_themselves_after_fourteen_days(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("later@example.it", "Later").await;
    let staff = agent(&app, "agent5@example.it").await;
    let old = submit(&app, &client, "Esito vecchio di tre settimane").await;
    let recent = submit(&app, &client, "Esito di ieri, ancora aperto").await;
    for code in [&old, &recent] {
        pool(&app, &staff, code, Action::Take, None).await;
        pool(&app, &staff, code, Action::SetOutcome(Outcome::Solved), Some("Fatto.")).await;
    }
    let now = app::clock::now_ms();
    let day = 24 * 3_600_000;
    // Seen from 15 days ahead, the first is due; the second was resolved "yesterday" by then.
    let r = record(&app, &recent).await;
    let mut bump = app::ports::TransitionRecord {
        request: r.id,
        expected_version: r.version,
        from: r.status,
        to: r.status,
        outcome: r.outcome,
        holder_id: r.holder_id,
        taken_at: r.taken_at,
        resolved_at: Some(now + 14 * day),
        closed_at: None,
        last_activity_at: r.last_activity_at,
        event: app::ports::NewEvent {
            actor_id: None,
            actor_role: app::domain::request::ActorRole::System,
            kind: EventKind::Note,
            body: None,
            internal: true,
        },
        email: None,
        attachments: Vec::new(),
        now,
    };
    bump.event.body = Some("test: outcome given later".into());
    app.store().record_transition(bump).await.unwrap();
    let closed = app::services::requests::auto_close_due(&app.state.portal(), now + 15 * day).await.unwrap();
    assert_eq!(closed, 1);
    assert_eq!(record(&app, &old).await.status, Status::Closed);
    assert_eq!(record(&app, &recent).await.status, Status::Resolved);
    let last = app.store().request_events(record(&app, &old).await.id, false).await.unwrap().pop().unwrap();
    assert_eq!((last.kind.code(), last.actor_role), ("closed", app::domain::request::ActorRole::System));
    let (_, html) = app.get_as(&client, &format!("/assistenza/richieste/{old}")).await;
    assert!(html.contains("Chiusa automaticamente"));
}

/// Reading writes nothing: the session is not saved again by a page view (no `Set-Cookie`), whether the
/// page has a form (kept values are looked for, not taken) or a timeline already seen.
async fn reading_pages_does_not_rewrite_the_session(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("lettore@example.it", "Lettore").await;
    let reference = submit(&app, &client, SUBJECT).await;
    let detail = format!("/assistenza/richieste/{reference}");
    for path in ["/assistenza/nuova", "/assistenza/richieste", detail.as_str(), detail.as_str()] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert!(res.headers().get("set-cookie").is_none(), "{path} wrote the session again");
    }
}

/// #21.7: an outcome that is not a solution wears a neutral badge, not the green of "Risolta".
async fn an_outcome_that_is_not_a_solution_is_not_green(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (client, _) = app.customer("bea@example.it", "Bea").await;
    let staff = agent(&app, "agent@example.it").await;
    let reference = submit(&app, &client, SUBJECT).await;
    pool(&app, &staff, &reference, Action::Take, None).await;
    pool(&app, &staff, &reference, Action::SetOutcome(Outcome::NotSolvable), Some("Non dipende da noi.")).await;
    let (_, html) = app.get_as(&client, &format!("/assistenza/richieste/{reference}")).await;
    assert!(html.contains("badge status-neutral") && !html.contains("badge status-resolved"));
    let (_, list) = app.get_as(&client, "/assistenza/richieste").await;
    assert!(list.contains("badge status-neutral"), "in the list too");
}

on_both_databases!(
    an_outcome_that_is_not_a_solution_is_not_green,
    reading_pages_does_not_rewrite_the_session,
    unconfirmed_outcomes_close_by_themselves_after_fourteen_days,
    a_customer_submits_sees_it_listed_and_opens_it,
    a_refused_request_says_why_changes_nothing_and_keeps_what_was_typed,
    visitors_are_invited_to_log_in_and_cannot_submit,
    another_customer_finds_nothing_and_can_change_nothing,
    the_customer_talks_with_the_pool_and_confirms_the_outcome,
    a_reopened_request_goes_back_to_its_original_place_in_the_queue,
    the_help_is_rated_once_after_the_outcome,
    the_pulse_tells_a_live_page_that_the_pool_acted,
);
