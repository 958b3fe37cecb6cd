//! One file per page.
pub mod account;
pub mod admin;
pub mod assistance;
pub mod comments;
pub mod consent;
pub mod home;
pub mod info;
pub mod not_found;
pub mod notifications;
pub mod privacy;
pub mod requests;
pub mod status;
pub mod wall;
