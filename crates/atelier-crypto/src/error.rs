//! The one error type of this crate.
//!
//! Policy: a message says *what* failed and never carries secret material. Key bytes, decoded
//! base64, plaintext and derived values are never formatted; a base64 decoding error is not even
//! forwarded, because its message quotes the offending character of the key. Fingerprints and
//! lengths are not secret and may appear.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while handling keys or encrypted blobs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// Key material given as text or bytes is malformed (not base64, wrong length).
    #[error("invalid key: {0}")]
    BadKey(&'static str),

    /// A master key file exists but does not hold a valid key.
    #[error("invalid master key file {path}: {reason}")]
    BadKeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong with its contents (never the contents themselves).
        reason: &'static str,
    },

    /// Reading or writing a master key file failed.
    #[error("master key file {path}: {source}")]
    Io {
        /// The key file (or its folder).
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },

    /// A wrapped data key was sealed by another master key than the one given.
    #[error("data key was wrapped by master key {found}, not by {expected}")]
    WrongMasterKey {
        /// Fingerprint of the master key that was used to unwrap.
        expected: String,
        /// Fingerprint recorded in the wrapped key.
        found: String,
    },

    /// Authentication failed: the data was altered, reordered, truncated mid-chunk or extended,
    /// or the key, owner or context is not the one it was sealed with.
    #[error("authentication failed: data was tampered with, or the key, owner or context is wrong")]
    AuthFailed,

    /// The ciphertext ends before the format says it may (a missing header, chunk or tag).
    #[error("ciphertext is truncated")]
    Truncated,

    /// A wrapped data key or a ciphertext length is structurally invalid.
    #[error("malformed ciphertext: {0}")]
    Malformed(&'static str),

    /// The blob header is not an Atelier encrypted blob header.
    #[error("invalid blob header: {0}")]
    BadHeader(&'static str),

    /// The format version byte is one this build does not know.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u8),

    /// A chunk size outside `1..=ChunkSize::MAX`.
    #[error("chunk size {0} is out of range")]
    BadChunkSize(u32),

    /// A plaintext range that does not lie inside the blob, or fetched bytes that do not match it.
    #[error("invalid range: {0}")]
    BadRange(&'static str),

    /// More data than the format can address (2^32 chunks per blob).
    #[error("blob too large for the encryption format")]
    TooLarge,

    /// The encryptor or decryptor was used again after it had already failed.
    #[error("an earlier error stopped this stream")]
    Poisoned,
}
