//! The page's wall (#16): the brand's posts, newest first with the pinned one on top; each post's own
//! page (with the tags that make a shared link preview); the editors' form to write, schedule, edit,
//! delete and pin posts. Every form works without JavaScript.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::kept::take_form_values;
use crate::api::wall::{
    ActOnPost, Post, PostAction, PostPage as PostView, SavePost, get_post, get_wall, scheduled_posts,
};
use crate::components::form::{Choice, FormAlert, Submit, TextArea, failure, field_error};
use crate::components::time::Time;
use crate::domain::comment::Target;
use crate::domain::post::{PostKind, Segment, excerpt, segments};
use crate::i18n::*;
use crate::pages::comments::{CommentSection, ReactionBar};
use crate::pages::not_found::NotFound;
use crate::tr;

pub fn kind_label(locale: Locale, kind: PostKind) -> &'static str {
    match kind {
        PostKind::News => td_string!(locale, wall.kind_news),
        PostKind::Offer => td_string!(locale, wall.kind_offer),
        PostKind::Question => td_string!(locale, wall.kind_question),
        PostKind::Notice => td_string!(locale, wall.kind_notice),
    }
}

/// The wall as the Home tab shows it.
#[component]
pub fn Wall() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let save = ServerAction::<SavePost>::new();
    let page = Resource::new(move || (query.read().get("prima"), save.version().get()), |(older, _)| get_wall(older));
    view! {
        <section class="wall" aria-labelledby="wall-title">
            <h2 id="wall-title" class="wall-title">{t!(i18n, wall.title)}</h2>
            <Transition fallback=|| view! { <p class="card muted">"…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) => {
                            let first = page.pinned.is_some() || query.read().get("prima").is_none();
                            let empty = page.posts.is_empty() && page.pinned.is_none();
                            view! {
                                {page.can_edit.then(|| view! { <PostEditor save post=None /> <Scheduled save /> })}
                                {page.pinned.map(|p| view! { <PostCard post=p link=true can_react=page.can_react /> })}
                                {page.posts.into_iter().map(|p| view! { <PostCard post=p link=true can_react=page.can_react /> }).collect_view()}
                                {(empty && first).then(|| view! { <p class="card muted">{t!(i18n, wall.empty)}</p> })}
                                {(!page.thanks.is_empty()).then(|| view! {
                                    <section class="card thanks" aria-labelledby="thanks-title">
                                        <h2 id="thanks-title">{t!(i18n, wall.thanks_title)}</h2>
                                        <ul class="thanks-list">
                                            {page.thanks.into_iter().map(|t| view! {
                                                <li>
                                                    <blockquote><PostText body=t.body /></blockquote>
                                                    <p class="muted">"— " {t.author} " · " <Time ms=t.created_at /></p>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                })}
                                <nav class="pager" aria-label=move || t_string!(i18n, wall.pages)>
                                    {(!first).then(|| view! { <A href="/">{t!(i18n, wall.newest)}</A> })}
                                    {page.older.map(|c| view! { <A href=format!("/?prima={c}")>{t!(i18n, wall.older)}</A> })}
                                </nav>
                            }
                            .into_any()
                        }
                        Err(_) => view! { <p class="card muted">{t!(i18n, wall.unavailable)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The editors' list of posts waiting for their time (nothing when there are none).
#[component]
fn Scheduled(save: ServerAction<SavePost>) -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(move || save.version().get(), |_| scheduled_posts());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let posts = list.await.unwrap_or_default();
                (!posts.is_empty()).then(|| view! {
                    <section class="card scheduled" aria-labelledby="scheduled-title">
                        <h2 id="scheduled-title">{t!(i18n, wall.scheduled_title)}</h2>
                        <ul>
                            {posts.into_iter().map(|p| view! {
                                <li>
                                    <Time ms=p.publish_at /> " · "
                                    <A href=format!("/post/{}", p.id)>{excerpt(&p.body, 60)}</A>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// A post's text: plain text, with its web addresses as links that pass nothing on.
#[component]
pub fn PostText(body: String) -> impl IntoView {
    let parts = segments(&body)
        .into_iter()
        .map(|s| match s {
            Segment::Text(t) => t.into_any(),
            Segment::Link(url) => {
                let href = url.clone();
                view! { <a href=href rel="nofollow ugc noopener" target="_blank">{url}</a> }.into_any()
            }
        })
        .collect_view();
    view! { <p class="post-body">{parts}</p> }
}

#[component]
fn PostCard(post: Post, link: bool, can_react: bool) -> impl IntoView {
    let i18n = use_i18n();
    let kind = post.kind;
    let href = format!("/post/{}", post.id);
    let comments_href = format!("/post/{}#comments", post.id);
    let comments = post.comments;
    // On the wall a reaction without JavaScript comes back to the wall; on the post's page, to the post.
    let back = if link { String::new() } else { post.id.to_string() };
    view! {
        <article class="card post" class:pinned=post.pinned aria-labelledby=format!("post-{}", post.id)>
            <p class="post-head" id=format!("post-{}", post.id)>
                {post.pinned.then(|| view! { <span class="badge pinned-badge">{t!(i18n, wall.pinned)}</span> " " })}
                <span class="post-kind">{move || kind_label(i18n.get_locale(), kind)}</span>
                " · "
                <Time ms=post.publish_at />
                {post.edited_at.map(|_| view! { " · " <span class="muted">{t!(i18n, wall.edited)}</span> })}
            </p>
            <PostText body=post.body.clone() />
            <div class="post-foot">
                <ReactionBar target=Target::Post id=post.id post=back reactions=post.reactions.clone() can_act=can_react />
                {link.then(|| view! {
                    <A href=comments_href attr:class="post-comments">
                        {move || if comments == 0 {
                            t_string!(i18n, wall.comment_first).to_string()
                        } else if comments == 1 {
                            t_string!(i18n, wall.comment_one).to_string()
                        } else {
                            crate::components::fill(t_string!(i18n, wall.comment_count), &[("count", &comments.to_string())])
                        }}
                    </A>
                    <A href=href attr:class="post-link">{t!(i18n, wall.open)}</A>
                })}
            </div>
        </article>
    }
}

/// The editors' form: a new post, or a new version of `post`.
#[component]
fn PostEditor(save: ServerAction<SavePost>, post: Option<Post>) -> impl IntoView {
    let i18n = use_i18n();
    let errors = failure(save.value());
    let kept_values = Resource::new(|| (), |_| take_form_values("post".into()));
    let editing = post.clone();
    let value = move |field: &'static str| {
        let editing = editing.clone();
        Signal::derive(move || {
            let kept = kept_values.get().and_then(Result::ok).flatten();
            match (kept.is_some(), &editing) {
                (true, _) => crate::api::kept::kept(&kept, field),
                (false, Some(p)) if field == "body" => p.body.clone(),
                (false, Some(p)) if field == "kind" => p.kind.code().to_string(),
                _ => String::new(),
            }
        })
    };
    let options = PostKind::WRITTEN
        .iter()
        .map(|k| {
            let k = *k;
            (k.code(), Signal::derive(move || kind_label(i18n.get_locale(), k)))
        })
        .collect();
    let id = post.as_ref().map(|p| p.id.to_string()).unwrap_or_default();
    let title = if post.is_some() { tr!(i18n, wall.edit_title) } else { tr!(i18n, wall.write) };
    view! {
        <section class="card post-editor">
            <h2>{move || title.get()}</h2>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <FormAlert errors />
                <input type="hidden" name="id" value=id />
                <Choice name="kind" label=tr!(i18n, wall.kind) options value=value("kind") error=field_error(errors, "kind") />
                <TextArea
                    name="body"
                    label=tr!(i18n, wall.body)
                    required=true
                    rows=4
                    maxlength=5000
                    value=value("body")
                    error=field_error(errors, "body")
                />
                <div class="field" class:invalid=move || field_error(errors, "publish_at").get().is_some()>
                    <label for="f-publish_at">{t!(i18n, wall.publish_at)}</label>
                    <input id="f-publish_at" name="publish_at" type="datetime-local" aria-describedby="f-publish_at-hint f-publish_at-error" />
                    <p class="hint" id="f-publish_at-hint">{t!(i18n, wall.publish_hint)}</p>
                    <p class="field-error" id="f-publish_at-error">{move || field_error(errors, "publish_at").get()}</p>
                </div>
                <Submit pending=save.pending().into() label=tr!(i18n, wall.publish) />
            </ActionForm>
        </section>
    }
}

/// A post's own page, with the tags a shared link previews with.
#[component]
pub fn PostPage() -> impl IntoView {
    let params = use_params_map();
    let save = ServerAction::<SavePost>::new();
    let page = Resource::new(
        move || (params.read().get("id").unwrap_or_default(), save.version().get()),
        |(id, _)| get_post(id),
    );
    view! {
        <Transition fallback=|| view! { <p class="card muted">"…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(view) => view! { <OnePost view save /> }.into_any(),
                    Err(_) => view! { <NotFound /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OnePost(view: PostView, save: ServerAction<SavePost>) -> impl IntoView {
    let i18n = use_i18n();
    let brand = use_context::<crate::brand::Brand>().unwrap_or_default();
    let post = view.post.clone();
    let description = excerpt(&post.body, 200);
    let title = format!("{} · {}", brand.name, excerpt(&post.body, 60));
    let act = ServerAction::<ActOnPost>::new();
    let id = post.id.to_string();
    view! {
        <Title text=title.clone() />
        <Meta name="description" content=description.clone() />
        <Meta property="og:type" content="article" />
        <Meta property="og:title" content=title.clone() />
        <Meta property="og:description" content=description.clone() />
        <Meta property="og:url" content=view.url.clone() />
        <Meta property="og:site_name" content=brand.name.clone() />
        <Meta name="twitter:card" content="summary" />
        <Meta name="twitter:title" content=title />
        <Meta name="twitter:description" content=description />
        <h1 class="visually-hidden">{brand.name.clone()}</h1>
        <p><A href="/">{t!(i18n, wall.back)}</A></p>
        {(!view.published).then(|| view! { <p class="card notice">{t!(i18n, wall.scheduled)} " " <Time ms=post.publish_at /></p> })}
        <PostCard post=post.clone() link=false can_react=view.can_react />
        {view.can_edit.then(|| {
            let pin = if post.pinned { PostAction::Unpin } else { PostAction::Pin };
            let (id2, id3) = (id.clone(), id.clone());
            view! {
                <section class="card post-tools">
                    <ActionForm action=act attr:class="inline-form">
                        <input type="hidden" name="id" value=id2 />
                        <input type="hidden" name="action" value=pin.code() />
                        <button type="submit" class="button secondary">
                            {if post.pinned { t!(i18n, wall.unpin).into_any() } else { t!(i18n, wall.pin).into_any() }}
                        </button>
                    </ActionForm>
                    <ActionForm action=act attr:class="inline-form">
                        <input type="hidden" name="id" value=id3 />
                        <input type="hidden" name="action" value=PostAction::Delete.code() />
                        <button type="submit" class="button secondary">{t!(i18n, wall.delete)}</button>
                    </ActionForm>
                </section>
                <PostEditor save post=Some(post.clone()) />
            }
        })}
        {view.published.then(|| view! { <CommentSection post=post.id count=post.comments /> })}
    }
}
