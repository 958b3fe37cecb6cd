//! The page's wall: the brand's posts. Every change is one transaction with its audit line.

use app::domain::post::PostKind;
use app::domain::request::{AccountAction, AuditAction};
use app::ports::{NewAudit, NewPost, Post, PostId, Posts, StoreError, UserId, WallCursor};
use async_trait::async_trait;

use super::audit::insert_audit_line;
use super::{Backend, Sql, SqlStore, code};

#[derive(sqlx::FromRow)]
struct PostRow {
    id: i64,
    kind: String,
    body: String,
    publish_at: i64,
    edited_at: Option<i64>,
    pinned_at: Option<i64>,
    comment_count: i64,
}

const POST_COLUMNS: &str = "id, kind, body, publish_at, edited_at, pinned_at, comment_count";

impl TryFrom<PostRow> for Post {
    type Error = StoreError;

    fn try_from(r: PostRow) -> Result<Self, StoreError> {
        Ok(Post {
            id: r.id,
            kind: code(&r.kind, PostKind::from_code)?,
            body: r.body,
            publish_at: r.publish_at,
            edited_at: r.edited_at,
            pinned: r.pinned_at.is_some(),
            comments: r.comment_count,
            reactions: Default::default(),
        })
    }
}

fn post_line(by: UserId, action: AccountAction, post: PostId) -> NewAudit {
    NewAudit {
        actor_id: Some(by),
        action: AuditAction::Account(action),
        request_id: None,
        subject_user_id: None,
        detail: Some(format!("post {post}")),
    }
}

impl<DB: Backend> SqlStore<DB> {
    /// One change of a live post with its audit line; `NotFound` when the change matched no live post.
    async fn change_post(&self, sql: Sql<'_>, line: NewAudit, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        if DB::execute(w.conn(), sql).await? == 0 {
            return Err(StoreError::NotFound);
        }
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await
    }

    async fn read_posts(&self, sql: Sql<'_>) -> Result<Vec<Post>, StoreError> {
        self.read::<PostRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }
}

#[async_trait]
impl<DB: Backend> Posts for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(by = by, kind = %post.kind))]
    async fn create_post(&self, post: NewPost, by: UserId, now: i64) -> Result<PostId, StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new(
            "INSERT INTO posts (kind, body, author_id, created_at, publish_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(post.kind.code())
        .bind(post.body.as_ref())
        .bind(by)
        .bind(now)
        .bind(post.publish_at);
        let (id,) = DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        insert_audit_line::<DB>(w.conn(), &post_line(by, AccountAction::PostCreated, id), now).await?;
        w.commit().await?;
        tracing::info!(post = id, "post written");
        Ok(id)
    }

    #[tracing::instrument(skip_all, fields(post = id, by = by))]
    async fn edit_post(&self, id: PostId, post: NewPost, by: UserId, now: i64) -> Result<(), StoreError> {
        let sql = Sql::new(
            "UPDATE posts SET kind = $1, body = $2, publish_at = $3, edited_at = $4 WHERE id = $5 AND deleted_at IS NULL",
        )
        .bind(post.kind.code())
        .bind(post.body.as_ref())
        .bind(post.publish_at)
        .bind(now)
        .bind(id);
        self.change_post(sql, post_line(by, AccountAction::PostEdited, id), now).await
    }

    #[tracing::instrument(skip_all, fields(post = id, by = by))]
    async fn delete_post(&self, id: PostId, by: UserId, now: i64) -> Result<(), StoreError> {
        let sql = Sql::new("UPDATE posts SET deleted_at = $1, pinned_at = NULL WHERE id = $2 AND deleted_at IS NULL")
            .bind(now)
            .bind(id);
        self.change_post(sql, post_line(by, AccountAction::PostDeleted, id), now).await
    }

    #[tracing::instrument(skip_all, fields(post = id, by = by))]
    async fn pin_post(&self, id: Option<PostId>, by: UserId, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let unpinned = DB::fetch_all::<(i64,)>(
            w.conn(),
            Sql::new("UPDATE posts SET pinned_at = NULL WHERE pinned_at IS NOT NULL RETURNING id"),
        )
        .await?;
        let line = match id {
            Some(id) => {
                let sql =
                    Sql::new("UPDATE posts SET pinned_at = $1 WHERE id = $2 AND deleted_at IS NULL").bind(now).bind(id);
                if DB::execute(w.conn(), sql).await? == 0 {
                    return Err(StoreError::NotFound);
                }
                post_line(by, AccountAction::PostPinned, id)
            }
            None => match unpinned.first() {
                Some((was,)) => post_line(by, AccountAction::PostUnpinned, *was),
                None => return Ok(()),
            },
        };
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(post = id))]
    async fn post_by_id(&self, id: PostId) -> Result<Option<Post>, StoreError> {
        let sql = Sql::new(format!("SELECT {POST_COLUMNS} FROM posts WHERE id = $1 AND deleted_at IS NULL")).bind(id);
        self.read_optional::<PostRow>(sql).await?.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn wall(&self, after: Option<WallCursor>, limit: i64, now: i64) -> Result<Vec<Post>, StoreError> {
        let after = after.unwrap_or(WallCursor { publish_at: i64::MAX, id: i64::MAX });
        let sql = Sql::new(format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE deleted_at IS NULL AND pinned_at IS NULL AND publish_at <= $1 \
             AND (publish_at < $2 OR (publish_at = $2 AND id < $3)) ORDER BY publish_at DESC, id DESC LIMIT $4"
        ))
        .bind(now)
        .bind(after.publish_at)
        .bind(after.id)
        .bind(limit);
        self.read_posts(sql).await
    }

    #[tracing::instrument(skip_all)]
    async fn pinned_post(&self, now: i64) -> Result<Option<Post>, StoreError> {
        let sql = Sql::new(format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE pinned_at IS NOT NULL AND deleted_at IS NULL AND publish_at <= $1 \
             ORDER BY pinned_at DESC LIMIT 1"
        ))
        .bind(now);
        Ok(self.read_posts(sql).await?.into_iter().next())
    }

    #[tracing::instrument(skip_all)]
    async fn scheduled_posts(&self, now: i64) -> Result<Vec<Post>, StoreError> {
        let sql = Sql::new(format!(
            "SELECT {POST_COLUMNS} FROM posts WHERE deleted_at IS NULL AND publish_at > $1 \
             ORDER BY publish_at, id LIMIT 200"
        ))
        .bind(now);
        self.read_posts(sql).await
    }
}
