//! Abuse limits: what is counted, and the limiter the server implements.

use std::sync::Arc;

use async_trait::async_trait;

use super::StoreError;
use crate::error::AppError;

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
    /// Downloads of one's own data (#18), per account.
    Export,
}

impl Limit {
    pub const ALL: [Limit; 9] = [
        Limit::LoginIp,
        Limit::LoginEmail,
        Limit::RegisterIp,
        Limit::ResetIp,
        Limit::ResetEmail,
        Limit::NewRequest,
        Limit::Comment,
        Limit::Resend,
        Limit::Export,
    ];

    /// Its name in metrics and in the shared counters' table.
    pub fn code(self) -> &'static str {
        match self {
            Limit::LoginIp => "login_ip",
            Limit::LoginEmail => "login_email",
            Limit::RegisterIp => "register_ip",
            Limit::ResetIp => "reset_ip",
            Limit::ResetEmail => "reset_email",
            Limit::NewRequest => "new_request",
            Limit::Comment => "comment",
            Limit::Resend => "resend",
            Limit::Export => "export",
        }
    }

    /// Is it counted per client address?
    pub fn per_address(self) -> bool {
        matches!(self, Limit::LoginIp | Limit::RegisterIp | Limit::ResetIp)
    }

    /// The key it is counted under: addresses by [`address_key`], the rest as given, folded to lower case.
    pub fn key(self, key: &str) -> String {
        if self.per_address() { address_key(key) } else { key.trim().to_lowercase() }
    }
}

/// The key a client address is counted under: an IPv4 address as it is; an IPv6 address by its /64
/// (one subscriber's home or phone gets a whole /64, and can pick any address in it).
pub fn address_key(ip: &str) -> String {
    match ip.trim().parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(v4) => v4.to_string(),
        Err(_) => ip.trim().to_string(),
    }
}

/// Why an attempt is not let through.
#[derive(Debug)]
pub enum Throttled {
    /// Over the limit: retry after this many seconds.
    Wait(u64),
    /// The shared counters could not be read (PostgreSQL): refused rather than uncounted.
    Store(StoreError),
}

impl From<Throttled> for AppError {
    fn from(r: Throttled) -> Self {
        match r {
            Throttled::Wait(secs) => AppError::RateLimited { retry_after_secs: secs },
            Throttled::Store(e) => e.into(),
        }
    }
}

/// Rate limits and the growing delay after failed logins. In-process (`governor`) on SQLite, where one
/// server owns the database; counted in the database on PostgreSQL, so that they hold for the whole site
/// whatever the number of app servers.
#[async_trait]
pub trait Limiter: Send + Sync {
    /// Counts one attempt; refused when over the limit.
    async fn check(&self, limit: Limit, key: &str) -> Result<(), Throttled>;
    /// Throttled while whoever `key` names must wait after repeated failures (a login's key is its
    /// account and client address, or its known device; see `api::auth`).
    async fn login_delay(&self, key: &str) -> Result<(), Throttled>;
    /// A failure for `key`: the next wait grows (1 s, 2 s, 4 s … up to 15 min) after 5.
    async fn login_failed(&self, key: &str);
    async fn login_succeeded(&self, key: &str);
    /// Forgets counters nobody needs any more (the timer task calls it every minute).
    async fn tidy(&self) {}
}

pub type SharedLimiter = Arc<dyn Limiter>;

/// Failed logins before the delay starts, and its ceiling.
pub const FREE_LOGIN_FAILURES: u32 = 5;
pub const MAX_LOGIN_DELAY_SECS: u64 = 15 * 60;

/// Seconds to wait after `failures` failed logins in a row.
pub fn login_delay_after(failures: u32) -> u64 {
    if failures < FREE_LOGIN_FAILURES {
        0
    } else {
        (1u64 << (failures - FREE_LOGIN_FAILURES).min(20)).min(MAX_LOGIN_DELAY_SECS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_per_64_and_ipv4_as_they_are() {
        assert_eq!(address_key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:ffff:1:2:3"), "2001:db8:1:2::/64");
        assert_ne!(address_key("2001:db8:1:3::1"), address_key("2001:db8:1:2::1"));
        assert_eq!(address_key("::ffff:10.1.2.3"), "10.1.2.3");
        assert_eq!(address_key("10.1.2.3"), "10.1.2.3");
        assert_eq!(address_key("unknown"), "unknown");
        assert_eq!(Limit::LoginEmail.key(" Mario@Example.it "), "mario@example.it");
        assert_eq!(Limit::LoginIp.key("2001:db8::7"), "2001:db8:0:0::/64");
    }

    #[test]
    fn the_delay_grows_after_five_failures_up_to_fifteen_minutes() {
        assert_eq!((0..5).map(login_delay_after).collect::<Vec<_>>(), [0, 0, 0, 0, 0]);
        assert_eq!(login_delay_after(5), 1);
        assert_eq!(login_delay_after(6), 2);
        assert_eq!(login_delay_after(9), 16);
        assert_eq!(login_delay_after(40), MAX_LOGIN_DELAY_SECS);
    }
}
