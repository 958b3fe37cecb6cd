//! The moderation queue (the pool): comments held by the word list and reported comments, oldest first,
//! each with publish, hide, warn (hide and send the page's warning) and, for admins, block. Admins keep
//! the word list below it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::comments::{Moderate, ModerationDecision, ReviewItem, SaveWordList, review_queue, word_list};
use crate::components::form::{FormAlert, Submit, TextArea, failure, field_error};
use crate::components::localized;
use crate::components::time::Time;
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal};
use crate::pages::comments::report_label;
use crate::pages::wall::PostText;
use crate::tr;

#[component]
pub fn ModerationPage() -> impl IntoView {
    let i18n = use_i18n();
    let moderate = ServerAction::<Moderate>::new();
    let query = leptos_router::hooks::use_query_map();
    let after = move || query.read().get("dopo");
    let queue = Resource::new(move || (moderate.version().get(), after()), |(_, after)| review_queue(after));
    let errors = failure(moderate.value());
    view! {
        <Title text=localized(move || t_string!(i18n, admin.moderation)) />
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(page) => view! {
                        <section class="card" aria-labelledby="moderation-title">
                            <h1 id="moderation-title">{t!(i18n, admin.moderation)}</h1>
                            <p class="lead">{t!(i18n, admin.moderation_intro)}</p>
                            <FormAlert errors />
                            {(page.total > 0).then(|| view! {
                                <p class="muted" role="status">
                                    {move || crate::components::fill(t_string!(i18n, admin.moderation_total), &[("count", &page.total.to_string())])}
                                </p>
                            })}
                            {(page.items.is_empty() && after().is_none()).then(|| view! { <p class="muted">{t!(i18n, admin.moderation_empty)}</p> })}
                            <ol class="review-list">
                                {page.items.into_iter().map(|item| view! { <Review item moderate /> }).collect_view()}
                            </ol>
                            <nav class="pager" aria-label=move || t_string!(i18n, admin.moderation_pages)>
                                {after().is_some().then(|| view! { <A href="/admin/moderazione">{t!(i18n, admin.moderation_first)}</A> })}
                                {page.next.map(|n| view! { <A href=format!("/admin/moderazione?dopo={n}")>{t!(i18n, admin.moderation_next)}</A> })}
                            </nav>
                        </section>
                        <WordList />
                    }
                    .into_any(),
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Review(item: ReviewItem, moderate: ServerAction<Moderate>) -> impl IntoView {
    let i18n = use_i18n();
    let id = item.id.to_string();
    let seen = item.version.to_string();
    let button = move |decision: ModerationDecision, label: Signal<&'static str>, class: &'static str| {
        let (id, seen) = (id.clone(), seen.clone());
        view! {
            <ActionForm action=moderate attr:class="inline-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="seen" value=seen />
                <input type="hidden" name="decision" value=decision.code() />
                <button type="submit" class=format!("button {class}")>{move || label.get()}</button>
            </ActionForm>
        }
    };
    let reports = item
        .reports
        .iter()
        .map(|&(reason, n)| view! { <li>{move || report_label(i18n.get_locale(), reason)} " × " {n}</li> })
        .collect_view();
    view! {
        <li class="review card-inner" id=format!("r-{}", item.id)>
            <p class="comment-head">
                <strong>
                    {if item.author.is_empty() {
                        t_string!(i18n, admin.deleted_account).to_string()
                    } else {
                        item.author.clone()
                    }}
                </strong>
                {item.author_blocked.then(|| view! { " " <span class="badge">{t!(i18n, admin.blocked)}</span> })}
                " · " <Time ms=item.created_at /> " · "
                <A href=format!("/post/{}#c-{}", item.post_id, item.id)>{t!(i18n, admin.moderation_open)}</A>
            </p>
            {item.held.then(|| view! { <p class="badge held-badge">{t!(i18n, admin.moderation_held)}</p> })}
            {(!item.reports.is_empty()).then(|| view! {
                <div class="reports">
                    <p>{t!(i18n, admin.moderation_reports)}</p>
                    <ul>{reports}</ul>
                </div>
            })}
            <blockquote class="review-body"><PostText body=item.body.clone() /></blockquote>
            <div class="review-actions">
                {button(ModerationDecision::Publish, tr!(i18n, admin.moderation_publish), "primary")}
                {button(ModerationDecision::Hide, tr!(i18n, admin.moderation_hide), "secondary")}
                {button(ModerationDecision::Warn, tr!(i18n, admin.moderation_warn), "secondary")}
                {(!item.author_blocked).then(|| button(ModerationDecision::Block, tr!(i18n, admin.moderation_block), "danger"))}
            </div>
        </li>
    }
}

/// The word list (admins only: agents see nothing of it).
#[component]
fn WordList() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SaveWordList>::new();
    let list = Resource::new(move || save.version().get(), |_| word_list());
    let errors = failure(save.value());
    let saved = move || save.value().get().and_then(Result::ok);
    view! {
        <Transition>
            {move || Suspend::new(async move {
                list.await.ok().map(|words| view! {
                    <section class="card" aria-labelledby="words-title">
                        <h2 id="words-title">{t!(i18n, admin.words_title)}</h2>
                        <p>{t!(i18n, admin.words_intro)}</p>
                        {move || saved().map(|n| view! {
                            <p class="alert success" role="status">
                                {crate::components::fill(t_string!(i18n, admin.words_saved), &[("count", &n.to_string())])}
                            </p>
                        })}
                        <ActionForm action=save attr:class="form" attr:novalidate=true>
                            <FormAlert errors fields=&["words"] />
                            <TextArea
                                name="words"
                                label=tr!(i18n, admin.words_label)
                                rows=12
                                maxlength=20000
                                value=words
                                error=field_error(errors, "words")
                                hint=tr!(i18n, admin.words_hint)
                            />
                            <Submit pending=save.pending().into() label=tr!(i18n, admin.words_save) />
                        </ActionForm>
                    </section>
                })
            })}
        </Transition>
    }
}
