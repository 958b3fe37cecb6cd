//! The benchmark harness' server side (`BENCHMARKS.md`): `server bench-seed` fills a database with a
//! realistic population, `server bare` serves the bare axum handler every figure is compared with.

use std::time::Instant;

use anyhow::Context;
use app::domain::account::Password;

use app::domain::request::{ActorRole, Category, Contact, EventKind, Outcome, ReportedOn, Role, Status};

use crate::config::{Backend, Config};
use crate::db::seed::{BulkLoad, SeedComment, SeedEvent, SeedPost, SeedRequest, SeedUser};

/// Requests per transaction while seeding.
const BATCH: i64 = 20_000;
const DAY_MS: i64 = 24 * 3600 * 1000;
/// Staff accounts of the seeded pool (the first is the admin the benchmark logs in with).
const STAFF: i64 = 12;
/// Messages in the long conversation the request-page benchmark opens.
pub const CONVERSATION: i64 = 200;

/// What the harness needs to log in and open pages.
pub struct Seeded {
    /// The admin (the posts' author) and the customers (the comments' authors), by id.
    pub staff_id: i64,
    pub customer_ids: std::ops::Range<i64>,
    pub customer_email: String,
    pub staff_email: String,
    pub conversation_reference: String,
    pub requests: i64,
    pub events: i64,
    pub seconds: f64,
}

/// Seeds `requests` requests (one customer for every five, 12 staff, every state, 2–5 events each, plus
/// one 200-message conversation), all logins with `password`. Adds to what is there.
pub async fn seed(config: &Config, requests: i64, password: &str) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let store = bulk_store(config).await?;
    let password = Password::parse(password).map_err(|e| anyhow::anyhow!("password: {}", e.code))?;
    let hash = app::auth::password::hash_password(&password)
        .await
        .map_err(|_| anyhow::anyhow!("could not hash the password"))?;
    let now = app::clock::now_ms();
    let first_user = store.max_id("users").await? + 1;
    let first_request = store.max_id("requests").await? + 1;
    let mut next_event = store.max_id("request_events").await? + 1;
    let first_event = next_event;
    let run = first_user; // keeps emails unique when seeding twice
    let customers = (requests / 5).max(1);
    let staff_ids: Vec<i64> = (first_user..first_user + STAFF).collect();
    let first_customer = first_user + STAFF;

    let mut users: Vec<SeedUser> = staff_ids
        .iter()
        .enumerate()
        .map(|(n, &id)| SeedUser {
            id,
            email: format!("staff{n}-{run}@bench.invalid"),
            name: format!("Operatore {n}"),
            password_hash: hash.clone(),
            line_number: None,
            role: if n == 0 { Role::Admin } else { Role::Agent },
            at: now - 400 * DAY_MS,
        })
        .collect();
    users.extend((0..customers).map(|n| SeedUser {
        id: first_customer + n,
        email: format!("customer{n}-{run}@bench.invalid"),
        name: format!("Cliente {n}"),
        password_hash: hash.clone(),
        line_number: Some(line_number(n)),
        role: Role::Customer,
        at: now - 400 * DAY_MS,
    }));
    store.load(&users, &[], &[]).await.context("seeding the users")?;

    // Requests arrive evenly over the last year; the oldest 90% are closed, the newest 10% are spread over
    // the open states (half of them waiting), so the queue holds about 5% of everything.
    let span = 365 * DAY_MS;
    let mut done = 0;
    while done < requests {
        let count = BATCH.min(requests - done);
        let mut rows = Vec::with_capacity(count as usize);
        let mut events = Vec::with_capacity(count as usize * 4);
        for i in done..done + count {
            let id = first_request + i;
            let customer = first_customer + i % customers;
            let queue_at = now - span + i * (span - 3_600_000) / requests.max(1);
            let agent = staff_ids[1 + (i as usize % (STAFF as usize - 1))];
            let status = status_at(i, requests);
            let mut e = EventPlan { id: &mut next_event, events: &mut events, request: id, at: queue_at };
            e.push(Step::new(Some(customer), ActorRole::Customer, EventKind::Received).to(None, Status::Received));
            let (mut holder, mut taken_at, mut resolved_at, mut closed_at, mut outcome, mut rating) =
                (None, None, None, None, None, None);
            if status != Status::Received {
                e.push(
                    Step::new(Some(agent), ActorRole::Agent, EventKind::Taken)
                        .to(Some(Status::Received), Status::InCharge),
                );
                holder = Some(agent);
                taken_at = Some(e.at);
            }
            if status == Status::AwaitingCustomer {
                let body = "Ci serve il numero di serie del telefono per proseguire.";
                e.push(
                    Step::new(Some(agent), ActorRole::Agent, EventKind::Ask)
                        .to(Some(Status::InCharge), Status::AwaitingCustomer)
                        .body(body),
                );
            }
            if status == Status::Resolved || status == Status::Closed {
                let o = Outcome::ALL[i as usize % Outcome::ALL.len()];
                let body = "Abbiamo accreditato la ricarica: la trovi nel saldo da oggi.";
                let mut step = Step::new(Some(agent), ActorRole::Agent, EventKind::Outcome)
                    .to(Some(Status::InCharge), Status::Resolved)
                    .body(body);
                step.outcome = Some(o);
                e.push(step);
                outcome = Some(o);
                resolved_at = Some(e.at);
            }
            if status == Status::Closed {
                e.push(
                    Step::new(Some(customer), ActorRole::Customer, EventKind::Confirmed)
                        .to(Some(Status::Resolved), Status::Closed),
                );
                closed_at = Some(e.at);
                holder = None;
                rating = (i % 3 == 0).then_some(1 + i % 5);
            }
            let last = e.at;
            let seen = *e.id - 1;
            let version = e.events.iter().rev().take_while(|ev| ev.request_id == id).count() as i64 - 1;
            rows.push(SeedRequest {
                id,
                customer_id: customer,
                category: Category::ALL[i as usize % Category::ALL.len()],
                subject: format!("Richiesta di prova numero {i}"),
                description: description(i),
                line_number: line_number(i % customers),
                contact: Contact::ALL[i as usize % Contact::ALL.len()],
                reported_on: ReportedOn::ALL[i as usize % ReportedOn::ALL.len()],
                status,
                outcome,
                holder_id: holder,
                version,
                queue_at,
                last_activity_at: last,
                taken_at,
                resolved_at,
                closed_at,
                rating,
                customer_seen_event: seen,
            });
        }
        store.load(&[], &rows, &events).await.context("seeding the requests")?;
        done += count;
        if requests >= 100_000 {
            eprintln!("  {done} / {requests} requests ({:.0} s)", started.elapsed().as_secs_f64());
        }
    }

    // The long conversation: the first customer's request with 200 messages, taken by the first agent.
    let id = first_request + requests;
    let (customer, agent, at) = (first_customer, staff_ids[1], now - 30 * DAY_MS);
    let mut events = Vec::new();
    let mut e = EventPlan { id: &mut next_event, events: &mut events, request: id, at };
    e.push(Step::new(Some(customer), ActorRole::Customer, EventKind::Received).to(None, Status::Received));
    e.push(Step::new(Some(agent), ActorRole::Agent, EventKind::Taken).to(Some(Status::Received), Status::InCharge));
    for n in 0..CONVERSATION {
        let (who, role, kind) = if n % 2 == 0 {
            (customer, ActorRole::Customer, EventKind::CustomerReply)
        } else {
            (agent, ActorRole::Agent, EventKind::Message)
        };
        e.push(Step::new(Some(who), role, kind).body(&format!("Messaggio {n}: {}", description(n))));
    }
    let last = e.at;
    let total_events = *e.id - 1;
    let version = CONVERSATION + 1;
    let conversation = SeedRequest {
        id,
        customer_id: customer,
        category: Category::MobileInternet,
        subject: "Una lunga conversazione".into(),
        description: description(id),
        line_number: line_number(0),
        contact: Contact::Portal,
        reported_on: ReportedOn::Nowhere,
        status: Status::InCharge,
        outcome: None,
        holder_id: Some(agent),
        version,
        queue_at: at,
        last_activity_at: last,
        taken_at: Some(at),
        resolved_at: None,
        closed_at: None,
        rating: None,
        customer_seen_event: total_events,
    };
    store.load(&[], &[conversation], &events).await.context("seeding the conversation")?;
    store.analyze().await?;
    Ok(Seeded {
        staff_id: staff_ids[0],
        customer_ids: first_customer..first_customer + customers,
        customer_email: users[STAFF as usize].email.clone(),
        staff_email: users[0].email.clone(),
        conversation_reference: app::domain::request::reference(id),
        requests: requests + 1,
        events: total_events + 1 - first_event,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The seeded wall: the newest post holds the long discussion, a quiet one has 5 comments.
pub struct SeededWall {
    pub busy_post: i64,
    pub quiet_post: i64,
    /// A top-level comment of the long discussion half-way through it (a cursor to page from).
    pub middle_comment: i64,
    pub posts: i64,
    pub comments: i64,
}

async fn bulk_store(config: &Config) -> anyhow::Result<Box<dyn BulkLoad>> {
    let url = config.database_url.expose();
    Ok(match config.database_url.backend().map_err(anyhow::Error::msg)? {
        Backend::Sqlite => Box::new(crate::db::sqlite::SqliteStore::connect(url, 4).await?),
        Backend::Postgres => Box::new(crate::db::postgres::PgStore::connect(url, 4).await?),
    })
}

/// Adds `posts` posts by the seeded admin, one every hour back from now (every tenth with 5 comments),
/// and gives the newest `comments` top-level comments, its newest comment 60 replies.
pub async fn seed_wall(config: &Config, seeded: &Seeded, posts: i64, comments: i64) -> anyhow::Result<SeededWall> {
    const HOUR_MS: i64 = 3_600_000;
    const REPLIES: i64 = 60;
    let store = bulk_store(config).await?;
    let now = app::clock::now_ms();
    let first_post = store.max_id("posts").await? + 1;
    let mut next_comment = store.max_id("comments").await? + 1;
    let first_comment = next_comment;
    let customers = seeded.customer_ids.clone();
    let author = |n: i64| customers.start + n % (customers.end - customers.start).max(1);
    let kinds = ["news", "offer", "question"];
    let busy = first_post + posts - 1;
    let mut done = 0;
    while done < posts {
        let count = BATCH.min(posts - done);
        let mut rows = Vec::with_capacity(count as usize);
        let mut notes = Vec::new();
        for i in done..done + count {
            let id = first_post + i;
            let at = now - (posts - i) * HOUR_MS;
            let few = if id == busy {
                0
            } else if i % 10 == 0 {
                5
            } else {
                0
            };
            for n in 0..few {
                let body = format!("Commento {n} al post {id}: {}", description(n));
                notes.push(SeedComment {
                    id: next_comment,
                    post_id: id,
                    parent_id: None,
                    author_id: author(i + n),
                    body,
                    at: at + (n + 1) * 60_000,
                    reply_count: 0,
                });
                next_comment += 1;
            }
            let body = format!(
                "Notizia numero {i} dalla pagina: {} Scopri di più su https://example.it/offerte",
                description(i)
            );
            let comment_count = if id != busy {
                few
            } else if comments > 0 {
                comments + REPLIES
            } else {
                0
            };
            rows.push(SeedPost {
                id,
                kind: kinds[i as usize % kinds.len()],
                body,
                author_id: seeded.staff_id,
                at,
                comment_count,
            });
        }
        store.load_wall(&rows, &notes).await.context("seeding the wall")?;
        done += count;
    }
    // The long discussion under the newest post, its newest comment answered 60 times.
    let start = now - comments * 1000 - HOUR_MS;
    let middle_comment = next_comment + comments / 2;
    let mut done = 0;
    while done < comments {
        let count = BATCH.min(comments - done);
        let mut notes = Vec::with_capacity(count as usize);
        for n in done..done + count {
            let last = n == comments - 1;
            notes.push(SeedComment {
                id: next_comment,
                post_id: busy,
                parent_id: None,
                author_id: author(n),
                body: format!("Commento {n}: {}", description(n)),
                at: start + n * 1000,
                reply_count: if last { REPLIES } else { 0 },
            });
            next_comment += 1;
        }
        if done + count == comments {
            let parent = next_comment - 1;
            for r in 0..REPLIES {
                notes.push(SeedComment {
                    id: next_comment,
                    post_id: busy,
                    parent_id: Some(parent),
                    author_id: author(r + 1),
                    body: format!("Risposta {r}: anche a me"),
                    at: start + comments * 1000 + r,
                    reply_count: 0,
                });
                next_comment += 1;
            }
        }
        store.load_wall(&[], &notes).await.context("seeding the long discussion")?;
        done += count;
    }
    store.analyze().await?;
    Ok(SeededWall {
        busy_post: busy,
        quiet_post: first_post,
        middle_comment,
        posts,
        comments: next_comment - first_comment,
    })
}

/// Appends one event a minute after the previous one.
struct EventPlan<'a> {
    id: &'a mut i64,
    events: &'a mut Vec<SeedEvent>,
    request: i64,
    at: i64,
}

/// One event of a seeded timeline.
struct Step {
    actor: Option<i64>,
    role: ActorRole,
    kind: EventKind,
    from: Option<Status>,
    to: Option<Status>,
    outcome: Option<Outcome>,
    body: Option<String>,
}

impl Step {
    fn new(actor: Option<i64>, role: ActorRole, kind: EventKind) -> Self {
        Self { actor, role, kind, from: None, to: None, outcome: None, body: None }
    }

    fn to(mut self, from: Option<Status>, to: Status) -> Self {
        (self.from, self.to) = (from, Some(to));
        self
    }

    fn body(mut self, text: &str) -> Self {
        self.body = Some(text.to_string());
        self
    }
}

impl EventPlan<'_> {
    fn push(&mut self, step: Step) {
        if !self.events.is_empty() || step.kind != EventKind::Received {
            self.at += 60_000;
        }
        self.events.push(SeedEvent {
            id: *self.id,
            request_id: self.request,
            at: self.at,
            actor_id: step.actor,
            actor_role: step.role,
            kind: step.kind,
            from_status: step.from,
            to_status: step.to,
            outcome: step.outcome,
            body: step.body,
        });
        *self.id += 1;
    }
}

/// The state of the `i`-th of `n` requests (0 = oldest).
fn status_at(i: i64, n: i64) -> Status {
    if i * 10 < n * 9 {
        return Status::Closed;
    }
    match i % 10 {
        0..=4 => Status::Received,
        5 | 6 => Status::InCharge,
        7 => Status::AwaitingCustomer,
        _ => Status::Resolved,
    }
}

fn line_number(n: i64) -> String {
    format!("+39333{:07}", n % 10_000_000)
}

fn description(i: i64) -> String {
    format!(
        "Dal {} del mese la ricarica fatta online non risulta accreditata sul numero, anche se l'addebito \
         sulla carta è arrivato. Ho già riavviato il telefono e controllato il saldo più volte.",
        1 + i % 28
    )
}

/// `server bare`: the smallest axum answer, the yardstick every benchmark figure is divided by.
pub async fn bare(bind: std::net::SocketAddr) -> anyhow::Result<()> {
    let router = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(bind).await?;
    tracing::info!(%bind, "bare handler listening");
    axum::serve(listener, router).await?;
    Ok(())
}
