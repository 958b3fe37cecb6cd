//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane), never on the async
//! runtime: a few dedicated threads do it, one hash each at a time, and a burst of logins queues.
//! Dedicated threads also bound the memory: with tokio's blocking pool every new thread kept its own
//! 19 MiB allocator arena (a burst of 200 logins left the server at 805 MB).

use std::sync::{Arc, LazyLock, Mutex, OnceLock, mpsc};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::account::{FieldError, Password};
use crate::error::AppError;

type Job = Box<dyn FnOnce() + Send>;

/// The hashing threads: as many as cores, at most 4 (more would only queue inside the CPU).
static POOL: OnceLock<Mutex<mpsc::Sender<Job>>> = OnceLock::new();

fn pool() -> &'static Mutex<mpsc::Sender<Job>> {
    POOL.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 4);
        for i in 0..threads {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                loop {
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Mutex::new(tx)
    })
}

fn hasher() -> Argon2<'static> {
    // Constant, valid parameters: Params::new cannot fail on them.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password: unknown emails are verified against it, so that a login for an
/// address without an account costs the same time as one with.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(salt.as_str().as_bytes(), &salt).map(|h| h.to_string()).unwrap_or_default()
});

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    pool().lock().map_err(|_| AppError::Internal)?.send(job).map_err(|_| AppError::Internal)?;
    rx.await.map_err(|_| {
        tracing::error!("a password hashing job was lost");
        AppError::Internal
    })
}

pub async fn hash_password(password: &Password) -> Result<String, AppError> {
    let password = password.expose().to_string();
    blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await?
    .map_err(|e| {
        tracing::error!(error = %e, "cannot hash a password");
        AppError::Internal
    })
}

/// Checks a password against a stored hash, or against the dummy hash when there is none (and then
/// answers `false` whatever was typed).
pub async fn verify_password(password: &str, hash: Option<&str>) -> Result<bool, AppError> {
    let password = password.to_string();
    let real = hash.is_some();
    let hash = hash.map(str::to_string);
    blocking(move || {
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok =
            PasswordHash::new(&hash).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok());
        ok && real
    })
    .await
}

/// The strength rule (server side: the estimator's dictionaries are too big for the browser): score 3
/// of 4 or better, judged knowing the email and name, with the reason when it is weaker.
pub fn check_strength(password: &Password, known: &[&str]) -> Result<(), FieldError> {
    // The estimator matches whole inputs: give it the parts too ("Mario Rossi" → "mario", "rossi").
    let mut inputs: Vec<String> = Vec::new();
    for k in known {
        inputs.push(k.to_lowercase());
        inputs.extend(
            k.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 3).map(str::to_string),
        );
    }
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password.expose(), &inputs);
    if u8::from(estimate.score()) >= 3 {
        return Ok(());
    }
    use zxcvbn::feedback::Warning as W;
    let code = match estimate.feedback().and_then(|f| f.warning()) {
        Some(W::StraightRowsOfKeysAreEasyToGuess | W::ShortKeyboardPatternsAreEasyToGuess) => "password_weak_keyboard",
        Some(W::RepeatsLikeAaaAreEasyToGuess | W::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess) => {
            "password_weak_repeats"
        }
        Some(
            W::ThisIsATop10Password
            | W::ThisIsATop100Password
            | W::ThisIsACommonPassword
            | W::ThisIsSimilarToACommonlyUsedPassword,
        ) => "password_weak_common",
        Some(W::SequencesLikeAbcAreEasyToGuess) => "password_weak_sequence",
        Some(W::RecentYearsAreEasyToGuess | W::DatesAreOftenEasyToGuess) => "password_weak_dates",
        Some(
            W::AWordByItselfIsEasyToGuess
            | W::NamesAndSurnamesByThemselvesAreEasyToGuess
            | W::CommonNamesAndSurnamesAreEasyToGuess,
        ) => "password_weak_words",
        _ => "password_weak",
    };
    Err(FieldError::new("password", code))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 2] = ["mario.rossi@example.it", "Mario Rossi"];

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let pw = Password::parse("violet-otter-canyon-42").unwrap();
        let hash = hash_password(&pw).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify_password("violet-otter-canyon-42", Some(&hash)).await.unwrap());
        assert!(!verify_password("violet-otter-canyon-43", Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn without_a_hash_nothing_verifies() {
        assert!(!verify_password("anything at all", None).await.unwrap());
    }

    #[test]
    fn a_common_password_is_weak_with_its_reason() {
        let pw = Password::parse("password123").unwrap();
        assert_eq!(check_strength(&pw, &KNOWN).unwrap_err().code, "password_weak_common");
    }

    #[test]
    fn a_password_made_of_the_name_is_weak() {
        let pw = Password::parse("rossimario").unwrap();
        assert!(check_strength(&pw, &KNOWN).is_err());
    }

    #[test]
    fn a_long_unusual_passphrase_is_strong() {
        let pw = Password::parse("violet-otter-canyon-42").unwrap();
        assert!(check_strength(&pw, &KNOWN).is_ok());
    }
}
