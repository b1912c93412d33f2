//! How secrets are kept: only their SHA-256 hashes are stored, and compared in constant time.
//!
//! Session tokens, access tokens and magic-link tokens carry 256 random bits, so a plain hash is
//! enough. A 6-digit code has few bits; its hash is salted with its challenge's random id, the
//! code lives 10 minutes and dies after 5 wrong tries (ASVS 6.5).

use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

/// Bytes of randomness in a session, access or link token.
pub const TOKEN_BYTES: usize = 32;

/// Prefix of personal access tokens, so that secret scanners recognise leaked ones.
pub const ACCESS_TOKEN_PREFIX: &str = "atl_";

/// SHA-256 of a token, as lower-case hex.
#[must_use]
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// SHA-256 of a code salted with its challenge id.
#[must_use]
pub fn hash_code(challenge_id: &str, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(challenge_id.as_bytes());
    h.update(b":");
    h.update(code.trim().as_bytes());
    hex::encode(h.finalize())
}

/// Compares two hashes without leaking where they differ.
#[must_use]
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A fresh session or link token.
#[must_use]
pub fn new_token() -> String {
    atelier_core::random_token(TOKEN_BYTES)
}

/// A fresh personal access token.
#[must_use]
pub fn new_access_token() -> String {
    format!(
        "{ACCESS_TOKEN_PREFIX}{}",
        atelier_core::random_token(TOKEN_BYTES)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_salted_and_compared_exactly() {
        let a = hash_code("c1", "123456");
        assert_eq!(a, hash_code("c1", " 123456 "));
        assert_ne!(a, hash_code("c2", "123456"));
        assert!(same(&a, &hash_code("c1", "123456")));
        assert!(!same(&a, &hash_code("c1", "123457")));
        assert!(!same(&a, "short"));
    }

    #[test]
    fn tokens_carry_256_bits() {
        assert_eq!(new_token().len(), 43);
        assert!(new_access_token().starts_with("atl_"));
        assert_eq!(hash_token("x").len(), 64);
    }
}
