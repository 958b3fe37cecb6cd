//! What the forms post: one struct per form, each server function takes one (`#[server(flatten)]`, so the
//! fields keep their plain names with or without JavaScript). Text fields hold what the person typed; the
//! services check each form into typed domain values in one function. A refused post without JavaScript
//! shows the same struct again (`api::kept`), minus its passwords.
//!
//! Choices made by buttons (which staff action, block or unblock) are enums: an unknown code is refused
//! when the post is read, before any server function runs.

use serde::{Deserialize, Serialize};

/// Was a checkbox ticked? (An unticked checkbox is absent from the post.)
pub fn checked(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.is_empty())
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterForm {
    pub display_name: String,
    pub email: String,
    pub password: String,
    pub password_confirm: String,
    pub line_number: String,
    pub accept_privacy: Option<String>,
    pub accept_conduct: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    pub email: String,
    pub password: String,
    /// Where the person was going (a path of the portal), to go on there once logged in.
    pub next: String,
}

/// A path of this portal to go on to after logging in (`/post/12#c-3`), or `None` for anything else: an
/// address elsewhere (`//evil.example`, `https://…`, `/\\evil`) is never followed.
pub fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 300
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then_some(next)
}

/// A new password, with the link's token (reset, or a new staff member's first password).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResetForm {
    pub token: String,
    pub password: String,
    pub password_confirm: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub display_name: String,
    pub line_number: String,
    pub locale: String,
    pub email_notifications: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub current_password: String,
    pub password: String,
    pub password_confirm: String,
}

/// A new assistance request. The radio buttons are empty when none was chosen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub category: String,
    pub subject: String,
    pub description: String,
    pub line_number: String,
    pub contact: String,
    pub reported_on: String,
    pub public_handle: String,
    pub consent: Option<String>,
    /// The comment taken to private this request continues, when it came from one.
    pub from_comment: String,
}

/// A customer's message on their request (a reply, or the reason for reopening it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MessageForm {
    pub reference: String,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RatingForm {
    pub reference: String,
    pub rating: String,
    pub comment: String,
}

/// Staff search; every part optional. `before` is the page (keyset).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    pub reference: String,
    pub email: String,
    pub line_number: String,
    pub status: String,
    /// Words of the customer's name, public handle, subject or description (#21.4).
    pub text: String,
    pub before: Option<String>,
}

/// What a staff member does on a case, as its button says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffAction {
    Reply,
    Ask,
    Note,
    Outcome,
    Release,
    Reassign,
    Warn,
}

impl StaffAction {
    /// As the page's hidden field posts it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Reply => "reply",
            Self::Ask => "ask",
            Self::Note => "note",
            Self::Outcome => "outcome",
            Self::Release => "release",
            Self::Reassign => "reassign",
            Self::Warn => "warn",
        }
    }

    /// The name its form's message box answers to in a refusal (`reply_message`, …): the case page has one
    /// form per action, and only the form that was sent shows what was wrong with it (#21.2).
    pub fn message_field(self) -> &'static str {
        match self {
            Self::Reply => "reply_message",
            Self::Ask => "ask_message",
            Self::Note => "note_message",
            Self::Outcome => "outcome_message",
            Self::Release => "release_message",
            Self::Reassign => "reassign_message",
            Self::Warn => "warn_message",
        }
    }
}

/// An action on a case, decided on the version the staff member saw.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseActionForm {
    pub reference: String,
    #[serde(default)]
    pub version: String,
    pub action: StaffAction,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub assignee: String,
}

/// A two-way switch posted by a button (`yes` / `no`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Switch {
    Yes,
    No,
}

impl Switch {
    pub fn on(self) -> bool {
        self == Self::Yes
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
        }
    }

    /// The switch that turns `state` the other way.
    pub fn toggle(state: bool) -> Self {
        if state { Self::No } else { Self::Yes }
    }
}

/// Block or unblock the customer of a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockForm {
    pub reference: String,
    pub block: Switch,
}

/// Invite a new member of the care pool.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffForm {
    pub email: String,
    pub display_name: String,
    pub role: String,
}

/// A staff member's role (`user` is their account id, as the page posts it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RoleForm {
    pub user: String,
    pub role: String,
}

/// Deactivate or reactivate a staff member.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveForm {
    pub user: String,
    pub active: Switch,
}

/// Which part of the audit log: one request, one staff member, a page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    pub reference: String,
    pub actor: String,
    pub before: Option<String>,
    /// Non-empty: leave out the lines that only say a case page was opened (#21.3).
    pub hide_openings: String,
}

/// A post as its editor writes it: new when `id` is empty. `publish_at` is the page's local time
/// (`YYYY-MM-DDTHH:MM`, Italy), empty for now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PostForm {
    pub id: String,
    pub kind: String,
    pub body: String,
    pub publish_at: String,
}

/// What an editor does to a post besides writing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostAction {
    Delete,
    Pin,
    Unpin,
}

impl PostAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Pin => "pin",
            Self::Unpin => "unpin",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostActionForm {
    pub id: String,
    pub action: PostAction,
}

/// Give or take a staff member's permission to write the page's posts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditorForm {
    pub user: String,
    pub editor: Switch,
}

/// A comment on a post, or a reply to one of its comments (`parent`); a new version of the author's own
/// comment when `id` is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CommentForm {
    pub post: String,
    pub parent: String,
    pub id: String,
    pub body: String,
}

/// What someone does to a comment besides writing it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommentAction {
    /// The author takes their comment down.
    Delete,
    /// Anyone logged in tells the pool it breaks the rules.
    Report,
}

impl CommentAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Delete => "delete",
            Self::Report => "report",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentActionForm {
    pub post: String,
    pub id: String,
    pub action: CommentAction,
    #[serde(default)]
    pub reason: String,
}

/// A reaction on a post or a comment; an empty `reaction` takes the person's back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReactForm {
    /// Where to go back to without JavaScript: the post's id.
    pub post: String,
    pub target: String,
    pub id: String,
    pub reaction: String,
}

/// A refused comment's text, on its way to a private request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PrivateDraftForm {
    pub body: String,
}

/// The pool's decision on a held or reported comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationDecision {
    Publish,
    Hide,
    /// Hide, and send its author the page's warning.
    Warn,
    /// Hide, and block the author's account (admins).
    Block,
}

impl ModerationDecision {
    pub fn code(self) -> &'static str {
        match self {
            Self::Publish => "publish",
            Self::Hide => "hide",
            Self::Warn => "warn",
            Self::Block => "block",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerateForm {
    pub id: String,
    pub decision: ModerationDecision,
    /// The version of the comment the moderator read (its last edit or creation time).
    #[serde(default)]
    pub seen: String,
}

/// "Take it to private": a fan's comment (`id`) under post `post`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HandoffForm {
    pub post: String,
    pub id: String,
}

/// A customer's public thanks for their request (`reference`), rated 4 or 5.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThanksForm {
    pub reference: String,
    pub body: String,
}

/// The page's word list as an admin writes it (one entry per line).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WordListForm {
    pub words: String,
}

/// "Download my data" (#18): the password again, and which of the two files.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExportForm {
    pub password: String,
    /// `json` (the machine-readable file) or `html` (the readable page).
    pub format: String,
}

/// "Delete my account" (#18): the password, and the box that says the customer read what will happen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EraseForm {
    pub password: String,
    pub confirm: Option<String>,
}

/// An admin erasing a customer's account on their request (#18).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AdminEraseForm {
    pub email: String,
    pub reason: String,
    pub confirm: Option<String>,
}

/// A new version of the privacy notice or of the rules (`kind`), in both languages (#18).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentForm {
    pub kind: String,
    pub body_it: String,
    pub body_en: String,
}

/// The customer accepts the new versions, then goes on to `next`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AcceptForm {
    pub accept: Option<String>,
    pub next: String,
}

/// A new incident (#17). Each topic is a checkbox of its own (`t_coverage`, `t_internet`, …): a form
/// without JavaScript posts them as plain fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentForm {
    pub title: String,
    pub description: String,
    pub places: String,
    pub status: String,
    /// When the problem began, Italian time (`2026-12-04T18:30`); empty: now.
    pub started: String,
    pub t_billing: Option<String>,
    pub t_coverage: Option<String>,
    pub t_internet: Option<String>,
    pub t_offers: Option<String>,
    pub t_portability: Option<String>,
    pub t_device: Option<String>,
    pub t_other: Option<String>,
}

impl IncidentForm {
    /// The ticked topics' codes.
    pub fn topic_codes(&self) -> Vec<String> {
        [
            ("billing", &self.t_billing),
            ("coverage", &self.t_coverage),
            ("internet", &self.t_internet),
            ("offers", &self.t_offers),
            ("portability", &self.t_portability),
            ("device", &self.t_device),
            ("other", &self.t_other),
        ]
        .into_iter()
        .filter(|(_, v)| checked(v))
        .map(|(code, _)| code.to_string())
        .collect()
    }
}

/// A public update of incident `id`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentUpdateForm {
    pub id: String,
    pub status: String,
    pub body: String,
}

/// "I'm affected too" on incident `id` (#17): where, and which line, both optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AffectedForm {
    pub id: String,
    pub place: String,
    pub line_number: String,
    /// The topic the customer chose on the request form, when they came from it.
    pub category: String,
}

/// Staff link the request `reference` to incident `incident`, or unlink it (`incident` empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IncidentLinkForm {
    pub reference: String,
    pub incident: String,
}
