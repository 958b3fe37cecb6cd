//! Domain types: values that validate when parsed and cannot be built otherwise. The same `parse` runs
//! in the browser (instant feedback) and on the server (the authority).
pub mod account;
pub mod attachment;
pub mod comment;
pub mod incident;
pub mod post;
pub mod privacy;
#[cfg(test)]
mod props;
pub mod request;
