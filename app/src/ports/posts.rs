//! The page's wall: the brand's posts.

use async_trait::async_trait;

use super::{StoreError, UserId};
use crate::domain::post::{PostBody, PostKind};
pub use crate::views::Post;

pub type PostId = i64;

/// A post as its editor writes it (new, or the new version of one).
pub struct NewPost {
    pub kind: PostKind,
    pub body: PostBody,
    /// On the wall from then on: now, or later for a scheduled post.
    pub publish_at: i64,
}

/// Where a page of the wall ends: the next page starts after it (keyset, newest first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WallCursor {
    pub publish_at: i64,
    pub id: PostId,
}

#[async_trait]
pub trait Posts: Send + Sync {
    /// Stores a post with its audit line.
    async fn create_post(&self, post: NewPost, by: UserId, now: i64) -> Result<PostId, StoreError>;

    /// Replaces a live post's kind, text and time (marked edited); `NotFound` for a deleted or unknown one.
    async fn edit_post(&self, id: PostId, post: NewPost, by: UserId, now: i64) -> Result<(), StoreError>;

    /// Takes a post off the wall for good (kept for the audit log); `NotFound` when it is not there.
    async fn delete_post(&self, id: PostId, by: UserId, now: i64) -> Result<(), StoreError>;

    /// Pins a live post to the top of the wall (unpinning any other), or unpins whatever is pinned.
    async fn pin_post(&self, id: Option<PostId>, by: UserId, now: i64) -> Result<(), StoreError>;

    /// A live post, published or scheduled.
    async fn post_by_id(&self, id: PostId) -> Result<Option<Post>, StoreError>;

    /// Published posts that are not pinned, newest first, after `after`.
    async fn wall(&self, after: Option<WallCursor>, limit: i64, now: i64) -> Result<Vec<Post>, StoreError>;

    /// The pinned post, once it is published.
    async fn pinned_post(&self, now: i64) -> Result<Option<Post>, StoreError>;

    /// Posts waiting for their publication time, soonest first (the editors' list).
    async fn scheduled_posts(&self, now: i64) -> Result<Vec<Post>, StoreError>;
}
