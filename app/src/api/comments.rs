//! Comments under the posts: everyone reads; confirmed accounts comment, reply, react and report; the
//! pool moderates (admins also keep the word list).

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::forms::{
    CommentAction, CommentActionForm, CommentForm, HandoffForm, ModerateForm, ModerationDecision, PrivateDraftForm,
    ReactForm, ThanksForm, WordListForm,
};
pub use crate::views::{Comment, CommentShown, CommentsPage, Notification, Reactions, ReviewItem, ReviewPage, Viewer};
#[cfg(feature = "ssr")]
use {
    crate::api::kept::{keep_on_error, redirect_plain_post},
    crate::context::Ctx,
    crate::ports::Limit,
    crate::services::comments,
};

/// Where a plain form post goes back to: the post's page (at the comment), never anywhere else.
#[cfg(feature = "ssr")]
async fn back_to_post(post: &str, comment: Option<&str>) {
    let post: i64 = post.trim().parse().unwrap_or_default();
    let at = match comment.and_then(|c| c.trim().parse::<i64>().ok()) {
        Some(c) => format!("#c-{c}"),
        None => "#comments".to_string(),
    };
    if post > 0 {
        redirect_plain_post(&format!("/post/{post}{at}")).await;
    } else {
        redirect_plain_post("/").await;
    }
}

/// A page of a post's comments (`oldest`: oldest first; `after`: the last comment of the page before;
/// `thread`: one comment and a page of its replies).
#[server(endpoint = "wall/comments")]
pub async fn get_comments(
    post: String,
    oldest: bool,
    after: Option<String>,
    thread: Option<String>,
) -> Result<CommentsPage, AppError> {
    let ctx = Ctx::get()?;
    let viewer = ctx.visitor().await?;
    comments::comments_page(&ctx, viewer.as_ref(), &post, oldest, after.as_deref(), thread.as_deref()).await
}

/// Writes a comment, a reply, or a new version of one's own.
#[server(endpoint = "wall/comment")]
pub async fn write_comment(#[server(flatten)] form: CommentForm) -> Result<i64, AppError> {
    let ctx = Ctx::get()?;
    let result = async {
        let me = ctx.customer().await?;
        ctx.limit(Limit::Comment, &me.user().id.to_string()).await?;
        comments::write_comment(&ctx, &me, &form).await
    }
    .await;
    let id = keep_on_error("comment", &form, result).await?;
    back_to_post(&form.post, Some(&id.to_string())).await;
    Ok(id)
}

/// Deletes one's own comment, or reports one.
#[server(endpoint = "wall/comment-act")]
pub async fn act_on_comment(#[server(flatten)] form: CommentActionForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    comments::comment_action(&ctx, &me, &form).await?;
    let at = (form.action == CommentAction::Report).then_some(form.id.as_str());
    back_to_post(&form.post, at).await;
    Ok(())
}

/// Sets or takes back a reaction on a post or a comment.
#[server(endpoint = "wall/react")]
pub async fn react(#[server(flatten)] form: ReactForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    comments::react(&ctx, &me, &form).await?;
    match form.target.as_str() {
        "comment" => back_to_post(&form.post, Some(&form.id)).await,
        _ if form.post.trim().is_empty() => redirect_plain_post(&format!("/#post-{}", form.id.trim())).await,
        _ => back_to_post(&form.post, None).await,
    }
    Ok(())
}

/// Takes a refused comment's text to the private request form (nothing of it is stored with a comment).
#[server(endpoint = "wall/to-private")]
pub async fn comment_to_private(#[server(flatten)] form: PrivateDraftForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    ctx.customer().await?;
    let description: String = form.body.trim().chars().take(crate::domain::request::Description::MAX_CHARS).collect();
    crate::auth::session::put_flash(&ctx.session().await?, "request", vec![("description".into(), description)])
        .await?;
    leptos_axum::redirect("/assistenza/nuova");
    Ok(())
}

/// A customer thanks the page publicly for a request they rated 4 or 5.
#[server(endpoint = "wall/thank")]
pub async fn thank_page(#[server(flatten)] form: ThanksForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let result = async {
        let me = ctx.customer().await?;
        ctx.limit(Limit::Comment, &me.user().id.to_string()).await?;
        comments::thank(&ctx, &me, &form).await
    }
    .await;
    keep_on_error("thanks", &form, result).await?;
    let reference = crate::domain::request::parse_reference(&form.reference.trim().to_uppercase())
        .map(crate::domain::request::reference)
        .unwrap_or_default();
    redirect_plain_post(&format!("/assistenza/richieste/{reference}#rating")).await;
    Ok(())
}

/// "Take it to private" (the pool).
#[server(endpoint = "staff/to-private")]
pub async fn take_to_private(#[server(flatten)] form: HandoffForm) -> Result<i64, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    let answer = comments::take_to_private(&ctx, &staff, &form).await?;
    back_to_post(&form.post, Some(&answer.to_string())).await;
    Ok(answer)
}

/// The text of the caller's comment taken to private, for the request form.
#[server(endpoint = "wall/handoff-draft")]
pub async fn handoff_draft(comment: String) -> Result<Option<String>, AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    comments::handoff_draft(&ctx, &me, &comment).await
}

/// The caller's notifications (the bell), newest first; they are read from then on.
#[server(endpoint = "notifications")]
pub async fn my_notifications() -> Result<Vec<Notification>, AppError> {
    let ctx = Ctx::get()?;
    let me = ctx.customer().await?;
    comments::my_notifications(&ctx, &me).await
}

/// Held and reported comments, oldest first, a page after `after` (the pool).
#[server(endpoint = "staff/review")]
pub async fn review_queue(after: Option<String>) -> Result<ReviewPage, AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    comments::review_queue(&ctx, &staff, after.as_deref()).await
}

#[server(endpoint = "staff/moderate")]
pub async fn moderate(#[server(flatten)] form: ModerateForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let staff = ctx.agent().await?;
    comments::moderate(&ctx, &staff, &form).await?;
    redirect_plain_post("/admin/moderazione").await;
    Ok(())
}

/// The page's word list (admins).
#[server(endpoint = "staff/words")]
pub async fn word_list() -> Result<String, AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    comments::word_list(&ctx, &admin).await
}

/// Replaces the word list; the number of entries it holds.
#[server(endpoint = "staff/words/save")]
pub async fn save_word_list(#[server(flatten)] form: WordListForm) -> Result<usize, AppError> {
    let ctx = Ctx::get()?;
    let admin = ctx.admin().await?;
    let result = comments::save_word_list(&ctx, &admin, &form).await;
    let entries = keep_on_error("words", &form, result).await?;
    redirect_plain_post("/admin/moderazione").await;
    Ok(entries)
}
