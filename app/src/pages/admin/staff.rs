//! Staff accounts (admins): the pool's members with their open cases, a form to add an agent or admin
//! (who gets a set-password link by email), role changes, deactivation and reactivation.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::staff::{CreateStaff, SetStaffActive, SetStaffEditor, SetStaffRole, StaffRoster, Switch, staff_list};
use crate::components::form::{Field, FormAlert, Submit, failure, field_error};
use crate::components::localized;
use crate::domain::request::Role;
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal};
use crate::tr;

#[component]
pub fn StaffPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateStaff>::new();
    let role = ServerAction::<SetStaffRole>::new();
    let active = ServerAction::<SetStaffActive>::new();
    let editor = ServerAction::<SetStaffEditor>::new();
    let list = Resource::new(
        move || (create.version().get(), role.version().get(), active.version().get(), editor.version().get()),
        |_| staff_list(),
    );
    view! {
        <Title text=localized(move || t_string!(i18n, admin.staff)) />
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <Staff list create role active editor /> }.into_any(),
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Staff(
    list: StaffRoster,
    create: ServerAction<CreateStaff>,
    role: ServerAction<SetStaffRole>,
    active: ServerAction<SetStaffActive>,
    editor: ServerAction<SetStaffEditor>,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let errors = failure(create.value());
    let created = move || query.read().get("creato").is_some() || matches!(create.value().get(), Some(Ok(())));
    let role_errors = failure(role.value());
    let active_errors = failure(active.value());
    let StaffRoster { members, me } = list;
    let rows = members
        .into_iter()
        .map(|m| {
            let other = if m.role == Role::Admin { Role::Agent } else { Role::Admin };
            let id = m.id.to_string();
            let id2 = id.clone();
            let id3 = id.clone();
            view! {
                <tr class:inactive=!m.active>
                    <td>{m.display_name.clone()}</td>
                    <td>{m.email.clone()}</td>
                    <td>
                        {if m.role == Role::Admin { t!(i18n, admin.role_admin).into_any() } else { t!(i18n, admin.role_agent).into_any() }}
                        {(m.editor && m.role != Role::Admin).then(|| view! { " · " {t!(i18n, admin.editor)} })}
                    </td>
                    <td>{m.open_cases}</td>
                    <td>{if m.active { t!(i18n, admin.active).into_any() } else { t!(i18n, admin.inactive).into_any() }}</td>
                    <td class="row-actions">
                        {(m.id != me).then(|| view! {
                            <ActionForm action=role attr:class="inline-form">
                                <input type="hidden" name="user" value=id />
                                <input type="hidden" name="role" value=other.code() />
                                <button type="submit" class="link-button">
                                    {if other == Role::Admin { t!(i18n, admin.make_admin).into_any() } else { t!(i18n, admin.make_agent).into_any() }}
                                </button>
                            </ActionForm>
                            {if m.active {
                                // Asked twice (#21.2), without JavaScript too: what it does, then the button.
                                view! {
                                    <details class="confirm inline-form">
                                        <summary class="link-button">{t!(i18n, admin.deactivate)} "…"</summary>
                                        <p class="hint">{t!(i18n, admin.deactivate_confirm_text)}</p>
                                        <ActionForm action=active attr:class="inline-form">
                                            <input type="hidden" name="user" value=id2 />
                                            <input type="hidden" name="active" value=Switch::toggle(m.active).code() />
                                            <button type="submit" class="button secondary">{t!(i18n, admin.deactivate_confirm)}</button>
                                        </ActionForm>
                                    </details>
                                }
                                .into_any()
                            } else {
                                view! {
                                    <ActionForm action=active attr:class="inline-form">
                                        <input type="hidden" name="user" value=id2 />
                                        <input type="hidden" name="active" value=Switch::toggle(m.active).code() />
                                        <button type="submit" class="link-button">{t!(i18n, admin.reactivate)}</button>
                                    </ActionForm>
                                }
                                .into_any()
                            }}
                            {(m.role != Role::Admin).then(|| view! {
                                <ActionForm action=editor attr:class="inline-form">
                                    <input type="hidden" name="user" value=id3 />
                                    <input type="hidden" name="editor" value=Switch::toggle(m.editor).code() />
                                    <button type="submit" class="link-button">
                                        {if m.editor { t!(i18n, admin.revoke_editor).into_any() } else { t!(i18n, admin.make_editor).into_any() }}
                                    </button>
                                </ActionForm>
                            })}
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h1>{t!(i18n, admin.staff)}</h1>
            <FormAlert errors=role_errors />
            <FormAlert errors=active_errors />
            <div class="table-wrap" tabindex="0" role="region" aria-label=move || t_string!(i18n, admin.table)>
                <table class="cases">
                    <thead>
                        <tr>
                            <th>{t!(i18n, register.display_name)}</th>
                            <th>"Email"</th>
                            <th>{t!(i18n, admin.role)}</th>
                            <th>{t!(i18n, admin.open_cases)}</th>
                            <th>{t!(i18n, request.status)}</th>
                            <th></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
        <section class="card form-card">
            <h2>{t!(i18n, admin.add_staff)}</h2>
            <Show when=created>
                <p class="alert success" role="status">{t!(i18n, admin.staff_created)}</p>
            </Show>
            <ActionForm action=create attr:class="form" attr:novalidate=true>
                <FormAlert errors fields=&["email", "display_name", "role"] />
                <Field name="display_name" label=tr!(i18n, register.display_name) required=true error=field_error(errors, "display_name") />
                <Field name="email" label=tr!(i18n, register.email) input_type="email" required=true error=field_error(errors, "email") />
                <div class="field">
                    <label for="f-role">{t!(i18n, admin.role)}</label>
                    <select id="f-role" name="role">
                        <option value="agent">{t!(i18n, admin.role_agent)}</option>
                        <option value="admin">{t!(i18n, admin.role_admin)}</option>
                    </select>
                </div>
                <Submit pending=create.pending().into() label=tr!(i18n, admin.create_staff) />
            </ActionForm>
        </section>
    }
}
