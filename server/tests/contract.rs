//! The ports' contract: every behaviour the server functions rely on, checked on SQLite and on
//! PostgreSQL alike.

mod common;

use clap::Parser;
use common::TestDb;
use server::config::Cli;

async fn connect(db: &TestDb) -> app::ports::SharedStore {
    let cli = Cli::try_parse_from([
        "server",
        "--database-url",
        &db.url,
        "--db-max-connections",
        "2",
    ])
    .unwrap();
    server::db::connect(&cli.config)
        .await
        .expect("connect and migrate")
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
);
