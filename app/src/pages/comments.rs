//! The comments under a post (#16): newest or oldest first, a page at a time; replies one level deep;
//! reactions; edit, delete and report. Visitors read; acting asks them to log in and brings them back
//! here. A hydrated page refreshes the list every few seconds while it is visible. Every form works
//! without JavaScript (each posts and comes back to the comment).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::comments::{
    ActOnComment, Comment, CommentAction, CommentShown, CommentToPrivate, React, Reactions,
    TakeToPrivate as TakeToPrivateFn, Viewer, WriteComment, get_comments,
};
use crate::api::kept::{FormValues, kept, take_form_values};
use crate::components::form::{FormAlert, Submit, TextArea, failure, field_error};
use crate::components::live::POLL_MS;
use crate::components::time::Time;
use crate::domain::comment::{CommentBody, Reaction, ReportReason, Target};
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::wall::PostText;
use crate::tr;
use crate::views::HandoffState;

/// Moves whenever this page changed something, so the list refetches.
#[derive(Clone, Copy)]
struct Changed(RwSignal<u64>);

impl Changed {
    fn bump(self) {
        self.0.update(|n| *n += 1);
    }
}

/// Bumps `changed` each time an action succeeds (`ok` reads its last answer).
fn on_success(version: RwSignal<usize>, ok: impl Fn() -> bool + 'static, changed: Changed) {
    Effect::watch(
        move || version.get(),
        move |_, _, _| {
            if ok() {
                changed.bump();
            }
        },
        false,
    );
}

pub fn report_label(locale: Locale, reason: ReportReason) -> &'static str {
    match reason {
        ReportReason::Offensive => td_string!(locale, wall.report_offensive),
        ReportReason::Spam => td_string!(locale, wall.report_spam),
        ReportReason::PersonalData => td_string!(locale, wall.report_personal_data),
        ReportReason::Other => td_string!(locale, wall.report_other),
    }
}

fn reaction_label(locale: Locale, reaction: Reaction) -> &'static str {
    match reaction {
        Reaction::Like => td_string!(locale, wall.react_like),
        Reaction::Love => td_string!(locale, wall.react_love),
        Reaction::Laugh => td_string!(locale, wall.react_laugh),
        Reaction::Wow => td_string!(locale, wall.react_wow),
        Reaction::Sad => td_string!(locale, wall.react_sad),
    }
}

/// The reactions on a post or a comment: one button each (pressed: the viewer's; pressing it again takes
/// it back). Visitors see the counts only.
#[component]
pub fn ReactionBar(
    target: Target,
    id: i64,
    /// The post to come back to without JavaScript (empty: the wall).
    #[prop(into)]
    post: String,
    reactions: Reactions,
    can_act: bool,
    #[prop(optional)] on_done: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let react = ServerAction::<React>::new();
    // `state` is what the buttons show (changed at the click); `sent` is what the server holds, and what
    // the hidden fields are made from: the click runs before the form is read, so a field made from
    // `state` would send the opposite of the click.
    let state = RwSignal::new(reactions.clone());
    let sent = RwSignal::new(reactions);
    Effect::watch(
        move || react.version().get(),
        move |_, _, _| match react.value().get_untracked() {
            Some(Ok(())) => {
                sent.set(state.get_untracked());
                if let Some(done) = on_done {
                    done.run(());
                }
            }
            Some(Err(_)) => state.set(sent.get_untracked()),
            None => {}
        },
        false,
    );
    let count = move |r: Reaction| state.with(|s| s.counts.iter().find(|(x, _)| *x == r).map(|(_, n)| *n).unwrap_or(0));
    let buttons = Reaction::ALL
        .iter()
        .map(|&r| {
            let pressed = move || state.with(|s| s.mine == Some(r));
            let held = move || sent.with(|s| s.mine == Some(r));
            // What a screen reader says is what the button shows: the reaction's name (hidden text beside
            // the emoji) and its count.
            let label = move || reaction_label(i18n.get_locale(), r);
            let shown = move || {
                let n = count(r);
                view! {
                    <span aria-hidden="true">{r.emoji()}</span>
                    <span class="visually-hidden">{label()}</span>
                    {(n > 0).then(|| format!(" {n}"))}
                }
            };
            if can_act {
                let post = post.clone();
                // Pressing changes the counts at once; the answer of the server wins on the next refresh.
                let press = move |_| {
                    state.update(|s| {
                        let before = s.mine;
                        let now = if before == Some(r) { None } else { Some(r) };
                        for (x, n) in s.counts.iter_mut() {
                            if Some(*x) == before {
                                *n -= 1;
                            }
                            if Some(*x) == now {
                                *n += 1;
                            }
                        }
                        if let Some(now) = now
                            && !s.counts.iter().any(|(x, _)| *x == now)
                        {
                            s.counts.push((now, 1));
                        }
                        s.mine = now;
                    });
                };
                view! {
                    <ActionForm action=react attr:class="react-form">
                        <input type="hidden" name="post" value=post />
                        <input type="hidden" name="target" value=target.code() />
                        <input type="hidden" name="id" value=id.to_string() />
                        <input type="hidden" name="reaction" value=move || if held() { "" } else { r.code() } />
                        <button
                            type="submit"
                            disabled=move || react.pending().get()
                            class="reaction"
                            class:mine=pressed
                            aria-pressed=move || if pressed() { "true" } else { "false" }
                            title=label
                            on:click=press
                        >
                            {shown}
                        </button>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! {
                    <span class="reaction" class:empty=move || count(r) == 0>{shown}</span>
                }
                .into_any()
            }
        })
        .collect_view();
    view! {
        <div class="reactions" role="group" aria-label=move || t_string!(i18n, wall.reactions)>{buttons}</div>
    }
}

/// The comments of one post.
#[component]
pub fn CommentSection(post: i64, count: i64) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    let oldest = move || query.read().get("ordine").as_deref() == Some("vecchi");
    let after = move || query.read().get("dopo");
    let thread = move || query.read().get("discussione");
    let page = Resource::new(
        move || (oldest(), after(), thread(), changed.0.get()),
        move |(oldest, after, thread, _)| get_comments(post.to_string(), oldest, after, thread),
    );
    // The hydrated page asks again every few seconds while it is visible, and redraws the list only when
    // something changed (a redraw closes open reply boxes; the new comment's text is kept in `draft`).
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if document().hidden() {
                    return;
                }
                let (o, a, t) = query.with_untracked(|q| {
                    (q.get("ordine").as_deref() == Some("vecchi"), q.get("dopo"), q.get("discussione"))
                });
                leptos::task::spawn_local(async move {
                    if let Ok(fresh) = get_comments(post.to_string(), o, a, t).await
                        && page.get_untracked().and_then(Result::ok).as_ref() != Some(&fresh)
                    {
                        changed.bump();
                    }
                });
            },
            std::time::Duration::from_millis(POLL_MS * 2),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    let draft = RwSignal::new(String::new());
    let kept_values = Resource::new(|| (), |_| take_form_values("comment".into()));
    let here = format!("/post/{post}");
    let (newest_href, oldest_href) = (format!("{here}#comments"), format!("{here}?ordine=vecchi#comments"));
    view! {
        <section class="card comments" id="comments" aria-labelledby="comments-title">
            <h2 id="comments-title">
                {t!(i18n, wall.comments)}
                {(count > 0).then(|| view! { " " <span class="muted">"(" {count} ")"</span> })}
            </h2>
            <nav class="comment-order" aria-label=move || t_string!(i18n, wall.order)>
                <a href=newest_href aria-current=move || (!oldest()).then_some("true")>{t!(i18n, wall.newest_first)}</a>
                " · "
                <a href=oldest_href aria-current=move || oldest().then_some("true")>{t!(i18n, wall.oldest_first)}</a>
            </nav>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>
                {move || Suspend::new(async move {
                    let values = kept_values.await.ok().flatten();
                    match page.await {
                        Ok(page) => {
                            let viewer = page.viewer;
                            let can_act = matches!(viewer, Viewer::Fan | Viewer::Staff);
                            let thread = page.thread;
                            let next = page.next.clone().map(|n| match thread {
                                Some(t) => format!("/post/{post}?discussione={t}&dopo={n}#comments"),
                                None => {
                                    let order = if page.oldest_first { "ordine=vecchi&" } else { "" };
                                    format!("/post/{post}?{order}dopo={n}#comments")
                                }
                            });
                            let first = after().is_none();
                            let empty = page.comments.is_empty();
                            let values2 = values.clone();
                            view! {
                                {match viewer {
                                    Viewer::Fan | Viewer::Staff => view! {
                                        <Composer post parent=None editing=None values=values.clone() keep=draft />
                                    }.into_any(),
                                    Viewer::Unconfirmed => view! {
                                        <p class="notice">{t!(i18n, wall.confirm_to_comment)}</p>
                                    }.into_any(),
                                    Viewer::Visitor => view! {
                                        <p class="notice">
                                            <a href=format!("/accedi?next=/post/{post}%23comments")>{t!(i18n, wall.login_to_comment)}</a>
                                        </p>
                                    }.into_any(),
                                }}
                                {(empty && first).then(|| view! { <p class="muted">{t!(i18n, wall.no_comments)}</p> })}
                                {thread.is_some().then(|| view! {
                                    <p><A href=format!("/post/{post}#comments")>{t!(i18n, wall.all_comments)}</A></p>
                                })}
                                <ol class="comment-list">
                                    {page.comments.into_iter().map(|c| view! {
                                        <CommentItem comment=c post can_act values=values2.clone() in_thread=thread.is_some() />
                                    }).collect_view()}
                                </ol>
                                <nav class="pager" aria-label=move || t_string!(i18n, wall.comment_pages)>
                                    {match (thread, first) {
                                        (_, true) => None,
                                        (Some(t), false) => Some(view! {
                                            <A href=format!("/post/{post}?discussione={t}#comments")>{t!(i18n, wall.first_replies)}</A>
                                        }.into_any()),
                                        (None, false) => {
                                            let href = if page.oldest_first { format!("/post/{post}?ordine=vecchi#comments") } else { format!("/post/{post}#comments") };
                                            Some(view! { <A href=href>{t!(i18n, wall.first_comments)}</A> }.into_any())
                                        }
                                    }}
                                    {next.map(|href| view! {
                                        <A href=href>
                                            {move || if thread.is_some() { t_string!(i18n, wall.later_replies) } else { t_string!(i18n, wall.more_comments) }}
                                        </A>
                                    })}
                                </nav>
                            }
                            .into_any()
                        }
                        Err(AppError::NotFound) if thread().is_some() => {
                            // A discussion that is gone (or never was one): said so, with status 404.
                            #[cfg(feature = "ssr")]
                            if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                                response.set_status(http::StatusCode::NOT_FOUND);
                            }
                            view! {
                                <p class="notice">{t!(i18n, wall.thread_gone)}</p>
                                <p><A href=format!("/post/{post}#comments")>{t!(i18n, wall.all_comments)}</A></p>
                            }
                            .into_any()
                        }
                        Err(_) => view! { <p class="muted">{t!(i18n, wall.comments_unavailable)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// A comment, its replies and what the viewer may do with it.
#[component]
fn CommentItem(
    comment: Comment,
    post: i64,
    can_act: bool,
    values: Option<FormValues>,
    /// Shown alone with its replies paged (no "more replies" link: the pager is below).
    #[prop(optional)]
    in_thread: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let changed = use_context::<Changed>();
    let c = comment;
    let published = c.shown == CommentShown::Published;
    let top = c.parent.is_none();
    let id = c.id;
    let body = c.body.clone();
    let status = match (c.shown, c.mine) {
        (CommentShown::Held, _) => Some(view! { <p class="comment-status">{t!(i18n, wall.held)}</p> }.into_any()),
        (CommentShown::Hidden, true) => {
            Some(view! { <p class="comment-status">{t!(i18n, wall.hidden_mine)}</p> }.into_any())
        }
        (CommentShown::Hidden, false) => {
            Some(view! { <p class="comment-status muted">{t!(i18n, wall.hidden)}</p> }.into_any())
        }
        (CommentShown::Deleted, _) => {
            Some(view! { <p class="comment-status muted">{t!(i18n, wall.deleted)}</p> }.into_any())
        }
        _ => None,
    };
    let editable = c.mine && matches!(c.shown, CommentShown::Published | CommentShown::Held);
    let reportable = can_act && !c.mine && published;
    let on_done = changed.map(|ch| Callback::new(move |_| ch.bump()));
    let replies = c.replies.clone();
    let more_replies = c.reply_count - replies.iter().filter(|r| r.shown == CommentShown::Published).count() as i64;
    let more_href = format!("/post/{post}?discussione={id}#comments");
    let edit_values = values.clone();
    let reply_values = values.clone();
    view! {
        <li class="comment" class:reply=!top class:from-staff=c.from_staff class:pending=c.shown == CommentShown::Held id=format!("c-{id}")>
            <p class="comment-head">
                <strong class="comment-author">
                    {if c.author.is_empty() {
                        // An account deleted by its owner (#18) keeps no name.
                        t_string!(i18n, admin.deleted_account).to_string()
                    } else {
                        c.author.clone()
                    }}
                </strong>
                {c.from_staff.then(|| view! { " " <span class="badge">{t!(i18n, wall.page_badge)}</span> })}
                " · "
                <Time ms=c.created_at />
                {c.edited_at.map(|_| view! { " · " <span class="muted">{t!(i18n, wall.edited)}</span> })}
            </p>
            {status}
            {match c.handoff {
                Some(HandoffState::Solved) => view! { <p class="post-body handoff solved">{t!(i18n, wall.solved_in_private)}</p> }.into_any(),
                Some(HandoffState::Handled) => view! { <p class="post-body handoff">{t!(i18n, wall.handled_in_private)}</p> }.into_any(),
                _ => (!body.is_empty()).then(|| view! { <PostText body=body.clone() /> }).into_any(),
            }}
            {published.then(|| view! {
                <ReactionBar target=Target::Comment id post=post.to_string() reactions=c.reactions.clone() can_act on_done=on_done.unwrap_or_else(|| Callback::new(|_| ())) />
            })}
            <div class="comment-tools">
                {(can_act && top && published).then(|| view! {
                    <details class="comment-more">
                        <summary>{t!(i18n, wall.reply)}</summary>
                        <Composer post parent=Some(id) editing=None values=reply_values.clone() />
                    </details>
                })}
                {editable.then(|| view! {
                    <details class="comment-more">
                        <summary>{t!(i18n, wall.edit)}</summary>
                        <Composer post parent=c.parent editing=Some((id, body.clone())) values=edit_values.clone() />
                    </details>
                    <DeleteComment post id />
                })}
                {reportable.then(|| view! { <ReportComment post id /> })}
                {c.can_hand_off.then(|| view! { <TakeToPrivate post id /> })}
            </div>
            {(more_replies > 0 && top && !in_thread).then(|| view! {
                <p class="replies-more">
                    <A href=more_href>
                        {move || crate::components::fill(t_string!(i18n, wall.more_replies), &[("count", &more_replies.to_string())])}
                    </A>
                </p>
            })}
            {(!replies.is_empty()).then(|| view! {
                <ol class="comment-list replies">
                    {replies.into_iter().map(|r| view! { <CommentItem comment=r post can_act values=values.clone() /> }).collect_view()}
                </ol>
            })}
        </li>
    }
}

/// The pool's button under a fan's comment: answer publicly and continue in private.
#[component]
fn TakeToPrivate(post: i64, id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let act = ServerAction::<TakeToPrivateFn>::new();
    if let Some(ch) = use_context::<Changed>() {
        on_success(act.version(), move || matches!(act.value().get_untracked(), Some(Ok(_))), ch);
    }
    view! {
        <ActionForm action=act attr:class="inline-form">
            <input type="hidden" name="post" value=post.to_string() />
            <input type="hidden" name="id" value=id.to_string() />
            <button type="submit" class="link-button">{t!(i18n, wall.take_private)}</button>
        </ActionForm>
    }
}

#[component]
fn DeleteComment(post: i64, id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let act = ServerAction::<ActOnComment>::new();
    if let Some(ch) = use_context::<Changed>() {
        on_success(act.version(), move || matches!(act.value().get_untracked(), Some(Ok(()))), ch);
    }
    view! {
        <ActionForm action=act attr:class="inline-form">
            <input type="hidden" name="post" value=post.to_string() />
            <input type="hidden" name="id" value=id.to_string() />
            <input type="hidden" name="action" value=CommentAction::Delete.code() />
            <button type="submit" class="link-button">{t!(i18n, wall.delete_comment)}</button>
        </ActionForm>
    }
}

#[component]
fn ReportComment(post: i64, id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let act = ServerAction::<ActOnComment>::new();
    let done = move || matches!(act.value().get(), Some(Ok(())));
    let errors = failure(act.value());
    let field = format!("report-{id}");
    view! {
        <details class="comment-more">
            <summary>{t!(i18n, wall.report)}</summary>
            <Show
                when=done
                fallback=move || {
                    let field = field.clone();
                    view! {
                        <ActionForm action=act attr:class="form compact">
                            <FormAlert errors />
                            <input type="hidden" name="post" value=post.to_string() />
                            <input type="hidden" name="id" value=id.to_string() />
                            <input type="hidden" name="action" value=CommentAction::Report.code() />
                            <fieldset class="field">
                                <legend>{t!(i18n, wall.report_why)}</legend>
                                {ReportReason::ALL.iter().map(|&r| {
                                    let rid = format!("{field}-{}", r.code());
                                    let for_id = rid.clone();
                                    view! {
                                        <label class="radio" for=for_id>
                                            <input type="radio" id=rid name="reason" value=r.code() required=true />
                                            " " {move || report_label(i18n.get_locale(), r)}
                                        </label>
                                    }
                                }).collect_view()}
                                <p class="field-error">{move || field_error(errors, "reason").get()}</p>
                            </fieldset>
                            <Submit pending=act.pending().into() label=tr!(i18n, wall.report_send) />
                        </ActionForm>
                    }
                }
            >
                <p class="alert success" role="status">{t!(i18n, wall.reported)}</p>
            </Show>
        </details>
    }
}

/// The form to write a comment, a reply (`parent`), or a new version of one's own (`editing`).
#[component]
fn Composer(
    post: i64,
    parent: Option<i64>,
    editing: Option<(i64, String)>,
    values: Option<FormValues>,
    /// Where the text lives when it must outlive this form (the new comment, across redraws of the list).
    #[prop(optional)]
    keep: Option<RwSignal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let write = ServerAction::<WriteComment>::new();
    let to_private = ServerAction::<CommentToPrivate>::new();
    let changed = use_context::<Changed>();
    let id = editing.as_ref().map(|(id, _)| id.to_string()).unwrap_or_default();
    let parent_code = parent.map(|p| p.to_string()).unwrap_or_default();
    // A refused post without JavaScript comes back with its values: they belong to this form only when
    // they name the same comment and parent.
    let mine = values.as_ref().is_some_and(|_| kept(&values, "id") == id && kept(&values, "parent") == parent_code);
    let start = if mine { kept(&values, "body") } else { editing.as_ref().map(|(_, b)| b.clone()).unwrap_or_default() };
    let typed = match keep {
        Some(keep) => {
            if keep.get_untracked().is_empty() {
                keep.set(start);
            }
            keep
        }
        None => RwSignal::new(start),
    };
    let raw_errors = failure(write.value());
    let errors = Signal::derive(move || if values.is_none() || mine { raw_errors.get() } else { None });
    Effect::watch(
        move || write.version().get(),
        move |_, _, _| {
            if matches!(write.value().get_untracked(), Some(Ok(_))) {
                typed.set(String::new());
                if let Some(ch) = changed {
                    ch.bump();
                }
            }
        },
        false,
    );
    let personal = move || errors.get().is_some_and(|e| e.field_code("body") == Some("personal_data"));
    let field_id = match (&editing, parent) {
        (Some((id, _)), _) => format!("comment-edit-{id}"),
        (None, Some(p)) => format!("comment-reply-{p}"),
        (None, None) => "comment-new".to_string(),
    };
    let label = match (&editing, parent) {
        (Some(_), _) => tr!(i18n, wall.edit_comment),
        (None, Some(_)) => tr!(i18n, wall.your_reply),
        (None, None) => tr!(i18n, wall.your_comment),
    };
    let check: fn(&str) -> Result<(), crate::domain::account::FieldError> = |s| CommentBody::parse(s).map(|_| ());
    view! {
        <div class="composer">
            <ActionForm action=write attr:class="form compact" attr:novalidate=true>
                <FormAlert errors fields=&["body"] />
                <input type="hidden" name="post" value=post.to_string() />
                <input type="hidden" name="parent" value=parent_code.clone() />
                <input type="hidden" name="id" value=id.clone() />
                <div on:input=move |ev| typed.set(event_target_value(&ev))>
                    <TextArea
                        name="body"
                        id=field_id
                        label
                        required=true
                        rows=3
                        maxlength=2000
                        value=typed
                        check
                        error=field_error(errors, "body")
                        hint=tr!(i18n, wall.comment_hint)
                    />
                </div>
                <Submit pending=write.pending().into() label=tr!(i18n, wall.send_comment) />
            </ActionForm>
            <Show when=personal>
                <ActionForm action=to_private attr:class="inline-form to-private">
                    <input type="hidden" name="body" value=move || typed.get() />
                    <button type="submit" class="button">{t!(i18n, wall.write_private)}</button>
                </ActionForm>
            </Show>
        </div>
    }
}
