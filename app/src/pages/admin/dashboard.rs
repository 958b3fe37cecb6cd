//! The dashboard (admins): counts by state, requests received per day as an SVG chart drawn on the
//! server, time to take in charge and to outcome (p50 / p95, 7 and 30 days), the oldest waiting request,
//! satisfaction, open cases per agent. Plain HTML and SVG: it needs no JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::staff::{DashboardView, Percentiles, dashboard};
use crate::components::localized;
use crate::components::time::{Time, format_date};
use crate::i18n::*;
use crate::pages::admin::{StaffNav, StaffRefusal, format_age, waiting_for};
use crate::pages::requests::count_label;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| dashboard());
    view! {
        <Title text=localized(move || t_string!(i18n, admin.dashboard)) />
        <StaffNav />
        <Transition>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Dashboard view /> }.into_any(),
                    Err(e) => view! { <StaffRefusal error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Dashboard(view: DashboardView) -> impl IntoView {
    let i18n = use_i18n();
    let counts = view
        .counts
        .iter()
        .map(|(s, n)| {
            let (s, n) = (*s, *n);
            view! {
                <li class=format!("count status-{}", s.code())>
                    <span class="count-n">{n}</span>
                    <span class="count-label">{move || count_label(i18n.get_locale(), s, n)}</span>
                </li>
            }
        })
        .collect_view();
    let total: i64 = view.per_day.iter().map(|(_, n)| n).sum();
    let per_agent = view
        .open_per_agent
        .iter()
        .map(|(name, n)| view! { <tr><td>{name.clone()}</td><td>{*n}</td></tr> })
        .collect_view();
    let now = view.now;
    view! {
        <section class="card">
            <h1>{t!(i18n, admin.dashboard)}</h1>
            <ul class="counts">{counts}</ul>
        </section>
        <section class="card">
            <h2>{t!(i18n, admin.per_day)} " (" {total} ")"</h2>
            <Chart days=view.per_day.clone() />
        </section>
        <section class="card">
            <h2>{t!(i18n, admin.fairness)}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label=move || t_string!(i18n, admin.table)><table class="cases stats">
                <thead>
                    <tr>
                        <th></th>
                        <th>{t!(i18n, admin.median)} " · 7 " {t!(i18n, admin.days)}</th>
                        <th>{t!(i18n, admin.p95)} " · 7 " {t!(i18n, admin.days)}</th>
                        <th>{t!(i18n, admin.median)} " · 30 " {t!(i18n, admin.days)}</th>
                        <th>{t!(i18n, admin.p95)} " · 30 " {t!(i18n, admin.days)}</th>
                    </tr>
                </thead>
                <tbody>
                    <StatRow label=t_string!(i18n, admin.time_to_take) short=view.take_7 long=view.take_30 />
                    <StatRow label=t_string!(i18n, admin.time_to_outcome) short=view.outcome_7 long=view.outcome_30 />
                </tbody>
            </table></div>
            <p>
                <strong>{t!(i18n, admin.oldest_waiting)} ": "</strong>
                {match view.oldest_waiting {
                    Some(at) => view! { <Time ms=at /> " (" {move || waiting_for(now - at, i18n.get_locale())} ")" }.into_any(),
                    None => t!(i18n, admin.nobody_waiting).into_any(),
                }}
            </p>
        </section>
        <section class="card">
            <h2>{t!(i18n, admin.satisfaction)}</h2>
            <p class="big-number">
                {move || match view.rating_average {
                    // "4,0 su 5" in Italian, "4.0 out of 5" in English (#21.9).
                    Some(avg) => {
                        let n = format!("{avg:.1}");
                        let n = if i18n.get_locale() == Locale::it { n.replace('.', ",") } else { n };
                        crate::components::fill(t_string!(i18n, admin.out_of_five), &[("n", &n)])
                    }
                    None => "—".to_string(),
                }}
            </p>
            <p class="muted">{t!(i18n, admin.ratings)} ": " {view.rating_count}</p>
        </section>
        <section class="card">
            <h2>{t!(i18n, admin.open_per_agent)}</h2>
            <table class="cases"><tbody>{per_agent}</tbody></table>
        </section>
        <Incidents incidents=view.incidents now />
    }
}

/// Incidents of the last 30 days (#17): how many reported, how many never queued, how long it lasted and
/// how long after the first report the page knew.
#[component]
fn Incidents(incidents: Vec<crate::views::IncidentStat>, now: i64) -> impl IntoView {
    let i18n = use_i18n();
    if incidents.is_empty() {
        return ().into_any();
    }
    let age = move |ms: i64| format_age(ms.max(0), i18n.get_locale());
    let rows = incidents
        .into_iter()
        .map(|i| {
            let duration = i.resolved_at.unwrap_or(now) - i.started_at;
            // Known before anyone reported: nothing to measure.
            let known_after = i.first_report.filter(|first| *first < i.opened_at).map(|first| i.opened_at - first);
            view! {
                <tr>
                    <td><a href=format!("/stato/{}", i.id)>{i.title}</a></td>
                    <td>{i.affected}</td>
                    <td>{i.spared}</td>
                    <td>{move || age(duration)}{i.resolved_at.is_none().then(|| view! { " (" {t!(i18n, admin.incident_ongoing)} ")" })}</td>
                    <td>{move || known_after.map(age).unwrap_or_else(|| "—".into())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{t!(i18n, admin.incidents_title)}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label=move || t_string!(i18n, admin.table)><table class="cases stats">
                <thead>
                    <tr>
                        <th>{t!(i18n, admin.incident_col)}</th>
                        <th>{t!(i18n, admin.incident_affected)}</th>
                        <th>{t!(i18n, admin.incident_spared)}</th>
                        <th>{t!(i18n, admin.incident_duration)}</th>
                        <th>{t!(i18n, admin.incident_known_after)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table></div>
            <p class="muted">{t!(i18n, admin.incident_stats_hint)}</p>
        </section>
    }
    .into_any()
}

#[component]
fn StatRow(label: &'static str, short: Percentiles, long: Percentiles) -> impl IntoView {
    let i18n = use_i18n();
    let show = move |v: Option<i64>| v.map(|ms| format_age(ms, i18n.get_locale())).unwrap_or_else(|| "—".into());
    view! {
        <tr>
            <th>{label}</th>
            <td>{move || show(short.p50)}</td>
            <td>{move || show(short.p95)}</td>
            <td>{move || show(long.p50)}</td>
            <td>{move || show(long.p95)}</td>
        </tr>
    }
}

/// Bars for the last 30 days, drawn as SVG on the server.
#[component]
fn Chart(days: Vec<(i64, i64)>) -> impl IntoView {
    let i18n = use_i18n();
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (w, h, gap) = (20.0_f64, 120.0_f64, 4.0_f64);
    let width = days.len() as f64 * (w + gap);
    let first = days.first().map(|(d, _)| *d).unwrap_or(0);
    let last = days.last().map(|(d, _)| *d).unwrap_or(0);
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, (day, n))| {
            let bh = (*n as f64 / max as f64) * (h - 20.0);
            let x = i as f64 * (w + gap);
            let y = h - bh;
            let (day, n) = (*day, *n);
            view! {
                <g>
                    <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{w:.1}") height=format!("{bh:.1}") rx="3" class="bar">
                        <title>{move || format!("{}: {n}", format_date(day, i18n.get_locale()))}</title>
                    </rect>
                    {(n > 0).then(|| view! {
                        <text x=format!("{:.1}", x + w / 2.0) y=format!("{:.1}", y - 4.0) text-anchor="middle" class="bar-label">{n}</text>
                    })}
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {width:.0} {h:.0}") role="img" aria-label=move || t_string!(i18n, admin.per_day) preserveAspectRatio="none">
                {bars}
            </svg>
            <figcaption class="muted">
                {move || format_date(first, i18n.get_locale())} " – " {move || format_date(last, i18n.get_locale())}
            </figcaption>
        </figure>
    }
}
