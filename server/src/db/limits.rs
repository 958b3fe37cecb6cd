//! The abuse limits counted in PostgreSQL (#20), so that they hold for the whole site whatever the number
//! of app servers: each check is one statement on `rate_limits` (GCRA: the row holds the time the next
//! attempt is due, and the update is refused when it would be due too far ahead), the growing delay after
//! failed logins is a row per key in `login_failures`. Times come from the database's clock, so servers
//! whose clocks differ still agree. The global per-address ceiling stays in each process (`limits.rs`):
//! it is checked on every request and guards each server, not the site.

use app::ports::{Limit, Limiter, MAX_LOGIN_DELAY_SECS, Throttled, login_delay_after};
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::db_err;
use crate::limits::Rates;

/// The database's time in milliseconds.
const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

pub struct PgLimiter {
    pool: PgPool,
    rates: Rates,
}

impl PgLimiter {
    pub fn new(pool: PgPool, rates: Rates) -> Self {
        Self { pool, rates }
    }
}

/// What is stored instead of an address or an email.
fn digest(scope: &str, key: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(scope.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    h.finalize().to_vec()
}

fn login_key(key: &str) -> Vec<u8> {
    digest("login delay", &key.trim().to_lowercase())
}

fn seconds(ms: i64) -> u64 {
    (ms.max(1) as u64).div_ceil(1000)
}

#[async_trait]
impl Limiter for PgLimiter {
    async fn check(&self, limit: Limit, key: &str) -> Result<(), Throttled> {
        let rate = self.rates.of(limit);
        let interval = rate.interval_ms();
        let window = (rate.seconds * 1000) as i64;
        let hash = digest(limit.code(), &limit.key(key));
        // `EXCLUDED.tat_ms - interval` is now. Let through while the next attempt is due at most
        // `window` ahead: `count` at once, then one every `interval`.
        let allowed: Option<i64> = sqlx::query_scalar(&format!(
            "INSERT INTO rate_limits AS r (name, key_hash, tat_ms) VALUES ($1, $2, {NOW_MS} + $3) \
             ON CONFLICT (name, key_hash) DO UPDATE SET tat_ms = GREATEST(r.tat_ms, EXCLUDED.tat_ms - $3) + $3 \
             WHERE GREATEST(r.tat_ms, EXCLUDED.tat_ms - $3) + $3 - (EXCLUDED.tat_ms - $3) <= $4 \
             RETURNING tat_ms"
        ))
        .bind(limit.code())
        .bind(&hash)
        .bind(interval)
        .bind(window)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| Throttled::Store(db_err(e)))?;
        if allowed.is_some() {
            return Ok(());
        }
        let ahead: Option<i64> =
            sqlx::query_scalar(&format!("SELECT tat_ms - {NOW_MS} FROM rate_limits WHERE name = $1 AND key_hash = $2"))
                .bind(limit.code())
                .bind(&hash)
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| Throttled::Store(db_err(e)))?;
        Err(Throttled::Wait(seconds(ahead.unwrap_or(window) + interval - window)))
    }

    async fn login_delay(&self, key: &str) -> Result<(), Throttled> {
        let row: Option<(i32, i64)> =
            sqlx::query_as(&format!("SELECT failures, {NOW_MS} - last_ms FROM login_failures WHERE key_hash = $1"))
                .bind(login_key(key))
                .fetch_optional(&self.pool)
                .await
                .map_err(|e| Throttled::Store(db_err(e)))?;
        match row {
            Some((failures, elapsed)) => {
                let wait = (login_delay_after(failures.max(0) as u32) * 1000) as i64;
                if elapsed < wait { Err(Throttled::Wait(seconds(wait - elapsed))) } else { Ok(()) }
            }
            None => Ok(()),
        }
    }

    async fn login_failed(&self, key: &str) {
        let done = sqlx::query(&format!(
            "INSERT INTO login_failures (key_hash, failures, last_ms) VALUES ($1, 1, {NOW_MS}) \
             ON CONFLICT (key_hash) DO UPDATE SET failures = login_failures.failures + 1, last_ms = EXCLUDED.last_ms"
        ))
        .bind(login_key(key))
        .execute(&self.pool)
        .await;
        if let Err(e) = done {
            tracing::error!(error = %e, "a failed login was not counted");
        }
    }

    async fn login_succeeded(&self, key: &str) {
        let done = sqlx::query("DELETE FROM login_failures WHERE key_hash = $1")
            .bind(login_key(key))
            .execute(&self.pool)
            .await;
        if let Err(e) = done {
            tracing::error!(error = %e, "failed logins were not forgotten");
        }
    }

    async fn tidy(&self) {
        let spent = sqlx::query(&format!("DELETE FROM rate_limits WHERE tat_ms < {NOW_MS}")).execute(&self.pool).await;
        let old = sqlx::query(&format!("DELETE FROM login_failures WHERE last_ms < {NOW_MS} - $1"))
            .bind((MAX_LOGIN_DELAY_SECS * 2 * 1000) as i64)
            .execute(&self.pool)
            .await;
        if let Err(e) = spent.and(old) {
            tracing::warn!(error = %e, "limit counters not tidied");
        }
    }
}
