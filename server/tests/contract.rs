//! The ports' contract: every behaviour the server functions rely on, checked on SQLite and on
//! PostgreSQL alike.

mod common;

use clap::Parser;
use common::TestDb;
use server::config::Cli;

use app::domain::account::{DisplayName, Email};
use app::ports::*;

fn email(to: &str, kind: &'static str) -> NewEmail {
    NewEmail {
        to: to.into(),
        locale: "it".into(),
        kind,
        subject: "s".into(),
        text: "t".into(),
        html: "<p>t</p>".into(),
    }
}

fn account(addr: &str) -> NewAccount {
    NewAccount {
        email: Email::parse(addr).unwrap(),
        display_name: DisplayName::parse("Test").unwrap(),
        password_hash: "hash".into(),
        line_number: None,
        locale: "it",
    }
}

fn token(hash: &str, purpose: TokenPurpose, expires_at: i64) -> NewToken {
    NewToken { hash: hash.into(), purpose, expires_at }
}

async fn register(store: &SharedStore, addr: &str, token_hash: &str, expires_at: i64, now: i64) -> Registration {
    let t = token(token_hash, TokenPurpose::ConfirmEmail, expires_at);
    store
        .register_account(account(addr), t, email(addr, "confirm_email"), email(addr, "already_registered"), now)
        .await
        .unwrap()
}

async fn a_second_registration_of_an_address_changes_nothing_but_queues_its_email(db: TestDb) {
    let store = connect(&db).await;
    assert!(matches!(register(&store, "a@example.it", "t1", 10_000, 1).await, Registration::Created(_)));
    assert_eq!(register(&store, "a@example.it", "t2", 10_000, 2).await, Registration::AlreadyRegistered);
    let kinds: Vec<String> = store.emails_to("a@example.it").await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["confirm_email", "already_registered"]);
    // The second token was never stored.
    assert_eq!(store.use_token("t2", TokenPurpose::ConfirmEmail, 3).await.unwrap(), None);
}

async fn a_token_works_once_for_its_purpose_and_not_after_it_expires(db: TestDb) {
    let store = connect(&db).await;
    let Registration::Created(id) = register(&store, "b@example.it", "confirm", 1_000, 0).await else {
        panic!("created")
    };
    assert_eq!(store.use_token("confirm", TokenPurpose::ResetPassword, 10).await.unwrap(), None, "wrong purpose");
    assert_eq!(store.confirm_email("confirm", 1_000).await.unwrap(), None, "expired at 1000");
    assert_eq!(store.confirm_email("confirm", 999).await.unwrap(), Some(id));
    assert_eq!(store.confirm_email("confirm", 999).await.unwrap(), None, "used");
    assert!(store.user_by_id(id).await.unwrap().unwrap().email_confirmed);

    // A new token of a purpose replaces the unused ones.
    store
        .issue_token(id, token("r1", TokenPurpose::ResetPassword, 5_000), email("b@example.it", "reset"), 10)
        .await
        .unwrap();
    store
        .issue_token(id, token("r2", TokenPurpose::ResetPassword, 5_000), email("b@example.it", "reset"), 11)
        .await
        .unwrap();
    assert_eq!(store.use_token("r1", TokenPurpose::ResetPassword, 12).await.unwrap(), None);
    let notice: EmailFor = Box::new(|u| email(&u.email, "password_changed"));
    assert_eq!(store.reset_password("r2", "new-hash", notice, 12).await.unwrap(), Some(id));
    let user = store.user_by_id(id).await.unwrap().unwrap();
    assert_eq!((user.password_hash.as_str(), user.session_epoch), ("new-hash", 1));
    let kinds: Vec<String> = store.emails_to("b@example.it").await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["confirm_email", "reset", "reset", "password_changed"]);
}

async fn two_workers_never_claim_the_same_email(db: TestDb) {
    let store = connect(&db).await;
    for i in 0..40 {
        store.enqueue_email(email(&format!("u{i}@example.it"), "k"), 0).await.unwrap();
    }
    let (a, b) = tokio::join!(store.claim_due_emails(100, 60_000, 25), store.claim_due_emails(100, 60_000, 25));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut ids: Vec<i64> = a.iter().chain(b.iter()).map(|e| e.id).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total, "an email was claimed twice");
    assert_eq!(total, 40);
    // Claimed emails are not due again until their lease passes.
    assert!(store.claim_due_emails(100, 60_000, 50).await.unwrap().is_empty());
    assert_eq!(store.claim_due_emails(60_100, 60_000, 50).await.unwrap().len(), 40);
}

async fn a_failed_email_is_retried_later_then_given_up(db: TestDb) {
    let store = connect(&db).await;
    store.enqueue_email(email("c@example.it", "k"), 0).await.unwrap();
    let claimed = store.claim_due_emails(0, 1_000, 10).await.unwrap();
    store.mark_email_failed(claimed[0].id, "smtp down", Some(5_000), 1).await.unwrap();
    assert!(store.claim_due_emails(4_999, 1_000, 10).await.unwrap().is_empty());
    let again = store.claim_due_emails(5_000, 1_000, 10).await.unwrap();
    assert_eq!(again[0].attempts, 2);
    store.mark_email_failed(again[0].id, "smtp down", None, 5_001).await.unwrap();
    assert!(store.claim_due_emails(1_000_000, 1_000, 10).await.unwrap().is_empty());
    let emails = store.emails_to("c@example.it").await.unwrap();
    assert!(emails[0].failed && !emails[0].sent);
}

async fn connect(db: &TestDb) -> SharedStore {
    let cli = Cli::try_parse_from(["server", "--database-url", &db.url, "--db-max-connections", "4"]).unwrap();
    server::db::connect(&cli.config).await.expect("connect and migrate").store
}

async fn a_fresh_database_answers_a_ping(db: TestDb) {
    let store = connect(&db).await;
    store.ping().await.expect("ping");
    assert_eq!(store.backend(), db.backend);
}

async fn migrations_run_once_so_a_second_start_finds_the_schema_ready(db: TestDb) {
    let first = connect(&db).await;
    drop(first);
    let second = connect(&db).await;
    second.ping().await.expect("ping after a second start");
}

on_both_databases!(
    a_fresh_database_answers_a_ping,
    migrations_run_once_so_a_second_start_finds_the_schema_ready,
    a_second_registration_of_an_address_changes_nothing_but_queues_its_email,
    a_token_works_once_for_its_purpose_and_not_after_it_expires,
    two_workers_never_claim_the_same_email,
    a_failed_email_is_retried_later_then_given_up,
);
