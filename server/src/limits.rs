//! Abuse limits with `governor` (GCRA, keyed): login, registration, password reset, new requests, and a
//! global per-address ceiling; plus a growing delay for an account after repeated failed logins. The
//! limits are per process: behind a load balancer, N servers allow up to N times as much (see README).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use app::ports::{Limit, Limiter};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// `count` attempts per `seconds`, as a flag value `COUNT/SECONDS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub count: u32,
    pub seconds: u64,
}

impl std::str::FromStr for Rate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (count, seconds) = s.split_once('/').ok_or("write COUNT/SECONDS, e.g. 5/300")?;
        let count: u32 = count.trim().parse().map_err(|_| "COUNT must be a whole number")?;
        let seconds: u64 = seconds.trim().parse().map_err(|_| "SECONDS must be a whole number")?;
        if count == 0 || seconds == 0 {
            return Err("COUNT and SECONDS must be above zero".into());
        }
        Ok(Rate { count, seconds })
    }
}

impl Rate {
    fn quota(self) -> Quota {
        let burst = NonZeroU32::new(self.count).unwrap_or(NonZeroU32::MIN);
        let period = Duration::from_millis((self.seconds * 1000 / u64::from(self.count)).max(1));
        Quota::with_period(period).unwrap_or_else(|| Quota::per_second(burst)).allow_burst(burst)
    }
}

/// The configured rates.
#[derive(Clone, Copy, Debug)]
pub struct Rates {
    pub login_ip: Rate,
    pub login_email: Rate,
    pub register_ip: Rate,
    pub reset_ip: Rate,
    pub reset_email: Rate,
    pub new_request: Rate,
    pub comment: Rate,
    pub resend: Rate,
    pub global_ip: Rate,
}

pub struct Limits {
    limiters: HashMap<Limit, DefaultKeyedRateLimiter<String>>,
    global: DefaultKeyedRateLimiter<String>,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    clock: DefaultClock,
}

/// Failed logins before the delay starts, and its ceiling.
const FREE_FAILURES: u32 = 5;
const MAX_DELAY_SECS: u64 = 15 * 60;

impl Limits {
    pub fn new(r: Rates) -> Self {
        let limiters = [
            (Limit::LoginIp, r.login_ip),
            (Limit::LoginEmail, r.login_email),
            (Limit::RegisterIp, r.register_ip),
            (Limit::ResetIp, r.reset_ip),
            (Limit::ResetEmail, r.reset_email),
            (Limit::NewRequest, r.new_request),
            (Limit::Comment, r.comment),
            (Limit::Resend, r.resend),
        ]
        .into_iter()
        .map(|(l, rate)| (l, RateLimiter::keyed(rate.quota())))
        .collect();
        Self {
            limiters,
            global: RateLimiter::keyed(r.global_ip.quota()),
            failures: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// The global per-address ceiling, checked on every request.
    pub fn check_global(&self, ip: &str) -> Result<(), u64> {
        self.global
            .check_key(&ip.to_string())
            .map_err(|not_until| wait_secs(not_until.wait_time_from(self.clock.now())))
    }

    /// Forgets idle keys (called now and then so memory stays bounded).
    pub fn tidy(&self) {
        for l in self.limiters.values() {
            l.retain_recent();
        }
        self.global.retain_recent();
        if let Ok(mut f) = self.failures.lock() {
            f.retain(|_, (_, at)| at.elapsed() < Duration::from_secs(MAX_DELAY_SECS * 2));
        }
    }
}

fn wait_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

fn delay_after(failures: u32) -> u64 {
    if failures < FREE_FAILURES { 0 } else { (1u64 << (failures - FREE_FAILURES).min(20)).min(MAX_DELAY_SECS) }
}

impl Limiter for Limits {
    fn check(&self, limit: Limit, key: &str) -> Result<(), u64> {
        match self.limiters.get(&limit) {
            Some(l) => l.check_key(&key.to_lowercase()).map_err(|n| wait_secs(n.wait_time_from(self.clock.now()))),
            None => Ok(()),
        }
    }

    fn login_delay(&self, email: &str) -> Result<(), u64> {
        let Ok(f) = self.failures.lock() else { return Ok(()) };
        match f.get(&email.trim().to_lowercase()) {
            Some((n, at)) => {
                let wait = Duration::from_secs(delay_after(*n));
                match wait.checked_sub(at.elapsed()) {
                    Some(left) if !left.is_zero() => Err(wait_secs(left)),
                    _ => Ok(()),
                }
            }
            None => Ok(()),
        }
    }

    fn login_failed(&self, email: &str) {
        if let Ok(mut f) = self.failures.lock() {
            let entry = f.entry(email.trim().to_lowercase()).or_insert((0, Instant::now()));
            entry.0 = entry.0.saturating_add(1);
            entry.1 = Instant::now();
        }
    }

    fn login_succeeded(&self, email: &str) {
        if let Ok(mut f) = self.failures.lock() {
            f.remove(&email.trim().to_lowercase());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_refuse_nonsense() {
        assert_eq!("5/300".parse::<Rate>(), Ok(Rate { count: 5, seconds: 300 }));
        for bad in ["", "5", "0/10", "5/0", "a/b", "-1/10"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_delay_grows_after_five_failures_up_to_fifteen_minutes() {
        assert_eq!((0..5).map(delay_after).collect::<Vec<_>>(), [0, 0, 0, 0, 0]);
        assert_eq!(delay_after(5), 1);
        assert_eq!(delay_after(6), 2);
        assert_eq!(delay_after(9), 16);
        assert_eq!(delay_after(40), MAX_DELAY_SECS);
    }

    #[test]
    fn a_limit_allows_its_burst_then_says_how_long_to_wait() {
        let r = Rate { count: 3, seconds: 60 };
        let limits = Limits::new(Rates {
            login_ip: r,
            login_email: r,
            register_ip: r,
            reset_ip: r,
            reset_email: r,
            new_request: r,
            comment: r,
            resend: r,
            global_ip: r,
        });
        for _ in 0..3 {
            assert!(limits.check(Limit::LoginIp, "1.2.3.4").is_ok());
        }
        let wait = limits.check(Limit::LoginIp, "1.2.3.4").unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(limits.check(Limit::LoginIp, "5.6.7.8").is_ok(), "another address has its own count");
        assert!(limits.check(Limit::LoginEmail, "1.2.3.4").is_ok(), "another limit has its own count");
        for _ in 0..5 {
            limits.login_failed("Mario@Example.it");
        }
        assert_eq!(limits.login_delay("mario@example.it"), Err(1));
        limits.login_succeeded("mario@example.it");
        assert_eq!(limits.login_delay("mario@example.it"), Ok(()));
    }
}
