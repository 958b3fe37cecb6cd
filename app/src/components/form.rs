//! Form pieces: a labelled field with its hint and its error (translated from the rule's code), a
//! form-level alert, and a submit button that shows when the form is being sent.

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::domain::account::FieldError;
use crate::error::AppError;
use crate::i18n::*;

/// The sentence for a refused field's rule code.
pub fn field_message(locale: Locale, code: &str) -> &'static str {
    match code {
        "required" => td_string!(locale, errors.required),
        "email_invalid" => td_string!(locale, errors.email_invalid),
        "email_not_latin" => td_string!(locale, errors.email_not_latin),
        "name_too_long" => td_string!(locale, errors.name_too_long),
        "name_invalid" => td_string!(locale, errors.name_invalid),
        "password_too_short" => td_string!(locale, errors.password_too_short),
        "password_too_long" => td_string!(locale, errors.password_too_long),
        "password_is_email" => td_string!(locale, errors.password_is_email),
        "password_mismatch" => td_string!(locale, errors.password_mismatch),
        "password_weak_common" => td_string!(locale, errors.password_weak_common),
        "password_weak_keyboard" => td_string!(locale, errors.password_weak_keyboard),
        "password_weak_repeats" => td_string!(locale, errors.password_weak_repeats),
        "password_weak_sequence" => td_string!(locale, errors.password_weak_sequence),
        "password_weak_dates" => td_string!(locale, errors.password_weak_dates),
        "password_weak_words" => td_string!(locale, errors.password_weak_words),
        "password_weak" => td_string!(locale, errors.password_weak),
        "password_wrong" => td_string!(locale, errors.password_wrong),
        "line_invalid" => td_string!(locale, errors.line_invalid),
        "consent_required" => td_string!(locale, errors.consent_required),
        "link_expired" => td_string!(locale, errors.link_expired),
        "subject_too_short" => td_string!(locale, errors.subject_too_short),
        "description_too_short" => td_string!(locale, errors.description_too_short),
        "too_long" => td_string!(locale, errors.too_long),
        "text_invalid" => td_string!(locale, errors.text_invalid),
        "handle_invalid" => td_string!(locale, errors.handle_invalid),
        "rating_invalid" => td_string!(locale, errors.rating_invalid),
        "choice_invalid" => td_string!(locale, errors.choice_invalid),
        "consent_needed" => td_string!(locale, errors.consent_needed),
        "email_taken" => td_string!(locale, errors.email_taken),
        "reference_invalid" => td_string!(locale, errors.reference_invalid),
        "personal_data" => td_string!(locale, errors.personal_data),
        "impolite" => td_string!(locale, errors.impolite),
        "erase_confirm_needed" => td_string!(locale, errors.erase_confirm_needed),
        "erase_staff" => td_string!(locale, errors.erase_staff),
        "no_such_customer" => td_string!(locale, errors.no_such_customer),
        "consent_renew" => td_string!(locale, errors.consent_renew),
        "consent_accept_needed" => td_string!(locale, errors.consent_accept_needed),
        "files_too_many" => td_string!(locale, errors.files_too_many),
        "file_empty" => td_string!(locale, errors.file_empty),
        "file_too_big" => td_string!(locale, errors.file_too_big),
        "file_type" => td_string!(locale, errors.file_type),
        "file_damaged" => td_string!(locale, errors.file_damaged),
        "image_too_large" => td_string!(locale, errors.image_too_large),
        "quota_customer" => td_string!(locale, errors.quota_customer),
        "quota_total" => td_string!(locale, errors.quota_total),
        "files_not_here" => td_string!(locale, errors.files_not_here),
        _ => td_string!(locale, errors.malformed),
    }
}

/// The sentence for an error that is not about one field.
pub fn error_message(locale: Locale, error: &AppError) -> &'static str {
    match error {
        AppError::Invalid(errors) => match errors.first() {
            Some(e) => field_message(locale, &e.code),
            None => td_string!(locale, errors.malformed),
        },
        AppError::InvalidCredentials => td_string!(locale, errors.invalid_credentials),
        AppError::Unauthorized => td_string!(locale, errors.unauthorized),
        AppError::Forbidden => td_string!(locale, errors.forbidden),
        AppError::NotFound => td_string!(locale, errors.not_found),
        AppError::Conflict => td_string!(locale, errors.conflict),
        AppError::RateLimited { .. } => td_string!(locale, errors.rate_limited),
        AppError::Internal => td_string!(locale, errors.internal),
        AppError::Unreachable => td_string!(locale, errors.unreachable),
    }
}

/// The error of an action's last answer, if it failed.
pub fn failure<T, S>(value: S) -> Signal<Option<AppError>>
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// The translated error of one field from an action's last answer.
pub fn field_error(errors: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<&'static str>> {
    let i18n = use_i18n();
    Signal::derive(move || {
        errors.get().and_then(|e| e.field_code(field).map(|code| field_message(i18n.get_locale(), code)))
    })
}

/// A form-level alert for errors no field shows (wrong credentials, server trouble, …).
#[component]
pub fn FormAlert(errors: Signal<Option<AppError>>, #[prop(optional)] fields: &'static [&'static str]) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || {
        errors.get().and_then(|e| match &e {
            AppError::Invalid(list) if list.iter().all(|f| fields.contains(&f.field.as_ref())) => None,
            _ => Some(error_message(i18n.get_locale(), &e)),
        })
    };
    // A refusal moves focus to the first field it names, which scrolls it into view: on a long form the
    // person sees what to fix (#21.8).
    let anchor = NodeRef::<leptos::html::Span>::new();
    #[cfg(feature = "hydrate")]
    Effect::watch(
        move || matches!(errors.get(), Some(AppError::Invalid(_))),
        move |invalid, _, _| {
            if !*invalid {
                return;
            }
            let Some(anchor) = anchor.get_untracked() else { return };
            request_animation_frame(move || focus_first_invalid(&anchor));
        },
        false,
    );
    view! {
        <span class="form-anchor" node_ref=anchor hidden></span>
        <Show when=move || message().is_some()>
            <p class="alert error" role="alert">{message}</p>
        </Show>
    }
}

/// Focuses the first field marked invalid in the form around `inside`.
#[cfg(feature = "hydrate")]
fn focus_first_invalid(inside: &web_sys::Element) {
    use wasm_bindgen::JsCast;
    let first = inside
        .closest("form")
        .ok()
        .flatten()
        .and_then(|form| form.query_selector("[aria-invalid=\"true\"]").ok().flatten());
    if let Some(field) = first.and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = field.focus();
    }
}

#[component]
pub fn Field(
    name: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(into)] error: Signal<Option<&'static str>>,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    /// A check run in the browser when the value changes, for instant feedback.
    #[prop(optional)]
    check: Option<fn(&str) -> Result<(), FieldError>>,
    /// The element's id when the page has two forms with a field of that name (default `f-{name}`).
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = id.unwrap_or_else(|| format!("f-{name}"));
    let described = format!("{id}-hint {id}-error");
    // The browser's verdict since the last answer from the server: `None` until the field changes.
    let local = RwSignal::new(None::<Option<&'static str>>);
    Effect::watch(move || error.get(), move |_, _, _| local.set(None), false);
    let shown = Signal::derive(move || local.get().unwrap_or_else(|| error.get()));
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(check) = check {
            let verdict = check(&event_target_value(&ev)).err().map(|e| field_message(i18n.get_locale(), &e.code));
            local.set(Some(verdict));
        }
    };
    let error = shown;
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{move || label.get()}</label>
            <input
                id=id.clone()
                name=name
                type=input_type
                autocomplete=autocomplete
                required=required
                value=move || value.get()
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=described
                on:change=on_change
            />
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{move || h.get()}</p> })}
            <p class="field-error" id=format!("{id}-error")>{move || error.get()}</p>
        </div>
    }
}

/// The submit button: disabled, with "sending…", while the form is on its way.
#[component]
pub fn Submit(pending: Signal<bool>, #[prop(into)] label: Signal<&'static str>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button type="submit" class="button primary" disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {move || if pending.get() { t_string!(i18n, form.sending) } else { label.get() }}
        </button>
    }
}

/// A multi-line text field with its hint, error and character limit.
#[component]
pub fn TextArea(
    name: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(into)] error: Signal<Option<&'static str>>,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    #[prop(default = 5)] rows: u32,
    #[prop(default = 4000)] maxlength: u32,
    #[prop(optional)] check: Option<fn(&str) -> Result<(), FieldError>>,
    /// The element id, when one page has several fields of the same name.
    #[prop(optional, into)]
    id: Option<String>,
    /// Keeps what is typed in a signal the page owns: it survives the form being drawn again (a draft
    /// that must never be lost, #21.5).
    #[prop(optional)]
    draft: Option<RwSignal<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = id.unwrap_or_else(|| format!("f-{name}"));
    let described = format!("{id}-hint {id}-error");
    let value = match draft {
        Some(d) => Signal::derive(move || d.get()),
        None => value,
    };
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(d) = draft {
            d.set(event_target_value(&ev));
        }
    };
    let local = RwSignal::new(None::<Option<&'static str>>);
    Effect::watch(move || error.get(), move |_, _, _| local.set(None), false);
    let error = Signal::derive(move || local.get().unwrap_or_else(|| error.get()));
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(check) = check {
            let verdict = check(&event_target_value(&ev)).err().map(|e| field_message(i18n.get_locale(), &e.code));
            local.set(Some(verdict));
        }
    };
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            <label for=id.clone()>{move || label.get()}</label>
            <textarea
                id=id.clone()
                name=name
                rows=rows
                maxlength=maxlength
                required=required
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=described
                on:change=on_change
                on:input=on_input
                prop:value=move || value.get()
            >
                {value.get_untracked()}
            </textarea>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{move || h.get()}</p> })}
            <p class="field-error" id=format!("{id}-error")>{move || error.get()}</p>
        </div>
    }
}

/// One option of a [`Choice`]: the code posted and its translated label.
pub type ChoiceOption = (&'static str, Signal<&'static str>);

/// A set of choices: a select (many options) or radio buttons (few), both plain form controls.
#[component]
pub fn Choice(
    name: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    options: Vec<ChoiceOption>,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(into)] error: Signal<Option<&'static str>>,
    /// Radio buttons instead of a select.
    #[prop(optional)]
    radios: bool,
    /// Told the code picked in the select, as it changes (in the browser).
    #[prop(optional)]
    on_pick: Option<Callback<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("f-{name}");
    let error_id = format!("{id}-error");
    let control = if radios {
        let buttons = options
            .into_iter()
            .map(|(code, text)| {
                let opt_id = format!("{id}-{code}");
                let for_id = opt_id.clone();
                view! {
                    <label class="radio" for=for_id>
                        <input
                            type="radio"
                            id=opt_id
                            name=name
                            value=code
                            checked=move || value.get() == code
                            aria-describedby=error_id.clone()
                        />
                        <span>{move || text.get()}</span>
                    </label>
                }
            })
            .collect_view();
        view! {
            <fieldset class="radios" id=id.clone()>
                <legend>{move || label.get()}</legend>
                {buttons}
            </fieldset>
        }
        .into_any()
    } else {
        let choices = options
            .into_iter()
            .map(|(code, text)| view! { <option value=code selected=move || value.get() == code>{move || text.get()}</option> })
            .collect_view();
        view! {
            <label for=id.clone()>{move || label.get()}</label>
            <select
                id=id.clone()
                name=name
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=error_id.clone()
                on:change=move |ev| {
                    if let Some(pick) = on_pick {
                        pick.run(event_target_value(&ev));
                    }
                }
            >
                <option value="" selected=move || value.get().is_empty()>{move || t_string!(i18n, request.choose)}</option>
                {choices}
            </select>
        }
        .into_any()
    };
    view! {
        <div class="field" class:invalid=move || error.get().is_some()>
            {control}
            <p class="field-error" id=format!("{id}-error")>{move || error.get()}</p>
        </div>
    }
}
