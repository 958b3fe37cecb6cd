//! Conferma email: what an account with an unconfirmed address sees, with a button for a new link.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth::{ResendConfirmation, get_me};
use crate::components::form::{FormAlert, Submit, failure};
use crate::i18n::*;
use crate::tr;

#[component]
pub fn ConfirmNoticePage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let me = Resource::new(|| (), |_| get_me());
    let action = ServerAction::<ResendConfirmation>::new();
    let errors = failure(action.value());
    let pending: Signal<bool> = action.pending().into();
    view! {
        <Title text=localized(move || t_string!(i18n, confirm.title)) />
        <section class="card hero">
            <h1>{t!(i18n, confirm.title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(Some(me)) => view! {
                            <p class="lead">{t!(i18n, confirm.text)} " " <strong>{me.email}</strong></p>
                            <Show when=move || query.read().get("inviata").is_some()>
                                <p class="alert success" role="status">{t!(i18n, confirm.resent)}</p>
                            </Show>
                            <ActionForm action=action attr:class="form">
                                <FormAlert errors />
                                <Submit pending label=tr!(i18n, confirm.resend) />
                            </ActionForm>
                        }.into_any(),
                        _ => view! {
                            <p class="lead">{t!(i18n, account.login_needed)}</p>
                            <A href="/accedi" attr:class="button primary">{t!(i18n, nav.login)}</A>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
