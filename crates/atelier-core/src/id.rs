//! Random identifiers. Every id is text: URL-safe base64 of fresh random bytes from the operating
//! system. An id that works as a capability (a generation id that lets its status be read, a share
//! link, a token) carries at least 128 bits.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Bytes in an ordinary id: 128 bits, enough to be unguessable.
pub const ID_BYTES: usize = 16;

/// Returns `bytes` random bytes from the OS as URL-safe base64 without padding.
///
/// # Panics
/// Only if the operating system cannot provide randomness, which leaves nothing safe to do.
#[must_use]
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    URL_SAFE_NO_PAD.encode(buf)
}

/// A fresh 128-bit id (22 URL-safe characters).
#[must_use]
pub fn new_id() -> String {
    random_token(ID_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_url_safe_and_carry_128_bits() {
        let id = new_id();
        assert_eq!(id.len(), 22, "16 bytes in unpadded base64");
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn ids_do_not_repeat() {
        let ids: HashSet<String> = (0..10_000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
