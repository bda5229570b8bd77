//! Who may use the page, and from where: the rule for the listening address, password hashes,
//! sessions, CSRF tokens and the origin of a request. Pure where it can be, so that the rules
//! are tested without a server.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};

use crate::error::{Error, Result};

/// How long a session lasts without being used.
pub const SESSION_IDLE: Duration = Duration::from_secs(12 * 3600);

/// The session cookie's name.
pub const COOKIE: &str = "inkguard_session";

/// The rule for `--listen` (SPEC 10): loopback needs nothing; any other address shows personal
/// data to the network and needs at least one user to sign in.
pub fn listen_allowed(addr: &SocketAddr, users: i64) -> Result<()> {
    if addr.ip().is_loopback() || users > 0 {
        return Ok(());
    }
    Err(Error::Invalid {
        message: format!(
            "--listen {addr} is not a loopback address, and there is no user to sign in: the page shows personal data"
        ),
        hints: vec![
            "add a user first: inkguard user add NAME".into(),
            "or listen on this machine only: inkguard serve --listen 127.0.0.1:8470".into(),
        ],
    })
}

/// Whether a `Host` header names this machine's loopback interface. On a loopback listener
/// every other host is refused: a web page cannot then reach the server by rebinding a name of
/// its own to 127.0.0.1 (DNS rebinding) and read the clients.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    name.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// Whether a form post comes from this page: its `Origin` (when the browser sends one) names the
/// host it was sent to, and `Sec-Fetch-Site` (when sent) does not say another site sent it.
pub fn same_origin(origin: Option<&str>, host: Option<&str>, fetch_site: Option<&str>) -> bool {
    if fetch_site.is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
        return false;
    }
    let Some(origin) = origin else {
        // Programs (curl) send no Origin; the CSRF token still has to match.
        return true;
    };
    let Some(host) = host else {
        return false;
    };
    let origin = origin.trim_end_matches('/');
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|h| h.eq_ignore_ascii_case(host))
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// 32 random bytes as hex, from the operating system.
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| Error::invalid(format!("the system gave no random bytes: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// An argon2id hash of a password (PHC string, with its own random salt).
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::invalid(format!("the password could not be hashed: {e}")))
}

/// Whether a password matches a stored hash; a damaged hash matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A signed-in user's session.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub csrf: String,
    last_used: Instant,
}

/// The sessions of this server, in memory: a restart signs everyone out.
#[derive(Debug, Default)]
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    /// Starts a session for a user and returns its cookie value.
    pub fn start(&self, user: &str) -> Result<String> {
        let token = random_token()?;
        let session = Session {
            user: user.to_string(),
            csrf: random_token()?,
            last_used: Instant::now(),
        };
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, s| s.last_used.elapsed() < SESSION_IDLE);
        map.insert(token.clone(), session);
        Ok(token)
    }

    /// The session of a cookie value, if it is alive; using it keeps it alive.
    pub fn get(&self, token: &str) -> Option<Session> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let session = map.get_mut(token)?;
        if session.last_used.elapsed() >= SESSION_IDLE {
            map.remove(token);
            return None;
        }
        session.last_used = Instant::now();
        Some(session.clone())
    }

    pub fn end(&self, token: &str) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
    }
}

/// The value of one cookie in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// The `Set-Cookie` value of a session: never readable by scripts, never sent by another site,
/// and only over HTTPS (browsers also keep it over plain HTTP on localhost).
pub fn session_cookie(token: &str) -> String {
    format!("{COOKIE}={token}; Path=/; HttpOnly; Secure; SameSite=Strict")
}

/// The `Set-Cookie` value that ends a session in the browser.
pub fn expired_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_loopback_address_needs_a_user() {
        let any: SocketAddr = "0.0.0.0:8470".parse().unwrap();
        let lan: SocketAddr = "192.168.1.20:8470".parse().unwrap();
        assert!(listen_allowed(&any, 0).is_err());
        assert!(listen_allowed(&lan, 0).is_err());
        assert!(listen_allowed(&any, 1).is_ok());
    }

    #[test]
    fn a_loopback_address_needs_no_user() {
        for a in ["127.0.0.1:8470", "127.0.0.2:1", "[::1]:8470"] {
            assert!(listen_allowed(&a.parse().unwrap(), 0).is_ok(), "{a}");
        }
    }

    #[test]
    fn only_loopback_host_names_are_loopback_hosts() {
        for h in [
            "localhost:8470",
            "127.0.0.1:8470",
            "127.0.0.1",
            "[::1]:8470",
            "LOCALHOST",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "evil.example:8470",
            "192.168.1.2:8470",
            "localhost.evil.example",
            "",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }

    #[test]
    fn a_post_from_another_origin_is_not_same_origin() {
        let host = Some("127.0.0.1:8470");
        assert!(same_origin(Some("http://127.0.0.1:8470"), host, None));
        assert!(same_origin(None, host, None));
        assert!(!same_origin(Some("http://evil.example"), host, None));
        assert!(!same_origin(Some("null"), host, None));
        assert!(!same_origin(Some("http://127.0.0.1:8471"), host, None));
        assert!(!same_origin(None, host, Some("cross-site")));
    }

    #[test]
    fn a_password_matches_its_hash_only() {
        let h = hash_password("correct horse").unwrap();
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct horsE", &h));
        assert!(!verify_password("correct horse", "not a hash"));
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("abc", "ab"));
    }

    #[test]
    fn the_session_cookie_is_http_only_strict_and_secure() {
        let c = session_cookie("t");
        for part in ["HttpOnly", "Secure", "SameSite=Strict"] {
            assert!(c.contains(part), "{c}");
        }
        assert_eq!(
            cookie("a=1; inkguard_session=xyz; b=2", COOKIE),
            Some("xyz")
        );
    }
}
