//! Accedi: the login form, with the notices other pages send here (confirmed, link expired, reset).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth::Login;
use crate::api::kept::{kept, take_form_values};
use crate::components::form::{Field, FormAlert, Submit, failure, field_error};
use crate::i18n::*;
use crate::tr;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = ServerAction::<Login>::new();
    let errors = failure(action.value());
    let pending: Signal<bool> = action.pending().into();
    let flag = move |key: &str| query.read().get(key).is_some();
    let kept_values = Resource::new(|| (), |_| take_form_values("login".into()));
    view! {
        <Title text=localized(move || t_string!(i18n, login.title)) />
        <section class="card form-card">
            <h1>{t!(i18n, login.title)}</h1>
            <p class="lead">{t!(i18n, login.intro)}</p>
            <Show when=move || flag("eliminato")>
                <p class="alert success" role="status">{t!(i18n, login.erased)}</p>
            </Show>
            <Show when=move || flag("confermato")>
                <p class="alert success" role="status">{t!(i18n, login.confirmed)}</p>
            </Show>
            <Show when=move || flag("link")>
                <p class="alert error" role="alert">{t!(i18n, login.link_expired)}</p>
            </Show>
            <Show when=move || flag("reimpostata")>
                <p class="alert success" role="status">{t!(i18n, login.reset_done)}</p>
            </Show>
            <Suspense>
            {move || Suspend::new(async move {
            let values = kept_values.await.ok().flatten();
            view! {
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert errors />
                <input type="hidden" name="next" value=query.read_untracked().get("next").unwrap_or_else(|| kept(&values, "next")) />
                <Field
                    name="email"
                    label=tr!(i18n, login.email)
                    input_type="email"
                    autocomplete="username"
                    required=true
                    value=kept(&values, "email")
                    error=field_error(errors, "email")
                />
                <Field
                    name="password"
                    label=tr!(i18n, login.password)
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    error=field_error(errors, "password")
                />
                <Submit pending label=tr!(i18n, login.submit) />
            </ActionForm>
            }
            })}
            </Suspense>
            <p class="form-footer">
                <A href="/password-dimenticata">{t!(i18n, login.forgot)}</A>
            </p>
            <p class="form-footer">
                {t!(i18n, login.no_account)} " " <A href="/registrati">{t!(i18n, nav.register)}</A>
            </p>
        </section>
    }
}
