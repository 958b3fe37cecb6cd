//! Property tests of every parser users can reach: whatever comes in, a parser answers (never panics),
//! what it accepts respects its bounds, and parsing what it produced gives the same value back.

use proptest::prelude::*;

use super::account::{DisplayName, Email, LineNumber, Password};
use super::request::*;

/// Any text, including control characters, invisible characters and long runs.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,300}",
        "[\\x00-\\x1f\\u{200B}-\\u{200F}\\u{202A}-\\u{202E} a-zA-Z0-9@.+_-]{0,80}",
        proptest::collection::vec(any::<char>(), 0..5000).prop_map(|v| v.into_iter().collect()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn emails_are_normalised_bounded_and_stable(raw in any_text()) {
        if let Ok(e) = Email::parse(&raw) {
            prop_assert!(e.as_ref().len() <= Email::MAX_LEN);
            prop_assert!(!e.as_ref().chars().any(char::is_whitespace));
            prop_assert_eq!(Email::parse(e.as_ref()).unwrap(), e.clone());
        }
    }

    #[test]
    fn names_are_bounded_visible_and_stable(raw in any_text()) {
        if let Ok(n) = DisplayName::parse(&raw) {
            prop_assert!(n.as_ref().chars().count() <= DisplayName::MAX_CHARS);
            prop_assert!(!n.as_ref().chars().any(char::is_control));
            prop_assert_eq!(DisplayName::parse(n.as_ref()).unwrap(), n.clone());
        }
    }

    #[test]
    fn passwords_are_bounded(raw in any_text()) {
        let n = raw.chars().count();
        prop_assert_eq!(Password::parse(&raw).is_ok(), (Password::MIN_CHARS..=Password::MAX_CHARS).contains(&n));
    }

    #[test]
    fn line_numbers_are_italian_mobiles_and_stable(raw in any_text(), digits in "3[0-9]{8,9}") {
        if let Ok(l) = LineNumber::parse(&raw) {
            prop_assert!(l.as_ref().starts_with("+393"));
            prop_assert_eq!(LineNumber::parse(l.as_ref()).unwrap(), l.clone());
            prop_assert!(l.masked().starts_with("*** *** *"));
        }
        let spaced = format!("{} {}", &digits[..3], &digits[3..]);
        let parsed = LineNumber::parse(&spaced).unwrap();
        prop_assert_eq!(parsed.as_ref(), format!("+39{digits}"));
    }

    #[test]
    fn request_texts_are_bounded_and_stable(raw in any_text()) {
        if let Ok(s) = Subject::parse(&raw) {
            let n = s.as_ref().chars().count();
            prop_assert!((Subject::MIN_CHARS..=Subject::MAX_CHARS).contains(&n));
            prop_assert!(!s.as_ref().contains('\n'));
            prop_assert_eq!(Subject::parse(s.as_ref()).unwrap(), s.clone());
        }
        if let Ok(d) = Description::parse(&raw) {
            let n = d.as_ref().chars().count();
            prop_assert!((Description::MIN_CHARS..=Description::MAX_CHARS).contains(&n));
            prop_assert!(!d.as_ref().chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            prop_assert_eq!(Description::parse(d.as_ref()).unwrap(), d.clone());
        }
        if let Ok(m) = MessageText::parse(&raw) {
            prop_assert!(m.as_ref().chars().count() <= MessageText::MAX_CHARS);
        }
        if let Ok(h) = PublicHandle::parse(&raw) {
            prop_assert!(h.as_ref().chars().count() <= PublicHandle::MAX_CHARS);
            prop_assert!(!h.as_ref().chars().any(char::is_control));
            prop_assert!(!h.as_ref().contains("  ") && h.as_ref().trim() == h.as_ref(), "spacing folded");
            prop_assert_eq!(PublicHandle::parse(h.as_ref()).unwrap(), h.clone());
        }
        if let Ok(Some(c)) = rating_comment(&raw) {
            prop_assert!(c.chars().count() <= 1000);
        }
    }

    #[test]
    fn codes_ratings_and_references_accept_only_their_sets(raw in any_text(), id in 1i64..1_000_000_000_000) {
        if let Ok(c) = choice("category", &raw, Category::from_code) {
            prop_assert_eq!(c.code(), raw.trim());
        }
        if let Ok(r) = Rating::parse(&raw) {
            prop_assert!((1..=5).contains(&r.value()));
        }
        if let Some(n) = parse_reference(&raw) {
            prop_assert!(n > 0);
        }
        prop_assert_eq!(parse_reference(&reference(id)), Some(id));
    }
}
