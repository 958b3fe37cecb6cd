//! Dates as people in Italy read them: Italian time (CET/CEST), formatted the same way on the server and
//! in the browser so that hydration finds the same text.

use leptos::prelude::*;

use crate::i18n::*;

/// Days since 1970-01-01 → (year, month 1-12, day 1-31). Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// (year, month, day) → days since 1970-01-01.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day (since the epoch) of the last Sunday of a month.
fn last_sunday(year: i64, month: u32) -> i64 {
    let last =
        days_from_civil(if month == 12 { year + 1 } else { year }, if month == 12 { 1 } else { month + 1 }, 1) - 1;
    // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
    last - (last + 4).rem_euclid(7)
}

/// Italian local time for a UTC instant in milliseconds: summer time from the last Sunday of March to the
/// last Sunday of October, both at 01:00 UTC (EU rule).
fn italian_offset_minutes(ms: i64) -> i64 {
    let (year, _, _) = civil_from_days(ms.div_euclid(86_400_000));
    let start = last_sunday(year, 3) * 86_400_000 + 3_600_000;
    let end = last_sunday(year, 10) * 86_400_000 + 3_600_000;
    if (start..end).contains(&ms) { 120 } else { 60 }
}

/// `28/11/2026 18:05` in Italian, `28 Nov 2026, 18:05` in English (Italian time).
pub fn format_time(ms: i64, locale: Locale) -> String {
    let local = ms + italian_offset_minutes(ms) * 60_000;
    let (y, m, d) = civil_from_days(local.div_euclid(86_400_000));
    let minutes = local.rem_euclid(86_400_000) / 60_000;
    let (hh, mm) = (minutes / 60, minutes % 60);
    match locale {
        Locale::it => format!("{d:02}/{m:02}/{y} {hh:02}:{mm:02}"),
        Locale::en => {
            const MONTHS: [&str; 12] =
                ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
            format!("{d} {} {y}, {hh:02}:{mm:02}", MONTHS[(m - 1) as usize])
        }
    }
}

/// The date only, `28/11/2026` or `28 Nov 2026`.
pub fn format_date(ms: i64, locale: Locale) -> String {
    let full = format_time(ms, locale);
    match locale {
        Locale::it => full.split(' ').next().unwrap_or_default().to_string(),
        Locale::en => full.split(',').next().unwrap_or_default().to_string(),
    }
}

/// A `<time>` element: machine-readable instant, human text in the page's language.
#[component]
pub fn Time(ms: i64) -> impl IntoView {
    let i18n = use_i18n();
    let iso = {
        let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
        let secs = ms.rem_euclid(86_400_000) / 1000;
        format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs / 60 % 60, secs % 60)
    };
    view! { <time datetime=iso>{move || format_time(ms, i18n.get_locale())}</time> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winter_and_summer_time_in_italy() {
        // 2026-11-28 17:05 UTC → 18:05 in Rome (CET).
        assert_eq!(format_time(1_795_885_500_000, Locale::it), "28/11/2026 18:05");
        assert_eq!(format_time(1_795_885_500_000, Locale::en), "28 Nov 2026, 18:05");
        // 2026-07-01 10:00 UTC → 12:00 (CEST).
        assert_eq!(format_time(1_782_900_000_000, Locale::it), "01/07/2026 12:00");
        // Summer time starts 2026-03-29 at 01:00 UTC.
        assert_eq!(format_time(1_774_745_940_000, Locale::it), "29/03/2026 01:59");
        assert_eq!(format_time(1_774_746_000_000, Locale::it), "29/03/2026 03:00");
        assert_eq!(format_date(1_795_885_500_000, Locale::en), "28 Nov 2026");
    }

    #[test]
    fn days_round_trip() {
        for days in [-1000, 0, 365, 19_000, 20_420, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
