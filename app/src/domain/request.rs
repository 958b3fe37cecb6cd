//! An assistance request: its fields (values that validate), its states and outcomes, and the one
//! function that says which move is allowed for whom ([`transition`]).

use serde::{Deserialize, Serialize};

use super::account::FieldError;

/// Declares a closed set of codes stored as text: `code()`, `from_code()` and `ALL`.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.code()) }
        }
    };
}

pub(crate) use coded_enum;

coded_enum!(
    /// What the problem is about (PRODUCT.md's list).
    Category {
        Billing = "billing",
        Coverage = "coverage",
        MobileInternet = "internet",
        Offers = "offers",
        Portability = "portability",
        Device = "device",
        Other = "other",
    }
);

coded_enum!(
    /// How the customer prefers to be contacted.
    Contact { Portal = "portal", Phone = "phone", Email = "email" }
);

coded_enum!(
    /// Where the customer first reported the problem.
    ReportedOn { Facebook = "facebook", Twitter = "twitter", Other = "other", Nowhere = "none" }
);

coded_enum!(
    /// The request's state. `Resolved` carries an [`Outcome`] beside it.
    Status {
        Received = "received",
        InCharge = "in_charge",
        AwaitingCustomer = "awaiting_customer",
        Resolved = "resolved",
        Closed = "closed",
    }
);

coded_enum!(
    Outcome { Solved = "solved", NotSolvable = "not_solvable", Redirected = "redirected" }
);

coded_enum!(
    /// What an account is: a customer, or care-pool staff.
    Role { Customer = "customer", Agent = "agent", Admin = "admin" }
);

coded_enum!(
    /// Who did something on a request's timeline: its customer, a member of the pool, or the portal.
    ActorRole { Customer = "customer", Agent = "agent", Admin = "admin", System = "system" }
);

coded_enum!(
    /// What happened to a request, as its timeline stores it.
    EventKind {
        Received = "received",
        Taken = "taken",
        Message = "message",
        Ask = "ask",
        Note = "note",
        Outcome = "outcome",
        Released = "released",
        Reassigned = "reassigned",
        Warning = "warning",
        CustomerReply = "customer_reply",
        Confirmed = "confirmed",
        Reopened = "reopened",
        Closed = "closed",
        Rated = "rated",
        Withdrawn = "withdrawn",
        // #17: linked to a service incident (held by it), taken out of it, a public update of it.
        Linked = "linked",
        Unlinked = "unlinked",
        IncidentNews = "incident_update",
    }
);

coded_enum!(
    /// What the audit log records that is not a request's event: staff reading a case, and the
    /// administration of accounts.
    AccountAction {
        CaseOpened = "opened",
        StaffCreated = "staff_created",
        RoleChanged = "role_changed",
        Reactivated = "reactivated",
        Deactivated = "deactivated",
        Blocked = "blocked",
        Unblocked = "unblocked",
        EditorGranted = "editor_granted",
        EditorRevoked = "editor_revoked",
        PostCreated = "post_created",
        PostEdited = "post_edited",
        PostDeleted = "post_deleted",
        PostPinned = "post_pinned",
        PostUnpinned = "post_unpinned",
        CommentPublished = "comment_published",
        CommentHidden = "comment_hidden",
        CommentWarned = "comment_warned",
        CommentToPrivate = "comment_to_private",
        WordListChanged = "word_list_changed",
        DataExported = "data_exported",
        AccountErased = "account_erased",
        DocumentPublished = "document_published",
        IncidentOpened = "incident_opened",
        IncidentUpdated = "incident_updated",
        // #19: an admin removed an abusive attachment.
        AttachmentRemoved = "attachment_removed",
    }
);

/// One line of the audit log: a request's event, or an account action. Stored and sent as its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum AuditAction {
    Event(EventKind),
    Account(AccountAction),
}

impl AuditAction {
    pub fn code(self) -> &'static str {
        match self {
            Self::Event(kind) => kind.code(),
            Self::Account(action) => action.code(),
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        EventKind::from_code(code).map(Self::Event).or_else(|| AccountAction::from_code(code).map(Self::Account))
    }
}

impl std::fmt::Display for AuditAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl TryFrom<String> for AuditAction {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::from_code(&code).ok_or_else(|| format!("unknown audit action: {code}"))
    }
}

impl From<AuditAction> for String {
    fn from(action: AuditAction) -> Self {
        action.code().to_string()
    }
}

impl Status {
    /// Still with the care pool: the customer can write, the pool can act.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Received | Self::InCharge | Self::AwaitingCustomer)
    }

    /// Where the customer's status bar stands: 0 received, 1 taken in charge, 2 outcome, 3 closed.
    pub fn step(self) -> u8 {
        match self {
            Self::Received => 0,
            Self::InCharge | Self::AwaitingCustomer => 1,
            Self::Resolved => 2,
            Self::Closed => 3,
        }
    }
}

impl Role {
    pub fn is_staff(self) -> bool {
        matches!(self, Self::Agent | Self::Admin)
    }
}

impl ActorRole {
    /// A member of the care pool (agent or admin), as opposed to the customer or the portal itself.
    pub fn is_pool(self) -> bool {
        matches!(self, Self::Agent | Self::Admin)
    }
}

impl From<Role> for ActorRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Customer => Self::Customer,
            Role::Agent => Self::Agent,
            Role::Admin => Self::Admin,
        }
    }
}

/// How long after the outcome a customer may still reopen the request.
pub const REOPEN_WINDOW_MS: i64 = 14 * 24 * 3_600_000;

/// Everything that can happen to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Staff takes it from the queue.
    Take,
    /// Staff writes to the customer.
    Reply,
    /// Staff asks the customer for something (waits for the answer).
    AskInfo,
    /// Staff writes an internal note (never shown to the customer).
    Note,
    /// Staff gives the outcome.
    SetOutcome(Outcome),
    /// Staff puts it back in the queue, at its original place.
    Release,
    /// An admin hands it to another agent.
    Reassign,
    /// Staff warns the customer about their language.
    Warn,
    /// The customer writes to the pool.
    CustomerReply,
    /// The customer accepts the outcome.
    Confirm,
    /// The customer reopens it after the outcome (within the window).
    Reopen,
    /// The portal closes it when nobody confirmed or reopened in time.
    AutoClose,
}

impl Action {
    /// The event this move leaves in the timeline.
    pub fn kind(self) -> EventKind {
        match self {
            Self::Take => EventKind::Taken,
            Self::Reply => EventKind::Message,
            Self::AskInfo => EventKind::Ask,
            Self::Note => EventKind::Note,
            Self::SetOutcome(_) => EventKind::Outcome,
            Self::Release => EventKind::Released,
            Self::Reassign => EventKind::Reassigned,
            Self::Warn => EventKind::Warning,
            Self::CustomerReply => EventKind::CustomerReply,
            Self::Confirm => EventKind::Confirmed,
            Self::Reopen => EventKind::Reopened,
            Self::AutoClose => EventKind::Closed,
        }
    }

    /// Internal notes are the only events the customer never sees.
    pub fn is_internal(self) -> bool {
        matches!(self, Self::Note)
    }
}

/// Who acts, as far as the rules care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A customer: `owner` when the request is theirs.
    Customer { owner: bool },
    /// Care-pool staff: `holder` when they hold the request.
    Staff { role: Role, holder: bool },
    /// The portal itself (timers).
    System,
}

/// Why a move was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not this actor's request, or not their kind of move.
    NotAllowed,
    /// Someone else holds it.
    NotHolder,
    /// Not from this state (e.g. confirming a request without an outcome).
    WrongState,
    /// The reopen window has passed.
    TooLate,
}

/// The state after `action`, or why it is refused. `resolved_at` is when the outcome was given.
pub fn transition(
    from: Status,
    action: Action,
    actor: Actor,
    resolved_at: Option<i64>,
    now: i64,
) -> Result<Status, Refused> {
    use Action::*;
    use Status::*;
    let within_window = resolved_at.is_some_and(|at| now - at <= REOPEN_WINDOW_MS);
    match actor {
        Actor::Customer { owner: false } => Err(Refused::NotAllowed),
        Actor::Customer { owner: true } => match (action, from) {
            (CustomerReply, AwaitingCustomer) => Ok(InCharge),
            (CustomerReply, Received | InCharge) => Ok(from),
            (Confirm, Resolved) => Ok(Closed),
            (Reopen, Resolved) if within_window => Ok(Received),
            (Reopen, Resolved) => Err(Refused::TooLate),
            (CustomerReply | Confirm | Reopen, _) => Err(Refused::WrongState),
            _ => Err(Refused::NotAllowed),
        },
        Actor::System => match (action, from) {
            (AutoClose, Resolved) if !within_window => Ok(Closed),
            (AutoClose, Resolved) => Err(Refused::WrongState),
            (AutoClose, _) => Err(Refused::WrongState),
            _ => Err(Refused::NotAllowed),
        },
        Actor::Staff { role, holder } => {
            if !role.is_staff() {
                return Err(Refused::NotAllowed);
            }
            let admin = role == Role::Admin;
            match action {
                CustomerReply | Confirm | Reopen | AutoClose => Err(Refused::NotAllowed),
                Take => match from {
                    Received => Ok(InCharge),
                    _ => Err(Refused::WrongState),
                },
                // Notes and warnings may be written at any time, by any staff member.
                Note | Warn => Ok(from),
                Reassign if !admin => Err(Refused::NotAllowed),
                Reassign | Release if !from.is_open() || from == Received => Err(Refused::WrongState),
                Reassign => Ok(from),
                Release if holder || admin => Ok(Received),
                Release => Err(Refused::NotHolder),
                Reply | AskInfo | SetOutcome(_) if !matches!(from, InCharge | AwaitingCustomer) => {
                    Err(Refused::WrongState)
                }
                Reply | AskInfo | SetOutcome(_) if !holder => Err(Refused::NotHolder),
                Reply => Ok(from),
                AskInfo => Ok(AwaitingCustomer),
                SetOutcome(_) => Ok(Resolved),
            }
        }
    }
}

/// Ratings are given once, after an outcome.
pub fn can_rate(status: Status, already_rated: bool) -> bool {
    matches!(status, Status::Resolved | Status::Closed) && !already_rated
}

/// The queue page counts each open state up to this many; a count at the cap reads "1000+".
pub const STATE_COUNT_CAP: i64 = 1000;

/// The code customers quote: `SC3-000123`.
pub fn reference(id: i64) -> String {
    format!("SC3-{id:06}")
}

/// The request id in a reference code (upper or lower case); `None` for anything else.
pub fn parse_reference(code: &str) -> Option<i64> {
    let digits = code.trim().strip_prefix("SC3-").or_else(|| code.trim().strip_prefix("sc3-"))?;
    if digits.is_empty() || digits.len() > 12 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

/// Text the customer writes: trimmed, between `min` and `max` characters, no control characters
/// except line breaks and tabs.
pub(crate) fn text(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
    too_short: &'static str,
) -> Result<String, FieldError> {
    let s = raw.trim().replace("\r\n", "\n");
    let n = s.chars().count();
    if n == 0 {
        return Err(FieldError::new(field, "required"));
    }
    if n < min {
        return Err(FieldError::new(field, too_short));
    }
    if n > max {
        return Err(FieldError::new(field, "too_long"));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(FieldError::new(field, "text_invalid"));
    }
    Ok(s)
}

/// The request's subject: 5 to 120 characters on one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Subject(String);

impl Subject {
    pub const MIN_CHARS: usize = 5;
    pub const MAX_CHARS: usize = 120;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let one_line = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        text("subject", &one_line, Self::MIN_CHARS, Self::MAX_CHARS, "subject_too_short").map(Self)
    }
}

/// What happened: 20 to 4,000 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

impl Description {
    pub const MIN_CHARS: usize = 20;
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        text("description", raw, Self::MIN_CHARS, Self::MAX_CHARS, "description_too_short").map(Self)
    }
}

/// A message in the conversation: 1 to 4,000 characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageText(String);

impl MessageText {
    pub const MAX_CHARS: usize = 4000;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        text("message", raw, 1, Self::MAX_CHARS, "required").map(Self)
    }
}

/// The public handle where the customer first reported (optional): up to 60 characters, no spaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PublicHandle(String);

impl PublicHandle {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(FieldError::new("public_handle", "required"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("public_handle", "too_long"));
        }
        // A Facebook name has spaces ("Giulia Bianchi", #21.8): single spaces are kept, runs of any
        // spacing become one; line breaks, tabs and other control characters are refused.
        if s.chars().any(char::is_control) {
            return Err(FieldError::new("public_handle", "handle_invalid"));
        }
        Ok(Self(s.split_whitespace().collect::<Vec<_>>().join(" ")))
    }

    pub fn parse_optional(raw: &str) -> Result<Option<Self>, FieldError> {
        if raw.trim().is_empty() { Ok(None) } else { Self::parse(raw).map(Some) }
    }
}

/// A rating of the help received: 1 to 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim();
        // No vote chosen says "choose a rating from 1 to 5", not the generic "this field is required".
        match s.parse::<u8>() {
            Ok(n @ 1..=5) => Ok(Self(n)),
            _ => Err(FieldError::new("rating", "rating_invalid")),
        }
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = String;
    fn try_from(n: u8) -> Result<Self, String> {
        Self::parse(&n.to_string()).map_err(|e| e.code.to_string())
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

/// The optional comment with a rating: up to 1,000 characters.
pub fn rating_comment(raw: &str) -> Result<Option<String>, FieldError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    text("comment", raw, 1, 1000, "required").map(Some)
}

/// A code from a form's select: one of the set, or `required` / `choice_invalid`.
pub fn choice<T: Copy>(field: &'static str, raw: &str, from_code: fn(&str) -> Option<T>) -> Result<T, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    from_code(s).ok_or(FieldError::new(field, "choice_invalid"))
}

macro_rules! text_newtype_impls {
    ($($t:ident),*) => {$(
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str { &self.0 }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String { v.0 }
        }
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).map_err(|e| e.code.to_string())
            }
        }
    )*};
}
text_newtype_impls!(Subject, Description, MessageText, PublicHandle);

/// The checks the browser runs as the customer types (the server runs the same parsers again).
pub mod checks {
    use super::*;

    pub fn subject(s: &str) -> Result<(), FieldError> {
        Subject::parse(s).map(|_| ())
    }
    pub fn description(s: &str) -> Result<(), FieldError> {
        Description::parse(s).map(|_| ())
    }
    pub fn public_handle(s: &str) -> Result<(), FieldError> {
        PublicHandle::parse_optional(s).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Status::*;

    const NOW: i64 = 1_800_000_000_000;
    const OWNER: Actor = Actor::Customer { owner: true };
    const STRANGER: Actor = Actor::Customer { owner: false };
    const HOLDER: Actor = Actor::Staff { role: Role::Agent, holder: true };
    const OTHER_AGENT: Actor = Actor::Staff { role: Role::Agent, holder: false };
    const ADMIN: Actor = Actor::Staff { role: Role::Admin, holder: false };

    fn all_actions() -> Vec<Action> {
        let mut v =
            vec![Take, Reply, AskInfo, Note, Release, Reassign, Warn, CustomerReply, Confirm, Reopen, AutoClose];
        v.extend(Outcome::ALL.iter().map(|o| SetOutcome(*o)));
        v
    }

    fn all_actors() -> Vec<Actor> {
        vec![
            OWNER,
            STRANGER,
            HOLDER,
            OTHER_AGENT,
            ADMIN,
            Actor::Staff { role: Role::Admin, holder: true },
            Actor::Staff { role: Role::Customer, holder: true },
            Actor::System,
        ]
    }

    /// The whole table of allowed moves: anything not listed here must be refused.
    fn allowed(from: Status, action: Action, actor: Actor, recent: bool) -> Option<Status> {
        let staff = matches!(actor, Actor::Staff { role: Role::Agent | Role::Admin, .. });
        let holder = matches!(actor, Actor::Staff { role: Role::Agent | Role::Admin, holder: true });
        let admin = matches!(actor, Actor::Staff { role: Role::Admin, .. });
        let working = matches!(from, InCharge | AwaitingCustomer);
        match action {
            Take if staff && from == Received => Some(InCharge),
            Note | Warn if staff => Some(from),
            Reply if holder && working => Some(from),
            AskInfo if holder && working => Some(AwaitingCustomer),
            SetOutcome(_) if holder && working => Some(Resolved),
            Release if (holder || admin) && working => Some(Received),
            Reassign if admin && working => Some(from),
            CustomerReply if actor == OWNER && from == AwaitingCustomer => Some(InCharge),
            CustomerReply if actor == OWNER && matches!(from, Received | InCharge) => Some(from),
            Confirm if actor == OWNER && from == Resolved => Some(Closed),
            Reopen if actor == OWNER && from == Resolved && recent => Some(Received),
            AutoClose if actor == Actor::System && from == Resolved && !recent => Some(Closed),
            _ => None,
        }
    }

    #[test]
    fn every_move_for_every_actor_in_every_state_follows_the_table() {
        let mut allowed_count = 0;
        for &from in Status::ALL {
            for action in all_actions() {
                for actor in all_actors() {
                    for recent in [true, false] {
                        let resolved_at = Some(if recent { NOW - 1000 } else { NOW - REOPEN_WINDOW_MS - 1 });
                        let got = transition(from, action, actor, resolved_at, NOW);
                        let want = allowed(from, action, actor, recent);
                        assert_eq!(got.ok(), want, "{from:?} {action:?} by {actor:?} (recent: {recent})");
                        allowed_count += usize::from(want.is_some());
                    }
                }
            }
        }
        // The table is not empty by accident.
        assert!(allowed_count > 50, "{allowed_count}");
    }

    #[test]
    fn the_customer_s_reply_moves_an_awaiting_request_back_to_the_pool() {
        assert_eq!(transition(AwaitingCustomer, CustomerReply, OWNER, None, NOW), Ok(InCharge));
        assert_eq!(transition(InCharge, CustomerReply, OWNER, None, NOW), Ok(InCharge));
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(transition(InCharge, CustomerReply, STRANGER, None, NOW), Err(Refused::NotAllowed));
        assert_eq!(transition(InCharge, Reply, OTHER_AGENT, None, NOW), Err(Refused::NotHolder));
        assert_eq!(transition(InCharge, Release, OTHER_AGENT, None, NOW), Err(Refused::NotHolder));
        assert_eq!(transition(Received, Confirm, OWNER, None, NOW), Err(Refused::WrongState));
        assert_eq!(transition(Closed, CustomerReply, OWNER, None, NOW), Err(Refused::WrongState));
        assert_eq!(transition(Received, Reply, HOLDER, None, NOW), Err(Refused::WrongState));
        assert_eq!(transition(InCharge, Take, HOLDER, None, NOW), Err(Refused::WrongState));
        assert_eq!(transition(InCharge, Reassign, OTHER_AGENT, None, NOW), Err(Refused::NotAllowed));
        assert_eq!(transition(InCharge, Confirm, HOLDER, None, NOW), Err(Refused::NotAllowed));
    }

    #[test]
    fn a_request_can_be_reopened_for_fourteen_days_after_its_outcome() {
        let resolved = NOW - REOPEN_WINDOW_MS;
        assert_eq!(transition(Resolved, Reopen, OWNER, Some(resolved), NOW), Ok(Received));
        assert_eq!(transition(Resolved, Reopen, OWNER, Some(resolved - 1), NOW), Err(Refused::TooLate));
        assert_eq!(transition(Closed, Reopen, OWNER, Some(NOW), NOW), Err(Refused::WrongState));
        assert_eq!(transition(Resolved, AutoClose, Actor::System, Some(resolved - 1), NOW), Ok(Closed));
    }

    #[test]
    fn ratings_come_once_after_an_outcome() {
        assert!(can_rate(Resolved, false));
        assert!(can_rate(Closed, false));
        assert!(!can_rate(Closed, true));
        for s in [Received, InCharge, AwaitingCustomer] {
            assert!(!can_rate(s, false));
        }
    }

    #[test]
    fn internal_notes_are_the_only_internal_events() {
        for a in all_actions() {
            assert_eq!(a.is_internal(), a == Note, "{a:?}");
        }
    }

    #[test]
    fn references_round_trip() {
        assert_eq!(reference(123), "SC3-000123");
        assert_eq!(reference(12_345_678), "SC3-12345678");
        assert_eq!(parse_reference("SC3-000123"), Some(123));
        assert_eq!(parse_reference("sc3-42"), Some(42));
        for bad in ["", "SC3-", "SC3-0", "SC3-12a", "123", "SC3--1", "SC3-1234567890123", "XSC3-1"] {
            assert_eq!(parse_reference(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_round_trip_for_every_set() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(*c));
        }
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(*s));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_code(o.code()), Some(*o));
        }
        assert_eq!(Category::ALL.len(), 7);
        assert_eq!(Category::from_code("vip"), None);
    }

    #[test]
    fn subjects_are_one_line_within_bounds() {
        assert_eq!(Subject::parse("  No   signal\nat home ").unwrap().as_ref(), "No signal at home");
        assert_eq!(Subject::parse(" ").unwrap_err().code, "required");
        assert_eq!(Subject::parse("abc").unwrap_err().code, "subject_too_short");
        assert_eq!(Subject::parse(&"x".repeat(121)).unwrap_err().code, "too_long");
        assert!(Subject::parse(&"è".repeat(120)).is_ok());
    }

    #[test]
    fn descriptions_keep_their_lines_and_refuse_control_characters() {
        let d = Description::parse("Line one is here.\r\nLine two is here.").unwrap();
        assert_eq!(d.as_ref(), "Line one is here.\nLine two is here.");
        assert_eq!(Description::parse("too short").unwrap_err().code, "description_too_short");
        assert_eq!(Description::parse(&format!("{}\u{0007}", "a".repeat(30))).unwrap_err().code, "text_invalid");
        assert_eq!(Description::parse(&"a".repeat(4001)).unwrap_err().code, "too_long");
    }

    #[test]
    fn handles_ratings_and_choices_validate() {
        assert_eq!(PublicHandle::parse_optional("").unwrap(), None);
        assert_eq!(PublicHandle::parse_optional(" @mario ").unwrap().unwrap().as_ref(), "@mario");
        assert_eq!(PublicHandle::parse("Giulia  Bianchi").unwrap().as_ref(), "Giulia Bianchi");
        assert_eq!(PublicHandle::parse("Giulia\u{a0}Bianchi").unwrap().as_ref(), "Giulia Bianchi");
        assert_eq!(PublicHandle::parse("@ma\nrio").unwrap_err().code, "handle_invalid");
        assert_eq!(PublicHandle::parse("@ma\trio").unwrap_err().code, "handle_invalid");
        assert_eq!(Rating::parse("5").unwrap().value(), 5);
        for bad in ["0", "6", "-1", "x", "3.5"] {
            assert_eq!(Rating::parse(bad).unwrap_err().code, "rating_invalid", "{bad}");
        }
        assert_eq!(choice("category", "internet", Category::from_code), Ok(Category::MobileInternet));
        assert_eq!(choice("category", "", Category::from_code).unwrap_err().code, "required");
        assert_eq!(choice("category", "vip", Category::from_code).unwrap_err().code, "choice_invalid");
        assert_eq!(rating_comment("  ").unwrap(), None);
        assert_eq!(MessageText::parse("  ").unwrap_err().code, "required");
    }
}
