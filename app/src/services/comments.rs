//! Comments under the page's posts: fans comment and reply, react, report; the pool moderates.
//!
//! What a viewer may read is decided here and only here: a held comment reaches its author alone, a
//! hidden one reaches everyone else as a line without its text, a deleted one as a line while it has
//! replies. Before a comment is stored, the privacy guard refuses personal data (the fan is offered a
//! private request instead) and the page's word list holds impolite words for review.

use std::collections::HashMap;

use crate::auth::session::{Admin, SignedIn, Staff};
use crate::clock::now_ms;
use crate::context::Portal;
use crate::domain::comment::{CommentBody, CommentState, Reaction, ReportReason, Target, WordList};
use crate::domain::privacy::personal_data;
use crate::domain::request::choice;
use crate::error::AppError;
use crate::forms::{
    CommentAction, CommentActionForm, CommentForm, HandoffForm, ModerateForm, ModerationDecision, ReactForm,
    ThanksForm, WordListForm,
};
use crate::mail::{Mail, fill};
use crate::ports::*;
use crate::services::locale_of;
use crate::views::{Comment, CommentShown, CommentsPage, ReviewItem, ReviewPage, Viewer};
use leptos_i18n::td_string;

/// Top-level comments on one page.
pub const COMMENT_PAGE: i64 = 20;
/// Replies shown under each comment on the post's page: the latest (the earlier ones in its discussion).
pub const REPLIES_SHOWN: i64 = 3;
/// Replies a page of one discussion shows (`?discussione=`).
pub const THREAD_PAGE: i64 = 50;
/// Comments in the moderation queue's page.
pub const REVIEW_PAGE: i64 = 50;

fn viewer_of(user: Option<&UserRecord>) -> Viewer {
    match user {
        None => Viewer::Visitor,
        Some(u) if !u.email_confirmed => Viewer::Unconfirmed,
        Some(u) if u.role.is_staff() => Viewer::Staff,
        Some(_) => Viewer::Fan,
    }
}

fn post_id(raw: &str) -> Result<PostId, AppError> {
    raw.trim().parse().map_err(|_| AppError::NotFound)
}

/// One page of a post's comments, newest first unless `oldest` (`after`: the last comment id of the page
/// before). With `thread`, one top-level comment alone and a page of its replies after `after`.
pub async fn comments_page(
    portal: &Portal,
    viewer: Option<&UserRecord>,
    post: &str,
    oldest: bool,
    after: Option<&str>,
    thread: Option<&str>,
) -> Result<CommentsPage, AppError> {
    let store = &portal.store;
    let post = post_id(post)?;
    let published = store.post_by_id(post).await?.is_some_and(|p| p.publish_at <= now_ms());
    if !published {
        return Err(AppError::NotFound);
    }
    let after = cursor(after, "after")?;
    let thread = cursor(thread, "thread")?;
    let me = viewer.map(|u| u.id);
    let (top, replies, next) = match thread {
        Some(thread) => {
            // A reply's id, or another post's comment, is not a discussion of this post.
            let top = store.comment_by_id(thread).await?.filter(|c| c.post_id == post && c.parent_id.is_none());
            let top = top.ok_or(AppError::NotFound)?;
            let mut replies = store.replies_after(thread, me, after, THREAD_PAGE + 1).await?;
            let next = page_cursor(&mut replies, THREAD_PAGE);
            (vec![top], replies, next)
        }
        None => {
            let order = if oldest { CommentOrder::OldestFirst } else { CommentOrder::NewestFirst };
            let mut top = store.comments(post, me, order, after, COMMENT_PAGE + 1).await?;
            let next = page_cursor(&mut top, COMMENT_PAGE);
            let ids: Vec<CommentId> = top.iter().map(|c| c.id).collect();
            let replies = store.replies(&ids, me, REPLIES_SHOWN).await?;
            (top, replies, next)
        }
    };
    let all: Vec<CommentId> = top.iter().chain(&replies).map(|c| c.id).collect();
    let mut reactions = store.reactions(Target::Comment, &all, me).await?;
    let staff = viewer.is_some_and(|u| u.role.is_staff() && u.email_confirmed);
    let shown = |c: &CommentRecord, reactions: &mut HashMap<i64, Reactions>| shown(portal, c, me, staff, reactions);
    let mut by_parent: HashMap<CommentId, Vec<Comment>> = HashMap::new();
    for r in replies {
        if let (Some(parent), Some(view)) = (r.parent_id, shown(&r, &mut reactions)) {
            by_parent.entry(parent).or_default().push(view);
        }
    }
    let comments: Vec<Comment> = top
        .iter()
        .filter_map(|c| {
            let mut view = shown(c, &mut reactions)?;
            view.replies = by_parent.remove(&c.id).unwrap_or_default();
            Some(view)
        })
        .collect();
    if thread.is_some() && comments.is_empty() {
        // A held comment of someone else, or a deleted one without replies.
        return Err(AppError::NotFound);
    }
    Ok(CommentsPage { comments, oldest_first: oldest || thread.is_some(), next, thread, viewer: viewer_of(viewer) })
}

/// An optional id cursor from a query string (`field`: malformed when it is not a number).
fn cursor(raw: Option<&str>, field: &'static str) -> Result<Option<CommentId>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => Ok(Some(a.parse::<CommentId>().map_err(|_| AppError::field(field, "malformed"))?)),
        None => Ok(None),
    }
}

/// Cuts a page fetched with one row more than `size` and says where the next one starts.
fn page_cursor<T: HasId>(rows: &mut Vec<T>, size: i64) -> Option<String> {
    if rows.len() as i64 > size {
        rows.truncate(size as usize);
        rows.last().map(|c| c.id().to_string())
    } else {
        None
    }
}

trait HasId {
    fn id(&self) -> i64;
}

impl HasId for CommentRecord {
    fn id(&self) -> i64 {
        self.id
    }
}

impl HasId for ReviewItem {
    fn id(&self) -> i64 {
        self.id
    }
}

/// A stored comment as `viewer` may see it; `None` when they may not see it at all.
fn shown(
    portal: &Portal,
    c: &CommentRecord,
    viewer: Option<UserId>,
    staff: bool,
    reactions: &mut HashMap<i64, Reactions>,
) -> Option<Comment> {
    let mine = viewer == Some(c.author_id);
    let (shown, readable) = match (c.deleted, c.state) {
        (true, _) => (CommentShown::Deleted, false),
        (false, CommentState::Published) => (CommentShown::Published, true),
        (false, CommentState::Held) if mine => (CommentShown::Held, true),
        (false, CommentState::Held) => return None,
        (false, CommentState::Hidden) => (CommentShown::Hidden, mine),
    };
    Some(Comment {
        id: c.id,
        parent: c.parent_id,
        author: if c.from_staff { portal.brand.name.clone() } else { c.author_name.clone() },
        from_staff: c.from_staff,
        mine: mine && !c.deleted,
        shown,
        body: if readable { c.body.clone() } else { String::new() },
        created_at: c.created_at,
        edited_at: c.edited_at,
        reactions: if shown == CommentShown::Published {
            reactions.remove(&c.id).unwrap_or_default()
        } else {
            Default::default()
        },
        handoff: c.handoff,
        can_hand_off: staff && shown == CommentShown::Published && !c.from_staff && !c.handed_off,
        reply_count: c.reply_count,
        replies: Vec::new(),
    })
}

/// Writes a comment, a reply, or a new version of the author's own comment; returns its id.
///
/// Personal data is refused (`body: personal_data`: nothing is stored); a word of the list holds the
/// comment for review. The pool's members answer as the page, and nothing of theirs is held.
#[tracing::instrument(skip_all, fields(by = who.user().id))]
pub async fn write_comment(portal: &Portal, who: &SignedIn, form: &CommentForm) -> Result<CommentId, AppError> {
    let store = &portal.store;
    let me = who.user();
    let body = CommentBody::parse(&form.body)?;
    if personal_data(body.as_ref()).is_some() {
        return Err(AppError::field("body", "personal_data"));
    }
    let staff = me.role.is_staff();
    let held = !staff && WordList::parse(&store.word_list().await?).matches(body.as_ref());
    let state = if held { CommentState::Held } else { CommentState::Published };
    let now = now_ms();
    match form.id.trim() {
        "" => {
            let parent = match form.parent.trim() {
                "" => None,
                p => Some(p.parse().map_err(|_| AppError::NotFound)?),
            };
            let comment = NewComment { post: post_id(&form.post)?, parent, body, state, from_staff: staff };
            let id = store.add_comment(comment, me.id, now).await?;
            if let (Some(parent), false) = (parent, held) {
                email_answered(portal, me, parent, id).await?;
            }
            Ok(id)
        }
        id => {
            let id: CommentId = id.parse().map_err(|_| AppError::NotFound)?;
            store.edit_comment(id, body, state, me.id, now).await?;
            Ok(id)
        }
    }
}

/// Tells a fan by email that their comment was answered, when they want emails (the bell tells them
/// anyway).
async fn email_answered(
    portal: &Portal,
    by: &UserRecord,
    parent: CommentId,
    answer: CommentId,
) -> Result<(), AppError> {
    let store = &portal.store;
    let Some(parent) = store.comment_by_id(parent).await? else {
        return Ok(());
    };
    if parent.from_staff || parent.author_id == by.id {
        return Ok(());
    }
    let Some(fan) = store.user_by_id(parent.author_id).await?.filter(|u| u.email_notifications && !u.blocked) else {
        return Ok(());
    };
    let locale = locale_of(&fan.locale);
    let who = if by.role.is_staff() { portal.brand.name.as_str() } else { by.display_name.as_str() };
    let values = [("brand", portal.brand.name.as_str()), ("who", who)];
    let email = Mail::new(&fan.email, locale, "comment_reply", &fill(td_string!(locale, email.reply_subject), &values))
        .text(fill(td_string!(locale, email.greeting), &[("name", fan.display_name.as_str())]))
        .text(fill(td_string!(locale, email.reply_intro), &values))
        .link(
            td_string!(locale, email.reply_open),
            format!("{}/post/{}#c-{answer}", portal.settings.public_url, parent.post_id),
        )
        .text(td_string!(locale, email.reply_footer))
        .finish(&portal.brand);
    Ok(store.enqueue_email(email, now_ms()).await?)
}

/// The fan's notifications, newest first. Seeing them marks them read.
pub async fn my_notifications(portal: &Portal, who: &SignedIn) -> Result<Vec<Notification>, AppError> {
    let me = who.user().id;
    let list = portal.store.notifications(me, 50).await?;
    if list.iter().any(|n| !n.read)
        && let Some(newest) = list.first()
    {
        portal.store.mark_notifications_read(me, newest.id, now_ms()).await?;
    }
    Ok(list)
}

/// Deletes one's own comment, or reports someone's.
#[tracing::instrument(skip_all, fields(by = who.user().id, action = form.action.code()))]
pub async fn comment_action(portal: &Portal, who: &SignedIn, form: &CommentActionForm) -> Result<(), AppError> {
    let id: CommentId = form.id.trim().parse().map_err(|_| AppError::NotFound)?;
    let (me, now) = (who.user().id, now_ms());
    match form.action {
        CommentAction::Delete => portal.store.delete_comment(id, me, now).await?,
        CommentAction::Report => {
            let reason = choice("reason", &form.reason, ReportReason::from_code)?;
            portal.store.report_comment(id, reason, me, now).await?;
        }
    }
    Ok(())
}

/// Sets or takes back the person's reaction.
#[tracing::instrument(skip_all, fields(by = who.user().id))]
pub async fn react(portal: &Portal, who: &SignedIn, form: &ReactForm) -> Result<(), AppError> {
    let target = Target::from_code(form.target.trim()).ok_or(AppError::NotFound)?;
    let id: i64 = form.id.trim().parse().map_err(|_| AppError::NotFound)?;
    let reaction = match form.reaction.trim() {
        "" => None,
        code => Some(Reaction::from_code(code).ok_or_else(|| AppError::field("reaction", "choice_invalid"))?),
    };
    Ok(portal.store.react(target, id, reaction, who.user().id, now_ms()).await?)
}

/// The moderation queue: held and reported comments, oldest first, a page after `after`.
pub async fn review_queue(portal: &Portal, _staff: &Staff, after: Option<&str>) -> Result<ReviewPage, AppError> {
    let after = cursor(after, "after")?;
    let mut items = portal.store.review_queue(after, REVIEW_PAGE + 1).await?;
    let next = page_cursor(&mut items, REVIEW_PAGE);
    Ok(ReviewPage { items, total: portal.store.review_count().await?, next })
}

/// Publishes, hides, hides with a warning to the author, or hides and blocks the author (admins only).
#[tracing::instrument(skip_all, fields(by = staff.user().id, decision = form.decision.code()))]
pub async fn moderate(portal: &Portal, staff: &Staff, form: &ModerateForm) -> Result<(), AppError> {
    let store = &portal.store;
    let id: CommentId = form.id.trim().parse().map_err(|_| AppError::NotFound)?;
    // The version the moderator read: a comment edited since is decided again, never unseen.
    let seen = match form.seen.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| AppError::field("seen", "malformed"))?),
    };
    let comment = store.comment_by_id(id).await?.filter(|c| !c.deleted).ok_or(AppError::NotFound)?;
    let author = store.user_by_id(comment.author_id).await?.ok_or(AppError::NotFound)?;
    let by = staff.user().id;
    if form.decision == ModerationDecision::Block && staff.user().role != crate::domain::request::Role::Admin {
        return Err(AppError::Forbidden);
    }
    if author.role.is_staff() && matches!(form.decision, ModerationDecision::Warn | ModerationDecision::Block) {
        return Err(AppError::Forbidden);
    }
    let now = now_ms();
    match form.decision {
        ModerationDecision::Publish => store.moderate(id, seen, Decision::Publish, None, by, now).await?,
        ModerationDecision::Hide => store.moderate(id, seen, Decision::Hide, None, by, now).await?,
        ModerationDecision::Warn => {
            let email = warning_email(portal, &author, &comment);
            store.moderate(id, seen, Decision::Hide, Some(email), by, now).await?
        }
        ModerationDecision::Block => {
            store.moderate(id, seen, Decision::Hide, None, by, now).await?;
            store.set_blocked(author.id, true, by, now).await?;
        }
    }
    Ok(())
}

/// The page's warning to a fan whose comment broke its rules.
fn warning_email(portal: &Portal, author: &UserRecord, comment: &CommentRecord) -> NewEmail {
    let locale = locale_of(&author.locale);
    let brand = portal.brand.name.as_str();
    let values = [("brand", brand)];
    Mail::new(
        &author.email,
        locale,
        "comment_warning",
        &fill(td_string!(locale, email.comment_warning_subject), &values),
    )
    .text(fill(td_string!(locale, email.greeting), &[("name", author.display_name.as_str())]))
    .text(fill(td_string!(locale, email.comment_warning_intro), &values))
    .text(format!("« {} »", crate::domain::post::excerpt(&comment.body, 200)))
    .link(
        td_string!(locale, email.comment_warning_open),
        format!("{}/post/{}", portal.settings.public_url, comment.post_id),
    )
    .text(td_string!(locale, email.comment_warning_footer))
    .finish(&portal.brand)
}

/// "Take it to private": the page answers under a fan's comment, in the fan's language, that it wrote to
/// them in private, and emails them a link to a request form holding the comment's text.
#[tracing::instrument(skip_all, fields(by = staff.user().id))]
pub async fn take_to_private(portal: &Portal, staff: &Staff, form: &HandoffForm) -> Result<CommentId, AppError> {
    let store = &portal.store;
    let id: CommentId = form.id.trim().parse().map_err(|_| AppError::NotFound)?;
    let comment = store.comment_by_id(id).await?.filter(|c| !c.deleted && !c.from_staff).ok_or(AppError::NotFound)?;
    let fan = store.user_by_id(comment.author_id).await?.filter(|u| !u.role.is_staff()).ok_or(AppError::NotFound)?;
    let locale = locale_of(&fan.locale);
    let answer = CommentBody::parse(td_string!(locale, wall.handoff_answer)).map_err(|_| AppError::Internal)?;
    let values = [("brand", portal.brand.name.as_str())];
    let link = format!("{}/assistenza/nuova?commento={id}", portal.settings.public_url);
    let email =
        Mail::new(&fan.email, locale, "comment_handoff", &fill(td_string!(locale, email.handoff_subject), &values))
            .text(fill(td_string!(locale, email.greeting), &[("name", fan.display_name.as_str())]))
            .text(fill(td_string!(locale, email.handoff_intro), &values))
            .text(format!("« {} »", crate::domain::post::excerpt(&comment.body, 300)))
            .link(td_string!(locale, email.handoff_open), link)
            .text(td_string!(locale, email.handoff_footer))
            .finish(&portal.brand);
    Ok(store.hand_off(id, answer, email, staff.user().id, now_ms()).await?)
}

/// The text of the customer's comment taken to private, for the request form (while not sent yet).
pub async fn handoff_draft(portal: &Portal, who: &SignedIn, comment: &str) -> Result<Option<String>, AppError> {
    let Ok(id) = comment.trim().parse::<CommentId>() else {
        return Ok(None);
    };
    Ok(portal.store.handoff_draft(id, who.user().id).await?)
}

/// Publishes a customer's thanks for their request (rated 4 or 5) on the wall: the same privacy guard as
/// comments; a word of the list is refused (a thank-you has nothing to wait for review for).
#[tracing::instrument(skip_all, fields(by = who.user().id))]
pub async fn thank(portal: &Portal, who: &SignedIn, form: &ThanksForm) -> Result<(), AppError> {
    let store = &portal.store;
    let request =
        crate::domain::request::parse_reference(&form.reference.trim().to_uppercase()).ok_or(AppError::NotFound)?;
    let body = CommentBody::parse(&form.body)?;
    if personal_data(body.as_ref()).is_some() {
        return Err(AppError::field("body", "personal_data"));
    }
    if WordList::parse(&store.word_list().await?).matches(body.as_ref()) {
        return Err(AppError::field("body", "impolite"));
    }
    Ok(store.thank(request, who.user().id, body, now_ms()).await?)
}

/// The word list as admins wrote it.
pub async fn word_list(portal: &Portal, _admin: &Admin) -> Result<String, AppError> {
    Ok(portal.store.word_list().await?)
}

/// Replaces the word list.
#[tracing::instrument(skip_all, fields(by = admin.user().id))]
pub async fn save_word_list(portal: &Portal, admin: &Admin, form: &WordListForm) -> Result<usize, AppError> {
    let words = form.words.replace("\r\n", "\n");
    if words.chars().count() > WordList::MAX_CHARS {
        return Err(AppError::field("words", "too_long"));
    }
    if words.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AppError::field("words", "text_invalid"));
    }
    let entries = WordList::parse(&words).len();
    portal.store.set_word_list(&words, admin.user().id, now_ms()).await?;
    Ok(entries)
}
