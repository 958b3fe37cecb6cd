//! The customer's assistance pages: request assistance, my requests, one request.
pub mod detail;
pub mod list;
pub mod new;

use leptos::prelude::*;
use leptos_i18n::td_string;

use crate::domain::request::{Category, Contact, Outcome, ReportedOn, Status};
use crate::i18n::*;

pub fn category_label(locale: Locale, c: Category) -> &'static str {
    match c {
        Category::Billing => td_string!(locale, request.cat_billing),
        Category::Coverage => td_string!(locale, request.cat_coverage),
        Category::MobileInternet => td_string!(locale, request.cat_internet),
        Category::Offers => td_string!(locale, request.cat_offers),
        Category::Portability => td_string!(locale, request.cat_portability),
        Category::Device => td_string!(locale, request.cat_device),
        Category::Other => td_string!(locale, request.cat_other),
    }
}

pub fn contact_label(locale: Locale, c: Contact) -> &'static str {
    match c {
        Contact::Portal => td_string!(locale, request.contact_portal),
        Contact::Phone => td_string!(locale, request.contact_phone),
        Contact::Email => td_string!(locale, request.contact_email),
    }
}

pub fn reported_label(locale: Locale, r: ReportedOn) -> &'static str {
    match r {
        ReportedOn::Facebook => td_string!(locale, request.rep_facebook),
        ReportedOn::Twitter => td_string!(locale, request.rep_twitter),
        ReportedOn::Other => td_string!(locale, request.rep_other),
        ReportedOn::Nowhere => td_string!(locale, request.rep_none),
    }
}

/// The status as customers read it (with the outcome once there is one).
pub fn status_label(locale: Locale, s: Status, outcome: Option<Outcome>) -> &'static str {
    match s {
        Status::Received => td_string!(locale, request.status_received),
        Status::InCharge => td_string!(locale, request.status_in_charge),
        Status::AwaitingCustomer => td_string!(locale, request.status_awaiting_customer),
        Status::Resolved => match outcome {
            Some(o) => outcome_label(locale, o),
            None => td_string!(locale, request.status_resolved),
        },
        Status::Closed => td_string!(locale, request.status_closed),
    }
}

/// The status as the care team reads it (#21.3): the customer's words where they speak to the customer
/// ("waiting for *your* reply") are said from the agent's side.
pub fn staff_status_label(locale: Locale, s: Status, outcome: Option<Outcome>) -> &'static str {
    match (s, outcome) {
        (Status::AwaitingCustomer, _) => td_string!(locale, admin.st_awaiting_customer),
        (Status::Resolved, None) => td_string!(locale, admin.st_resolved),
        _ => status_label(locale, s, outcome),
    }
}

/// Under a count of requests: "6 ricevute", "1 ricevuta" (#21.9).
pub fn count_label(locale: Locale, s: Status, n: i64) -> &'static str {
    if n == 1 {
        return staff_status_label(locale, s, None);
    }
    match s {
        Status::Received => td_string!(locale, admin.count_received),
        Status::InCharge => td_string!(locale, admin.count_in_charge),
        Status::AwaitingCustomer => td_string!(locale, admin.count_awaiting),
        Status::Resolved => td_string!(locale, admin.count_resolved),
        Status::Closed => td_string!(locale, admin.count_closed),
    }
}

pub fn outcome_label(locale: Locale, o: Outcome) -> &'static str {
    match o {
        Outcome::Solved => td_string!(locale, request.outcome_solved),
        Outcome::NotSolvable => td_string!(locale, request.outcome_not_solvable),
        Outcome::Redirected => td_string!(locale, request.outcome_redirected),
    }
}

/// A coloured badge with the status in words.
#[component]
pub fn StatusBadge(
    status: Status,
    outcome: Option<Outcome>,
    /// In the staff's words ([`staff_status_label`]).
    #[prop(optional)]
    staff: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    // "Risolta" is green; an outcome that is not a solution is not a success, and says so in a neutral
    // colour (#21.7).
    let class = match (status, outcome) {
        (Status::Resolved | Status::Closed, Some(Outcome::NotSolvable | Outcome::Redirected)) => {
            "badge status-neutral".to_string()
        }
        _ => format!("badge status-{}", status.code()),
    };
    let label = move || {
        let locale = i18n.get_locale();
        if staff { staff_status_label(locale, status, outcome) } else { status_label(locale, status, outcome) }
    };
    view! { <span class=class>{label}</span> }
}
