//! The privacy guard of public texts (#16): personal data a fan should never post on the wall. A comment
//! holding one is refused ("write to us in private") instead of published. It looks for:
//! an Italian mobile number in any common formatting, an email address, a codice fiscale, an IBAN, a SIM
//! serial (ICCID) or a phone's IMEI. Ordinary sentences with numbers (prices, dates, gigabytes, the
//! customer-care number) pass.

use serde::{Deserialize, Serialize};

/// What kind of personal data a text holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PersonalData {
    MobileNumber,
    Email,
    TaxCode,
    Iban,
    SimSerial,
    Imei,
}

/// The first personal data found in `text`, if any.
pub fn personal_data(text: &str) -> Option<PersonalData> {
    if has_email(text) {
        return Some(PersonalData::Email);
    }
    let words: Vec<Vec<char>> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).chars().map(|c| c.to_ascii_uppercase()).collect())
        .filter(|w: &Vec<char>| !w.is_empty())
        .collect();
    // Written whole or in groups ("RSS MRA 85T10 A562S", "IT60 X054 2811 …"): every run of up to nine
    // consecutive words is a candidate. An IBAN in several words is printed in groups of four.
    let runs =
        (0..words.len()).flat_map(|start| (start + 1..=(start + 9).min(words.len())).map(move |end| (start, end)));
    let runs: Vec<(usize, usize)> = runs.collect();
    if runs.iter().any(|&(start, end)| is_tax_code(&words[start..end].concat())) {
        return Some(PersonalData::TaxCode);
    }
    let grouped = |start: usize, end: usize| words[start..end - 1].iter().all(|w| w.len() == 4);
    if runs.iter().any(|&(start, end)| grouped(start, end) && is_iban(&words[start..end].concat())) {
        return Some(PersonalData::Iban);
    }
    for run in digit_runs(text) {
        if let Some(found) = classify_digits(&run) {
            return Some(found);
        }
    }
    None
}

/// `local@domain.tld`, also written with spaces around the `@` or as "(at)"/"[at]".
fn has_email(text: &str) -> bool {
    let lower = text.to_lowercase().replace(" (at) ", "@").replace("(at)", "@").replace("[at]", "@");
    let lower = lower.replace(" @ ", "@").replace(" @", "@").replace("@ ", "@");
    lower.match_indices('@').any(|(at, _)| {
        let local = lower[..at].chars().rev().take_while(|c| c.is_alphanumeric() || "._%+-".contains(*c)).count();
        let domain: String = lower[at + 1..].chars().take_while(|c| c.is_alphanumeric() || ".-".contains(*c)).collect();
        let domain = domain.trim_end_matches('.');
        local > 0
            && domain.split('.').count() >= 2
            && domain.split('.').all(|part| !part.is_empty())
            && domain.rsplit('.').next().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(char::is_alphabetic))
    })
}

/// The codice fiscale's shape: 6 letters, 2 digits, a month letter, 2 digits, a letter, 3 digits, a check
/// letter. Digits may be replaced by letters for homonyms (rare: at most two here, so that words never pass).
fn is_tax_code(w: &[char]) -> bool {
    const MONTHS: &str = "ABCDEHLMPRST";
    const HOMONYM: &str = "LMNPQRSTUV";
    if w.len() != 16 || !w.iter().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let digit_places = [6, 7, 9, 10, 12, 13, 14];
    let digit = |c: char| c.is_ascii_digit() || HOMONYM.contains(c);
    w[..6].iter().all(|c| c.is_ascii_uppercase())
        && digit_places.iter().all(|&i| digit(w[i]))
        && digit_places.iter().filter(|&&i| w[i].is_ascii_digit()).count() >= 5
        && MONTHS.contains(w[8])
        && w[11].is_ascii_uppercase()
        && w[15].is_ascii_uppercase()
        && check_letter(&w[..15]) == w[15]
}

/// The codice fiscale's check letter.
fn check_letter(first: &[char]) -> char {
    const ODD: [u32; 26] =
        [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
    let value = |c: char| if c.is_ascii_digit() { c as u32 - '0' as u32 } else { c as u32 - 'A' as u32 };
    let sum: u32 =
        first.iter().enumerate().map(|(i, c)| if i % 2 == 0 { ODD[value(*c) as usize] } else { value(*c) }).sum();
    char::from(b'A' + (sum % 26) as u8)
}

/// An IBAN (any country, 15 to 34 characters) whose check digits are right.
fn is_iban(w: &[char]) -> bool {
    (15..=34).contains(&w.len())
        && w[..2].iter().all(|c| c.is_ascii_uppercase())
        && w[2..4].iter().all(|c| c.is_ascii_digit())
        && w.iter().all(|c| c.is_ascii_alphanumeric())
        && iban_checks(w)
}

fn iban_checks(iban: &[char]) -> bool {
    let rotated = iban[4..].iter().chain(&iban[..4]);
    let mut remainder: u64 = 0;
    for c in rotated {
        let value = match c.to_digit(36) {
            Some(v) => v as u64,
            None => return false,
        };
        remainder = if value < 10 { (remainder * 10 + value) % 97 } else { (remainder * 100 + value) % 97 };
    }
    remainder == 1
}

/// Runs of digits as a person writes a number: digits joined by spaces, dots, dashes, slashes or
/// brackets, with a leading `+` kept.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    let mut gap = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            current.push(c);
            gap = 0;
        } else if c == '+' && current.is_empty() {
            current.push(c);
        } else if !current.is_empty() && " .-/()\u{a0}".contains(c) && gap < 2 {
            gap += 1;
        } else {
            if current.chars().any(|c| c.is_ascii_digit()) {
                runs.push(std::mem::take(&mut current));
            }
            current.clear();
            gap = 0;
            if c == '+' {
                current.push(c);
            }
        }
    }
    if current.chars().any(|c| c.is_ascii_digit()) {
        runs.push(current);
    }
    runs
}

fn classify_digits(run: &str) -> Option<PersonalData> {
    let digits: String = run.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(d) = digits.strip_prefix("0039") {
        d
    } else if run.starts_with('+') {
        digits.strip_prefix("39")?
    } else if digits.len() == 12 && digits.starts_with("39") && digits[2..].starts_with('3') {
        &digits[2..]
    } else {
        &digits
    };
    // Italian mobile numbers: 3xx and 9 or 10 digits in all.
    if national.starts_with('3') && (9..=10).contains(&national.len()) {
        return Some(PersonalData::MobileNumber);
    }
    if digits.len() == 15 && luhn(&digits) {
        return Some(PersonalData::Imei);
    }
    // SIM serials: 19 or 20 digits starting with 89 (the telecom industry).
    if digits.starts_with("89") && (18..=20).contains(&digits.len()) {
        return Some(PersonalData::SimSerial);
    }
    None
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn each_kind_is_found() {
        assert_eq!(personal_data("scrivetemi a mario.rossi@example.it grazie"), Some(PersonalData::Email));
        assert_eq!(personal_data("mario (at) example.it"), Some(PersonalData::Email));
        assert_eq!(personal_data("il mio CF è RSSMRA85T10A562S"), Some(PersonalData::TaxCode));
        assert_eq!(personal_data("cf rssmra 85t10 a562s"), Some(PersonalData::TaxCode));
        assert_eq!(personal_data("IBAN IT60 X054 2811 1010 0000 0123 456"), Some(PersonalData::Iban));
        assert_eq!(personal_data("chiamatemi al 333 123 4567"), Some(PersonalData::MobileNumber));
        assert_eq!(personal_data("+39 347-123-45-67"), Some(PersonalData::MobileNumber));
        assert_eq!(personal_data("IMEI 490154203237518"), Some(PersonalData::Imei));
        assert_eq!(personal_data("SIM 8939104520000123456"), Some(PersonalData::SimSerial));
    }

    #[test]
    fn ordinary_sentences_pass() {
        for ok in [
            "Ho pagato 20 euro il 3 marzo 2024 ma la ricarica non è arrivata.",
            "L'offerta da 50 GB a 9,99 € al mese, dal 12/03/2024.",
            "Ho chiamato il 133 e poi il 190, nessuna risposta dalle 9 alle 18.",
            "Il router TIM-12345 si riavvia ogni 30 minuti, versione 2.4.1.",
            "Grazie mille! Servizio 10 e lode.",
            "Scrivete a supporto@ (ma non so l'indirizzo)",
            "Codice promo ESTATE2024 non valido",
            "Pagato 1.234,56 euro in 12 rate",
        ] {
            assert_eq!(personal_data(ok), None, "{ok}");
        }
    }

    /// An Italian mobile number, written the ways people write them.
    fn mobile() -> impl Strategy<Value = String> {
        let number = (
            prop::sample::select(vec![
                "320", "324", "328", "333", "338", "340", "347", "351", "366", "380", "389", "393",
            ]),
            1_000_000u32..10_000_000,
        );
        let prefix = prop::sample::select(vec!["", "+39", "+39 ", "0039", "0039 ", "(+39) "]);
        let style = 0usize..6;
        (number, prefix, style).prop_map(|((op, rest), prefix, style)| {
            let rest = format!("{rest:07}");
            let body = match style {
                0 => format!("{op}{rest}"),
                1 => format!("{op} {rest}"),
                2 => format!("{op} {} {}", &rest[..3], &rest[3..]),
                3 => format!("{op}-{}-{}", &rest[..3], &rest[3..]),
                4 => format!("{op}.{}.{}", &rest[..3], &rest[3..]),
                _ => format!("{op}/{rest}"),
            };
            format!("{prefix}{body}")
        })
    }

    /// An IBAN with the right check digits, grouped by four or not.
    fn iban() -> impl Strategy<Value = String> {
        ("[A-Z]", "[0-9]{10}", "[0-9A-Z]{12}", any::<bool>()).prop_map(|(cin, bank, account, grouped)| {
            let bban = format!("{cin}{bank}{account}");
            let check = 98 - iban_remainder(&format!("{bban}IT00"));
            let iban = format!("IT{check:02}{bban}");
            if grouped {
                iban.chars()
                    .collect::<Vec<_>>()
                    .chunks(4)
                    .map(|c| c.iter().collect::<String>())
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                iban
            }
        })
    }

    fn iban_remainder(s: &str) -> u64 {
        s.chars().fold(0, |r, c| {
            let v = c.to_digit(36).unwrap() as u64;
            if v < 10 { (r * 10 + v) % 97 } else { (r * 100 + v) % 97 }
        })
    }

    /// A codice fiscale with its right check letter, in either case.
    fn tax_code() -> impl Strategy<Value = String> {
        ("[A-Z]{6}", "[0-9]{2}", "[ABCDEHLMPRST]", "[0-7][0-9]", "[A-Z]", "[0-9]{3}", any::<bool>()).prop_map(
            |(name, year, month, day, town, code, lower)| {
                let first: Vec<char> = format!("{name}{year}{month}{day}{town}{code}").chars().collect();
                let cf: String = first.iter().chain([check_letter(&first)].iter()).collect();
                if lower { cf.to_lowercase() } else { cf }
            },
        )
    }

    fn email() -> impl Strategy<Value = String> {
        ("[a-z][a-z0-9._]{0,12}[a-z0-9]", "[a-z]{2,10}", prop::sample::select(vec!["it", "com", "eu", "net"]))
            .prop_map(|(user, host, tld)| format!("{user}@{host}.{tld}"))
    }

    proptest! {
        #[test]
        fn no_common_formatting_of_personal_data_gets_through(
            before in "[A-Za-zàè ,.!]{0,30}",
            after in "[A-Za-zàè ,.!]{0,30}",
            (data, kind) in prop_oneof![
                mobile().prop_map(|m| (m, PersonalData::MobileNumber)),
                iban().prop_map(|i| (i, PersonalData::Iban)),
                tax_code().prop_map(|c| (c, PersonalData::TaxCode)),
                email().prop_map(|e| (e, PersonalData::Email)),
            ],
        ) {
            let text = format!("{before} {data} {after}");
            prop_assert_eq!(personal_data(&text), Some(kind), "{}", text);
        }

        #[test]
        fn sentences_with_small_numbers_pass(
            words in prop::collection::vec("[a-zàè]{2,10}", 1..12),
            numbers in prop::collection::vec(0u32..100_000, 0..4),
        ) {
            let mut text = words.join(" ");
            for n in &numbers {
                text.push_str(&format!(" {n} euro"));
            }
            prop_assert_eq!(personal_data(&text), None, "{}", text);
        }
    }
}
