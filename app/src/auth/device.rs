//! Device cookies (#14, after OWASP's "slow down online guessing attacks with device cookies"): a browser
//! that has logged in to an account keeps a signed token naming that account. A login from a browser that
//! holds one is not counted against the account's own limit, so a stranger hammering the account cannot
//! keep its owner out; that browser's failures slow down that browser alone.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

use crate::ports::UserRecord;

pub const DEVICE_COOKIE: &str = "sc3_device";
/// A year: a browser the owner uses now and then stays known.
const MAX_AGE_SECS: u32 = 365 * 24 * 3600;

/// The MAC of `account.nonce`, keyed with the account's password hash: only the server knows it, every
/// app server has it (it is in the database), and a new password makes every earlier device unknown.
fn mac(user: &UserRecord, nonce: &str) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(user.password_hash.as_bytes()).ok()?;
    mac.update(b"sc3-device\x00");
    mac.update(user.id.to_string().as_bytes());
    mac.update(b"\x00");
    mac.update(nonce.as_bytes());
    Some(mac)
}

/// A new cookie value for a browser that just logged in: `account.nonce.mac`.
pub fn issue(user: &UserRecord) -> Option<String> {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let nonce = URL_SAFE_NO_PAD.encode(bytes);
    let tag = URL_SAFE_NO_PAD.encode(mac(user, &nonce)?.finalize().into_bytes());
    Some(format!("{}.{nonce}.{tag}", user.id))
}

/// The device's own id (its nonce) when `value` is a cookie issued to this account; `None` otherwise.
pub fn recognise(value: &str, user: &UserRecord) -> Option<String> {
    let mut parts = value.splitn(3, '.');
    let (id, nonce, tag) = (parts.next()?, parts.next()?, parts.next()?);
    if id.parse::<i64>().ok()? != user.id || nonce.is_empty() || nonce.len() > 64 || tag.len() > 64 {
        return None;
    }
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    mac(user, nonce)?.verify_slice(&tag).ok()?;
    Some(nonce.to_string())
}

/// The `Set-Cookie` value: sent back only to the login, never readable by scripts.
pub fn set_cookie(value: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{DEVICE_COOKIE}={value}; Path=/api/login; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Strict{secure}")
}

/// The device cookie a request carries, if any.
pub fn from_headers(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(DEVICE_COOKIE)?.strip_prefix('=').map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64, hash: &str) -> UserRecord {
        UserRecord {
            id,
            email: "a@example.it".into(),
            display_name: "A".into(),
            password_hash: hash.into(),
            line_number: None,
            locale: "it".into(),
            role: crate::domain::request::Role::Customer,
            email_confirmed: true,
            email_notifications: true,
            session_epoch: 0,
            blocked: false,
            deactivated: false,
            editor: false,
            erased: false,
            privacy_version: 1,
            rules_version: 1,
            consent_pending: false,
        }
    }

    #[test]
    fn a_cookie_is_recognised_only_by_its_account_and_password() {
        let owner = user(7, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
        let cookie = issue(&owner).unwrap();
        assert!(recognise(&cookie, &owner).is_some());
        assert_eq!(recognise(&cookie, &owner), recognise(&cookie, &owner), "the same device id each time");
        assert_eq!(recognise(&cookie, &user(8, &owner.password_hash)), None, "another account");
        assert_eq!(recognise(&cookie, &user(7, "$argon2id$new")), None, "after a new password");
        let forged = format!("{}x", &cookie[..cookie.len() - 1]);
        assert_eq!(recognise(&forged, &owner), None);
        for junk in ["", "7", "7.", "7..", "x.y.z", "7.nonce.!!!"] {
            assert_eq!(recognise(junk, &owner), None, "{junk}");
        }
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut h = http::HeaderMap::new();
        h.insert(http::header::COOKIE, "sc3_session=abc; sc3_device=1.n.t; lang=it".parse().unwrap());
        assert_eq!(from_headers(&h).as_deref(), Some("1.n.t"));
        assert_eq!(from_headers(&http::HeaderMap::new()), None);
    }
}
