//! Fans' comments, reactions, reports and the moderation queue. The counts the pages show (a post's
//! comments, a comment's replies, the reactions) change in the transaction of what changes them, so no
//! view ever counts rows.

use std::collections::HashMap;

use app::domain::comment::{CommentState, NotificationKind, Reaction, ReportReason, Target};
use app::domain::request::{AccountAction, AuditAction};
use app::ports::{
    CommentId, CommentOrder, CommentRecord, Comments, Decision, HandoffState, NewAudit, NewComment, NewEmail,
    Notification, PostId, Reactions, ReviewItem, StoreError, Thanks, UserId,
};
use async_trait::async_trait;

use super::audit::insert_audit_line;
use super::outbox::insert_email;
use super::{Backend, Sql, SqlStore, code, placeholders};

#[derive(sqlx::FromRow)]
struct CommentRow {
    id: i64,
    post_id: i64,
    parent_id: Option<i64>,
    author_id: i64,
    author_name: String,
    from_staff: bool,
    state: String,
    body: String,
    created_at: i64,
    edited_at: Option<i64>,
    deleted_at: Option<i64>,
    reply_count: i64,
    answers: Option<i64>,
    request_status: Option<String>,
    request_outcome: Option<String>,
    handed_off: Option<i64>,
}

const COMMENT_COLUMNS: &str = "c.id, c.post_id, c.parent_id, c.author_id, u.display_name AS author_name, \
     c.from_staff, c.state, c.body, c.created_at, c.edited_at, c.deleted_at, c.reply_count, \
     a.comment_id AS answers, r.status AS request_status, r.outcome AS request_outcome, \
     h.comment_id AS handed_off";

/// A comment with its author, and for the page's answer to a comment taken to private (`a`), the
/// private request's state (`r`); `h`: this comment was taken to private.
const COMMENT_FROM: &str = "comments c JOIN users u ON u.id = c.author_id \
     LEFT JOIN comment_handoffs a ON a.reply_id = c.id LEFT JOIN requests r ON r.id = a.request_id \
     LEFT JOIN comment_handoffs h ON h.comment_id = c.id";

fn handoff_state(answers: Option<i64>, status: Option<&str>, outcome: Option<&str>) -> Option<HandoffState> {
    answers?;
    let ended = matches!(status, Some("resolved" | "closed"));
    Some(match (ended, outcome) {
        (true, Some("solved")) => HandoffState::Solved,
        (true, Some(_)) => HandoffState::Handled,
        _ => HandoffState::InPrivate,
    })
}

impl TryFrom<CommentRow> for CommentRecord {
    type Error = StoreError;

    fn try_from(r: CommentRow) -> Result<Self, StoreError> {
        Ok(CommentRecord {
            id: r.id,
            post_id: r.post_id,
            parent_id: r.parent_id,
            author_id: r.author_id,
            author_name: r.author_name,
            from_staff: r.from_staff,
            state: code(&r.state, CommentState::from_code)?,
            body: r.body,
            created_at: r.created_at,
            edited_at: r.edited_at,
            deleted: r.deleted_at.is_some(),
            reply_count: r.reply_count,
            handoff: handoff_state(r.answers, r.request_status.as_deref(), r.request_outcome.as_deref()),
            handed_off: r.handed_off.is_some(),
        })
    }
}

/// Who may see a comment in a list: everyone its published and hidden ones (hidden ones as a line), its
/// author their held ones; a deleted one only while it has replies.
const VISIBLE: &str =
    "(c.state IN ('published', 'hidden') OR c.author_id = $1) AND (c.deleted_at IS NULL OR c.reply_count > 0)";

fn comment_line(by: UserId, action: AccountAction, comment: CommentId, author: Option<UserId>) -> NewAudit {
    NewAudit {
        actor_id: Some(by),
        action: AuditAction::Account(action),
        request_id: None,
        subject_user_id: author,
        detail: Some(format!("comment {comment}")),
    }
}

/// A published comment more or fewer: its post's count and its parent's replies follow.
async fn count_published<DB: Backend>(conn: &mut DB::Connection, id: CommentId, delta: i64) -> Result<(), StoreError> {
    let post = Sql::new(
        "UPDATE posts SET comment_count = comment_count + $1 WHERE id = (SELECT post_id FROM comments WHERE id = $2)",
    )
    .bind(delta)
    .bind(id);
    DB::execute(conn, post).await?;
    let parent = Sql::new(
        "UPDATE comments SET reply_count = reply_count + $1 WHERE id = (SELECT parent_id FROM comments WHERE id = $2)",
    )
    .bind(delta)
    .bind(id);
    DB::execute(conn, parent).await?;
    Ok(())
}

/// Locks the post a comment is under. Every transaction that changes comments locks in one order — the
/// post, then the comment, then its parent — so that two of them never wait for each other on PostgreSQL
/// (a reply being written while its parent is moderated, say).
async fn lock_post_of<DB: Backend>(conn: &mut DB::Connection, comment: CommentId) -> Result<(), StoreError> {
    let sql = Sql::new(format!(
        "SELECT id FROM posts WHERE id = (SELECT post_id FROM comments WHERE id = $1) {}",
        DB::FOR_UPDATE
    ))
    .bind(comment);
    DB::fetch_optional::<(i64,)>(conn, sql).await.map(|_| ())
}

/// A fan whose comment a newly published reply answers is told (not of their own replies).
async fn notify_answered<DB: Backend>(conn: &mut DB::Connection, reply: CommentId, now: i64) -> Result<(), StoreError> {
    let sql = Sql::new(
        "SELECT p.author_id, p.from_staff, r.author_id, r.from_staff, r.post_id \
         FROM comments r JOIN comments p ON p.id = r.parent_id WHERE r.id = $1",
    )
    .bind(reply);
    if let Some((parent_author, parent_staff, author, from_staff, post)) =
        DB::fetch_optional::<(i64, bool, i64, bool, i64)>(conn, sql).await?
        && !parent_staff
        && parent_author != author
    {
        let kind = if from_staff { NotificationKind::PageAnswer } else { NotificationKind::Reply };
        notify::<DB>(conn, parent_author, kind, post, reply, now).await?;
    }
    Ok(())
}

/// A comment moved from `before` to `after`: entering or leaving `Published` changes the counts, and a reply
/// that becomes visible tells the fan it answers.
async fn published_changed<DB: Backend>(
    conn: &mut DB::Connection,
    id: CommentId,
    before: CommentState,
    after: CommentState,
    now: i64,
) -> Result<(), StoreError> {
    match (before == CommentState::Published, after == CommentState::Published) {
        (true, false) => count_published::<DB>(conn, id, -1).await,
        (false, true) => {
            count_published::<DB>(conn, id, 1).await?;
            notify_answered::<DB>(conn, id, now).await
        }
        _ => Ok(()),
    }
}

/// A comment's state and author, locked for the rest of the transaction; `NotFound` when deleted.
async fn lock_live<DB: Backend>(
    conn: &mut DB::Connection,
    id: CommentId,
) -> Result<(CommentState, UserId), StoreError> {
    lock_post_of::<DB>(conn, id).await?;
    let sql = Sql::new(format!(
        "SELECT state, author_id FROM comments WHERE id = $1 AND deleted_at IS NULL {}",
        DB::FOR_UPDATE
    ))
    .bind(id);
    let (state, author) = DB::fetch_one::<(String, i64)>(conn, sql).await?;
    Ok((code(&state, CommentState::from_code)?, author))
}

/// A notification for a fan, in the caller's transaction.
async fn notify<DB: Backend>(
    conn: &mut DB::Connection,
    user: UserId,
    kind: NotificationKind,
    post: PostId,
    comment: CommentId,
    now: i64,
) -> Result<(), StoreError> {
    let sql = Sql::new(
        "INSERT INTO notifications (user_id, kind, post_id, comment_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user)
    .bind(kind.code())
    .bind(post)
    .bind(comment)
    .bind(now);
    DB::execute(conn, sql).await.map(|_| ())
}

async fn change_count<DB: Backend>(
    conn: &mut DB::Connection,
    target: Target,
    id: i64,
    reaction: Reaction,
    delta: i64,
) -> Result<(), StoreError> {
    let sql = Sql::new(
        "INSERT INTO reaction_counts (target, target_id, reaction, count) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (target, target_id, reaction) DO UPDATE SET count = reaction_counts.count + $4",
    )
    .bind(target.code())
    .bind(id)
    .bind(reaction.code())
    .bind(delta);
    DB::execute(conn, sql).await.map(|_| ())
}

impl<DB: Backend> SqlStore<DB> {
    async fn read_comments(&self, sql: Sql<'_>) -> Result<Vec<CommentRecord>, StoreError> {
        self.read::<CommentRow>(sql).await?.into_iter().map(TryInto::try_into).collect()
    }
}

#[async_trait]
impl<DB: Backend> Comments for SqlStore<DB> {
    #[tracing::instrument(skip_all, fields(post = comment.post, by = by))]
    async fn add_comment(&self, comment: NewComment, by: UserId, now: i64) -> Result<CommentId, StoreError> {
        let mut w = self.write().await?;
        let post = Sql::new(format!(
            "SELECT id FROM posts WHERE id = $1 AND deleted_at IS NULL AND publish_at <= $2 {}",
            DB::FOR_UPDATE
        ))
        .bind(comment.post)
        .bind(now);
        DB::fetch_one::<(i64,)>(w.conn(), post).await?;
        // A reply answers a published top-level comment of the same post.
        if let Some(parent) = comment.parent {
            let sql = Sql::new(format!(
                "SELECT id FROM comments WHERE id = $1 AND post_id = $2 AND parent_id IS NULL AND deleted_at IS NULL \
                 AND state = 'published' {}",
                DB::FOR_UPDATE
            ))
            .bind(parent)
            .bind(comment.post);
            DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        }
        let sql = Sql::new(
            "INSERT INTO comments (post_id, parent_id, author_id, body, state, from_staff, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(comment.post)
        .bind(comment.parent)
        .bind(by)
        .bind(comment.body.as_ref())
        .bind(comment.state.code())
        .bind(comment.from_staff)
        .bind(now);
        let (id,) = DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        if comment.state == CommentState::Published {
            count_published::<DB>(w.conn(), id, 1).await?;
            notify_answered::<DB>(w.conn(), id, now).await?;
        }
        w.commit().await?;
        tracing::info!(comment = id, state = %comment.state, "comment written");
        Ok(id)
    }

    #[tracing::instrument(skip_all, fields(comment = id, by = by))]
    async fn edit_comment(
        &self,
        id: CommentId,
        body: app::domain::comment::CommentBody,
        state: CommentState,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let (before, author) = lock_live::<DB>(w.conn(), id).await?;
        if author != by || before == CommentState::Hidden {
            return Err(StoreError::NotFound);
        }
        let sql = Sql::new("UPDATE comments SET body = $1, state = $2, edited_at = $3 WHERE id = $4")
            .bind(body.as_ref())
            .bind(state.code())
            .bind(now)
            .bind(id);
        DB::execute(w.conn(), sql).await?;
        published_changed::<DB>(w.conn(), id, before, state, now).await?;
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(comment = id, by = by))]
    async fn delete_comment(&self, id: CommentId, by: UserId, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let (before, author) = lock_live::<DB>(w.conn(), id).await?;
        if author != by {
            return Err(StoreError::NotFound);
        }
        let sql = Sql::new("UPDATE comments SET deleted_at = $1, open_reports = 0 WHERE id = $2").bind(now).bind(id);
        DB::execute(w.conn(), sql).await?;
        if before == CommentState::Published {
            count_published::<DB>(w.conn(), id, -1).await?;
        }
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(comment = id))]
    async fn comment_by_id(&self, id: CommentId) -> Result<Option<CommentRecord>, StoreError> {
        let sql = Sql::new(format!("SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} WHERE c.id = $1")).bind(id);
        self.read_optional::<CommentRow>(sql).await?.map(TryInto::try_into).transpose()
    }

    #[tracing::instrument(skip_all, fields(post = post))]
    async fn comments(
        &self,
        post: PostId,
        viewer: Option<UserId>,
        order: CommentOrder,
        after: Option<CommentId>,
        limit: i64,
    ) -> Result<Vec<CommentRecord>, StoreError> {
        let (cmp, dir, start) = match order {
            CommentOrder::OldestFirst => (">", "ASC", 0),
            CommentOrder::NewestFirst => ("<", "DESC", i64::MAX),
        };
        let from = COMMENT_FROM.replacen("comments c", &format!("comments c {}", DB::BY_POST_INDEX), 1);
        let sql = Sql::new(format!(
            "SELECT {COMMENT_COLUMNS} FROM {from} \
             WHERE c.post_id = $2 AND c.parent_id IS NULL AND c.id {cmp} $3 AND {VISIBLE} \
             ORDER BY c.id {dir} LIMIT $4"
        ))
        .bind(viewer.unwrap_or(0))
        .bind(post)
        .bind(after.unwrap_or(start))
        .bind(limit);
        self.read_comments(sql).await
    }

    #[tracing::instrument(skip_all, fields(parents = parents.len()))]
    async fn replies(
        &self,
        parents: &[CommentId],
        viewer: Option<UserId>,
        per_parent: i64,
    ) -> Result<Vec<CommentRecord>, StoreError> {
        if parents.is_empty() {
            return Ok(Vec::new());
        }
        let sql = Sql::new(format!(
            "SELECT * FROM (SELECT {COMMENT_COLUMNS}, \
             ROW_NUMBER() OVER (PARTITION BY c.parent_id ORDER BY c.id DESC) AS n \
             FROM {COMMENT_FROM} \
             WHERE c.parent_id IN ({}) AND {VISIBLE}) t WHERE n <= $2 ORDER BY parent_id, id",
            placeholders(3, parents.len())
        ))
        .bind(viewer.unwrap_or(0))
        .bind(per_parent);
        let sql = parents.iter().fold(sql, |sql, p| sql.bind(*p));
        self.read_comments(sql).await
    }

    #[tracing::instrument(skip_all, fields(parent = parent))]
    async fn replies_after(
        &self,
        parent: CommentId,
        viewer: Option<UserId>,
        after: Option<CommentId>,
        limit: i64,
    ) -> Result<Vec<CommentRecord>, StoreError> {
        let sql = Sql::new(format!(
            "SELECT {COMMENT_COLUMNS} FROM {COMMENT_FROM} \
             WHERE c.parent_id = $2 AND c.id > $3 AND {VISIBLE} ORDER BY c.id LIMIT $4"
        ))
        .bind(viewer.unwrap_or(0))
        .bind(parent)
        .bind(after.unwrap_or(0))
        .bind(limit);
        self.read_comments(sql).await
    }

    #[tracing::instrument(skip_all, fields(target = %target, id = id, by = by))]
    async fn react(
        &self,
        target: Target,
        id: i64,
        reaction: Option<Reaction>,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let exists = match target {
            Target::Post => Sql::new("SELECT id FROM posts WHERE id = $1 AND deleted_at IS NULL AND publish_at <= $2")
                .bind(id)
                .bind(now),
            Target::Comment => {
                Sql::new("SELECT id FROM comments WHERE id = $1 AND deleted_at IS NULL AND state = 'published'")
                    .bind(id)
            }
        };
        DB::fetch_one::<(i64,)>(w.conn(), exists).await?;
        // The person's reaction so far is taken away first (the row lock orders two clicks of one person).
        let before =
            Sql::new("DELETE FROM reactions WHERE target = $1 AND target_id = $2 AND user_id = $3 RETURNING reaction")
                .bind(target.code())
                .bind(id)
                .bind(by);
        let mut changes: Vec<(Reaction, i64)> = Vec::new();
        if let Some((before,)) = DB::fetch_optional::<(String,)>(w.conn(), before).await? {
            changes.push((code(&before, Reaction::from_code)?, -1));
        }
        if let Some(reaction) = reaction {
            // Another click of the same person may have inserted meanwhile: then theirs stands.
            let insert = Sql::new(
                "INSERT INTO reactions (target, target_id, user_id, reaction, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (target, target_id, user_id) DO NOTHING RETURNING user_id",
            )
            .bind(target.code())
            .bind(id)
            .bind(by)
            .bind(reaction.code())
            .bind(now);
            if DB::fetch_optional::<(i64,)>(w.conn(), insert).await?.is_some() {
                changes.push((reaction, 1));
            }
        }
        // The counts are changed in one order (the reactions' own): two people switching opposite ways at
        // once would otherwise each hold the count row the other waits for (PostgreSQL found the deadlock).
        changes.sort_by_key(|(r, _)| r.code());
        for (reaction, delta) in changes {
            change_count::<DB>(w.conn(), target, id, reaction, delta).await?;
        }
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(target = %target, ids = ids.len()))]
    async fn reactions(
        &self,
        target: Target,
        ids: &[i64],
        viewer: Option<UserId>,
    ) -> Result<HashMap<i64, Reactions>, StoreError> {
        let mut out: HashMap<i64, Reactions> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let list = placeholders(2, ids.len());
        let counts = Sql::new(format!(
            "SELECT target_id, reaction, count FROM reaction_counts WHERE target = $1 AND count > 0 \
             AND target_id IN ({list})"
        ))
        .bind(target.code());
        let counts = ids.iter().fold(counts, |sql, id| sql.bind(*id));
        for (id, reaction, count) in self.read::<(i64, String, i64)>(counts).await? {
            out.entry(id).or_default().counts.push((code(&reaction, Reaction::from_code)?, count));
        }
        for r in out.values_mut() {
            r.counts.sort_by_key(|(reaction, _)| Reaction::ALL.iter().position(|a| a == reaction));
        }
        if let Some(viewer) = viewer {
            let mine = Sql::new(format!(
                "SELECT target_id, reaction FROM reactions WHERE target = $1 AND target_id IN ({}) AND user_id = $2",
                placeholders(3, ids.len())
            ))
            .bind(target.code())
            .bind(viewer);
            let mine = ids.iter().fold(mine, |sql, id| sql.bind(*id));
            for (id, reaction) in self.read::<(i64, String)>(mine).await? {
                out.entry(id).or_default().mine = Some(code(&reaction, Reaction::from_code)?);
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all, fields(comment = id, by = by))]
    async fn report_comment(
        &self,
        id: CommentId,
        reason: ReportReason,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let exists =
            Sql::new("SELECT id FROM comments WHERE id = $1 AND deleted_at IS NULL AND state = 'published'").bind(id);
        DB::fetch_one::<(i64,)>(w.conn(), exists).await?;
        let sql = Sql::new(
            "INSERT INTO comment_reports (comment_id, reporter_id, reason, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (comment_id, reporter_id) DO NOTHING RETURNING comment_id",
        )
        .bind(id)
        .bind(by)
        .bind(reason.code())
        .bind(now);
        if DB::fetch_optional::<(i64,)>(w.conn(), sql).await?.is_some() {
            let sql = Sql::new("UPDATE comments SET open_reports = open_reports + 1 WHERE id = $1").bind(id);
            DB::execute(w.conn(), sql).await?;
        }
        w.commit().await
    }

    #[tracing::instrument(skip_all)]
    async fn review_queue(&self, after: Option<CommentId>, limit: i64) -> Result<Vec<ReviewItem>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            post_id: i64,
            author_name: String,
            author_id: i64,
            blocked: bool,
            state: String,
            body: String,
            created_at: i64,
            version: i64,
        }
        let sql = Sql::new(
            "SELECT c.id, c.post_id, u.display_name AS author_name, c.author_id, (u.blocked_at IS NOT NULL) AS blocked, c.state, c.body, c.created_at, \
             COALESCE(c.edited_at, c.created_at) AS version \
             FROM comments c JOIN users u ON u.id = c.author_id \
             WHERE c.deleted_at IS NULL AND (c.state = 'held' OR c.open_reports > 0) AND c.id > $1 \
             ORDER BY c.id LIMIT $2",
        )
        .bind(after.unwrap_or(0))
        .bind(limit);
        let rows = self.read::<Row>(sql).await?;
        let mut reports: HashMap<i64, Vec<(ReportReason, i64)>> = HashMap::new();
        if !rows.is_empty() {
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            let sql = Sql::new(format!(
                "SELECT r.comment_id, r.reason, COUNT(*) FROM comment_reports r JOIN comments c ON c.id = r.comment_id \
                 WHERE r.comment_id IN ({}) AND (c.moderated_at IS NULL OR r.created_at > c.moderated_at) \
                 GROUP BY r.comment_id, r.reason ORDER BY r.comment_id, r.reason",
                placeholders(1, ids.len())
            ));
            let sql = ids.iter().fold(sql, |sql, id| sql.bind(*id));
            for (id, reason, n) in self.read::<(i64, String, i64)>(sql).await? {
                reports.entry(id).or_default().push((code(&reason, ReportReason::from_code)?, n));
            }
        }
        rows.into_iter()
            .map(|r| {
                Ok(ReviewItem {
                    id: r.id,
                    post_id: r.post_id,
                    author: r.author_name,
                    author_id: r.author_id,
                    author_blocked: r.blocked,
                    held: r.state == CommentState::Held.code(),
                    body: r.body,
                    created_at: r.created_at,
                    version: r.version,
                    reports: reports.remove(&r.id).unwrap_or_default(),
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn review_count(&self) -> Result<i64, StoreError> {
        let sql =
            Sql::new("SELECT COUNT(*) FROM comments WHERE deleted_at IS NULL AND (state = 'held' OR open_reports > 0)");
        Ok(self.read_one::<(i64,)>(sql).await?.0)
    }

    #[tracing::instrument(skip_all, fields(comment = id, by = by))]
    async fn moderate(
        &self,
        id: CommentId,
        seen: Option<i64>,
        decision: Decision,
        warning: Option<NewEmail>,
        by: UserId,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let (before, author) = lock_live::<DB>(w.conn(), id).await?;
        if let Some(seen) = seen {
            let sql = Sql::new("SELECT COALESCE(edited_at, created_at) FROM comments WHERE id = $1").bind(id);
            if DB::fetch_one::<(i64,)>(w.conn(), sql).await?.0 != seen {
                return Err(StoreError::Conflict);
            }
        }
        let (after, action) = match decision {
            Decision::Publish => (CommentState::Published, AccountAction::CommentPublished),
            Decision::Hide => (CommentState::Hidden, AccountAction::CommentHidden),
        };
        let sql = Sql::new(
            "UPDATE comments SET state = $1, open_reports = 0, moderated_at = $2, moderated_by = $3 WHERE id = $4",
        )
        .bind(after.code())
        .bind(now)
        .bind(by)
        .bind(id);
        DB::execute(w.conn(), sql).await?;
        published_changed::<DB>(w.conn(), id, before, after, now).await?;
        // The author hears of a change (not of reports dismissed on a comment that stays as it was).
        if before != after {
            let sql = Sql::new("SELECT post_id, from_staff FROM comments WHERE id = $1").bind(id);
            let (post, staff) = DB::fetch_one::<(i64, bool)>(w.conn(), sql).await?;
            let kind =
                if after == CommentState::Published { NotificationKind::Published } else { NotificationKind::Hidden };
            if !staff {
                notify::<DB>(w.conn(), author, kind, post, id, now).await?;
            }
        }
        insert_audit_line::<DB>(w.conn(), &comment_line(by, action, id, Some(author)), now).await?;
        if let Some(email) = warning {
            insert_audit_line::<DB>(w.conn(), &comment_line(by, AccountAction::CommentWarned, id, Some(author)), now)
                .await?;
            insert_email::<DB>(w.conn(), &email, now).await?;
        }
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(comment = comment, by = by))]
    async fn hand_off(
        &self,
        comment: CommentId,
        answer: app::domain::comment::CommentBody,
        email: NewEmail,
        by: UserId,
        now: i64,
    ) -> Result<CommentId, StoreError> {
        let mut w = self.write().await?;
        lock_post_of::<DB>(w.conn(), comment).await?;
        let sql = Sql::new(format!(
            "SELECT post_id, parent_id, author_id FROM comments \
             WHERE id = $1 AND deleted_at IS NULL AND state = 'published' AND NOT from_staff {}",
            DB::FOR_UPDATE
        ))
        .bind(comment);
        let (post, parent, customer) = DB::fetch_one::<(i64, Option<i64>, i64)>(w.conn(), sql).await?;
        let taken = Sql::new("SELECT comment_id FROM comment_handoffs WHERE comment_id = $1").bind(comment);
        if DB::fetch_optional::<(i64,)>(w.conn(), taken).await?.is_some() {
            return Err(StoreError::Conflict);
        }
        // The answer goes under the comment's thread (a reply's answer is a reply to the same comment).
        let sql = Sql::new(
            "INSERT INTO comments (post_id, parent_id, author_id, body, state, from_staff, created_at) \
             VALUES ($1, $2, $3, $4, 'published', TRUE, $5) RETURNING id",
        )
        .bind(post)
        .bind(Some(parent.unwrap_or(comment)))
        .bind(by)
        .bind(answer.as_ref())
        .bind(now);
        let (reply,) = DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        count_published::<DB>(w.conn(), reply, 1).await?;
        let sql = Sql::new(
            "INSERT INTO comment_handoffs (comment_id, customer_id, reply_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(comment)
        .bind(customer)
        .bind(reply)
        .bind(by)
        .bind(now);
        DB::execute(w.conn(), sql).await?;
        notify::<DB>(w.conn(), customer, NotificationKind::Private, post, reply, now).await?;
        insert_audit_line::<DB>(
            w.conn(),
            &comment_line(by, AccountAction::CommentToPrivate, comment, Some(customer)),
            now,
        )
        .await?;
        insert_email::<DB>(w.conn(), &email, now).await?;
        w.commit().await?;
        Ok(reply)
    }

    #[tracing::instrument(skip_all, fields(comment = comment))]
    async fn handoff_draft(&self, comment: CommentId, customer: UserId) -> Result<Option<String>, StoreError> {
        let sql = Sql::new(
            "SELECT c.body FROM comment_handoffs h JOIN comments c ON c.id = h.comment_id \
             WHERE h.comment_id = $1 AND h.customer_id = $2 AND h.request_id IS NULL",
        )
        .bind(comment)
        .bind(customer);
        Ok(self.read_optional::<(String,)>(sql).await?.map(|(body,)| body))
    }

    #[tracing::instrument(skip_all, fields(comment = comment, request = request))]
    async fn link_handoff(&self, comment: CommentId, customer: UserId, request: i64) -> Result<(), StoreError> {
        let sql = Sql::new(
            "UPDATE comment_handoffs SET request_id = $1 \
             WHERE comment_id = $2 AND customer_id = $3 AND request_id IS NULL \
             AND EXISTS (SELECT 1 FROM requests WHERE id = $1 AND customer_id = $3)",
        )
        .bind(request)
        .bind(comment)
        .bind(customer);
        self.write_one(sql).await.map(|_| ())
    }

    #[tracing::instrument(skip_all, fields(user = user))]
    async fn notifications(&self, user: UserId, limit: i64) -> Result<Vec<Notification>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            kind: String,
            post_id: i64,
            comment_id: i64,
            created_at: i64,
            read_at: Option<i64>,
            body: Option<String>,
        }
        // The comment's text only when the fan may read it: published and not deleted, or their own.
        let sql = Sql::new(
            "SELECT n.id, n.kind, n.post_id, n.comment_id, n.created_at, n.read_at, \
             CASE WHEN c.deleted_at IS NULL AND (c.state = 'published' OR c.author_id = $1) THEN c.body END AS body \
             FROM notifications n JOIN comments c ON c.id = n.comment_id \
             WHERE n.user_id = $1 ORDER BY n.id DESC LIMIT $2",
        )
        .bind(user)
        .bind(limit);
        self.read::<Row>(sql)
            .await?
            .into_iter()
            .map(|r| {
                Ok(Notification {
                    id: r.id,
                    kind: code(&r.kind, NotificationKind::from_code)?,
                    post_id: r.post_id,
                    comment_id: r.comment_id,
                    created_at: r.created_at,
                    read: r.read_at.is_some(),
                    excerpt: r.body.map(|b| app::domain::post::excerpt(&b, 120)).unwrap_or_default(),
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(user = user))]
    async fn unread_notifications(&self, user: UserId) -> Result<i64, StoreError> {
        let sql = Sql::new("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL").bind(user);
        Ok(self.read_one::<(i64,)>(sql).await?.0)
    }

    #[tracing::instrument(skip_all, fields(user = user))]
    async fn mark_notifications_read(&self, user: UserId, up_to: i64, now: i64) -> Result<(), StoreError> {
        let sql = Sql::new("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL AND id <= $3")
            .bind(now)
            .bind(user)
            .bind(up_to);
        self.write_one(sql).await.map(|_| ())
    }

    #[tracing::instrument(skip_all, fields(request = request))]
    async fn thank(
        &self,
        request: i64,
        customer: UserId,
        body: app::domain::comment::CommentBody,
        now: i64,
    ) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new("SELECT id FROM requests WHERE id = $1 AND customer_id = $2 AND rating >= 4")
            .bind(request)
            .bind(customer);
        DB::fetch_one::<(i64,)>(w.conn(), sql).await?;
        let sql = Sql::new(
            "INSERT INTO thanks (request_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (request_id) DO NOTHING RETURNING id",
        )
        .bind(request)
        .bind(customer)
        .bind(body.as_ref())
        .bind(now);
        if DB::fetch_optional::<(i64,)>(w.conn(), sql).await?.is_none() {
            return Err(StoreError::Conflict);
        }
        w.commit().await
    }

    #[tracing::instrument(skip_all, fields(request = request))]
    async fn thanked(&self, request: i64) -> Result<bool, StoreError> {
        let sql = Sql::new("SELECT id FROM thanks WHERE request_id = $1").bind(request);
        Ok(self.read_optional::<(i64,)>(sql).await?.is_some())
    }

    #[tracing::instrument(skip_all)]
    async fn latest_thanks(&self, limit: i64) -> Result<Vec<Thanks>, StoreError> {
        // A blocked author's thanks leave the wall with them, and so do an erased one's (#18).
        let sql = Sql::new(
            "SELECT u.display_name, t.body, t.created_at FROM thanks t JOIN users u ON u.id = t.author_id \
             WHERE u.blocked_at IS NULL AND u.erased_at IS NULL ORDER BY t.id DESC LIMIT $1",
        )
        .bind(limit);
        Ok(self
            .read::<(String, String, i64)>(sql)
            .await?
            .into_iter()
            .map(|(author, body, created_at)| Thanks { author, body, created_at })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn word_list(&self) -> Result<String, StoreError> {
        let sql = Sql::new("SELECT value FROM settings WHERE key = 'word_list'");
        Ok(self.read_optional::<(String,)>(sql).await?.map(|(v,)| v).unwrap_or_default())
    }

    #[tracing::instrument(skip_all, fields(by = by))]
    async fn set_word_list(&self, list: &str, by: UserId, now: i64) -> Result<(), StoreError> {
        let mut w = self.write().await?;
        let sql = Sql::new(
            "INSERT INTO settings (key, value, updated_at) VALUES ('word_list', $1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = $1, updated_at = $2",
        )
        .bind(list)
        .bind(now);
        DB::execute(w.conn(), sql).await?;
        let line = NewAudit {
            actor_id: Some(by),
            action: AuditAction::Account(AccountAction::WordListChanged),
            request_id: None,
            subject_user_id: None,
            detail: None,
        };
        insert_audit_line::<DB>(w.conn(), &line, now).await?;
        w.commit().await
    }
}
