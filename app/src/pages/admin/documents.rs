//! The privacy notice and the rules (admins, #18): publish a new version in both languages; every
//! customer accepts it at their next login.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::privacy::{PublishDocument, admin_documents};
use crate::components::form::{FormAlert, TextArea, failure, field_error};
use crate::components::time::Time;
use crate::components::{fill, localized};
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal};
use crate::tr;

#[component]
pub fn DocumentsAdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let publish = ServerAction::<PublishDocument>::new();
    let docs = Resource::new(move || publish.version().get(), |_| admin_documents());
    let published = move || match publish.value().get() {
        Some(Ok(version)) => Some(version.to_string()),
        _ => query.read().get("pubblicato").filter(|v| v.parse::<i64>().is_ok()),
    };
    view! {
        <Title text=localized(move || t_string!(i18n, admin.documents_title)) />
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                match docs.await {
                    Ok(docs) => {
                        let forms = ["privacy", "rules"].into_iter().map(|kind| {
                            let current = docs.iter().find(|d| d.kind == kind).cloned();
                            view! { <DocumentEditor kind current publish /> }
                        }).collect_view();
                        view! {
                            <section class="card">
                                <h1>{t!(i18n, admin.documents_title)}</h1>
                                <p>{t!(i18n, admin.documents_intro)}</p>
                                {move || published().map(|v| view! {
                                    <p class="alert success" role="status">
                                        {fill(t_string!(i18n, admin.documents_published), &[("version", v.as_str())])}
                                    </p>
                                })}
                            </section>
                            {forms}
                        }.into_any()
                    }
                    Err(error) => view! { <StaffRefusal error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DocumentEditor(
    kind: &'static str,
    current: Option<crate::views::Document>,
    publish: ServerAction<PublishDocument>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Each form's errors are its own: the other form's last answer is not about it.
    let errors = Signal::derive(move || {
        let mine = publish.input().get().map(|i| i.form.kind == kind).unwrap_or(true);
        if mine { failure(publish.value()).get() } else { None }
    });
    let heading = if kind == "privacy" { tr!(i18n, admin.documents_privacy) } else { tr!(i18n, admin.documents_rules) };
    let next = current.as_ref().map(|d| d.version + 1).unwrap_or(2).to_string();
    let state = current.as_ref().map(|d| (d.version.to_string(), d.published_at));
    let (body_it, body_en) = current.map(|d| (d.body_it, d.body_en)).unwrap_or_default();
    let it_id = format!("f-{kind}-it");
    let en_id = format!("f-{kind}-en");
    view! {
        <section class="card form-card" id=format!("doc-{kind}")>
            <h2>{move || heading.get()}</h2>
            <p class="muted">
                {match state {
                    Some((version, at)) => view! {
                        {move || fill(t_string!(i18n, admin.documents_current), &[("version", version.as_str())])}
                        " · " <Time ms=at />
                    }.into_any(),
                    None => view! { {t!(i18n, admin.documents_builtin)} }.into_any(),
                }}
            </p>
            <ActionForm action=publish attr:class="form" attr:novalidate=true>
                <FormAlert errors fields=&["body_it", "body_en"] />
                <input type="hidden" name="kind" value=kind />
                <TextArea
                    name="body_it"
                    id=it_id
                    label=tr!(i18n, admin.documents_body_it)
                    required=true
                    rows=10
                    maxlength=20000
                    value=body_it
                    error=field_error(errors, "body_it")
                />
                <TextArea
                    name="body_en"
                    id=en_id
                    label=tr!(i18n, admin.documents_body_en)
                    required=true
                    rows=10
                    maxlength=20000
                    value=body_en
                    error=field_error(errors, "body_en")
                />
                <button type="submit" class="button primary" disabled=move || publish.pending().get()>
                    {move || fill(t_string!(i18n, admin.documents_publish), &[("version", next.as_str())])}
                </button>
            </ActionForm>
        </section>
    }
}
