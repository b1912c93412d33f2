//! The blob header: magic, version, chunk size, salt and nonce prefix, parsed and written; and
//! the chunk size with the lengths derived from it.

use super::{FORMAT_VERSION, HEADER_LEN, MAGIC, PREFIX_LEN, SALT_LEN, TAG_LEN, TAG_LEN_U64};
use crate::{CryptoError, random_array};

/// The plaintext size of every chunk but the last; recorded in each blob's header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChunkSize(u32);

impl ChunkSize {
    /// 64 KiB: the tag adds 0.02 %, and a range read decrypts at most 64 KiB more than it needs.
    pub const DEFAULT: Self = Self(64 * 1024);
    /// The largest chunk size accepted, also from a header: bounds a decryptor's buffer (16 MiB).
    pub const MAX: u32 = 16 * 1024 * 1024;

    /// A chunk size of `bytes` plaintext bytes.
    ///
    /// # Errors
    /// [`CryptoError::BadChunkSize`] unless `1 <= bytes <= ChunkSize::MAX`.
    pub const fn new(bytes: u32) -> Result<Self, CryptoError> {
        if bytes == 0 || bytes > Self::MAX {
            return Err(CryptoError::BadChunkSize(bytes));
        }
        Ok(Self(bytes))
    }

    /// The size in bytes.
    #[must_use]
    pub const fn get(self) -> u32 {
        self.0
    }

    pub(super) fn len(self) -> usize {
        // At most 16 MiB, so this fits every usize of 32 bits or more; the fallback is unreachable.
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }

    pub(super) fn len_u64(self) -> u64 {
        u64::from(self.0)
    }

    /// Ciphertext bytes of a full chunk.
    pub(super) fn segment(self) -> usize {
        self.len() + TAG_LEN
    }

    pub(super) fn segment_u64(self) -> u64 {
        self.len_u64() + TAG_LEN_U64
    }
}

impl Default for ChunkSize {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A parsed blob header. Nothing in it is secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobHeader {
    pub(super) chunk_size: ChunkSize,
    pub(super) salt: [u8; SALT_LEN],
    pub(super) nonce_prefix: [u8; PREFIX_LEN],
}

impl BlobHeader {
    /// Parses the first [`HEADER_LEN`] bytes of `bytes` (more may follow).
    ///
    /// # Errors
    /// [`CryptoError::Truncated`] if fewer than [`HEADER_LEN`] bytes are given,
    /// [`CryptoError::BadHeader`] for a wrong magic or chunk size,
    /// [`CryptoError::UnsupportedVersion`] for an unknown version.
    pub fn parse(bytes: &[u8]) -> Result<Self, CryptoError> {
        let Some(header) = bytes.get(..HEADER_LEN) else {
            return Err(CryptoError::Truncated);
        };
        let (magic, rest) = header.split_at(MAGIC.len());
        if magic != MAGIC {
            return Err(CryptoError::BadHeader("not an Atelier encrypted blob"));
        }
        let (&version, rest) = rest
            .split_first()
            .ok_or(CryptoError::BadHeader("too short"))?;
        if version != FORMAT_VERSION {
            return Err(CryptoError::UnsupportedVersion(version));
        }
        let (size, rest) = rest.split_at(4);
        let size = u32::from_be_bytes(size.try_into().map_err(|_| CryptoError::Truncated)?);
        let chunk_size =
            ChunkSize::new(size).map_err(|_| CryptoError::BadHeader("chunk size out of range"))?;
        let (salt, prefix) = rest.split_at(SALT_LEN);
        Ok(Self {
            chunk_size,
            salt: salt.try_into().map_err(|_| CryptoError::Truncated)?,
            nonce_prefix: prefix.try_into().map_err(|_| CryptoError::Truncated)?,
        })
    }

    /// The blob's chunk size.
    #[must_use]
    pub const fn chunk_size(&self) -> ChunkSize {
        self.chunk_size
    }

    pub(super) fn random(chunk_size: ChunkSize) -> Self {
        Self {
            chunk_size,
            salt: random_array(),
            nonce_prefix: random_array(),
        }
    }

    pub(super) fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0; HEADER_LEN];
        out[..4].copy_from_slice(&MAGIC);
        out[4] = FORMAT_VERSION;
        out[5..9].copy_from_slice(&self.chunk_size.0.to_be_bytes());
        out[9..9 + SALT_LEN].copy_from_slice(&self.salt);
        out[9 + SALT_LEN..].copy_from_slice(&self.nonce_prefix);
        out
    }
}
