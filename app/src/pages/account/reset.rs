//! Reimposta password: the page the reset link opens.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::auth::ResetPassword;
use crate::components::form::{Field, FormAlert, Submit, failure, field_error};
use crate::i18n::*;
use crate::tr;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let action = ServerAction::<ResetPassword>::new();
    let errors = failure(action.value());
    let pending: Signal<bool> = action.pending().into();
    view! {
        <Title text=localized(move || t_string!(i18n, reset.title)) />
        <section class="card form-card">
            <h1>{t!(i18n, reset.title)}</h1>
            <Show
                when=move || !token().is_empty()
                fallback=move || view! {
                    <p class="alert error" role="alert">{t!(i18n, reset.missing)}</p>
                    <A href="/password-dimenticata" attr:class="button primary">{t!(i18n, forgot.title)}</A>
                }
            >
                <p class="lead">{t!(i18n, reset.intro)}</p>
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <FormAlert errors fields=&["password", "password_confirm"] />
                    <input type="hidden" name="token" value=token />
                    <Field
                        name="password"
                        label=tr!(i18n, reset.password)
                        input_type="password"
                        autocomplete="new-password"
                        required=true
                        error=field_error(errors, "password")
                        hint=tr!(i18n, register.password_hint)
                    />
                    <Field
                        name="password_confirm"
                        label=tr!(i18n, reset.password_confirm)
                        input_type="password"
                        autocomplete="new-password"
                        required=true
                        error=field_error(errors, "password_confirm")
                    />
                    <Submit pending label=tr!(i18n, reset.submit) />
                </ActionForm>
            </Show>
        </section>
    }
}
