//! Accounts through the real router, session layer and database: registration with confirmation,
//! login and logout, password reset and change, and the answers that must not tell accounts apart.

mod common;

use app::error::AppError;
use common::{TestApp, TestDb, form_error, location};

const PASSWORD: &str = "violet-otter-canyon-42";

async fn register(app: &TestApp, email: &str, name: &str, password: &str) -> reqwest::Response {
    app.post_form(
        "/api/register",
        "/registrati",
        &[
            ("display_name", name),
            ("email", email),
            ("password", password),
            ("password_confirm", password),
            ("line_number", "333 123 4567"),
            ("accept_privacy", "yes"),
            ("accept_conduct", "yes"),
        ],
    )
    .await
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_form("/api/login", "/accedi", &[("email", email), ("password", password)]).await
}

/// The path of the link in the newest email of that kind to that address.
/// The link in the newest email of `kind` to `to`, waiting a little for it: a reset email is queued
/// after the answer (#14), so that answering takes as long for every address.
async fn link_in_email(app: &TestApp, to: &str, kind: &str) -> String {
    let mut emails = app.db.emails_to(to).await;
    for _ in 0..50 {
        if emails.iter().any(|e| e.kind == kind) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        emails = app.db.emails_to(to).await;
    }
    let email = emails.iter().rev().find(|e| e.kind == kind).unwrap_or_else(|| panic!("no {kind} email"));
    let start = email.body_text.find("http://portal.test/").expect("a link") + "http://portal.test".len();
    email.body_text[start..].split_whitespace().next().unwrap().to_string()
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

async fn me(app: &TestApp) -> Option<serde_json::Value> {
    app.me_via(&app.client).await
}

async fn a_customer_registers_confirms_logs_in_and_out(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = register(&app, "Mario.Rossi@Example.it", "Mario Rossi", PASSWORD).await;
    assert_eq!(location(&res), "/registrati/controlla");

    // The email went to the outbox, in Italian, with a single-use link.
    let emails = app.db.emails_to("mario.rossi@example.it").await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].kind, "confirm_email");
    assert_eq!(emails[0].subject, "Conferma il tuo indirizzo email");
    assert!(emails[0].body_html.contains("<a href=\"http://portal.test/conferma/"));
    let link = link_in_email(&app, "mario.rossi@example.it", "confirm_email").await;

    // Before confirming, a login only leads to the confirmation page.
    let res = login(&app, "mario.rossi@example.it", PASSWORD).await;
    assert_eq!(location(&res), "/conferma-email");
    let (_, html) = app.get_text("/conferma-email").await;
    assert!(html.contains("mario.rossi@example.it"));
    let denied = app
        .post_form("/api/update-profile", "/account", &[("display_name", "X"), ("line_number", ""), ("locale", "it")])
        .await;
    assert_eq!(form_error(&denied), Some(AppError::Forbidden));

    let res = app.get(&link).await;
    assert_eq!(location(&res), "/accedi?confermato=1");
    // single use
    assert_eq!(location(&app.get(&link).await), "/accedi?link=scaduto");

    let res = login(&app, "mario.rossi@example.it", PASSWORD).await;
    assert_eq!(location(&res), "/assistenza/richieste");
    let (status, html) = app.get_text("/account").await;
    assert_eq!(status, 200);
    assert!(html.contains("Mario Rossi") && html.contains("+393331234567"), "the account page shows the profile");
    assert_eq!(me(&app).await.unwrap()["display_name"], "Mario Rossi");

    let res = app.post_form("/api/logout", "/account", &[]).await;
    assert_eq!(location(&res), "/");
    assert_eq!(me(&app).await, None);
    let (_, html) = app.get_text("/account").await;
    assert!(html.contains("Accedi per vedere il tuo account"));
}

async fn registering_a_known_address_answers_exactly_like_a_new_one(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let first = register(&app, "anna@example.it", "Anna", PASSWORD).await;
    let again = register(&app, "anna@example.it", "Someone Else", "another-long-passphrase-77").await;
    let fresh = register(&app, "bruno@example.it", "Bruno", PASSWORD).await;
    for res in [&again, &fresh] {
        assert_eq!(res.status(), first.status());
        assert_eq!(location(res), location(&first));
    }
    let (_, page_a) = app.get_text(&location(&again)).await;
    let (_, page_b) = app.get_text(&location(&fresh)).await;
    assert_eq!(without_nonces(&page_a), without_nonces(&page_b));
    // The owner of the address is told instead; nothing else changed.
    let kinds: Vec<String> = app.db.emails_to("anna@example.it").await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["confirm_email", "already_registered"]);
    let anna = app
        .store()
        .user_by_email(&app::domain::account::Email::parse("anna@example.it").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(anna.display_name, "Anna");
}

async fn a_refused_registration_says_why_and_changes_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app
        .post_form(
            "/api/register",
            "/registrati",
            &[
                ("display_name", ""),
                ("email", "not-an-email"),
                ("password", "password123"),
                ("password_confirm", "password123"),
                ("line_number", "06 1234567"),
            ],
        )
        .await;
    let Some(AppError::Invalid(errors)) = form_error(&res) else { panic!("expected field errors: {}", location(&res)) };
    let codes: Vec<(String, String)> = errors.iter().map(|e| (e.field.to_string(), e.code.to_string())).collect();
    for want in [
        ("display_name", "required"),
        ("email", "email_invalid"),
        ("password", "password_weak_common"),
        ("line_number", "line_invalid"),
        ("accept_privacy", "consent_required"),
        ("accept_conduct", "consent_required"),
    ] {
        assert!(codes.contains(&(want.0.into(), want.1.into())), "missing {want:?} in {codes:?}");
    }
    assert!(location(&res).starts_with(&app.url("/registrati")), "back to the form");
    // The form comes back with what was typed (once), never with the password.
    let (_, html) = app.get_text("/registrati").await;
    assert!(html.contains(r#"value="not-an-email""#), "the email is kept");
    assert!(html.contains(r#"value="06 1234567""#), "the line number is kept");
    assert!(!html.contains("password123"), "the password is never sent back");
    let (_, html) = app.get_text("/registrati").await;
    assert!(!html.contains("not-an-email"), "kept values are shown once");
    assert!(app.db.emails_to("not-an-email").await.is_empty());
}

async fn login_failures_answer_alike_for_unknown_and_known_addresses(db: TestDb) {
    let app = TestApp::spawn(db).await;
    register(&app, "carla@example.it", "Carla", PASSWORD).await;
    let wrong_password = login(&app, "carla@example.it", "not-her-password-at-all").await;
    let unknown = login(&app, "nobody@example.it", "not-her-password-at-all").await;
    assert_eq!(wrong_password.status(), unknown.status());
    assert_eq!(location(&wrong_password), location(&unknown));
    assert_eq!(form_error(&unknown), Some(AppError::InvalidCredentials));
}

async fn logging_in_gives_a_new_session_id_and_logging_out_ends_it(db: TestDb) {
    let app = TestApp::spawn(db).await;
    register(&app, "dario@example.it", "Dario", PASSWORD).await;
    login(&app, "dario@example.it", PASSWORD).await;
    let first = app.session_cookie().expect("a session cookie after login");
    login(&app, "dario@example.it", PASSWORD).await;
    let second = app.session_cookie().expect("a session cookie after the second login");
    assert_ne!(first, second, "the id must change at login");

    // The id from before the second login is worthless now.
    assert_eq!(app.me_via(&app.client_with_cookie(&first)).await, None);

    app.post_form("/api/logout", "/", &[]).await;
    assert_eq!(app.me_via(&app.client_with_cookie(&second)).await, None, "logout ends the session server-side");
}

async fn a_password_reset_works_once_and_ends_every_session(db: TestDb) {
    let app = TestApp::spawn(db).await;
    register(&app, "elena@example.it", "Elena", PASSWORD).await;
    let confirm = link_in_email(&app, "elena@example.it", "confirm_email").await;
    app.get(&confirm).await;
    login(&app, "elena@example.it", PASSWORD).await;
    let logged_in = app.session_cookie().unwrap();

    // Known and unknown addresses get the same answer; only the known one gets an email.
    let known = app.post_form("/api/forgot-password", "/password-dimenticata", &[("email", "elena@example.it")]).await;
    let unknown = app.post_form("/api/forgot-password", "/password-dimenticata", &[("email", "x@example.it")]).await;
    assert_eq!(location(&known), "/password-dimenticata?inviata=1");
    assert_eq!(location(&unknown), location(&known));
    assert!(app.db.emails_to("x@example.it").await.is_empty());

    let link = link_in_email(&app, "elena@example.it", "reset_password").await;
    let token = link.split("token=").nth(1).unwrap().to_string();
    let new_password = "amber-falcon-harbour-19";
    let fields = [("token", token.as_str()), ("password", new_password), ("password_confirm", new_password)];
    let res = app.post_form("/api/reset-password", &link, &fields).await;
    assert_eq!(location(&res), "/accedi?reimpostata=1");
    // single use
    let again = app.post_form("/api/reset-password", &link, &fields).await;
    assert_eq!(form_error(&again), Some(AppError::field("token", "link_expired")));

    // The session from before the reset is over; the old password no longer works, the new one does.
    assert_eq!(app.me_via(&app.client_with_cookie(&logged_in)).await, None);
    assert_eq!(form_error(&login(&app, "elena@example.it", PASSWORD).await), Some(AppError::InvalidCredentials));
    assert_eq!(location(&login(&app, "elena@example.it", new_password).await), "/assistenza/richieste");
    let kinds: Vec<String> = app.db.emails_to("elena@example.it").await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.last().map(String::as_str), Some("password_changed"));
}

async fn changing_the_password_keeps_this_session_and_ends_the_others(db: TestDb) {
    let app = TestApp::spawn(db).await;
    register(&app, "franco@example.it", "Franco", PASSWORD).await;
    app.get(&link_in_email(&app, "franco@example.it", "confirm_email").await).await;
    // Another device logs in first.
    let other = app.new_client();
    other
        .post(app.url("/api/login"))
        .form(&[("email", "franco@example.it"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(app.me_via(&other).await.is_some());
    login(&app, "franco@example.it", PASSWORD).await;

    let wrong = app
        .post_form(
            "/api/change-password",
            "/account",
            &[
                ("current_password", "not-the-password"),
                ("password", "amber-falcon-harbour-19"),
                ("password_confirm", "amber-falcon-harbour-19"),
            ],
        )
        .await;
    assert_eq!(form_error(&wrong), Some(AppError::field("current_password", "password_wrong")));
    let res = app
        .post_form(
            "/api/change-password",
            "/account",
            &[
                ("current_password", PASSWORD),
                ("password", "amber-falcon-harbour-19"),
                ("password_confirm", "amber-falcon-harbour-19"),
            ],
        )
        .await;
    assert_eq!(location(&res), "/account?password=1");
    assert!(me(&app).await.is_some(), "this session stays");
    assert!(app.me_via(&other).await.is_none(), "the other device is logged out");
}

/// #21.8: the "check your inbox" page names the address this browser registered and sends the link
/// again; the same answer for an address already confirmed, and nothing for a browser that registered
/// nothing.
async fn the_check_inbox_page_names_the_address_and_sends_the_link_again(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = register(&app, "nuova@example.it", "Nuova Persona", PASSWORD).await;
    assert_eq!(location(&res), "/registrati/controlla");
    let (_, page) = app.get_text("/registrati/controlla").await;
    assert!(page.contains("Ti abbiamo scritto a nuova@example.it") && page.contains("Invia di nuovo il link"));
    let res = app.post_form("/api/resend-registration", "/registrati/controlla", &[]).await;
    assert_eq!(location(&res), "/registrati/controlla?inviata=1");
    let confirmations = app.db.emails_to("nuova@example.it").await.iter().filter(|e| e.kind == "confirm_email").count();
    assert_eq!(confirmations, 2, "a new link");
    let (_, page) = app.get_text("/registrati/controlla?inviata=1").await;
    assert!(page.contains("ti abbiamo inviato un nuovo link"));
    // Once confirmed, the same answer and no email.
    let link = link_in_email(&app, "nuova@example.it", "confirm_email").await;
    app.get(&link).await;
    let res = app.post_form("/api/resend-registration", "/registrati/controlla", &[]).await;
    assert_eq!(location(&res), "/registrati/controlla?inviata=1");
    let confirmations = app.db.emails_to("nuova@example.it").await.iter().filter(|e| e.kind == "confirm_email").count();
    assert_eq!(confirmations, 2, "nothing more for a confirmed address");
    // Another browser sees no address and sends nothing.
    let other = app.new_client();
    let (_, page) = app.get_as(&other, "/registrati/controlla").await;
    assert!(!page.contains("nuova@example.it") && !page.contains("Invia di nuovo il link"));
}

on_both_databases!(
    the_check_inbox_page_names_the_address_and_sends_the_link_again,
    a_customer_registers_confirms_logs_in_and_out,
    registering_a_known_address_answers_exactly_like_a_new_one,
    a_refused_registration_says_why_and_changes_nothing,
    login_failures_answer_alike_for_unknown_and_known_addresses,
    logging_in_gives_a_new_session_id_and_logging_out_ends_it,
    a_password_reset_works_once_and_ends_every_session,
    changing_the_password_keeps_this_session_and_ends_the_others,
);
