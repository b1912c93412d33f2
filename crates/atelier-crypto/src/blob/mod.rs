//! Encrypted blobs: a fixed header, then AES-256-GCM chunks in the STREAM construction.
//!
//! ## Format, version 1
//!
//! ```text
//! header (HEADER_LEN = 32 bytes)
//!   0..4    magic "ATB1"
//!   4       version, 0x01
//!   5..9    chunk size C in plaintext bytes, u32 big-endian, 1..=16 MiB (default 64 KiB)
//!   9..25   salt, 16 random bytes
//!   25..32  nonce prefix, 7 random bytes
//! chunks, n = floor(P / C) + 1 of them for a plaintext of P bytes
//!   chunk i < n-1:  C bytes of ciphertext ‖ 16-byte tag        (always full)
//!   chunk n-1:      P mod C bytes (0..C-1) ‖ 16-byte tag        (the final chunk, never full)
//! ```
//!
//! Every blob has its own AES-256-GCM key, `HKDF-SHA256(ikm = data key, salt = header salt,
//! info = "atelier/blob-key/v1")`, so random nonces never repeat across a user's many blobs.
//! Chunk `i` is sealed with nonce `prefix (7) ‖ i as u32 big-endian (4) ‖ last (1)`, where `last`
//! is `0x01` for the final chunk and `0x00` otherwise, and with associated data
//! `SHA-256("atelier/blob-aad/v1" ‖ header (32 bytes) ‖ context)`. The `context` is the blob's
//! storage key, given by the caller on both sides and not stored.
//!
//! Hence: a changed header byte, chunk or tag fails authentication; chunks cannot be reordered,
//! duplicated or dropped (the counter), the blob cannot be cut at a chunk boundary or extended
//! (the final flag, and the final chunk is the only short one), and a blob copied under another
//! storage key does not decrypt. An empty plaintext is one empty final chunk: 48 bytes in all.
//!
//! The final chunk is never full: a full chunk is always followed by another. This lets the
//! encryptor emit each chunk as soon as it is complete and the decryptor open it as soon as it
//! has arrived, and makes the ciphertext length alone tell the plaintext length
//! ([`plaintext_len`]), so `Content-Length` needs no decryption.
//!
//! Streaming decryption releases plaintext before the end is verified: a consumer must treat the
//! output as untrusted until [`Decryptor::finish`] (or the stream's end) succeeds.
//!
//! ## Range reads
//! The header has a fixed size: fetch `0..HEADER_LEN` first (it gives the chunk size), then the
//! bytes [`ciphertext_range_for`] names, and give both to [`decrypt_range`].

mod chunk;
mod header;
mod open;
mod range;
mod seal;

pub use header::{BlobHeader, ChunkSize};
pub use open::{Decryptor, decrypt};
pub use range::{ciphertext_len, ciphertext_range_for, decrypt_range, plaintext_len};
pub use seal::{Encryptor, encrypt, encrypt_with_chunk_size};

/// Length of a blob header, in bytes.
pub const HEADER_LEN: usize = 32;
/// Length of a GCM tag: each chunk's overhead, in bytes.
pub const TAG_LEN: usize = 16;
/// The four bytes every encrypted blob starts with.
pub const MAGIC: [u8; 4] = *b"ATB1";
/// The blob format version this build writes (and the only one it reads).
pub const FORMAT_VERSION: u8 = 1;

const SALT_LEN: usize = 16;
const PREFIX_LEN: usize = 7;
const KEY_INFO: &[u8] = b"atelier/blob-key/v1";
const AAD_LABEL: &[u8] = b"atelier/blob-aad/v1";
const HEADER_LEN_U64: u64 = 32;
const TAG_LEN_U64: u64 = 16;

#[cfg(test)]
mod tests;
