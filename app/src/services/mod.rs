//! Use cases on the server: the logic behind the server functions, over the ports.
pub mod accounts;
pub mod attachments;
pub mod comments;
pub mod incidents;
pub mod pool;
pub mod privacy;
pub mod requests;
pub mod wall;

use crate::domain::account::FieldError;
use crate::error::AppError;
use crate::i18n::Locale;

/// The refusal of a form: every field that failed its check (those that passed give `None`).
pub(crate) fn invalid<const N: usize>(checks: [Option<FieldError>; N]) -> AppError {
    AppError::Invalid(checks.into_iter().flatten().collect())
}

/// A checkbox the person must tick.
pub(crate) fn consent(field: &'static str, value: &Option<String>, code: &'static str) -> Result<(), FieldError> {
    if crate::forms::checked(value) { Ok(()) } else { Err(FieldError::new(field, code)) }
}

/// The locale for a code stored or sent by a browser: anything but English is Italian (the default).
pub fn locale_of(code: &str) -> Locale {
    if code.eq_ignore_ascii_case("en") || code.to_ascii_lowercase().starts_with("en-") {
        Locale::en
    } else {
        Locale::it
    }
}
