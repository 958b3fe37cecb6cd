//! Le mie richieste: the customer's requests, newest activity first, with unread markers, paged by
//! keyset (`?dopo=<cursor>`), live while hydrated.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_query_map;

use crate::api::requests::{RequestPage, my_requests};
use crate::components::fill;
use crate::components::live::Live;
use crate::components::localized;
use crate::components::time::Time;
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::requests::{StatusBadge, category_label, new::LoginNeeded};

#[component]
pub fn MyRequestsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let tick = Live::get().map(|l| l.tick);
    let page = Resource::new(
        move || (query.read().get("dopo"), tick.map(|t| t.get()).unwrap_or(0)),
        |(after, _)| my_requests(after),
    );
    view! {
        <Title text=localized(move || t_string!(i18n, request.list_title)) />
        <Transition>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! { <RequestList page /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <Redirect path="/conferma-email" /> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <LoginNeeded /> }.into_any(),
                    Err(_) => view! {
                        <section class="card">
                            <p class="alert error" role="alert">{t!(i18n, errors.internal)}</p>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RequestList(page: RequestPage) -> impl IntoView {
    let i18n = use_i18n();
    let empty = page.items.is_empty() && page.first_page;
    let items = page
        .items
        .into_iter()
        .map(|r| {
            let href = format!("/assistenza/richieste/{}", r.reference());
            let unread = r.unread;
            let is_unread = unread > 0;
            let category = r.category;
            view! {
                <li class="request-item" class:unread=is_unread>
                    <A href=href attr:class="request-link">
                        <span class="request-top">
                            <span class="reference">{r.reference()}</span>
                            <StatusBadge status=r.status outcome=r.outcome />
                        </span>
                        <span class="request-subject">{r.subject.clone()}</span>
                        <span class="request-meta">
                            <span>{move || category_label(i18n.get_locale(), category)}</span>
                            " · "
                            <span>{t!(i18n, request.last_update)} " " <Time ms=r.last_activity_at /></span>
                        </span>
                        {(unread > 0).then(|| view! {
                            <span class="unread-badge">
                                {move || if unread == 1 {
                                    t_string!(i18n, request.unread_badge_one).to_string()
                                } else {
                                    fill(t_string!(i18n, request.unread_badge), &[("n", &unread.to_string())])
                                }}
                            </span>
                        })}
                    </A>
                </li>
            }
        })
        .collect_view();
    let next = page.next.map(|c| format!("/assistenza/richieste?dopo={c}"));
    let first_page = page.first_page;
    view! {
        <section class="card">
            <div class="card-title-row">
                <h1>{t!(i18n, request.list_title)}</h1>
                <A href="/assistenza/nuova" attr:class="button primary small">{t!(i18n, request.new_button)}</A>
            </div>
            {if empty {
                view! {
                    <div class="empty-state">
                        <p class="lead">{t!(i18n, request.list_empty)}</p>
                        <p>{t!(i18n, request.list_empty_text)}</p>
                        <A href="/assistenza/nuova" attr:class="button primary">{t!(i18n, nav.new_request)}</A>
                    </div>
                }.into_any()
            } else {
                view! { <ul class="request-list">{items}</ul> }.into_any()
            }}
            <nav class="pager">
                {(!first_page).then(|| view! { <A href="/assistenza/richieste">{t!(i18n, request.newest)}</A> })}
                {next.map(|href| view! { <A href=href attr:rel="next">{t!(i18n, request.older)} " →"</A> })}
            </nav>
        </section>
    }
}
