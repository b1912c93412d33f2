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

/// A one-time code of `digits` decimal digits (at most 9), uniformly random.
///
/// # Panics
/// Only if the operating system cannot provide randomness.
#[must_use]
pub fn random_digits(digits: u32) -> String {
    let digits = digits.clamp(1, 9);
    let modulus = 10u32.pow(digits);
    // Rejection sampling keeps every code equally likely.
    let limit = u32::MAX - (u32::MAX % modulus);
    loop {
        let mut buf = [0u8; 4];
        #[allow(clippy::expect_used)]
        getrandom::fill(&mut buf).expect("the operating system's random source failed");
        let n = u32::from_le_bytes(buf);
        if n < limit {
            let width = usize::try_from(digits).unwrap_or(6);
            return format!("{:0width$}", n % modulus);
        }
    }
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
    fn codes_have_six_digits() {
        for _ in 0..1000 {
            let code = random_digits(6);
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn ids_do_not_repeat() {
        let ids: HashSet<String> = (0..10_000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 10_000);
    }
}
