//! The one error type users see. Its variants are what a person can act on; anything else (a database
//! or I/O failure) is logged in full on the server and reaches the browser only as `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::account::FieldError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Some fields were refused; each names its rule (translated by the page that shows it).
    #[error("some fields are not valid")]
    Invalid(Vec<FieldError>),
    /// Login failed; deliberately says nothing about which part was wrong.
    #[error("email or password not valid")]
    InvalidCredentials,
    /// The action needs a logged-in user.
    #[error("please log in")]
    Unauthorized,
    /// The user is logged in but may not do this.
    #[error("not allowed")]
    Forbidden,
    /// Missing, or not the caller's to see: the two answer alike on purpose.
    #[error("not found")]
    NotFound,
    /// Someone else changed the same thing first.
    #[error("changed in the meantime")]
    Conflict,
    #[error("too many attempts, retry in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// Something failed on our side; the details are in the server's log, never here.
    #[error("something went wrong on our side")]
    Internal,
    /// The browser could not reach the server (offline, a dropped connection): nothing was sent, what was
    /// typed is still on the page, and trying again may work (#21.5).
    #[error("the server could not be reached")]
    Unreachable,
}

/// One refused field.
impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(vec![e])
    }
}

impl AppError {
    pub fn field(field: &'static str, code: &'static str) -> Self {
        Self::Invalid(vec![FieldError::new(field, code)])
    }

    /// The same refusal with `from`'s errors under the name `to` (a page with several forms that post the
    /// same field tells them apart).
    pub fn renamed(self, from: &str, to: &'static str) -> Self {
        match self {
            Self::Invalid(errors) => Self::Invalid(
                errors
                    .into_iter()
                    .map(|mut e| {
                        if e.field == from {
                            e.field = std::borrow::Cow::Borrowed(to);
                        }
                        e
                    })
                    .collect(),
            ),
            other => other,
        }
    }

    /// The refusal of one field, if this error carries one.
    pub fn field_code(&self, field: &str) -> Option<&str> {
        match self {
            Self::Invalid(errors) => errors.iter().find(|e| e.field == field).map(|e| e.code.as_ref()),
            _ => None,
        }
    }

    /// The HTTP status that goes with the error.
    pub fn status(&self) -> u16 {
        match self {
            Self::Invalid(_) => 422,
            Self::InvalidCredentials | Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Conflict => 409,
            Self::RateLimited { .. } => 429,
            Self::Internal => 500,
            Self::Unreachable => 503,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Transport and decoding failures: a malformed argument is the caller's error, the rest is ours.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::Deserialization(_) => Self::field("request", "malformed"),
            ServerFnErrorErr::MissingArg(_) => Self::field("request", "incomplete"),
            // Raised in the browser when the request never got an answer.
            ServerFnErrorErr::Request(_) => Self::Unreachable,
            _ => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_says_nothing_about_its_cause() {
        assert_eq!(AppError::Internal.to_string(), "something went wrong on our side");
    }

    #[test]
    fn a_malformed_argument_is_a_validation_error_not_an_internal_one() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("x".into()));
        assert_eq!(e.status(), 422);
    }
}
