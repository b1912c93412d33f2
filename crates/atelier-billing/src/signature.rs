//! Stripe's webhook signatures (issue 18, G7).
//!
//! Stripe sends `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…][,v0=<hex>]`. Each `v1`
//! is HMAC-SHA256 over `"{t}.{raw body}"` keyed by the endpoint's signing secret used as-is
//! (`whsec_…`, prefix included). While a secret is being rolled, Stripe signs with both the old
//! and the new one, so any `v1` may match any configured secret. `v0` (test-mode legacy scheme)
//! is ignored. The comparison is constant-time, and a timestamp more than the tolerance away
//! from now, in either direction, is refused: a captured event cannot be replayed later.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Stripe's own default tolerance: five minutes.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// The length of a SHA-256 MAC in bytes.
const MAC_LEN: usize = 32;

/// The timestamp (`t`, Unix seconds) of a verified event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct VerifiedTimestamp(pub i64);

/// Why a webhook's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Stripe-Signature` header, or an empty one.
    #[error("the Stripe-Signature header is missing")]
    Missing,
    /// The header cannot be read: no timestamp, no `v1`, or a part that is not `key=value`.
    #[error("the Stripe-Signature header is malformed: {0}")]
    Malformed(&'static str),
    /// The signature matches but its timestamp is further from now than the tolerance.
    #[error("the signature's timestamp is {age_secs} s from now, beyond the tolerance")]
    Stale {
        /// Now minus the timestamp: positive when old, negative when in the future.
        age_secs: i64,
    },
    /// No `v1` matches any secret.
    #[error("no signature matches")]
    Mismatch,
}

/// The parts of a `Stripe-Signature` header this module reads.
struct Parsed {
    timestamp: i64,
    v1: Vec<[u8; MAC_LEN]>,
}

fn parse(header: &str) -> Result<Parsed, SignatureError> {
    let header = header.trim();
    if header.is_empty() {
        return Err(SignatureError::Missing);
    }
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        let (key, value) = part
            .trim()
            .split_once('=')
            .ok_or(SignatureError::Malformed("a part is not key=value"))?;
        match key {
            "t" => {
                if timestamp.is_some() {
                    return Err(SignatureError::Malformed("more than one timestamp"));
                }
                let t = value
                    .parse::<i64>()
                    .map_err(|_| SignatureError::Malformed("the timestamp is not a number"))?;
                timestamp = Some(t);
            }
            "v1" => {
                let mut mac = [0u8; MAC_LEN];
                hex::decode_to_slice(value, &mut mac).map_err(|_| {
                    SignatureError::Malformed("a v1 signature is not 64 hex digits")
                })?;
                v1.push(mac);
            }
            // `v0` and schemes Stripe may add later are not ours to check.
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed("no timestamp"))?;
    if v1.is_empty() {
        return Err(SignatureError::Malformed("no v1 signature"));
    }
    Ok(Parsed { timestamp, v1 })
}

/// HMAC-SHA256 of `"{t}.{body}"` under `secret`.
fn mac(secret: &str, timestamp: i64, body: &[u8]) -> [u8; MAC_LEN] {
    // HMAC takes a key of any length, so `new_from_slice` cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Verifies a webhook: the header's `v1` signatures against every secret (any pair may match),
/// then the timestamp against `now_unix` within `tolerance_secs` either way.
///
/// # Errors
/// [`SignatureError`]: `Missing` for an empty header, `Malformed`, `Mismatch` when no signature
/// matches, `Stale` when one matches but is too old or too far in the future.
pub fn verify(
    header: &str,
    body: &[u8],
    secrets: &[&str],
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<VerifiedTimestamp, SignatureError> {
    let parsed = parse(header)?;
    let mut matched = subtle::Choice::from(0);
    for secret in secrets {
        let expected = mac(secret, parsed.timestamp, body);
        for candidate in &parsed.v1 {
            // Every pair is compared, so the time taken does not tell which one matched.
            matched |= expected.ct_eq(candidate);
        }
    }
    if !bool::from(matched) {
        return Err(SignatureError::Mismatch);
    }
    let age_secs = now_unix.saturating_sub(parsed.timestamp);
    if age_secs.saturating_abs() > tolerance_secs {
        return Err(SignatureError::Stale { age_secs });
    }
    Ok(VerifiedTimestamp(parsed.timestamp))
}

/// The `v1` signature (hex) of `body` sent at `timestamp` under `secret`.
#[must_use]
pub fn v1_signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    hex::encode(mac(secret, timestamp, body))
}

/// A `Stripe-Signature` header as Stripe would send it: `t=<timestamp>,v1=<hex>`. For tests and
/// the fake server.
#[must_use]
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", v1_signature(secret, timestamp, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const T: i64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"id":"evt_test","type":"checkout.session.completed"}"#;
    const KNOWN: &str = "715369d9e69ebcb0b7e62a81bd79bfd0825e4a0f25a4577924dd7017a7eac01e";

    #[test]
    fn g7_the_known_answer_is_reproduced_and_verified() {
        assert_eq!(v1_signature(SECRET, T, BODY), KNOWN);
        let header = format!("t={T},v1={KNOWN}");
        assert_eq!(sign(SECRET, T, BODY), header);
        assert_eq!(
            verify(&header, BODY, &[SECRET], T + 10, DEFAULT_TOLERANCE_SECS),
            Ok(VerifiedTimestamp(T))
        );
    }

    #[test]
    fn g7_a_rotated_secret_and_any_of_several_v1_values_match() {
        let old = v1_signature("whsec_old", T, BODY);
        let header = format!("t={T},v1={old},v1={KNOWN},v0=deadbeef");
        // The new secret matches the second v1; the old one the first.
        assert!(verify(&header, BODY, &[SECRET], T, 300).is_ok());
        assert!(verify(&header, BODY, &["whsec_old"], T, 300).is_ok());
        // Two configured secrets, the second matching.
        let header = format!("t={T},v1={KNOWN}");
        assert!(verify(&header, BODY, &["whsec_other", SECRET], T, 300).is_ok());
        assert_eq!(
            verify(&header, BODY, &["whsec_other"], T, 300),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&header, BODY, &[], T, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn g7_old_and_future_timestamps_are_refused() {
        let header = sign(SECRET, T, BODY);
        assert!(verify(&header, BODY, &[SECRET], T + 300, 300).is_ok());
        assert!(verify(&header, BODY, &[SECRET], T - 300, 300).is_ok());
        assert_eq!(
            verify(&header, BODY, &[SECRET], T + 301, 300),
            Err(SignatureError::Stale { age_secs: 301 })
        );
        assert_eq!(
            verify(&header, BODY, &[SECRET], T - 301, 300),
            Err(SignatureError::Stale { age_secs: -301 })
        );
    }

    #[test]
    fn g7_a_tampered_body_or_timestamp_does_not_match() {
        let header = sign(SECRET, T, BODY);
        let tampered = br#"{"id":"evt_test","type":"checkout.session.completed" }"#;
        assert_eq!(
            verify(&header, tampered, &[SECRET], T, 300),
            Err(SignatureError::Mismatch)
        );
        let moved = format!("t={},v1={KNOWN}", T + 1);
        assert_eq!(
            verify(&moved, BODY, &[SECRET], T, 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn g7_missing_and_malformed_headers_are_told_apart() {
        assert_eq!(
            verify("", BODY, &[SECRET], T, 300),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify("  ", BODY, &[SECRET], T, 300),
            Err(SignatureError::Missing)
        );
        for bad in [
            format!("v1={KNOWN}"),
            format!("t={T}"),
            format!("t={T},v0={KNOWN}"),
            format!("t=soon,v1={KNOWN}"),
            format!("t={T},t={T},v1={KNOWN}"),
            format!("t={T},v1=xyz"),
            format!("t={T},v1={}", &KNOWN[..62]),
            format!("t={T};v1={KNOWN}"),
            format!("t={T},garbage,v1={KNOWN}"),
        ] {
            assert!(
                matches!(
                    verify(&bad, BODY, &[SECRET], T, 300),
                    Err(SignatureError::Malformed(_))
                ),
                "{bad}"
            );
        }
        // Spaces after commas are tolerated.
        let spaced = format!("t={T}, v1={KNOWN}");
        assert!(verify(&spaced, BODY, &[SECRET], T, 300).is_ok());
    }
}
