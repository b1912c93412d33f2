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

/// The URL-safe base64 alphabet in byte order, so that text comparison follows number order.
const SORTABLE_ALPHABET: &[u8; 64] =
    b"-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";

/// A fresh id that sorts after the ids made before it (22 URL-safe characters): 8 characters
/// of the time in milliseconds, then 84 random bits. For public records only (gallery items),
/// since it shows when it was made: database indexes then grow at their end instead of at
/// random places, which keeps bulk imports from rewriting pages all over the index.
///
/// # Panics
/// Only if the operating system cannot provide randomness.
#[must_use]
pub fn new_sortable_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    sortable_id_at(u64::try_from(millis).unwrap_or(u64::MAX))
}

fn sortable_id_at(millis: u64) -> String {
    let mut random = [0u8; 14];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut random).expect("the operating system's random source failed");
    let mut out = String::with_capacity(22);
    for i in (0..8).rev() {
        let digit = (millis >> (i * 6)) & 63;
        out.push(char::from(
            SORTABLE_ALPHABET[usize::try_from(digit).unwrap_or(0)],
        ));
    }
    for byte in random {
        out.push(char::from(SORTABLE_ALPHABET[usize::from(byte & 63)]));
    }
    out
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

    #[test]
    fn sortable_ids_follow_time_and_look_like_other_ids() {
        let a = sortable_id_at(1_780_000_000_000);
        let b = sortable_id_at(1_780_000_000_001);
        let c = sortable_id_at(1_780_000_100_000);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(a.len(), new_id().len());
        assert!(a.bytes().all(|x| SORTABLE_ALPHABET.contains(&x)));
        assert_ne!(sortable_id_at(5), sortable_id_at(5));
        assert!(new_sortable_id() > a);
    }
}
