//! Richiedi assistenza: the request form, for logged-in customers.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};

use crate::api::auth::{Me, get_me};
use crate::api::comments::handoff_draft;
use crate::api::incidents::{KnownProblem, known_problems};
use crate::api::kept::{FormValues, kept, take_form_values};
use crate::api::requests::SubmitRequest;
use crate::api::upload::upload_limits;
use crate::components::form::{Choice, ChoiceOption, Field, FormAlert, Submit, TextArea, failure, field_error};
use crate::components::localized;
use crate::components::upload::{FilePicker, Upload, UploadForm};
use crate::domain::account::checks as account_checks;
use crate::domain::attachment::AttachmentLimits;
use crate::domain::request::{Category, Contact, ReportedOn, checks};
use crate::i18n::*;
use crate::pages::requests::{category_label, contact_label, reported_label};
use crate::tr;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::{use_location, use_query_map};

const FIELDS: &[&str] =
    &["category", "subject", "description", "line_number", "contact", "reported_on", "public_handle", "files"];

/// The page asks who is logged in: customers get the form, visitors an invitation to log in. Both
/// resources belong to the page itself, not to a part built inside the `Suspense`: leptos may build
/// those parts more than once for one render, and each build would start resources of its own (#13).
#[component]
pub fn NewRequestPage() -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| get_me());
    let kept_values = Resource::new(|| (), |_| take_form_values("request".into()));
    // Open incidents (#17): a topic that matches one offers "I'm affected too" instead of the whole form.
    let known = Resource::new(|| (), |_| known_problems());
    let limits = Resource::new(|| (), |_| upload_limits());
    // Opened from the email of a comment taken to private: the comment's text starts the description.
    let query = use_query_map();
    let comment = query.read_untracked().get("commento").unwrap_or_default();
    let draft = Resource::new(
        move || comment.clone(),
        |c| async move {
            if c.is_empty() { None } else { handoff_draft(c.clone()).await.ok().flatten().map(|text| (c, text)) }
        },
    );
    view! {
        <Title text=localized(move || t_string!(i18n, request.new_title)) />
        <Suspense>
            {move || Suspend::new(async move {
                let (me, values, draft) = (me.await, kept_values.await.ok().flatten(), draft.await);
                let known = known.await.unwrap_or_default();
                let limits = limits.await.ok();
                match me {
                    Ok(Some(me)) if me.email_confirmed => {
                        view! { <RequestForm me values draft known limits /> }.into_any()
                    }
                    Ok(Some(_)) => view! { <Redirect path="/conferma-email" /> }.into_any(),
                    _ => view! { <LoginNeeded /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// For visitors: what the page is for, and the way in.
#[component]
pub fn LoginNeeded() -> impl IntoView {
    let i18n = use_i18n();
    let login = login_back_here();
    view! {
        <section class="card hero">
            <h1>{t!(i18n, request.new_title)}</h1>
            <p class="lead">{t!(i18n, request.login_needed)}</p>
            <p class="actions">
                <A href=login attr:class="button primary">{t!(i18n, nav.login)}</A>
                <A href="/registrati" attr:class="button secondary">{t!(i18n, nav.register)}</A>
            </p>
        </section>
    }
}

/// The login page, bringing the person back to this page afterwards (a link from an email keeps its query).
pub fn login_back_here() -> String {
    let location = use_location();
    let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
    let here = if search.is_empty() { path } else { format!("{path}?{search}") };
    format!("/accedi?next={}", urlencoding(&here))
}

/// A path as a query value: what would end or split it (`&`, `#`, `%`, `?`, spaces) is escaped.
fn urlencoding(path: &str) -> String {
    path.chars()
        .map(|c| match c {
            '&' => "%26".to_string(),
            '#' => "%23".to_string(),
            '%' => "%25".to_string(),
            '?' => "%3F".to_string(),
            '=' => "%3D".to_string(),
            ' ' => "%20".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn options<T: Copy + Send + Sync + 'static>(
    all: &'static [T],
    code: fn(T) -> &'static str,
    label: fn(Locale, T) -> &'static str,
) -> Vec<ChoiceOption> {
    let i18n = use_i18n();
    all.iter().map(|&v| (code(v), Signal::derive(move || label(i18n.get_locale(), v)))).collect()
}

/// Without JavaScript, the topic comes first (a plain GET), so the page can name the known problems of
/// that topic before the form; with JavaScript the choice in the form does it as it changes.
#[component]
fn TopicStep(chosen: String) -> impl IntoView {
    let i18n = use_i18n();
    let topics = Category::ALL
        .iter()
        .map(|c| {
            let c = *c;
            let selected = chosen == c.code();
            view! { <option value=c.code() selected=selected>{move || category_label(i18n.get_locale(), c)}</option> }
        })
        .collect_view();
    view! {
        <form method="get" action="/assistenza/nuova" class="topic-step">
            <label for="f-argomento">{t!(i18n, request.category)}</label>
            <select id="f-argomento" name="argomento">{topics}</select>
            <button type="submit" class="button secondary">{t!(i18n, request.topic_continue)}</button>
        </form>
    }
}

/// The open incidents of the chosen topic, each with "I'm affected too".
#[component]
fn KnownProblems(known: Vec<KnownProblem>, chosen: RwSignal<String>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let code = chosen.get();
        let Some(category) = Category::from_code(&code) else {
            return ().into_any();
        };
        let matching = known
            .iter()
            .filter(|k| k.incident.topics.contains(&category))
            .cloned()
            .map(|k| {
                let i = k.incident;
                view! {
                    <article class="known-problem">
                        <h2>
                            {t!(i18n, incident.known_title)} ": "
                            <A href=format!("/stato/{}", i.id)>{i.title.clone()}</A>
                            " " <crate::pages::status::IncidentBadge status=i.status />
                        </h2>
                        <p class="incident-latest">{i.latest.clone()}</p>
                        <crate::pages::status::AffectedCount n=i.affected />
                        <p class="muted">{t!(i18n, incident.known_hint)}</p>
                        <crate::pages::status::AffectedBox
                            id=i.id
                            category=code.clone()
                            joined=k.joined
                            can_join=true
                            signed_in=true
                            compact=true
                        />
                    </article>
                }
            })
            .collect_view();
        view! { <div class="known-problems" aria-live="polite">{matching}</div> }.into_any()
    }
}

#[component]
fn RequestForm(
    me: Me,
    values: Option<FormValues>,
    draft: Option<(String, String)>,
    known: Vec<KnownProblem>,
    limits: Option<AttachmentLimits>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The topic chosen so far: the topic step's (no JavaScript), a refused form's, or the select's.
    let topic = use_query_map().read_untracked().get("argomento").unwrap_or_default();
    let chosen = RwSignal::new(if topic.is_empty() { kept(&values, "category") } else { topic.clone() });
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let has_known = !known.is_empty();
    let step_chosen = topic.clone();
    let action = Upload::<String>::new(SubmitRequest::PATH);
    let errors = failure(action.value());
    let pending: Signal<bool> = action.pending();
    let line = me.line_number.clone().unwrap_or_default();
    // Kept values win (a refused post, or a refused comment's text); a field they do not hold keeps its
    // default.
    let value = move |field: &str, default: &str| {
        let held = values.as_ref().is_some_and(|v| v.iter().any(|(k, _)| k == field));
        if held { kept(&values, field) } else { default.to_string() }
    };
    let (from_comment, comment_text) = draft.clone().unwrap_or_default();
    view! {
        <section class="card form-card">
            <h1>{t!(i18n, request.new_title)}</h1>
            <p class="lead">{t!(i18n, request.new_intro)}</p>
            <p class="alert info privacy-notice">
                <svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                    <path d="M7 10V7a5 5 0 0 1 10 0v3M5 10h14v11H5z" fill="none" stroke="currentColor" stroke-width="2" />
                </svg>
                {t!(i18n, request.privacy_notice)}
            </p>
            {move || (has_known && !hydrated.get()).then(|| view! { <TopicStep chosen=step_chosen.clone() /> })}
            <KnownProblems known chosen />
                {view! {
                <UploadForm upload=action action=SubmitRequest::PATH>
                    <FormAlert errors fields=FIELDS />
                    {draft.is_some().then(|| view! { <p class="alert info">{t!(i18n, request.from_comment)}</p> })}
                    <input type="hidden" name="from_comment" value=value("from_comment", &from_comment) />
                    <Choice
                        name="category"
                        label=tr!(i18n, request.category)
                        options=options(Category::ALL, Category::code, category_label)
                        value=value("category", &topic)
                        error=field_error(errors, "category")
                        on_pick=Callback::new(move |code| chosen.set(code))
                    />
                    <Field
                        name="subject"
                        label=tr!(i18n, request.subject)
                        required=true
                        value=value("subject", "")
                        error=field_error(errors, "subject")
                        hint=tr!(i18n, request.subject_hint)
                        check=checks::subject
                    />
                    <TextArea
                        name="description"
                        label=tr!(i18n, request.description)
                        required=true
                        rows=6
                        value=value("description", &comment_text)
                        error=field_error(errors, "description")
                        hint=tr!(i18n, request.description_hint)
                        check=checks::description
                    />
                    <Field
                        name="line_number"
                        label=tr!(i18n, request.line_number)
                        input_type="tel"
                        autocomplete="tel-national"
                        required=true
                        value=value("line_number", &line)
                        error=field_error(errors, "line_number")
                        hint=tr!(i18n, request.line_hint)
                        check=account_checks::line_number
                    />
                    <Choice
                        name="contact"
                        label=tr!(i18n, request.contact)
                        options=options(Contact::ALL, Contact::code, contact_label)
                        value=value("contact", "portal")
                        error=field_error(errors, "contact")
                        radios=true
                    />
                    <Choice
                        name="reported_on"
                        label=tr!(i18n, request.reported_on)
                        options=options(ReportedOn::ALL, ReportedOn::code, reported_label)
                        value=value("reported_on", "")
                        error=field_error(errors, "reported_on")
                        radios=true
                    />
                    <Field
                        name="public_handle"
                        label=tr!(i18n, request.public_handle)
                        value=value("public_handle", "")
                        error=field_error(errors, "public_handle")
                        hint=tr!(i18n, request.public_handle_hint)
                        check=checks::public_handle
                    />
                    <FilePicker limits error=errors />
                    <p class="hint">
                        {t!(i18n, request.privacy_note)} " "
                        <a href="/privacy" target="_blank">{t!(i18n, site.footer_privacy)}</a>
                    </p>
                    <Submit pending label=tr!(i18n, request.submit) />
                </UploadForm>
                }}
        </section>
    }
}
