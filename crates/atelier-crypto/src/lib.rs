//! Envelope encryption of user blobs at rest (R1, SEC1).
//!
//! Each user has a random [`DataKey`]; it encrypts every blob of that user and is stored only
//! wrapped by the instance's [`MasterKey`] ([`MasterKey::wrap`]), bound to the user's id.
//! Deleting the account deletes the wrapped key, and with it every way to read the user's blobs,
//! in backups too.
//!
//! Blobs use a chunked AES-256-GCM format (STREAM construction) described in [`blob`]:
//! one-shot ([`encrypt`], [`decrypt`]), incremental ([`Encryptor`], [`Decryptor`]), as streams
//! ([`encrypt_stream`], [`decrypt_stream`]), and by byte range ([`ciphertext_range_for`],
//! [`decrypt_range`]), with sizes computable from lengths alone ([`ciphertext_len`],
//! [`plaintext_len`]).
//!
//! Keys are wiped from memory when dropped and never printed; errors never carry secrets
//! ([`CryptoError`]).

#![warn(missing_docs)]

pub mod blob;
mod error;
mod keys;
mod stream;

pub use blob::{
    BlobHeader, ChunkSize, Decryptor, Encryptor, FORMAT_VERSION, HEADER_LEN, MAGIC, TAG_LEN,
    ciphertext_len, ciphertext_range_for, decrypt, decrypt_range, encrypt, encrypt_with_chunk_size,
    plaintext_len,
};
pub use error::CryptoError;
pub use keys::{DataKey, KEY_LEN, MasterKey, WRAPPED_KEY_LEN};
pub use stream::{StreamError, decrypt_stream, encrypt_stream, encrypt_stream_with_chunk_size};

/// `N` bytes from the operating system's random generator.
///
/// # Panics
/// If the operating system cannot provide them. That is an unusable machine, not bad input, and
/// continuing without randomness would be worse (repeated keys and nonces).
fn random_array<const N: usize>() -> [u8; N] {
    let mut out = [0; N];
    getrandom::fill(&mut out).expect("the operating system's random number generator failed");
    out
}
