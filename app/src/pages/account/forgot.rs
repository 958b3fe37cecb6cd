//! Password dimenticata: asks for a reset link; answers the same whether the address has an account.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::hooks::use_query_map;

use crate::api::auth::ForgotPassword;
use crate::components::form::{Field, FormAlert, Submit, failure, field_error};
use crate::i18n::*;
use crate::tr;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let action = ServerAction::<ForgotPassword>::new();
    let errors = failure(action.value());
    let pending: Signal<bool> = action.pending().into();
    view! {
        <Title text=localized(move || t_string!(i18n, forgot.title)) />
        <section class="card form-card">
            <h1>{t!(i18n, forgot.title)}</h1>
            <Show
                when=move || query.read().get("inviata").is_some()
                fallback=move || view! {
                    <p class="lead">{t!(i18n, forgot.intro)}</p>
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <FormAlert errors fields=&["email"] />
                        <Field
                            name="email"
                            label=tr!(i18n, forgot.email)
                            input_type="email"
                            autocomplete="username"
                            required=true
                            error=field_error(errors, "email")
                        />
                        <Submit pending label=tr!(i18n, forgot.submit) />
                    </ActionForm>
                }
            >
                <p class="alert success" role="status">{t!(i18n, forgot.sent)}</p>
            </Show>
        </section>
    }
}
