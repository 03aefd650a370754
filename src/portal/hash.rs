//! Password digests and token comparison, so the replica never stores demo or user-chosen
//! passwords in plain text in its state file. Not a production password store (no key
//! stretching).

use sha2::{Digest, Sha256};

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Salted password digest as stored in the state file: hex(SHA-256(salt ":" password)).
pub(crate) fn password_digest(salt: &str, password: &str) -> String {
    hex(&Sha256::digest(format!("{salt}:{password}")))
}

/// Constant-time comparison of two strings (for tokens and digests).
pub(crate) fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_salted_sha256() {
        // hex(SHA-256("seed-gatuser:Demo-Wachtwoord-2026")): state files written before keep
        // their logins.
        assert_eq!(
            password_digest("seed-gatuser", "Demo-Wachtwoord-2026"),
            "2aab4609efd729ca810e8d3268ff3c3de9e8f543b0cc0bdac5aaa9204268bbe3"
        );
        assert_ne!(password_digest("a", "x"), password_digest("b", "x"));
    }

    #[test]
    fn same_compares_exactly() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }
}
