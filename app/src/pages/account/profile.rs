//! Il mio account: display name, line number, language, email notices, and the password.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::localized;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_query_map;

use crate::api::auth::{ChangePassword, Me, UpdateProfile, get_me};
use crate::api::privacy::EraseAccount;
use crate::components::form::{Field, FormAlert, Submit, failure, field_error, field_message};
use crate::i18n::*;
use crate::tr;

#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| get_me());
    view! {
        <Title text=localized(move || t_string!(i18n, account.title)) />
        <Suspense>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(me)) if me.email_confirmed => view! { <AccountForms me /> }.into_any(),
                    Ok(Some(_)) => view! { <Redirect path="/conferma-email" /> }.into_any(),
                    _ => view! {
                        <section class="card hero">
                            <h1>{t!(i18n, account.title)}</h1>
                            <p class="lead">{t!(i18n, account.login_needed)}</p>
                            <A href="/accedi" attr:class="button primary">{t!(i18n, nav.login)}</A>
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountForms(me: Me) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let profile = ServerAction::<UpdateProfile>::new();
    let profile_errors = failure(profile.value());
    let password = ServerAction::<ChangePassword>::new();
    let password_errors = failure(password.value());
    let saved = move || query.read().get("salvato").is_some() || matches!(profile.value().get(), Some(Ok(())));
    let changed = move || query.read().get("password").is_some() || matches!(password.value().get(), Some(Ok(())));
    let is_en = me.locale == "en";
    view! {
        <section class="card form-card">
            <h1>{t!(i18n, account.title)}</h1>
            <h2>{t!(i18n, account.profile_title)}</h2>
            <Show when=saved>
                <p class="alert success" role="status">{t!(i18n, form.saved)}</p>
            </Show>
            <ActionForm action=profile attr:class="form" attr:novalidate=true>
                <FormAlert errors=profile_errors fields=&["display_name", "line_number"] />
                <p class="readonly">
                    <span class="label">{t!(i18n, account.email)}</span>
                    " "
                    <strong>{me.email.clone()}</strong>
                </p>
                <Field
                    name="display_name"
                    label=tr!(i18n, account.display_name)
                    autocomplete="name"
                    required=true
                    value=me.display_name.clone()
                    error=field_error(profile_errors, "display_name")
                />
                <Field
                    name="line_number"
                    label=tr!(i18n, account.line_number)
                    input_type="tel"
                    autocomplete="tel-national"
                    value=me.line_number.clone().unwrap_or_default()
                    error=field_error(profile_errors, "line_number")
                    hint=tr!(i18n, register.line_number_hint)
                />
                <div class="field">
                    <label for="f-locale">{t!(i18n, account.locale)}</label>
                    <select id="f-locale" name="locale">
                        <option value="it" selected=!is_en>{t!(i18n, account.locale_it)}</option>
                        <option value="en" selected=is_en>{t!(i18n, account.locale_en)}</option>
                    </select>
                </div>
                <div class="check">
                    <input
                        type="checkbox"
                        id="f-email_notifications"
                        name="email_notifications"
                        value="yes"
                        checked=me.email_notifications
                    />
                    <label for="f-email_notifications">{t!(i18n, account.email_notifications)}</label>
                </div>
                <Submit pending=profile.pending().into() label=tr!(i18n, account.save) />
            </ActionForm>
        </section>
        <section class="card form-card">
            <h2>{t!(i18n, account.password_title)}</h2>
            <Show when=changed>
                <p class="alert success" role="status">{t!(i18n, account.password_changed)}</p>
            </Show>
            <ActionForm action=password attr:class="form" attr:novalidate=true>
                <FormAlert errors=password_errors fields=&["current_password", "password", "password_confirm"] />
                <Field
                    name="current_password"
                    label=tr!(i18n, account.current_password)
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    error=field_error(password_errors, "current_password")
                />
                <Field
                    name="password"
                    label=tr!(i18n, account.new_password)
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                    error=field_error(password_errors, "password")
                    hint=tr!(i18n, register.password_hint)
                />
                <Field
                    name="password_confirm"
                    label=tr!(i18n, account.new_password_confirm)
                    input_type="password"
                    autocomplete="new-password"
                    required=true
                    error=field_error(password_errors, "password_confirm")
                />
                <Submit pending=password.pending().into() label=tr!(i18n, account.change_password) />
            </ActionForm>
        </section>
        <DataSection />
        <EraseSection />
    }
}

/// "Download my data": a plain form post answered with the file (`server/src/privacy.rs`); a refusal
/// comes back as `?dati={code}`.
#[component]
fn DataSection() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let code = move || query.read().get("dati");
    let password_error = Signal::derive(move || match code().as_deref() {
        Some(c @ ("password_wrong" | "required")) => Some(field_message(i18n.get_locale(), c)),
        _ => None,
    });
    let alert = move || match code().as_deref() {
        Some("rate_limited") => Some(t_string!(i18n, errors.rate_limited)),
        Some("password_wrong" | "required") | None => None,
        Some(_) => Some(t_string!(i18n, errors.internal)),
    };
    view! {
        <section class="card form-card" id="dati">
            <h2>{t!(i18n, account.data_title)}</h2>
            <p>{t!(i18n, account.data_intro)}</p>
            {move || alert().map(|text| view! { <p class="alert error" role="alert">{text}</p> })}
            <form method="post" action="/account/dati" class="form" novalidate>
                <fieldset class="choices">
                    <legend>{t!(i18n, account.data_format)}</legend>
                    <div class="check">
                        <input type="radio" id="f-format-json" name="format" value="json" checked />
                        <label for="f-format-json">{t!(i18n, account.data_json)}</label>
                    </div>
                    <div class="check">
                        <input type="radio" id="f-format-html" name="format" value="html" />
                        <label for="f-format-html">{t!(i18n, account.data_html)}</label>
                    </div>
                </fieldset>
                <Field
                    name="password"
                    id="f-data-password"
                    label=tr!(i18n, login.password)
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    error=password_error
                    hint=tr!(i18n, account.data_password_hint)
                />
                <button type="submit" class="button">{t!(i18n, account.data_download)}</button>
            </form>
        </section>
    }
}

/// "Delete my account": what will happen, the password, a box to tick.
#[component]
fn EraseSection() -> impl IntoView {
    let i18n = use_i18n();
    let erase = ServerAction::<EraseAccount>::new();
    let errors = failure(erase.value());
    let confirm_error = field_error(errors, "confirm");
    view! {
        <section class="card form-card danger-zone" id="elimina">
            <h2>{t!(i18n, account.erase_title)}</h2>
            <p>{t!(i18n, account.erase_intro)}</p>
            <ul>
                <li>{t!(i18n, account.erase_requests)}</li>
                <li>{t!(i18n, account.erase_texts)}</li>
                <li>{t!(i18n, account.erase_sessions)}</li>
                <li>{t!(i18n, account.erase_stats)}</li>
                <li>{t!(i18n, account.erase_again)}</li>
            </ul>
            <p><strong>{t!(i18n, account.erase_final)}</strong></p>
            <ActionForm action=erase attr:class="form" attr:novalidate=true>
                <FormAlert errors fields=&["password", "confirm"] />
                <Field
                    name="password"
                    id="f-erase-password"
                    label=tr!(i18n, login.password)
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                    error=field_error(errors, "password")
                />
                <div class="check" class:invalid=move || confirm_error.get().is_some()>
                    <input type="checkbox" id="f-erase-confirm" name="confirm" value="yes" />
                    <label for="f-erase-confirm">{t!(i18n, account.erase_confirm)}</label>
                    <p class="field-error">{move || confirm_error.get()}</p>
                </div>
                <Submit pending=erase.pending().into() label=tr!(i18n, account.erase_button) />
            </ActionForm>
        </section>
    }
}
