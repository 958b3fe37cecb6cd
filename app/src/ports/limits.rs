//! Abuse limits: what is counted, and the limiter the server implements.

use std::sync::Arc;

/// What is counted against abuse. Limits are per client address (`…Ip`), per email address (`…Email`)
/// or per account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Limit {
    LoginIp,
    LoginEmail,
    RegisterIp,
    ResetIp,
    ResetEmail,
    NewRequest,
    /// Comments and replies on the wall, per account.
    Comment,
    /// New confirmation links, per account.
    Resend,
}

/// Rate limits and the growing delay after failed logins (the server implements it with `governor`).
pub trait Limiter: Send + Sync {
    /// Counts one attempt; `Err(seconds)` when over the limit (retry after that long).
    fn check(&self, limit: Limit, key: &str) -> Result<(), u64>;
    /// `Err(seconds)` while whoever `key` names must wait after repeated failures (a login's key is
    /// its account and client address, or its known device; see `api::auth`).
    fn login_delay(&self, key: &str) -> Result<(), u64>;
    /// A failure for `key`: the next wait grows (1 s, 2 s, 4 s … up to 15 min) after 5.
    fn login_failed(&self, key: &str);
    fn login_succeeded(&self, key: &str);
}

pub type SharedLimiter = Arc<dyn Limiter>;
