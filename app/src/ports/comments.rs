//! Fans' comments under the posts, reactions, reports, and the moderation queue.

use std::collections::HashMap;

use async_trait::async_trait;

use super::{NewEmail, PostId, StoreError, UserId};
use crate::domain::comment::{CommentBody, CommentState, Reaction, ReportReason, Target};
pub use crate::views::{Notification, Reactions, ReviewItem, Thanks};

pub type CommentId = i64;

/// A comment as its author writes it.
pub struct NewComment {
    pub post: PostId,
    /// The comment it replies to (a top-level comment of the same post).
    pub parent: Option<CommentId>,
    pub body: CommentBody,
    /// `Published`, or `Held` when the word list holds it.
    pub state: CommentState,
    /// Written by a member of the pool, as the page.
    pub from_staff: bool,
}

/// A comment as stored. Only the services decide what of it a viewer sees.
#[derive(Clone, Debug)]
pub struct CommentRecord {
    pub id: CommentId,
    pub post_id: PostId,
    pub parent_id: Option<CommentId>,
    pub author_id: UserId,
    pub author_name: String,
    pub from_staff: bool,
    pub state: CommentState,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted: bool,
    pub reply_count: i64,
    /// The page's answer to a comment taken to private: where that private request stands.
    pub handoff: Option<HandoffState>,
    /// The pool took this comment to private already.
    pub handed_off: bool,
}

pub use crate::views::HandoffState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentOrder {
    OldestFirst,
    NewestFirst,
}

/// What the pool decides on a held or reported comment. Every decision closes its open reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Publish,
    Hide,
}

#[async_trait]
pub trait Comments: Send + Sync {
    /// Stores a comment on a published post (a reply: under a live top-level comment of that post);
    /// `NotFound` otherwise.
    async fn add_comment(&self, comment: NewComment, by: UserId, now: i64) -> Result<CommentId, StoreError>;

    /// Replaces the text of the author's own comment (not hidden, not deleted), published or held again;
    /// `NotFound` for anything else.
    async fn edit_comment(
        &self,
        id: CommentId,
        body: CommentBody,
        state: CommentState,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Deletes the author's own comment; `NotFound` for anything else.
    async fn delete_comment(&self, id: CommentId, by: UserId, now: i64) -> Result<(), StoreError>;

    async fn comment_by_id(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError>;

    /// A page of a post's top-level comments after `after` (keyset, either order): the published and
    /// hidden ones, the viewer's own held ones, and deleted ones that still have replies.
    async fn comments(
        &self,
        post: PostId,
        viewer: Option<UserId>,
        order: CommentOrder,
        after: Option<CommentId>,
        limit: i64,
    ) -> Result<Vec<CommentRecord>, StoreError>;

    /// The latest `per_parent` replies of each of `parents` (shown oldest first), by the same rule.
    async fn replies(
        &self,
        parents: &[CommentId],
        viewer: Option<UserId>,
        per_parent: i64,
    ) -> Result<Vec<CommentRecord>, StoreError>;

    /// A page of one comment's replies after `after`, oldest first, by the same rule (keyset: a comment
    /// with 50,000 replies pages as fast as one with 5).
    async fn replies_after(
        &self,
        parent: CommentId,
        viewer: Option<UserId>,
        after: Option<CommentId>,
        limit: i64,
    ) -> Result<Vec<CommentRecord>, StoreError>;

    /// Sets (or with `None` takes back) the viewer's one reaction on a published post or comment; the
    /// counts change in the same transaction. `NotFound` when there is nothing to react to.
    async fn react(
        &self,
        target: Target,
        id: i64,
        reaction: Option<Reaction>,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError>;

    /// The reactions on `ids`, with the viewer's own.
    async fn reactions(
        &self,
        target: Target,
        ids: &[i64],
        viewer: Option<UserId>,
    ) -> Result<HashMap<i64, Reactions>, StoreError>;

    /// Reports a published comment (once per person: a second report changes nothing).
    async fn report_comment(&self, id: CommentId, reason: ReportReason, by: UserId, now: i64)
    -> Result<(), StoreError>;

    /// Held and reported comments after `after`, oldest first.
    async fn review_queue(&self, after: Option<CommentId>, limit: i64) -> Result<Vec<ReviewItem>, StoreError>;

    /// How many comments wait in the moderation queue.
    async fn review_count(&self) -> Result<i64, StoreError>;

    /// Publishes or hides a comment that is not deleted and closes its reports, with its audit line
    /// (and, when warned, the email to its author) in the same transaction. `Conflict` when `seen` is
    /// given and the comment was edited since that version.
    async fn moderate(
        &self,
        id: CommentId,
        seen: Option<i64>,
        decision: Decision,
        warning: Option<NewEmail>,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Takes a fan's published comment to private: the page's public answer under it (`answer`, as the
    /// pool), the record linking them, and the email to the fan, in one transaction; the answer's id.
    /// `Conflict` when the comment was taken to private already; `NotFound` when it is not a fan's
    /// published comment.
    async fn hand_off(
        &self,
        comment: CommentId,
        answer: CommentBody,
        email: NewEmail,
        by: UserId,
        now: i64,
    ) -> Result<CommentId, StoreError>;

    /// The text of `customer`'s comment taken to private, while no request of theirs holds it yet.
    async fn handoff_draft(&self, comment: CommentId, customer: UserId) -> Result<Option<String>, StoreError>;

    /// Links the customer's new request to their comment taken to private (the first request only).
    async fn link_handoff(
        &self,
        comment: CommentId,
        customer: UserId,
        request: super::RequestId,
    ) -> Result<(), StoreError>;

    /// The fan's newest notifications.
    async fn notifications(&self, user: UserId, limit: i64) -> Result<Vec<Notification>, StoreError>;

    /// How many of them the fan has not seen.
    async fn unread_notifications(&self, user: UserId) -> Result<i64, StoreError>;

    /// The fan has seen them, up to (and with) notification `up_to`: one that came after stays unread.
    async fn mark_notifications_read(&self, user: UserId, up_to: i64, now: i64) -> Result<(), StoreError>;

    /// Publishes the customer's thanks for their request, rated 4 or 5; `NotFound` for another's request or
    /// a lower (or no) rating, `Conflict` when it was thanked already.
    async fn thank(
        &self,
        request: super::RequestId,
        customer: UserId,
        body: CommentBody,
        now: i64,
    ) -> Result<(), StoreError>;

    /// Was this request thanked publicly?
    async fn thanked(&self, request: super::RequestId) -> Result<bool, StoreError>;

    /// The newest public thanks.
    async fn latest_thanks(&self, limit: i64) -> Result<Vec<Thanks>, StoreError>;

    /// The word list as admins wrote it.
    async fn word_list(&self) -> Result<String, StoreError>;

    async fn set_word_list(&self, list: &str, by: UserId, now: i64) -> Result<(), StoreError>;
}
