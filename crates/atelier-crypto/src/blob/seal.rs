//! Sealing: a whole blob at once ([`encrypt`]) or piece by piece ([`Encryptor`]), each chunk
//! emitted as soon as it is full.

use super::chunk::ChunkCipher;
use super::header::{BlobHeader, ChunkSize};
use super::{HEADER_LEN, TAG_LEN};
use crate::CryptoError;
use crate::keys::DataKey;

/// Encrypts `plaintext` as one blob with the default chunk size. `context` is the blob's storage
/// key; the same bytes must be given to decrypt it.
///
/// # Errors
/// [`CryptoError::TooLarge`] past 2^32 chunks (256 TiB at the default chunk size).
///
/// # Panics
/// If the operating system cannot provide random bytes.
pub fn encrypt(key: &DataKey, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    encrypt_with_chunk_size(key, context, plaintext, ChunkSize::DEFAULT)
}

/// [`encrypt`] with a chosen chunk size.
///
/// # Errors
/// [`CryptoError::TooLarge`] past 2^32 chunks.
///
/// # Panics
/// If the operating system cannot provide random bytes.
pub fn encrypt_with_chunk_size(
    key: &DataKey,
    context: &[u8],
    plaintext: &[u8],
    chunk_size: ChunkSize,
) -> Result<Vec<u8>, CryptoError> {
    let mut encryptor = Encryptor::with_chunk_size(key, context, chunk_size);
    let mut out = encryptor.update(plaintext)?;
    out.extend_from_slice(&encryptor.finish()?);
    Ok(out)
}

/// Encrypts a blob piece by piece. The concatenation of everything [`Encryptor::update`] and
/// [`Encryptor::finish`] return is the blob, header first, exactly as [`encrypt`] makes it.
/// Memory: at most one chunk of plaintext is buffered.
pub struct Encryptor {
    cipher: ChunkCipher,
    /// The header, until it has been emitted (with the first output).
    header: Option<[u8; HEADER_LEN]>,
    /// Plaintext of the chunk being filled; always shorter than a chunk between calls.
    pending: Vec<u8>,
    index: u32,
    failed: bool,
}

impl Encryptor {
    /// An encryptor with the default chunk size, and a fresh random salt and nonce prefix.
    ///
    /// # Panics
    /// If the operating system cannot provide random bytes.
    #[must_use]
    pub fn new(key: &DataKey, context: &[u8]) -> Self {
        Self::with_chunk_size(key, context, ChunkSize::DEFAULT)
    }

    /// An encryptor with the given chunk size.
    ///
    /// # Panics
    /// If the operating system cannot provide random bytes.
    #[must_use]
    pub fn with_chunk_size(key: &DataKey, context: &[u8], chunk_size: ChunkSize) -> Self {
        Self::with_header(key, context, &BlobHeader::random(chunk_size))
    }

    /// An encryptor with a given header: only safe with a fresh random salt, hence private.
    pub(super) fn with_header(key: &DataKey, context: &[u8], header: &BlobHeader) -> Self {
        Self {
            cipher: ChunkCipher::new(key, header, context),
            header: Some(header.to_bytes()),
            pending: Vec::new(),
            index: 0,
            failed: false,
        }
    }

    /// Takes more plaintext; returns the header (on the first call) and every chunk completed.
    ///
    /// # Errors
    /// [`CryptoError::TooLarge`] past 2^32 chunks; [`CryptoError::Poisoned`] after an error.
    pub fn update(&mut self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if self.failed {
            return Err(CryptoError::Poisoned);
        }
        let result = self.update_inner(data);
        self.failed = result.is_err();
        result
    }

    /// Seals the final chunk (the buffered rest, possibly empty) and returns what is left to
    /// write: the final chunk, preceded by the header if nothing was emitted yet.
    ///
    /// # Errors
    /// [`CryptoError::Poisoned`] after an earlier error.
    pub fn finish(mut self) -> Result<Vec<u8>, CryptoError> {
        if self.failed {
            return Err(CryptoError::Poisoned);
        }
        let mut out = Vec::with_capacity(HEADER_LEN + self.pending.len() + TAG_LEN);
        if let Some(header) = self.header.take() {
            out.extend_from_slice(&header);
        }
        self.cipher
            .seal(self.index, true, &self.pending, &mut out)?;
        Ok(out)
    }

    fn update_inner(&mut self, mut data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let size = self.cipher.chunk_size.len();
        let chunks = self.pending.len().saturating_add(data.len()) / size;
        let mut out = Vec::with_capacity(
            HEADER_LEN.saturating_add(chunks.saturating_mul(self.cipher.chunk_size.segment())),
        );
        if let Some(header) = self.header.take() {
            out.extend_from_slice(&header);
        }
        if !self.pending.is_empty() {
            let (head, rest) = data.split_at(data.len().min(size - self.pending.len()));
            self.pending.extend_from_slice(head);
            data = rest;
            if self.pending.len() == size {
                seal_full(&self.cipher, &mut self.index, &self.pending, &mut out)?;
                self.pending.clear();
            }
        }
        while let Some((chunk, rest)) = data.split_at_checked(size) {
            seal_full(&self.cipher, &mut self.index, chunk, &mut out)?;
            data = rest;
        }
        if !data.is_empty() {
            self.pending
                .reserve_exact(size.saturating_sub(self.pending.len()));
        }
        self.pending.extend_from_slice(data);
        Ok(out)
    }
}

/// Seals a full (so non-final) chunk and advances the counter.
fn seal_full(
    cipher: &ChunkCipher,
    index: &mut u32,
    chunk: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    // The final chunk must still get an index after this one.
    let next = index.checked_add(1).ok_or(CryptoError::TooLarge)?;
    cipher.seal(*index, false, chunk, out)?;
    *index = next;
    Ok(())
}

impl std::fmt::Debug for Encryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encryptor")
            .field("chunk_size", &self.cipher.chunk_size.get())
            .field("chunks_sealed", &self.index)
            .finish_non_exhaustive()
    }
}
