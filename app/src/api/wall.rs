//! The page's wall: everyone reads it (no login needed); editors and admins write it.

use leptos::prelude::*;

use crate::error::AppError;
pub use crate::forms::{PostAction, PostActionForm, PostForm};
pub use crate::views::{Post, PostPage, WallPage};
#[cfg(feature = "ssr")]
use {
    crate::api::kept::{keep_on_error, redirect_plain_post},
    crate::context::Ctx,
    crate::services::wall,
};

/// One page of the wall (`older`: the cursor of an older page).
#[server(endpoint = "wall")]
pub async fn get_wall(older: Option<String>) -> Result<WallPage, AppError> {
    let ctx = Ctx::get()?;
    let viewer = ctx.visitor().await?;
    wall::wall(&ctx.store, viewer.as_ref(), older.as_deref()).await
}

#[server(endpoint = "wall/post")]
pub async fn get_post(id: String) -> Result<PostPage, AppError> {
    let ctx = Ctx::get()?;
    let viewer = ctx.visitor().await?;
    wall::post_page(&ctx.store, &ctx.settings.public_url, viewer.as_ref(), &id).await
}

/// Posts waiting for their publication time (editors only).
#[server(endpoint = "wall/scheduled")]
pub async fn scheduled_posts() -> Result<Vec<Post>, AppError> {
    let ctx = Ctx::get()?;
    let editor = ctx.editor().await?;
    wall::scheduled(&ctx.store, &editor).await
}

/// Writes a post (new, or a new version) and opens its page.
#[server(endpoint = "wall/save")]
pub async fn save_post(#[server(flatten)] form: PostForm) -> Result<i64, AppError> {
    let ctx = Ctx::get()?;
    let editor = ctx.editor().await?;
    let result = wall::save_post(&ctx.store, &editor, &form).await;
    let id = keep_on_error("post", &form, result).await?;
    leptos_axum::redirect(&format!("/post/{id}"));
    Ok(id)
}

/// Deletes (back to the wall), pins or unpins (back to the post) a post.
#[server(endpoint = "wall/act")]
pub async fn act_on_post(#[server(flatten)] form: PostActionForm) -> Result<(), AppError> {
    let ctx = Ctx::get()?;
    let editor = ctx.editor().await?;
    wall::post_action(&ctx.store, &editor, &form).await?;
    match form.action {
        PostAction::Delete => leptos_axum::redirect("/"),
        _ => redirect_plain_post(&format!("/post/{}", form.id.trim())).await,
    }
    Ok(())
}
