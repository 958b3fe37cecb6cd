//! Abuse limits with `governor` (GCRA, keyed): login, registration, password reset, new requests, and a
//! global per-address ceiling; plus a growing delay for an account after repeated failed logins. These
//! count in the process: SQLite's (one server owns the database) and, everywhere, the global ceiling.
//! On PostgreSQL the keyed limits and the login delay are counted in the database instead
//! (`db/limits.rs`), so that they hold for the whole site.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use app::ports::{Limit, Limiter, MAX_LOGIN_DELAY_SECS, Throttled, address_key, login_delay_after};
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
    /// GCRA's emission interval: one attempt every `seconds / count`, in milliseconds (at least 1).
    pub fn interval_ms(self) -> i64 {
        ((self.seconds * 1000 / u64::from(self.count)).max(1)) as i64
    }

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
    pub export: Rate,
    pub global_ip: Rate,
}

pub struct Limits {
    limiters: HashMap<Limit, DefaultKeyedRateLimiter<String>>,
    global: DefaultKeyedRateLimiter<String>,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    clock: DefaultClock,
}

impl Rates {
    /// The rate of a keyed limit.
    pub fn of(&self, limit: Limit) -> Rate {
        match limit {
            Limit::LoginIp => self.login_ip,
            Limit::LoginEmail => self.login_email,
            Limit::RegisterIp => self.register_ip,
            Limit::ResetIp => self.reset_ip,
            Limit::ResetEmail => self.reset_email,
            Limit::NewRequest => self.new_request,
            Limit::Comment => self.comment,
            Limit::Resend => self.resend,
            Limit::Export => self.export,
        }
    }
}

impl Limits {
    pub fn new(r: Rates) -> Self {
        let limiters = Limit::ALL.into_iter().map(|l| (l, RateLimiter::keyed(r.of(l).quota()))).collect();
        Self {
            limiters,
            global: RateLimiter::keyed(r.global_ip.quota()),
            failures: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// The global per-address ceiling, checked on every request (IPv6 per /64).
    pub fn check_global(&self, ip: &str) -> Result<(), u64> {
        self.global
            .check_key(&address_key(ip))
            .map_err(|not_until| wait_secs(not_until.wait_time_from(self.clock.now())))
    }

    /// Forgets idle keys (called now and then so memory stays bounded).
    pub fn tidy(&self) {
        for l in self.limiters.values() {
            l.retain_recent();
        }
        self.global.retain_recent();
        if let Ok(mut f) = self.failures.lock() {
            f.retain(|_, (_, at)| at.elapsed() < Duration::from_secs(MAX_LOGIN_DELAY_SECS * 2));
        }
    }
}

fn wait_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[async_trait::async_trait]
impl Limiter for Limits {
    async fn check(&self, limit: Limit, key: &str) -> Result<(), Throttled> {
        match self.limiters.get(&limit) {
            Some(l) => {
                l.check_key(&limit.key(key)).map_err(|n| Throttled::Wait(wait_secs(n.wait_time_from(self.clock.now()))))
            }
            None => Ok(()),
        }
    }

    async fn login_delay(&self, email: &str) -> Result<(), Throttled> {
        let Ok(f) = self.failures.lock() else { return Ok(()) };
        match f.get(&email.trim().to_lowercase()) {
            Some((n, at)) => {
                let wait = Duration::from_secs(login_delay_after(*n));
                match wait.checked_sub(at.elapsed()) {
                    Some(left) if !left.is_zero() => Err(Throttled::Wait(wait_secs(left))),
                    _ => Ok(()),
                }
            }
            None => Ok(()),
        }
    }

    async fn login_failed(&self, email: &str) {
        if let Ok(mut f) = self.failures.lock() {
            let entry = f.entry(email.trim().to_lowercase()).or_insert((0, Instant::now()));
            entry.0 = entry.0.saturating_add(1);
            entry.1 = Instant::now();
        }
    }

    async fn login_succeeded(&self, email: &str) {
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

    #[tokio::test]
    async fn a_limit_allows_its_burst_then_says_how_long_to_wait() {
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
            export: r,
            global_ip: r,
        });
        for i in 0..3 {
            // An IPv6 subscriber counts as one, whichever address of their /64 they use.
            assert!(limits.check(Limit::LoginIp, &format!("2001:db8:5:6::{i}")).await.is_ok());
        }
        let Err(Throttled::Wait(wait)) = limits.check(Limit::LoginIp, "2001:db8:5:6::99").await else {
            panic!("the fourth attempt from the same /64 is refused")
        };
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(limits.check(Limit::LoginIp, "2001:db8:5:7::1").await.is_ok(), "another /64 has its own count");
        assert!(limits.check(Limit::LoginEmail, "2001:db8:5:6::1").await.is_ok(), "another limit has its own count");
        for _ in 0..5 {
            limits.login_failed("Mario@Example.it").await;
        }
        assert!(matches!(limits.login_delay("mario@example.it").await, Err(Throttled::Wait(1))));
        limits.login_succeeded("mario@example.it").await;
        assert!(limits.login_delay("mario@example.it").await.is_ok());
    }
}
