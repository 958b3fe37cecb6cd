//! What the pages show: the values server functions return, made by the services. Both sides compile
//! them (the server fills them, the browser reads them); none holds a password hash or another
//! customer's data.

use serde::{Deserialize, Serialize};

use crate::domain::request::{
    ActorRole, AuditAction, Category, Contact, EventKind, Outcome, ReportedOn, Role, Status, reference,
};

/// What the pages may know about the logged-in account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub display_name: String,
    pub email: String,
    pub email_confirmed: bool,
    pub role: Role,
    pub line_number: Option<String>,
    pub locale: String,
    pub email_notifications: bool,
    /// The pool's messages on the customer's requests that they have not seen yet.
    pub unread: i64,
    /// Unread notifications (the bell).
    pub notifications: i64,
    /// A newer privacy notice or set of rules waits for the customer's acceptance (#18).
    pub consent_pending: bool,
}

// --- The customer's requests ---

/// A line of "My requests".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: i64,
    pub category: Category,
    pub subject: String,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub last_activity_at: i64,
    /// The pool's events the customer has not seen yet.
    pub unread: i64,
}

impl RequestSummary {
    pub fn reference(&self) -> String {
        reference(self.id)
    }
}

/// One page of "My requests"; `next` is the cursor of the following page, if there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub items: Vec<RequestSummary>,
    pub next: Option<String>,
    pub first_page: bool,
}

/// A line of the timeline the customer sees (internal notes never become one).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub id: i64,
    pub at: i64,
    pub kind: EventKind,
    pub by_customer: bool,
    /// The first name of the team member who wrote it (their messages are signed, #21.9).
    pub signature: Option<String>,
    pub to_status: Option<Status>,
    pub outcome: Option<Outcome>,
    pub body: Option<String>,
    /// The files the message came with (#19).
    pub files: Vec<FileView>,
}

/// An attachment as a timeline shows it: a thumbnail that opens the image, or a PDF to download; once
/// removed by the care pool, only that it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    pub image: bool,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub removed: bool,
}

impl FileView {
    /// Where it is downloaded (the full image, or the PDF).
    pub fn href(&self) -> String {
        format!("/allegati/{}", self.id)
    }

    /// The timeline's small copy of an image.
    pub fn thumbnail(&self) -> String {
        format!("/allegati/{}/anteprima", self.id)
    }
}

/// The request page, as its customer sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub reference: String,
    pub category: Category,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: Contact,
    pub reported_on: ReportedOn,
    pub public_handle: Option<String>,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub created_at: i64,
    pub can_reply: bool,
    pub can_confirm: bool,
    pub can_reopen: bool,
    pub reopen_until: Option<i64>,
    pub can_rate: bool,
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
    /// The customer thanked the page publicly for this request.
    pub thanked: bool,
    /// The service incident holding it (#17): its page is `/stato/{id}`.
    pub incident: Option<i64>,
    pub timeline: Vec<TimelineEntry>,
}

/// What the live status polls: the newest event the customer may see and the unread count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePulse {
    pub latest_event: i64,
    pub unread: i64,
    /// Unread notifications (the bell).
    pub notifications: i64,
}

// --- The care pool ---

/// A line of the queue, "my cases" or the search results (line number masked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub id: i64,
    pub category: Category,
    pub subject: String,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub line_masked: String,
    pub queue_at: i64,
    pub last_activity_at: i64,
    pub holder_name: Option<String>,
    /// The customer spoke last (notes aside): the case waits for its agent.
    #[serde(default)]
    pub new_reply: bool,
}

impl CaseLine {
    pub fn reference(&self) -> String {
        reference(self.id)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub counts: Vec<(Status, i64)>,
    pub items: Vec<CaseLine>,
    /// Open incidents (#17): a waiting request of one of their topics may be linked from the queue.
    pub incidents: Vec<IncidentSummary>,
    pub next: Option<String>,
    /// The server's clock, for ages ("waiting for 2 h").
    pub now: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchPage {
    pub items: Vec<CaseLine>,
    pub next: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffTimelineEntry {
    pub at: i64,
    pub kind: EventKind,
    pub actor_role: ActorRole,
    pub actor_name: Option<String>,
    pub body: Option<String>,
    pub internal: bool,
    pub to_status: Option<Status>,
    pub outcome: Option<Outcome>,
    pub files: Vec<FileView>,
}

/// The case page: the customer's private data, the whole timeline (notes included), what may be done.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub reference: String,
    pub version: i64,
    pub status: Status,
    pub outcome: Option<Outcome>,
    pub category: Category,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: Contact,
    pub reported_on: ReportedOn,
    pub public_handle: Option<String>,
    pub customer_name: String,
    pub customer_email: String,
    /// The customer deleted their account (#18): no name, no address.
    pub customer_erased: bool,
    pub customer_blocked: bool,
    pub holder_name: Option<String>,
    pub is_holder: bool,
    pub is_admin: bool,
    pub queue_at: i64,
    pub rating: Option<u8>,
    pub rating_comment: Option<String>,
    pub can_reply: bool,
    pub can_outcome: bool,
    pub can_release: bool,
    pub can_reassign: bool,
    pub agents: Vec<(i64, String)>,
    /// The incident holding it (#17): id and title.
    pub incident: Option<(i64, String)>,
    /// Open incidents it may be linked to (empty when it may not be linked).
    pub link_to: Vec<(i64, String)>,
    /// The viewer may take it out of its incident (back to its place in the queue).
    pub can_unlink: bool,
    /// The customer's other requests, newest activity first (at most 10).
    pub history: Vec<RequestSummary>,
    pub timeline: Vec<StaffTimelineEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    /// May write the page's posts.
    pub editor: bool,
    /// Requests they hold that are still open.
    pub open_cases: i64,
}

/// The staff page: the care pool, and which of them is looking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffRoster {
    pub members: Vec<StaffMember>,
    pub me: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: AuditAction,
    pub request_id: Option<i64>,
    pub subject_user_id: Option<i64>,
    pub detail: Option<String>,
}

impl AuditLine {
    /// The request it is about, as staff quote it.
    pub fn reference(&self) -> Option<String> {
        self.request_id.map(reference)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditLine>,
    pub next: Option<String>,
    pub staff: Vec<(i64, String)>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: Option<i64>,
    pub p95: Option<i64>,
    pub count: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub counts: Vec<(Status, i64)>,
    /// (start of the day in ms, requests received), the last 30 days.
    pub per_day: Vec<(i64, i64)>,
    pub take_7: Percentiles,
    pub take_30: Percentiles,
    pub outcome_7: Percentiles,
    pub outcome_30: Percentiles,
    pub oldest_waiting: Option<i64>,
    pub rating_average: Option<f64>,
    pub rating_count: i64,
    pub open_per_agent: Vec<(String, i64)>,
    pub incidents: Vec<IncidentStat>,
    pub now: i64,
}

/// An incident on the dashboard (#17): how many it concerned and how quickly it was known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentStat {
    pub id: i64,
    pub title: String,
    pub started_at: i64,
    /// When it was opened on the portal.
    pub opened_at: i64,
    pub resolved_at: Option<i64>,
    /// Customers linked to it (reported "affected too", or linked by the pool).
    pub affected: i64,
    /// Of those, the requests that never waited in the queue ("affected too").
    pub spared: i64,
    /// The earliest arrival among its linked requests (a report may come before the incident is opened).
    pub first_report: Option<i64>,
}

// --- The wall ---

/// A post of the page, as the wall shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    pub id: i64,
    pub kind: crate::domain::post::PostKind,
    pub body: String,
    pub publish_at: i64,
    pub edited_at: Option<i64>,
    pub pinned: bool,
    /// Published comments, replies included.
    pub comments: i64,
    /// Filled in by the wall's service (the port leaves it empty).
    pub reactions: Reactions,
}

/// The reactions on a post or a comment: how many of each (the ones with any, in the fixed order), and
/// the viewer's own.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactions {
    pub counts: Vec<(crate::domain::comment::Reaction, i64)>,
    pub mine: Option<crate::domain::comment::Reaction>,
}

/// How a comment shows to the one who looks at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CommentShown {
    Published,
    /// Waiting for review: only its author sees it (with its text) and the pool.
    Held,
    /// Taken down by the pool: its author sees the text and why, everyone else only that it was.
    Hidden,
    /// Deleted by its author; kept as a line while it has replies.
    Deleted,
}

/// Where the private request a comment was taken to stands, as its public answer tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandoffState {
    /// "We have written to you in private" (the fan has not written yet, or the pool is at it).
    InPrivate,
    /// The request was solved.
    Solved,
    /// The request ended with another outcome: said neutrally.
    Handled,
}

/// A comment as the post page shows it. `body` is empty whenever the viewer may not read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub parent: Option<i64>,
    /// The author's display name, or the page's name for the pool's answers.
    pub author: String,
    pub from_staff: bool,
    /// Written by the viewer (who may edit or delete it).
    pub mine: bool,
    pub shown: CommentShown,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub reactions: Reactions,
    /// For the page's answer to a comment taken to private: where the private request stands.
    pub handoff: Option<HandoffState>,
    /// The pool may take it to private (a fan's published comment, not taken yet).
    pub can_hand_off: bool,
    /// Published replies in all.
    pub reply_count: i64,
    /// The first replies, oldest first (top-level comments only).
    pub replies: Vec<Comment>,
}

/// One page of a post's comments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentsPage {
    pub comments: Vec<Comment>,
    /// Oldest first (`true`) or newest first.
    pub oldest_first: bool,
    /// The cursor of the next page, if there is one.
    pub next: Option<String>,
    /// One comment's discussion: the comment alone, its replies a page at a time (`next` pages them).
    pub thread: Option<i64>,
    /// Who is looking: nobody (asked to log in to act), a fan who may comment, or the pool.
    pub viewer: Viewer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    Visitor,
    /// Logged in but the email is not confirmed yet: reads, cannot act.
    Unconfirmed,
    Fan,
    Staff,
}

/// A customer's public thanks, as the wall shows it (nothing of the request).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thanks {
    pub author: String,
    pub body: String,
    pub created_at: i64,
}

/// A fan's notification, as the bell's page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub kind: crate::domain::comment::NotificationKind,
    pub post_id: i64,
    pub comment_id: i64,
    pub created_at: i64,
    pub read: bool,
    /// The beginning of the comment it is about, when the fan may read it.
    pub excerpt: String,
}

/// A comment waiting for the pool's decision: held by the word list, or reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: i64,
    pub post_id: i64,
    pub author: String,
    pub author_id: i64,
    pub author_blocked: bool,
    pub held: bool,
    pub body: String,
    pub created_at: i64,
    /// The version the moderator decides on: its last edit, or its creation.
    pub version: i64,
    /// Open reports by reason.
    pub reports: Vec<(crate::domain::comment::ReportReason, i64)>,
}

/// A page of the moderation queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub items: Vec<ReviewItem>,
    /// How many comments wait in all.
    pub total: i64,
    /// The cursor of the next page.
    pub next: Option<String>,
}

/// One page of the wall: the pinned post on the first page, then the newest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WallPage {
    pub pinned: Option<Post>,
    pub posts: Vec<Post>,
    /// The cursor of the next (older) page.
    pub older: Option<String>,
    /// The visitor may write posts (an editor or an admin).
    pub can_edit: bool,
    /// The visitor may react (a logged-in, confirmed account).
    pub can_react: bool,
    /// The newest public thanks (first page only).
    pub thanks: Vec<Thanks>,
}

/// A post's own page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostPage {
    pub post: Post,
    pub can_edit: bool,
    pub can_react: bool,
    /// Published yet? (Editors see a scheduled post's page before it is.)
    pub published: bool,
    /// Its public address, for the link preview.
    pub url: String,
}

/// One line of the privacy log (#18): an export or an erasure, who and when, no content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyLogLine {
    pub id: i64,
    pub at: i64,
    /// `data_exported` or `account_erased`.
    pub action: String,
    pub actor_id: Option<i64>,
    pub actor_name: Option<String>,
    pub account_id: Option<i64>,
    /// Why an admin erased an account.
    pub reason: Option<String>,
}

/// How long personal data is kept, in days (#18; the `--retain-*` flags). The retention task applies it
/// and the privacy notice says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Accounts never confirmed are deleted after this.
    pub unconfirmed_days: i64,
    /// Closed requests are anonymised after this.
    pub closed_requests_days: i64,
    /// Delivered emails' bodies are emptied after this.
    pub email_bodies_days: i64,
    /// Audit lines lose their details after this.
    pub audit_details_days: i64,
    /// Accounts without a login for this long are warned by email…
    pub idle_days: i64,
    /// … and erased this long after the warning unless they log in.
    pub idle_grace_days: i64,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            unconfirmed_days: 7,
            closed_requests_days: 730,
            email_bodies_days: 30,
            audit_details_days: 730,
            idle_days: 1095,
            idle_grace_days: 30,
        }
    }
}

/// A published version of the privacy notice (`privacy`) or of the page's rules (`rules`) (#18).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: String,
    pub version: i64,
    pub body_it: String,
    pub body_en: String,
    pub published_at: i64,
}

impl Document {
    /// Its text in the page's language (`it` or `en`).
    pub fn body(&self, english: bool) -> &str {
        if english { &self.body_en } else { &self.body_it }
    }
}

// --- Incidents (#17) ---

/// An incident as lists show it: the status page, the banner, the wall's notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: i64,
    pub title: String,
    pub status: crate::domain::incident::IncidentStatus,
    pub topics: Vec<Category>,
    pub places: Vec<String>,
    pub started_at: i64,
    pub updated_at: i64,
    pub resolved_at: Option<i64>,
    /// The text of its latest public update.
    pub latest: String,
    /// How many customers reported being affected (or were linked to it by the pool).
    pub affected: i64,
}

/// One public update of an incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentUpdate {
    pub at: i64,
    pub status: crate::domain::incident::IncidentStatus,
    pub body: String,
}

/// An incident's own page: the summary, its description and its history (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentPage {
    pub incident: IncidentSummary,
    pub description: String,
    pub updates: Vec<IncidentUpdate>,
    /// The viewer may post updates (editors and admins).
    pub can_update: bool,
    /// The viewer is logged in and may say "I'm affected too" (not yet linked, incident open).
    pub can_join: bool,
    pub signed_in: bool,
    /// The viewer's own request linked to it, if any (its reference).
    pub joined: Option<String>,
}

/// An open incident the request form points to when the chosen topic matches (#17).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownProblem {
    pub incident: IncidentSummary,
    /// The viewer's own request linked to it, if any (its reference).
    pub joined: Option<String>,
}

/// The status page: what is open now, and the past (20 a page, resolved before `next`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPage {
    pub open: Vec<IncidentSummary>,
    pub past: Vec<IncidentSummary>,
    pub next: Option<i64>,
    /// The viewer may open incidents (editors and admins).
    pub can_open: bool,
}
