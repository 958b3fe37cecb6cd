//! Account values: email, display name, password, Italian mobile line number.
//!
//! A refused value comes back as a [`FieldError`]: the field and a rule code that the page translates
//! (`register.errors.<code>` in the locale files), so the browser and the server say the same thing.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// Why a value was refused: `code` names the broken rule, e.g. `email_invalid`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Cow<'static, str>,
    pub code: Cow<'static, str>,
}

impl FieldError {
    pub const fn new(field: &'static str, code: &'static str) -> Self {
        Self { field: Cow::Borrowed(field), code: Cow::Borrowed(code) }
    }
}

/// An email address, trimmed and lower-cased (the stored, normalised form).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    /// A new address (#14: look-alikes). Compatibility forms fold to their plain letters (NFKC on the
    /// server; in the browser, which only hints, the full-width forms), the domain is stored in its ASCII
    /// form (IDNA), and the part before the @ must be plain Latin: `аlice@…` with a Cyrillic а would look
    /// like alice to the care pool. Addresses that passed the older rules still log in (`for_lookup`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let folded = fold_compatibility(raw.trim());
        let Self(s) = Self::parse_legacy(&folded)?;
        let (local, domain) = s.rsplit_once('@').ok_or(FieldError::new("email", "email_invalid"))?;
        if !local.is_ascii() {
            return Err(FieldError::new("email", "email_not_latin"));
        }
        let domain = ascii_domain(domain).ok_or(FieldError::new("email", "email_invalid"))?;
        Self::parse_legacy(&format!("{local}@{domain}"))
    }

    /// The account an address names when someone logs in or asks for a reset: the rules of `parse`, or
    /// for an address registered before them, the older ones.
    pub fn for_lookup(raw: &str) -> Result<Self, FieldError> {
        Self::parse(raw).or_else(|e| Self::parse_legacy(raw).map_err(|_| e))
    }

    /// The rules before #14: any letters, as typed, lower-cased.
    fn parse_legacy(raw: &str) -> Result<Self, FieldError> {
        let err = FieldError::new("email", "email_invalid");
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(FieldError::new("email", "required"));
        }
        if s.len() > Self::MAX_LEN || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(err.clone())?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.contains('@')
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.chars().count() >= 2);
        if local_ok && domain_ok { Ok(Self(s)) } else { Err(err) }
    }
}

/// Unicode compatibility forms folded to their plain characters: NFKC on the server; the browser folds
/// only the full-width forms (the normalisation tables would weigh on every page's WASM).
fn fold_compatibility(s: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        use unicode_normalization::UnicodeNormalization;
        s.nfkc().collect()
    }
    #[cfg(not(feature = "ssr"))]
    {
        s.chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                '\u{3000}' => ' ',
                c => c,
            })
            .collect()
    }
}

/// The domain as DNS knows it: international names in their `xn--` form (IDNA, UTS #46) on the server.
/// The browser, which only hints, takes them as they are.
fn ascii_domain(domain: &str) -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        idna::domain_to_ascii(domain).ok().filter(|d| !d.is_empty())
    }
    #[cfg(not(feature = "ssr"))]
    {
        Some(domain.to_string())
    }
}

/// The name shown to the care pool and in greetings: 1 to 60 visible characters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 60;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        // Inner runs of white space fold to one space.
        let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() {
            return Err(FieldError::new("display_name", "required"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new("display_name", "name_too_long"));
        }
        if s.chars().any(|c| c.is_control() || is_invisible(c)) {
            return Err(FieldError::new("display_name", "name_invalid"));
        }
        Ok(Self(s))
    }
}

/// Zero-width and direction-override characters: they make names that look like other names.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}')
}

/// A password as typed: 10 to 128 characters. Never serialised, never printed.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 10;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let n = raw.chars().count();
        if n == 0 {
            return Err(FieldError::new("password", "required"));
        }
        if n < Self::MIN_CHARS {
            return Err(FieldError::new("password", "password_too_short"));
        }
        if n > Self::MAX_CHARS {
            return Err(FieldError::new("password", "password_too_long"));
        }
        Ok(Self(raw.to_string()))
    }

    /// The rules that need the other fields: not the email address itself.
    pub fn check_against(&self, email: &Email) -> Result<(), FieldError> {
        if self.0.trim().to_lowercase() == email.as_ref() {
            return Err(FieldError::new("password", "password_is_email"));
        }
        Ok(())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// An Italian mobile number, stored as `+39` followed by its 9 or 10 digits (they start with 3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LineNumber(String);

impl LineNumber {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let err = FieldError::new("line_number", "line_invalid");
        let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '/' | '(' | ')')).collect();
        if compact.is_empty() {
            return Err(FieldError::new("line_number", "required"));
        }
        let national = compact.strip_prefix("+39").or_else(|| compact.strip_prefix("0039")).unwrap_or(&compact);
        let ok = (9..=10).contains(&national.len())
            && national.starts_with('3')
            && national.chars().all(|c| c.is_ascii_digit());
        if ok { Ok(Self(format!("+39{national}"))) } else { Err(err) }
    }

    /// Parses an optional field: empty means no number.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, FieldError> {
        if raw.trim().is_empty() { Ok(None) } else { Self::parse(raw).map(Some) }
    }

    /// The number with all but its last three digits hidden, e.g. `*** *** *123`.
    pub fn masked(&self) -> String {
        let tail: String = self.0.chars().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect();
        format!("*** *** *{tail}")
    }
}

/// The field checks the browser runs as the user types (the server runs the same parsers again).
pub mod checks {
    use super::*;

    pub fn display_name(s: &str) -> Result<(), FieldError> {
        DisplayName::parse(s).map(|_| ())
    }
    pub fn email(s: &str) -> Result<(), FieldError> {
        Email::parse(s).map(|_| ())
    }
    pub fn password(s: &str) -> Result<(), FieldError> {
        Password::parse(s).map(|_| ())
    }
    pub fn line_number(s: &str) -> Result<(), FieldError> {
        LineNumber::parse(s).map(|_| ())
    }
    pub fn optional_line_number(s: &str) -> Result<(), FieldError> {
        LineNumber::parse_optional(s).map(|_| ())
    }
}

macro_rules! string_newtype_impls {
    ($($t:ident),*) => {$(
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str { &self.0 }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String { v.0 }
        }
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                Self::parse(&s).map_err(|e| e.code.to_string())
            }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.0) }
        }
    )*};
}
string_newtype_impls!(Email, DisplayName, LineNumber);

impl TryFrom<String> for Password {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).map_err(|e| e.code.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lowercased() {
        assert_eq!(Email::parse("  Mario.Rossi@Example.IT ").unwrap().as_ref(), "mario.rossi@example.it");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "mario",
            "mario@",
            "@example.it",
            "mario@example",
            "mario@@example.it",
            "ma rio@example.it",
            "mario@exa_mple.it",
            ".mario@example.it",
            "mario..rossi@example.it",
            "mario@-example.it",
            "mario@example.i",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().code, "email_invalid", "{bad}");
        }
    }

    #[test]
    fn an_empty_email_is_required() {
        assert_eq!(Email::parse("   ").unwrap_err().code, "required");
    }

    #[test]
    fn an_overlong_email_is_rejected() {
        let long = format!("{}@example.it", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }

    #[test]
    fn a_display_name_folds_white_space() {
        assert_eq!(DisplayName::parse("  Mario   Rossi ").unwrap().as_ref(), "Mario Rossi");
    }

    #[test]
    fn a_display_name_has_between_one_and_sixty_characters() {
        assert_eq!(DisplayName::parse("").unwrap_err().code, "required");
        assert!(DisplayName::parse(&"è".repeat(60)).is_ok());
        assert_eq!(DisplayName::parse(&"è".repeat(61)).unwrap_err().code, "name_too_long");
    }

    #[test]
    fn a_display_name_with_invisible_characters_is_rejected() {
        assert_eq!(DisplayName::parse("Mario\u{200B}Rossi").unwrap_err().code, "name_invalid");
        assert_eq!(DisplayName::parse("Mario\u{202E}issoR").unwrap_err().code, "name_invalid");
    }

    #[test]
    fn a_password_has_between_ten_and_128_characters() {
        assert_eq!(Password::parse("").unwrap_err().code, "required");
        assert_eq!(Password::parse("123456789").unwrap_err().code, "password_too_short");
        assert!(Password::parse("àèìòù12345").is_ok(), "ten characters, counted as characters");
        assert_eq!(Password::parse(&"x".repeat(129)).unwrap_err().code, "password_too_long");
    }

    #[test]
    fn a_password_equal_to_the_email_is_rejected() {
        let email = Email::parse("mario.rossi@example.it").unwrap();
        let pw = Password::parse("Mario.Rossi@example.it").unwrap();
        assert_eq!(pw.check_against(&email).unwrap_err().code, "password_is_email");
    }

    #[test]
    fn a_password_never_shows_in_debug_output() {
        let pw = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{pw:?}"), "Password(***)");
    }

    #[test]
    fn italian_mobile_numbers_are_normalised() {
        for (raw, want) in [
            ("333 123 4567", "+393331234567"),
            ("+39 333-123-4567", "+393331234567"),
            ("0039 3331234567", "+393331234567"),
            ("333.123.456", "+39333123456"),
        ] {
            assert_eq!(LineNumber::parse(raw).unwrap().as_ref(), want, "{raw}");
        }
    }

    #[test]
    fn landlines_foreign_and_malformed_numbers_are_rejected() {
        for bad in ["06 1234567", "+44 7700 900123", "333 12", "3331234567890", "333abc4567"] {
            assert_eq!(LineNumber::parse(bad).unwrap_err().code, "line_invalid", "{bad}");
        }
    }

    #[test]
    fn an_empty_optional_line_number_is_none() {
        assert_eq!(LineNumber::parse_optional("  ").unwrap(), None);
    }

    #[test]
    fn a_line_number_is_masked_to_its_last_three_digits() {
        assert_eq!(LineNumber::parse("3331234567").unwrap().masked(), "*** *** *567");
    }

    #[test]
    fn newtypes_validate_when_deserialized() {
        assert!(serde_json::from_str::<Email>("\"not an email\"").is_err());
        assert!(serde_json::from_str::<Email>("\"a@b.it\"").is_ok());
        assert!(serde_json::from_str::<Password>("\"short\"").is_err());
    }
}
