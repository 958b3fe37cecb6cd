//! The ports' contract: every behaviour the server functions rely on, checked on SQLite and on
//! PostgreSQL alike.

mod common;

use clap::Parser;
use common::TestDb;
use server::config::Cli;

use app::context::{Portal, Settings};
use app::domain::account::{DisplayName, Email, LineNumber};
use app::domain::request::*;
use app::error::AppError;
use app::ports::*;
use app::services::requests::{By, Move, apply_at};

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
    let kinds: Vec<String> = db.emails_to("a@example.it").await.into_iter().map(|e| e.kind).collect();
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
    let kinds: Vec<String> = db.emails_to("b@example.it").await.into_iter().map(|e| e.kind).collect();
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
    let emails = db.emails_to("c@example.it").await;
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

// ---------- assistance requests ----------

async fn customer(store: &SharedStore, addr: &str) -> UserId {
    match register(store, addr, &format!("tok-{addr}"), 10_000, 0).await {
        Registration::Created(id) => id,
        other => panic!("{other:?}"),
    }
}

fn new_request(customer: UserId, subject: &str) -> NewRequest {
    NewRequest {
        customer,
        category: Category::Coverage,
        subject: Subject::parse(subject).unwrap(),
        description: Description::parse("No signal at home since Monday, in every room.").unwrap(),
        line_number: LineNumber::parse("333 123 4567").unwrap(),
        contact: Contact::Portal,
        reported_on: ReportedOn::Facebook,
        public_handle: Some(PublicHandle::parse("@mario").unwrap()),
        attachments: Vec::new(),
    }
}

async fn submit(store: &SharedStore, customer: UserId, subject: &str, now: i64) -> RequestId {
    let mail: EmailForRequest = Box::new(|id| email("mail@example.it", if id > 0 { "request_received" } else { "x" }));
    store.submit_request(new_request(customer, subject), Some(mail), now).await.unwrap()
}

/// A member of the care pool.
async fn agent(store: &SharedStore, addr: &str) -> UserRecord {
    let id = customer(store, addr).await;
    store.set_role(id, Role::Agent, None, 5).await.unwrap();
    store.user_by_id(id).await.unwrap().unwrap()
}

/// A move made through the real use case (the one the pages call), decided on the request as `r` was
/// read: the store must apply it only if nobody changed the request since.
async fn act(
    store: &SharedStore,
    r: &RequestRecord,
    who: &UserRecord,
    action: Action,
    now: i64,
) -> Result<i64, AppError> {
    let portal = Portal {
        store: store.clone(),
        settings: Settings {
            public_url: "http://portal.test".into(),
            secure_cookies: false,
            attachments: Default::default(),
            retention: Default::default(),
        },
        brand: app::brand::Brand::default(),
    };
    let actor = match who.role {
        Role::Customer => Actor::Customer { owner: who.id == r.customer_id },
        role => Actor::Staff { role, holder: r.holder_id == Some(who.id) },
    };
    let message = (action != Action::Take).then(|| format!("{} text", action.kind()));
    let mv = Move { action, message, new_holder: None, files: Vec::new() };
    apply_at(&portal, r, By { actor, user: Some(who) }, mv, None, now).await
}

/// The request as it is now.
async fn read(store: &SharedStore, id: RequestId) -> RequestRecord {
    store.request_by_id(id).await.unwrap().expect("stored")
}

async fn a_submitted_request_is_stored_whole_with_its_received_event_and_email(db: TestDb) {
    let store = connect(&db).await;
    let c = customer(&store, "c1@example.it").await;
    let id = submit(&store, c, "No signal at home", 1_000).await;
    let r = store.request_by_id(id).await.unwrap().expect("stored");
    assert_eq!((r.customer_id, r.status, r.version, r.queue_at, r.created_at), (c, Status::Received, 0, 1_000, 1_000));
    assert_eq!((r.category, r.contact, r.reported_on), (Category::Coverage, Contact::Portal, ReportedOn::Facebook));
    assert_eq!(r.subject, "No signal at home");
    assert_eq!(r.line_number, "+393331234567");
    assert_eq!(r.public_handle.as_deref(), Some("@mario"));
    assert_eq!(r.holder_id, None);
    let events = store.request_events(id, true).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].kind.code(), events[0].to_status, events[0].actor_id),
        ("received", Some(Status::Received), Some(c))
    );
    let kinds: Vec<String> = db.emails_to("mail@example.it").await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["request_received"]);
    assert!(store.request_by_id(id + 1000).await.unwrap().is_none());
}

async fn my_requests_come_newest_activity_first_in_keyset_pages(db: TestDb) {
    let store = connect(&db).await;
    let c = customer(&store, "c2@example.it").await;
    let other = customer(&store, "c3@example.it").await;
    // Seven requests; two pairs share a timestamp, so the id breaks the tie.
    let mut ids = Vec::new();
    for (i, at) in [100, 200, 200, 300, 400, 400, 500].into_iter().enumerate() {
        ids.push(submit(&store, c, &format!("Request number {i}"), at).await);
    }
    submit(&store, other, "Someone else's request", 450).await;
    // Activity on the oldest moves it to the top.
    let pool = agent(&store, "pool2@example.it").await;
    act(&store, &read(&store, ids[0]).await, &pool, Action::Take, 600).await.unwrap();

    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store.customer_requests(c, cursor, 3).await.unwrap();
        assert!(page.len() <= 3);
        if page.is_empty() {
            break;
        }
        let last = page.last().unwrap();
        cursor = Some(ListCursor { last_activity_at: last.last_activity_at, id: last.id });
        seen.extend(page.into_iter().map(|r| (r.last_activity_at, r.id)));
    }
    let expected =
        vec![(600, ids[0]), (500, ids[6]), (400, ids[5]), (400, ids[4]), (300, ids[3]), (200, ids[2]), (200, ids[1])];
    assert_eq!(seen, expected);
}

async fn a_change_applies_only_to_the_version_it_was_decided_on_and_logs_its_event(db: TestDb) {
    let store = connect(&db).await;
    let c = customer(&store, "c4@example.it").await;
    let pool = agent(&store, "agent@example.it").await;
    assert_eq!(pool.role, Role::Agent);
    let id = submit(&store, c, "Billing question", 1_000).await;
    let r = read(&store, id).await;
    assert_eq!(act(&store, &r, &pool, Action::Take, 2_000).await, Ok(1));
    // The same decision again, on the old version: refused, nothing written.
    let again = act(&store, &r, &pool, Action::Take, 2_001).await;
    assert_eq!(again, Err(AppError::Conflict));
    let r = read(&store, id).await;
    assert_eq!((r.status, r.version, r.holder_id, r.taken_at), (Status::InCharge, 1, Some(pool.id), Some(2_000)));

    assert_eq!(act(&store, &r, &pool, Action::Note, 3_000).await, Ok(2));
    let r = read(&store, id).await;
    assert_eq!(r.last_activity_at, 2_000, "a note is not activity the customer sees");
    act(&store, &r, &pool, Action::SetOutcome(Outcome::Solved), 4_000).await.unwrap();
    let r = read(&store, id).await;
    assert_eq!((r.status, r.outcome, r.resolved_at), (Status::Resolved, Some(Outcome::Solved), Some(4_000)));

    let all = store.request_events(id, true).await.unwrap();
    let kinds: Vec<&str> = all.iter().map(|e| e.kind.code()).collect();
    assert_eq!(kinds, ["received", "taken", "note", "outcome"]);
    assert_eq!((all[1].from_status, all[1].to_status), (Some(Status::Received), Some(Status::InCharge)));
    assert_eq!(all[3].outcome, Some(Outcome::Solved));
    assert!(all[2].internal);
    let visible = store.request_events(id, false).await.unwrap();
    assert!(visible.iter().all(|e| !e.internal && e.kind != EventKind::Note));
    assert_eq!(visible.len(), 3);
}

async fn a_reopened_request_keeps_its_arrival_time_and_leaves_its_holder(db: TestDb) {
    let store = connect(&db).await;
    let c = customer(&store, "c5@example.it").await;
    let pool = agent(&store, "pool5@example.it").await;
    let owner = store.user_by_id(c).await.unwrap().unwrap();
    let id = submit(&store, c, "Portability stuck", 1_000).await;
    act(&store, &read(&store, id).await, &pool, Action::Take, 2_000).await.unwrap();
    act(&store, &read(&store, id).await, &pool, Action::SetOutcome(Outcome::Solved), 3_000).await.unwrap();
    act(&store, &read(&store, id).await, &owner, Action::Reopen, 4_000).await.unwrap();
    let r = read(&store, id).await;
    assert_eq!((r.status, r.holder_id, r.queue_at, r.outcome), (Status::Received, None, 1_000, None));
}

async fn unread_counts_the_pool_s_visible_events_until_the_customer_looks(db: TestDb) {
    let store = connect(&db).await;
    let c = customer(&store, "c6@example.it").await;
    let id = submit(&store, c, "Offer not applied", 1_000).await;
    assert_eq!(store.customer_pulse(c).await.unwrap().unread, 0, "the customer's own submission is not news");
    let pool = agent(&store, "pool6@example.it").await;
    act(&store, &read(&store, id).await, &pool, Action::Take, 2_000).await.unwrap();
    act(&store, &read(&store, id).await, &pool, Action::Note, 2_500).await.unwrap();
    act(&store, &read(&store, id).await, &pool, Action::AskInfo, 3_000).await.unwrap();
    let pulse = store.customer_pulse(c).await.unwrap();
    assert_eq!(pulse.unread, 2, "taken + ask; the note is never counted");
    let list = store.customer_requests(c, None, 10).await.unwrap();
    assert_eq!(list[0].unread, 2);
    store.mark_seen(id, c, pulse.latest_event).await.unwrap();
    let after = store.customer_pulse(c).await.unwrap();
    assert_eq!(after.unread, 0);
    assert_eq!(after.latest_event, pulse.latest_event);
    // Marking never goes backwards.
    store.mark_seen(id, c, 1).await.unwrap();
    assert_eq!(store.customer_pulse(c).await.unwrap().unread, 0);
    // Someone else cannot mark it seen.
    act(&store, &read(&store, id).await, &pool, Action::Reply, 4_000).await.unwrap();
    let stranger = customer(&store, "c7@example.it").await;
    let newest = store.request_events(id, false).await.unwrap().iter().map(|e| e.id).max().unwrap();
    store.mark_seen(id, stranger, newest).await.unwrap();
    let pulse = store.customer_pulse(c).await.unwrap();
    assert_eq!(pulse.unread, 1);
    assert!(pulse.latest_event > after.latest_event);
    assert_eq!(store.customer_pulse(stranger).await.unwrap(), Pulse::default());
}

async fn a_rating_is_recorded_once_after_an_outcome_by_the_owner_only(db: TestDb) {
    let store = connect(&db).await;
    let c = customer(&store, "c8@example.it").await;
    let stranger = customer(&store, "c9@example.it").await;
    let id = submit(&store, c, "Device not working", 1_000).await;
    let five = Rating::parse("5").unwrap();
    assert!(!store.rate_request(id, c, five, None, 1_100).await.unwrap(), "no outcome yet");
    let pool = agent(&store, "pool8@example.it").await;
    act(&store, &read(&store, id).await, &pool, Action::Take, 2_000).await.unwrap();
    act(&store, &read(&store, id).await, &pool, Action::SetOutcome(Outcome::Solved), 3_000).await.unwrap();
    assert!(!store.rate_request(id, stranger, five, None, 3_100).await.unwrap(), "not theirs");
    assert!(store.rate_request(id, c, Rating::parse("4").unwrap(), Some("Quick".into()), 3_200).await.unwrap());
    assert!(!store.rate_request(id, c, five, None, 3_300).await.unwrap(), "only once");
    let r = store.request_by_id(id).await.unwrap().unwrap();
    assert_eq!((r.rating, r.rating_comment.as_deref()), (Some(4), Some("Quick")));
    let last = store.request_events(id, false).await.unwrap().pop().unwrap();
    assert_eq!((last.kind.code(), last.body.as_deref()), ("rated", Some("4")));
}

/// Submissions are committed in groups (one disk flush for many): under a burst every one is answered,
/// each with its own id, all stored whole; one that the database refuses is refused alone.
async fn a_burst_of_submissions_is_stored_whole_and_a_refused_one_takes_no_other_down(db: TestDb) {
    let store = connect(&db).await;
    let c = customer(&store, "burst@example.it").await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..300 {
        let store = store.clone();
        tasks.spawn(async move {
            let mail: EmailForRequest = Box::new(|_| email("burst-mail@example.it", "request_received"));
            // Number 150 names a customer that does not exist: the database refuses it.
            let who = if i == 150 { c + 1_000_000 } else { c };
            (i, store.submit_request(new_request(who, &format!("Burst {i:03}")), Some(mail), 1_000 + i).await)
        });
    }
    let mut ids = std::collections::BTreeSet::new();
    while let Some(done) = tasks.join_next().await {
        let (i, result) = done.unwrap();
        match (i, result) {
            (150, result) => assert!(result.is_err(), "a request of nobody was accepted"),
            (_, Ok(id)) => assert!(ids.insert(id), "id {id} given twice"),
            (i, Err(e)) => panic!("submission {i} refused: {e}"),
        }
    }
    assert_eq!(ids.len(), 299);
    let mut listed = Vec::new();
    let mut after = None;
    loop {
        let page = store.customer_requests(c, after, 100).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some(ListCursor { last_activity_at: last.last_activity_at, id: last.id });
        listed.extend(page.iter().map(|r| r.id));
    }
    assert_eq!(listed.iter().copied().collect::<std::collections::BTreeSet<_>>(), ids);
    for id in [*ids.first().unwrap(), *ids.last().unwrap()] {
        let events = store.request_events(id, false).await.unwrap();
        assert_eq!(events.iter().map(|e| e.kind.code()).collect::<Vec<_>>(), ["received"]);
    }
    assert_eq!(db.emails_to("burst-mail@example.it").await.len(), 299, "one email each, none for the refused one");
}

/// The queue page's counts: every open state, in order, each counted up to the cap (and no further,
/// so the count costs the same at any size).
async fn open_states_are_counted_up_to_the_cap(db: TestDb) {
    let store = connect(&db).await;
    let c = customer(&store, "counts@example.it").await;
    let first = submit(&store, c, "Counted one", 1_000).await;
    submit(&store, c, "Counted two", 1_001).await;
    let pool = agent(&store, "pool-counts@example.it").await;
    act(&store, &read(&store, first).await, &pool, Action::Take, 2_000).await.unwrap();
    let open: Vec<Status> = Status::ALL.iter().copied().filter(|s| *s != Status::Closed).collect();
    let counts = store.state_counts().await.unwrap();
    assert_eq!(counts.iter().map(|(s, _)| *s).collect::<Vec<_>>(), open);
    let count = |counts: &[(Status, i64)], status| counts.iter().find(|(s, _)| *s == status).unwrap().1;
    assert_eq!(count(&counts, Status::Received), 1);
    assert_eq!(count(&counts, Status::InCharge), 1);
    assert_eq!(count(&counts, Status::Resolved), 0);

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..STATE_COUNT_CAP {
        let store = store.clone();
        tasks.spawn(async move { store.submit_request(new_request(c, &format!("Many {i}")), None, 3_000 + i).await });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap().unwrap();
    }
    let counts = store.state_counts().await.unwrap();
    assert_eq!(
        count(&counts, Status::Received),
        STATE_COUNT_CAP,
        "{} waiting, counted up to the cap",
        STATE_COUNT_CAP + 1
    );
    assert_eq!(count(&counts, Status::InCharge), 1);
}

// --- Comments and reactions (#16) ---

/// A published post by a new admin, and `n` fans; their ids.
async fn post_and_fans(store: &SharedStore, n: usize) -> (PostId, UserId, Vec<UserId>) {
    use app::domain::post::{PostBody, PostKind};
    let admin = store
        .create_admin(&Email::parse("admin@example.it").unwrap(), &DisplayName::parse("Admin").unwrap(), "hash", 1)
        .await
        .unwrap();
    let post = NewPost { kind: PostKind::News, body: PostBody::parse("Una notizia").unwrap(), publish_at: 1 };
    let post = store.create_post(post, admin, 1).await.unwrap();
    let mut fans = Vec::new();
    for i in 0..n {
        match register(store, &format!("fan{i}@example.it"), &format!("t{i}"), 10_000, 2).await {
            Registration::Created(id) => fans.push(id),
            other => panic!("{other:?}"),
        }
    }
    (post, admin, fans)
}

fn comment(
    post: PostId,
    parent: Option<CommentId>,
    text: &str,
    state: app::domain::comment::CommentState,
) -> NewComment {
    NewComment { post, parent, body: app::domain::comment::CommentBody::parse(text).unwrap(), state, from_staff: false }
}

async fn reactions_count_each_person_once_under_concurrency(db: TestDb) {
    use app::domain::comment::{Reaction, Target};
    let store = connect(&db).await;
    let (post, _, fans) = post_and_fans(&store, 24).await;
    // Every fan clicks three times at once: like, like again, and love. Whatever order they land in, each
    // fan ends with one reaction and the counts hold exactly what the fans hold.
    let mut clicks = tokio::task::JoinSet::new();
    for &fan in &fans {
        for reaction in [Reaction::Like, Reaction::Like, Reaction::Love] {
            let store = store.clone();
            clicks.spawn(async move { store.react(Target::Post, post, Some(reaction), fan, 10).await });
        }
    }
    while let Some(done) = clicks.join_next().await {
        done.unwrap().expect("a click");
    }
    let mut held = std::collections::HashMap::new();
    for &fan in &fans {
        let mine = store.reactions(Target::Post, &[post], Some(fan)).await.unwrap().remove(&post).unwrap().mine;
        *held.entry(mine.expect("every fan holds one reaction")).or_insert(0i64) += 1;
    }
    let counts = store.reactions(Target::Post, &[post], None).await.unwrap().remove(&post).unwrap().counts;
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    assert_eq!(total, fans.len() as i64, "one reaction per fan: {counts:?}");
    for (reaction, n) in counts {
        assert_eq!(held.get(&reaction).copied().unwrap_or(0), n, "{reaction} counted as held");
    }
    // Taking one back, twice at once, counts once.
    let fan = fans[0];
    let (a, b) =
        tokio::join!(store.react(Target::Post, post, None, fan, 11), store.react(Target::Post, post, None, fan, 11));
    a.unwrap();
    b.unwrap();
    let counts = store.reactions(Target::Post, &[post], None).await.unwrap().remove(&post).unwrap().counts;
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), fans.len() as i64 - 1);
    // Nothing to react to: a comment that does not exist, a post that does not.
    assert!(matches!(store.react(Target::Comment, 999, Some(Reaction::Wow), fan, 12).await, Err(StoreError::NotFound)));
    assert!(matches!(store.react(Target::Post, 999, Some(Reaction::Wow), fan, 12).await, Err(StoreError::NotFound)));
}

async fn comment_counts_follow_every_change_and_lists_show_what_each_viewer_may_see(db: TestDb) {
    use app::domain::comment::{CommentBody, CommentState::*};
    let store = connect(&db).await;
    let (post, admin, fans) = post_and_fans(&store, 2).await;
    let (anna, bruno) = (fans[0], fans[1]);
    let count = |store: SharedStore| async move { store.post_by_id(post).await.unwrap().unwrap().comments };
    let first = store.add_comment(comment(post, None, "Bella notizia", Published), anna, 20).await.unwrap();
    let held = store.add_comment(comment(post, None, "Parola brutta", Held), bruno, 21).await.unwrap();
    let reply = store.add_comment(comment(post, Some(first), "Concordo", Published), bruno, 22).await.unwrap();
    assert_eq!(count(store.clone()).await, 2, "the held one is not counted");
    // A reply to a reply, or under another post's comment, is refused.
    let refused = store.add_comment(comment(post, Some(reply), "No", Published), anna, 23).await;
    assert!(matches!(refused, Err(StoreError::NotFound)));

    // Bruno sees his held comment; Anna and a visitor do not.
    let ids = |list: Vec<CommentRecord>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let newest = CommentOrder::NewestFirst;
    assert_eq!(ids(store.comments(post, Some(bruno), newest, None, 10).await.unwrap()), [held, first]);
    assert_eq!(ids(store.comments(post, Some(anna), newest, None, 10).await.unwrap()), [first]);
    assert_eq!(ids(store.comments(post, None, CommentOrder::OldestFirst, None, 10).await.unwrap()), [first]);
    assert_eq!(ids(store.replies(&[first], None, 10).await.unwrap()), [reply]);
    // A discussion's replies page by keyset, oldest first, by the same rule.
    let later = store.add_comment(comment(post, Some(first), "Anche io", Published), anna, 22).await.unwrap();
    let held_reply = store.add_comment(comment(post, Some(first), "Parolaccia", Held), anna, 22).await.unwrap();
    assert_eq!(ids(store.replies_after(first, None, None, 1).await.unwrap()), [reply]);
    assert_eq!(ids(store.replies_after(first, None, Some(reply), 10).await.unwrap()), [later]);
    assert_eq!(ids(store.replies_after(first, Some(anna), Some(reply), 10).await.unwrap()), [later, held_reply]);
    store.delete_comment(later, anna, 22).await.unwrap();
    store.delete_comment(held_reply, anna, 22).await.unwrap();

    // Edits: only the author's; a held comment published by the pool counts.
    let edit = store.edit_comment(first, CommentBody::parse("Altro").unwrap(), Published, bruno, 24).await;
    assert!(matches!(edit, Err(StoreError::NotFound)), "not Bruno's comment");
    store.moderate(held, None, Decision::Publish, None, admin, 25).await.unwrap();
    assert_eq!(count(store.clone()).await, 3);
    store.moderate(held, None, Decision::Hide, None, admin, 26).await.unwrap();
    assert_eq!(count(store.clone()).await, 2);
    let hidden_edit = store.edit_comment(held, CommentBody::parse("Scusate").unwrap(), Published, bruno, 27).await;
    assert!(matches!(hidden_edit, Err(StoreError::NotFound)), "a hidden comment stays as the pool left it");

    // Anna deletes her comment: it stays as a line while it has a reply, and is no longer counted.
    store.delete_comment(first, anna, 28).await.unwrap();
    assert_eq!(count(store.clone()).await, 1);
    let listed = store.comments(post, None, newest, None, 10).await.unwrap();
    assert!(listed.iter().any(|c| c.id == first && c.deleted), "kept as a line for its reply");
    store.delete_comment(reply, bruno, 29).await.unwrap();
    assert_eq!(count(store.clone()).await, 0);
    let listed = store.comments(post, None, newest, None, 10).await.unwrap();
    assert!(listed.iter().all(|c| c.id != first), "without replies it is gone");
    assert_eq!(store.comment_by_id(first).await.unwrap().unwrap().reply_count, 0);
}

async fn the_review_queue_holds_held_and_reported_comments_until_decided(db: TestDb) {
    use app::domain::comment::{CommentState::*, ReportReason};
    let store = connect(&db).await;
    let (post, admin, fans) = post_and_fans(&store, 3).await;
    let held = store.add_comment(comment(post, None, "Trattenuto", Held), fans[0], 20).await.unwrap();
    let fine = store.add_comment(comment(post, None, "Va bene", Published), fans[0], 21).await.unwrap();
    let queue = |store: SharedStore| async move {
        store.review_queue(None, 50).await.unwrap().into_iter().map(|r| (r.id, r.held, r.reports)).collect::<Vec<_>>()
    };
    assert_eq!(queue(store.clone()).await, [(held, true, vec![])]);
    // Two reports of one comment, and the same person twice: counted once each.
    store.report_comment(fine, ReportReason::Spam, fans[1], 22).await.unwrap();
    store.report_comment(fine, ReportReason::Spam, fans[1], 23).await.unwrap();
    store.report_comment(fine, ReportReason::Offensive, fans[2], 24).await.unwrap();
    assert_eq!(
        queue(store.clone()).await,
        [(held, true, vec![]), (fine, false, vec![(ReportReason::Offensive, 1), (ReportReason::Spam, 1)])]
    );
    // Paged after a cursor, and counted in all.
    let after_held: Vec<i64> = store.review_queue(Some(held), 50).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(after_held, [fine]);
    assert_eq!(store.review_queue(None, 1).await.unwrap().len(), 1);
    assert_eq!(store.review_count().await.unwrap(), 2);
    // A held comment cannot be reported (nobody else sees it).
    assert!(matches!(store.report_comment(held, ReportReason::Spam, fans[1], 25).await, Err(StoreError::NotFound)));
    // The moderator decides on what they read: an edit since then sends the decision back.
    let version = store.review_queue(None, 50).await.unwrap()[0].version;
    let edited = app::domain::comment::CommentBody::parse("Trattenuto, e poi peggiorato").unwrap();
    store.edit_comment(held, edited, Held, fans[0], 25).await.unwrap();
    let stale = store.moderate(held, Some(version), Decision::Publish, None, admin, 26).await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    store.moderate(fine, None, Decision::Publish, None, admin, 26).await.unwrap();
    store
        .moderate(held, None, Decision::Hide, Some(email("fan0@example.it", "comment_warning")), admin, 27)
        .await
        .unwrap();
    assert!(queue(store.clone()).await.is_empty());
    assert_eq!(store.review_count().await.unwrap(), 0);
    assert!(db.emails_to("fan0@example.it").await.iter().any(|e| e.kind == "comment_warning"));
    let log = store.audit_log(None, Some(admin), None, false, 10).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|l| l.action.code()).collect();
    for a in ["comment_published", "comment_hidden", "comment_warned"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    // The word list starts with the shipped one and is replaced whole.
    assert!(store.word_list().await.unwrap().contains("vaffanculo"));
    store.set_word_list("uno\ndue*", admin, 28).await.unwrap();
    assert_eq!(store.word_list().await.unwrap(), "uno\ndue*");
}

async fn notifications_tell_a_fan_what_happened_to_their_comments(db: TestDb) {
    use app::domain::comment::{CommentBody, CommentState, NotificationKind::*};
    const PUBLISHED: CommentState = CommentState::Published;
    let store = connect(&db).await;
    let (post, admin, fans) = post_and_fans(&store, 2).await;
    let (anna, bruno) = (fans[0], fans[1]);
    let first = store.add_comment(comment(post, None, "Prima domanda", PUBLISHED), anna, 20).await.unwrap();
    let second = store.add_comment(comment(post, None, "Seconda domanda", PUBLISHED), anna, 21).await.unwrap();
    let reply = store.add_comment(comment(post, Some(first), "Risposta di Bruno", PUBLISHED), bruno, 22).await.unwrap();
    store.add_comment(comment(post, Some(first), "Mi rispondo da sola", PUBLISHED), anna, 23).await.unwrap();
    let page = NewComment { from_staff: true, ..comment(post, Some(first), "Risposta della pagina", PUBLISHED) };
    store.add_comment(page, admin, 24).await.unwrap();
    store.add_comment(comment(post, Some(first), "Trattenuta", CommentState::Held), bruno, 25).await.unwrap();
    store.moderate(second, None, Decision::Hide, None, admin, 26).await.unwrap();
    let answer = CommentBody::parse("Ti abbiamo scritto in privato").unwrap();
    store.hand_off(first, answer, email("anna@example.it", "comment_handoff"), admin, 27).await.unwrap();
    let kinds = |list: Vec<Notification>| list.into_iter().map(|n| (n.kind, n.read)).collect::<Vec<_>>();
    let list = store.notifications(anna, 10).await.unwrap();
    assert_eq!(list[2].excerpt, "Risposta della pagina");
    assert_eq!(
        kinds(list),
        [
            (Private, false),
            (app::domain::comment::NotificationKind::Hidden, false),
            (PageAnswer, false),
            (Reply, false)
        ],
        "her own reply and a held one tell her nothing"
    );
    assert_eq!(store.unread_notifications(anna).await.unwrap(), 4);
    assert_eq!(store.unread_notifications(bruno).await.unwrap(), 0);
    // Bruno's reply hidden afterwards: Anna's notification no longer quotes it.
    store.moderate(reply, None, Decision::Hide, None, admin, 28).await.unwrap();
    let list = store.notifications(anna, 10).await.unwrap();
    assert_eq!(list.last().unwrap().excerpt, "");
    assert_eq!(
        kinds(store.notifications(bruno, 10).await.unwrap()),
        [(app::domain::comment::NotificationKind::Hidden, false)]
    );
    // Seen up to the newest she was shown: one that came in meanwhile stays unread.
    let newest = store.notifications(anna, 10).await.unwrap()[0].id;
    store.add_comment(comment(post, Some(first), "Arrivata dopo", PUBLISHED), bruno, 29).await.unwrap();
    store.mark_notifications_read(anna, newest, 30).await.unwrap();
    assert_eq!(store.unread_notifications(anna).await.unwrap(), 1);
    let list = store.notifications(anna, 10).await.unwrap();
    assert_eq!((list[0].kind, list[0].read, list[0].excerpt.as_str()), (Reply, false, "Arrivata dopo"));
    assert!(list[1..].iter().all(|n| n.read));

    // A reply held for review tells the fan it answers once it is published.
    let held = store.add_comment(comment(post, Some(first), "Risposta trattenuta", CommentState::Held), bruno, 31);
    let held = held.await.unwrap();
    assert_eq!(store.unread_notifications(anna).await.unwrap(), 1);
    store.moderate(held, None, Decision::Publish, None, admin, 32).await.unwrap();
    assert_eq!(store.unread_notifications(anna).await.unwrap(), 2);
    // No reply under a comment nobody else can see (hidden or held).
    let hidden_reply = store.add_comment(comment(post, Some(second), "Sotto un nascosto", PUBLISHED), bruno, 33).await;
    assert!(matches!(hidden_reply, Err(StoreError::NotFound)));
}

// --- Operations (#20) ---

async fn the_operations_snapshot_counts_every_state_the_queue_and_the_outbox(db: TestDb) {
    let store = connect(&db).await;
    let empty = store.operations().await.unwrap();
    assert_eq!(empty.per_state, Status::ALL.iter().map(|s| (*s, 0)).collect::<Vec<_>>(), "every state, at zero");
    assert_eq!((empty.waiting, empty.oldest_waiting_since), (0, None));
    assert_eq!((empty.outbox_pending, empty.outbox_oldest_pending_since, empty.outbox_failed), (0, None, 0));

    let c = customer(&store, "ops@example.it").await;
    let first = submit(&store, c, "Ops one", 1_000).await;
    submit(&store, c, "Ops two", 1_500).await;
    let pool = agent(&store, "pool-ops@example.it").await;
    act(&store, &read(&store, first).await, &pool, Action::Take, 2_000).await.unwrap();
    let ops = store.operations().await.unwrap();
    let count = |status| ops.per_state.iter().find(|(s, _)| *s == status).unwrap().1;
    assert_eq!((count(Status::Received), count(Status::InCharge), count(Status::Closed)), (1, 1, 0));
    assert_eq!(ops.per_state.iter().map(|(_, n)| n).sum::<i64>(), 2);
    assert_eq!((ops.waiting, ops.oldest_waiting_since), (1, Some(1_500)), "the one nobody took");

    // The outbox: one more email pending; given up on, it counts as failed and no longer pending.
    store.enqueue_email(email("ops-mail@example.it", "k"), 900).await.unwrap();
    let before = store.operations().await.unwrap();
    assert_eq!(before.outbox_pending, ops.outbox_pending + 1);
    assert!(before.outbox_oldest_pending_since.is_some_and(|t| t <= 900));
    let claimed = store.claim_due_emails(10_000, 1_000, 100).await.unwrap();
    for e in &claimed {
        store.mark_email_failed(e.id, "smtp down", None, 10_001).await.unwrap();
    }
    let after = store.operations().await.unwrap();
    assert_eq!(after.outbox_failed, claimed.len() as i64);
    assert_eq!((after.outbox_pending, after.outbox_oldest_pending_since), (0, None));
    let pool_use = store.pool_use();
    assert!(pool_use.open >= 1 && pool_use.idle <= pool_use.open, "{pool_use:?}");
}

on_both_databases!(
    the_operations_snapshot_counts_every_state_the_queue_and_the_outbox,
    open_states_are_counted_up_to_the_cap,
    a_burst_of_submissions_is_stored_whole_and_a_refused_one_takes_no_other_down,
    a_submitted_request_is_stored_whole_with_its_received_event_and_email,
    my_requests_come_newest_activity_first_in_keyset_pages,
    a_change_applies_only_to_the_version_it_was_decided_on_and_logs_its_event,
    a_reopened_request_keeps_its_arrival_time_and_leaves_its_holder,
    unread_counts_the_pool_s_visible_events_until_the_customer_looks,
    a_rating_is_recorded_once_after_an_outcome_by_the_owner_only,
    a_fresh_database_answers_a_ping,
    migrations_run_once_so_a_second_start_finds_the_schema_ready,
    a_second_registration_of_an_address_changes_nothing_but_queues_its_email,
    a_token_works_once_for_its_purpose_and_not_after_it_expires,
    two_workers_never_claim_the_same_email,
    a_failed_email_is_retried_later_then_given_up,
    reactions_count_each_person_once_under_concurrency,
    comment_counts_follow_every_change_and_lists_show_what_each_viewer_may_see,
    the_review_queue_holds_held_and_reported_comments_until_decided,
    notifications_tell_a_fan_what_happened_to_their_comments,
);
