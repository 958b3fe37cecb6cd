//! Attachments (#19): their metadata, and their bytes wherever the adapter keeps them (the database by
//! default, both backends; an object store could implement the same port). New attachments are written
//! with the message they come with (`NewRequest::attachments`, `TransitionRecord::attachments`), in the
//! same transaction: a message is never stored without its files, nor files without their message.

use async_trait::async_trait;

use super::{RequestId, StoreError, UserId};
use crate::domain::attachment::AttachmentKind;

pub type AttachmentId = i64;

/// A file the server made and checked, ready to be stored.
#[derive(Clone)]
pub struct NewAttachment {
    pub kind: AttachmentKind,
    pub mime: &'static str,
    pub name: String,
    pub data: Vec<u8>,
    /// A small JPEG for the timeline (images only).
    pub thumbnail: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

impl std::fmt::Debug for NewAttachment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAttachment")
            .field("kind", &self.kind)
            .field("size", &self.data.len())
            .finish_non_exhaustive()
    }
}

/// An attachment as stored (without its bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentRecord {
    pub id: AttachmentId,
    pub request_id: RequestId,
    pub event_id: i64,
    pub customer_id: UserId,
    pub uploaded_by: UserId,
    pub kind: AttachmentKind,
    pub mime: String,
    pub name: String,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

/// Bytes stored: what one customer uploaded (the pool's files on their requests do not count), and
/// everyone's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttachmentUsage {
    pub customer: i64,
    pub total: i64,
}

#[async_trait]
pub trait Attachments: Send + Sync {
    async fn attachment(&self, id: AttachmentId) -> Result<Option<AttachmentRecord>, StoreError>;

    /// The stored file, or its thumbnail; `None` once removed (or when there is no thumbnail).
    async fn attachment_bytes(&self, id: AttachmentId, thumbnail: bool) -> Result<Option<Vec<u8>>, StoreError>;

    /// A request's attachments, oldest first (removed ones too: the timeline says so).
    async fn request_attachments(&self, request: RequestId) -> Result<Vec<AttachmentRecord>, StoreError>;

    async fn attachment_usage(&self, customer: UserId) -> Result<AttachmentUsage, StoreError>;

    /// Removes an abusive attachment (its bytes go, the row stays marked), with an audit line. `false`
    /// when it was already removed.
    async fn remove_attachment(&self, id: AttachmentId, by: UserId, now: i64) -> Result<bool, StoreError>;
}
