//! The bell's page (#16): the fan's notifications, newest first. Opening it marks them read.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::comments::{Notification, my_notifications};
use crate::components::live::Live;
use crate::components::localized;
use crate::components::time::Time;
use crate::domain::comment::NotificationKind;
use crate::error::AppError;
use crate::i18n::*;
use crate::pages::requests::new::LoginNeeded;

fn what(locale: Locale, kind: NotificationKind) -> &'static str {
    match kind {
        NotificationKind::Reply => td_string!(locale, notifications.reply),
        NotificationKind::PageAnswer => td_string!(locale, notifications.page_answer),
        NotificationKind::Private => td_string!(locale, notifications.private),
        NotificationKind::Published => td_string!(locale, notifications.published),
        NotificationKind::Hidden => td_string!(locale, notifications.hidden),
    }
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let list = Resource::new(|| (), |_| my_notifications());
    view! {
        <Title text=localized(move || t_string!(i18n, notifications.title)) />
        <Transition fallback=|| view! { <p class="card muted">"…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => {
                        // Seen now: the bell goes quiet without waiting for the next pulse.
                        if let Some(live) = Live::get() {
                            live.notices.set(Some(0));
                        }
                        view! { <Notifications list /> }.into_any()
                    }
                    Err(AppError::Unauthorized) => view! { <LoginNeeded /> }.into_any(),
                    Err(_) => view! { <p class="card alert error" role="alert">{t!(i18n, errors.internal)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Notifications(list: Vec<Notification>) -> impl IntoView {
    let i18n = use_i18n();
    let empty = list.is_empty();
    view! {
        <section class="card" aria-labelledby="notifications-title">
            <h1 id="notifications-title">{t!(i18n, notifications.title)}</h1>
            {empty.then(|| view! { <p class="muted">{t!(i18n, notifications.empty)}</p> })}
            <ol class="notification-list">
                {list.into_iter().map(|n| {
                    let kind = n.kind;
                    let href = format!("/post/{}#c-{}", n.post_id, n.comment_id);
                    view! {
                        <li class="notification" class:unread=!n.read>
                            <A href=href attr:class="notification-link">
                                <span class="notification-what">{move || what(i18n.get_locale(), kind)}</span>
                                {(!n.excerpt.is_empty()).then(|| view! { <span class="notification-excerpt">"« " {n.excerpt.clone()} " »"</span> })}
                                <span class="muted"><Time ms=n.created_at /></span>
                            </A>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
