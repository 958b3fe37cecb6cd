//! The page's wall: everyone reads the published posts; editors (and admins) write, schedule, edit,
//! delete and pin them. Every write takes the [`Editor`] value only the session check makes.

use crate::auth::session::{Editor, may_write_posts};
use crate::clock::now_ms;
use crate::domain::account::FieldError;
use crate::domain::comment::Target;
use crate::domain::post::{PostBody, PostKind};
use crate::domain::request::choice;
use crate::error::AppError;
use crate::forms::{PostAction, PostActionForm, PostForm};
use crate::ports::*;
use crate::services::invalid;
use crate::views::{PostPage, WallPage};

/// Posts on one page of the wall.
pub const WALL_PAGE: i64 = 10;

/// One page of the wall: the pinned post first (on the first page), then the newest.
pub async fn wall(store: &SharedStore, viewer: Option<&UserRecord>, older: Option<&str>) -> Result<WallPage, AppError> {
    let now = now_ms();
    let cursor = older.filter(|s| !s.is_empty()).map(decode_cursor).transpose()?;
    let mut posts = store.wall(cursor, WALL_PAGE + 1, now).await?;
    let more = posts.len() as i64 > WALL_PAGE;
    posts.truncate(WALL_PAGE as usize);
    let older = if more { posts.last().map(|p| format!("{}-{}", p.publish_at, p.id)) } else { None };
    let mut pinned = if cursor.is_none() { store.pinned_post(now).await? } else { None };
    with_reactions(store, viewer, pinned.iter_mut().chain(posts.iter_mut())).await?;
    let can_react = viewer.is_some_and(|u| u.email_confirmed);
    let thanks = if cursor.is_none() { store.latest_thanks(3).await? } else { Vec::new() };
    Ok(WallPage { pinned, posts, older, can_edit: viewer.is_some_and(may_write_posts), can_react, thanks })
}

/// Fills in the posts' reactions (one query for all of them).
async fn with_reactions<'a>(
    store: &SharedStore,
    viewer: Option<&UserRecord>,
    posts: impl Iterator<Item = &'a mut Post>,
) -> Result<(), AppError> {
    let mut posts: Vec<&mut Post> = posts.collect();
    let ids: Vec<PostId> = posts.iter().map(|p| p.id).collect();
    let mut reactions = store.reactions(Target::Post, &ids, viewer.map(|u| u.id)).await?;
    for p in posts.iter_mut() {
        p.reactions = reactions.remove(&p.id).unwrap_or_default();
    }
    Ok(())
}

fn decode_cursor(raw: &str) -> Result<WallCursor, AppError> {
    let malformed = || AppError::field("older", "malformed");
    let (at, id) = raw.split_once('-').ok_or_else(malformed)?;
    Ok(WallCursor { publish_at: at.parse().map_err(|_| malformed())?, id: id.parse().map_err(|_| malformed())? })
}

/// A post's own page. A scheduled post is there for editors only; for everyone else it does not exist yet.
pub async fn post_page(
    store: &SharedStore,
    public_url: &str,
    viewer: Option<&UserRecord>,
    id: &str,
) -> Result<PostPage, AppError> {
    let id: PostId = id.trim().parse().map_err(|_| AppError::NotFound)?;
    let mut post = store.post_by_id(id).await?.ok_or(AppError::NotFound)?;
    with_reactions(store, viewer, std::iter::once(&mut post)).await?;
    let can_edit = viewer.is_some_and(may_write_posts);
    let published = post.publish_at <= now_ms();
    if !published && !can_edit {
        return Err(AppError::NotFound);
    }
    let url = format!("{public_url}/post/{}", post.id);
    let can_react = published && viewer.is_some_and(|u| u.email_confirmed);
    Ok(PostPage { post, can_edit, can_react, published, url })
}

/// Posts waiting for their time (the editors' list).
pub async fn scheduled(store: &SharedStore, _editor: &Editor) -> Result<Vec<Post>, AppError> {
    Ok(store.scheduled_posts(now_ms()).await?)
}

/// Writes a new post or a new version of one; returns its id.
#[tracing::instrument(skip_all, fields(editor = editor.user().id))]
pub async fn save_post(store: &SharedStore, editor: &Editor, form: &PostForm) -> Result<PostId, AppError> {
    let now = now_ms();
    let post = valid_post(form, now)?;
    let by = editor.user().id;
    match form.id.trim() {
        "" => Ok(store.create_post(post, by, now).await?),
        id => {
            let id: PostId = id.parse().map_err(|_| AppError::NotFound)?;
            store.edit_post(id, post, by, now).await?;
            Ok(id)
        }
    }
}

fn valid_post(form: &PostForm, now: i64) -> Result<NewPost, AppError> {
    let kind = choice("kind", &form.kind, PostKind::from_code).and_then(|k| {
        if PostKind::WRITTEN.contains(&k) { Ok(k) } else { Err(FieldError::new("kind", "choice_invalid")) }
    });
    let body = PostBody::parse(&form.body);
    let publish_at = match form.publish_at.trim() {
        "" => Ok(now),
        local => italian_time_ms(local).ok_or(FieldError::new("publish_at", "malformed")),
    };
    match (kind, body, publish_at) {
        (Ok(kind), Ok(body), Ok(publish_at)) => Ok(NewPost { kind, body, publish_at }),
        (kind, body, publish_at) => Err(invalid([kind.err(), body.err(), publish_at.err()])),
    }
}

/// Deletes, pins or unpins a post.
#[tracing::instrument(skip_all, fields(editor = editor.user().id, action = form.action.code()))]
pub async fn post_action(store: &SharedStore, editor: &Editor, form: &PostActionForm) -> Result<(), AppError> {
    let id: PostId = form.id.trim().parse().map_err(|_| AppError::NotFound)?;
    let (by, now) = (editor.user().id, now_ms());
    match form.action {
        PostAction::Delete => store.delete_post(id, by, now).await?,
        PostAction::Pin => store.pin_post(Some(id), by, now).await?,
        PostAction::Unpin => store.pin_post(None, by, now).await?,
    }
    Ok(())
}

/// A local time in Italy as the browser's date-time field sends it (`2026-12-24T09:30`), in ms since the
/// epoch. Italy is UTC+1, and UTC+2 from the last Sunday of March to the last Sunday of October (01:00 UTC).
pub fn italian_time_ms(local: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local = time::PrimitiveDateTime::parse(local.get(..16)?, &format).ok()?;
    let winter = local.assume_offset(time::UtcOffset::from_hms(1, 0, 0).ok()?);
    let year = local.year();
    let summer_starts = last_sunday(year, time::Month::March)?;
    let summer_ends = last_sunday(year, time::Month::October)?;
    let utc = winter.to_offset(time::UtcOffset::UTC);
    let summer = utc >= summer_starts.assume_utc() && utc < summer_ends.assume_utc();
    let at = if summer { local.assume_offset(time::UtcOffset::from_hms(2, 0, 0).ok()?) } else { winter };
    Some((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn last_sunday(year: i32, month: time::Month) -> Option<time::PrimitiveDateTime> {
    let last = time::Date::from_calendar_date(year, month, time::util::days_in_month(month, year)).ok()?;
    let back = last.weekday().number_days_from_sunday();
    let sunday = last - time::Duration::days(i64::from(back));
    Some(sunday.with_hms(1, 0, 0).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn italian_times_follow_summer_time() {
        // 2026: summer time from 29 March to 25 October.
        assert_eq!(italian_time_ms("2026-01-15T10:00"), Some(1_768_467_600_000)); // 09:00 UTC
        assert_eq!(italian_time_ms("2026-07-15T10:00"), Some(1_784_102_400_000)); // 08:00 UTC
        assert_eq!(italian_time_ms("not a time"), None);
        assert_eq!(italian_time_ms("2026-02-30T10:00"), None);
    }
}
