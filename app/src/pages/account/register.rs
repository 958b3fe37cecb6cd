//! Registrati: the registration form.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::components::A;

use crate::api::auth::Register;
use crate::api::kept::{kept, take_form_values};
use crate::components::form::{Field, FormAlert, Submit, failure, field_error};
use crate::domain::account::checks;
use crate::i18n::*;
use crate::tr;

const FIELDS: &[&str] =
    &["display_name", "email", "password", "password_confirm", "line_number", "accept_privacy", "accept_conduct"];

#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<Register>::new();
    let errors = failure(action.value());
    let pending: Signal<bool> = action.pending().into();
    let privacy_error = field_error(errors, "accept_privacy");
    let conduct_error = field_error(errors, "accept_conduct");
    let kept_values = Resource::new(|| (), |_| take_form_values("register".into()));
    view! {
        <Title text=localized(move || t_string!(i18n, register.title)) />
        <section class="card form-card">
            <h1>{t!(i18n, register.title)}</h1>
            <p class="lead">{t!(i18n, register.intro)}</p>
            <Suspense>
            {move || Suspend::new(async move {
            let values = kept_values.await.ok().flatten();
            view! {
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <FormAlert errors fields=FIELDS />
                <Field
                    name="display_name"
                    label=tr!(i18n, register.display_name)
                    autocomplete="name"
                    required=true
                    value=kept(&values, "display_name")
                    error=field_error(errors, "display_name")
                    hint=tr!(i18n, register.display_name_hint)
                    check=checks::display_name
                />
                <Field
                    name="email"
                    label=tr!(i18n, register.email)
                    input_type="email"
                    autocomplete="email"
                    required=true
                    value=kept(&values, "email")
                    error=field_error(errors, "email")
                    check=checks::email
                />
                <Field
                    name="password"
                    label=tr!(i18n, register.password)
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                    error=field_error(errors, "password")
                    hint=tr!(i18n, register.password_hint)
                    check=checks::password
                />
                <Field
                    name="password_confirm"
                    label=tr!(i18n, register.password_confirm)
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                    error=field_error(errors, "password_confirm")
                />
                <Field
                    name="line_number"
                    label=tr!(i18n, register.line_number)
                    input_type="tel"
                    autocomplete="tel-national"
                    value=kept(&values, "line_number")
                    error=field_error(errors, "line_number")
                    hint=tr!(i18n, register.line_number_hint)
                    check=checks::optional_line_number
                />
                <div class="check" class:invalid=move || privacy_error.get().is_some()>
                    <input type="checkbox" id="f-accept_privacy" name="accept_privacy" value="yes" required />
                    <label for="f-accept_privacy">
                        {t!(i18n, register.accept_privacy_before)}
                        <a href="/privacy" target="_blank">{t!(i18n, register.accept_privacy_link)}</a>
                        {t!(i18n, register.accept_privacy_after)}
                    </label>
                    <p class="field-error">{move || privacy_error.get()}</p>
                </div>
                <div class="check" class:invalid=move || conduct_error.get().is_some()>
                    <input type="checkbox" id="f-accept_conduct" name="accept_conduct" value="yes" required />
                    <label for="f-accept_conduct">
                        {t!(i18n, register.accept_conduct_before)}
                        <a href="/info" target="_blank">{t!(i18n, register.accept_conduct_link)}</a>
                        {t!(i18n, register.accept_conduct_after)}
                    </label>
                    <p class="field-error">{move || conduct_error.get()}</p>
                </div>
                <Submit pending label=tr!(i18n, register.submit) />
            </ActionForm>
            }
            })}
            </Suspense>
            <p class="form-footer">
                {t!(i18n, register.have_account)} " " <A href="/accedi">{t!(i18n, nav.login)}</A>
            </p>
        </section>
    }
}

/// After registering: the same page whether the address was new or not.
#[component]
pub fn CheckInboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = leptos_router::hooks::use_query_map();
    let address = Resource::new(|| (), |_| crate::api::auth::registered_address());
    let resend = ServerAction::<crate::api::auth::ResendRegistration>::new();
    let errors = crate::components::form::failure(resend.value());
    let sent = move || query.read().get("inviata").is_some() || matches!(resend.value().get(), Some(Ok(())));
    view! {
        <Title text=localized(move || t_string!(i18n, register.check_title)) />
        <section class="card hero">
            <h1>{t!(i18n, register.check_title)}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    match address.await.ok().flatten() {
                        Some(email) => view! {
                            <p class="lead">
                                {move || crate::components::fill(t_string!(i18n, register.check_sent_to), &[("email", email.as_str())])}
                            </p>
                            <p>{t!(i18n, register.check_text)}</p>
                            <Show when=sent>
                                <p class="alert success" role="status">{t!(i18n, register.check_resent)}</p>
                            </Show>
                            <ActionForm action=resend attr:class="form inline">
                                <crate::components::form::FormAlert errors />
                                <p class="hint">{t!(i18n, register.check_nothing)}</p>
                                <button type="submit" class="button secondary" disabled=move || resend.pending().get()>
                                    {t!(i18n, register.check_resend)}
                                </button>
                            </ActionForm>
                        }.into_any(),
                        None => view! { <p class="lead">{t!(i18n, register.check_text)}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <A href="/accedi" attr:class="button primary">{t!(i18n, register.check_login)}</A>
        </section>
    }
}
