//! The account pages: register, check your inbox, log in, confirm, forgotten and new password, the
//! account itself.
pub mod confirm;
pub mod forgot;
pub mod login;
pub mod profile;
pub mod register;
pub mod reset;

/// A translated label as a signal: `tr!(i18n, register.email)`.
#[macro_export]
macro_rules! tr {
    ($i18n:ident, $($key:tt)+) => {
        leptos::prelude::Signal::derive(move || $crate::i18n::t_string!($i18n, $($key)+))
    };
}
