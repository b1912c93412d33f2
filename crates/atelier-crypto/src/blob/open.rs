//! Opening: a whole blob at once ([`decrypt`]) or piece by piece ([`Decryptor`]), each chunk
//! verified before its plaintext is released.

use super::HEADER_LEN;
use super::chunk::ChunkCipher;
use super::header::BlobHeader;
use crate::CryptoError;
use crate::keys::DataKey;

/// Decrypts and verifies a whole blob made by [`encrypt`](super::encrypt) or an
/// [`Encryptor`](super::Encryptor) (any chunk size).
///
/// # Errors
/// [`CryptoError::AuthFailed`] if anything was changed or the key or context is wrong,
/// [`CryptoError::Truncated`] if it was cut short, header errors for a non-blob.
pub fn decrypt(key: &DataKey, context: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut decryptor = Decryptor::new(key, context);
    let mut out = decryptor.update(ciphertext)?;
    out.extend_from_slice(&decryptor.finish()?);
    Ok(out)
}

enum DecryptState {
    /// Collecting the header in `pending`; the key waits for it.
    Header {
        key: DataKey,
        context: Vec<u8>,
    },
    Body {
        cipher: Box<ChunkCipher>,
        index: u32,
    },
    Failed,
}

/// Decrypts a blob piece by piece, verifying each chunk before returning its plaintext.
///
/// A full chunk is never the final one (see the [format](super)), so each chunk is opened as
/// soon as it is complete; only [`Decryptor::finish`] proves the blob was not cut short, so the
/// output is untrusted until it succeeds. Memory: at most one chunk of ciphertext is buffered.
pub struct Decryptor {
    state: DecryptState,
    /// Bytes of the header or of the chunk not yet complete.
    pending: Vec<u8>,
}

impl Decryptor {
    /// A decryptor for a blob encrypted with `key` under `context`; the chunk size comes from the
    /// blob's header.
    #[must_use]
    pub fn new(key: &DataKey, context: &[u8]) -> Self {
        Self {
            state: DecryptState::Header {
                key: key.duplicate(),
                context: context.to_vec(),
            },
            pending: Vec::with_capacity(HEADER_LEN),
        }
    }

    /// Takes more ciphertext; returns the plaintext of every chunk completed and verified.
    ///
    /// # Errors
    /// Header errors, [`CryptoError::AuthFailed`] for a chunk that does not verify,
    /// [`CryptoError::Poisoned`] after an earlier error.
    pub fn update(&mut self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let result = self.update_inner(data);
        if result.is_err() {
            self.state = DecryptState::Failed;
        }
        result
    }

    /// Verifies and returns the final chunk.
    ///
    /// # Errors
    /// [`CryptoError::Truncated`] if the blob ends at a chunk boundary or inside the header or a
    /// tag, [`CryptoError::AuthFailed`] if the last chunk is not a valid final chunk (cut inside a
    /// chunk, data appended, tampering), [`CryptoError::Poisoned`] after an earlier error.
    pub fn finish(self) -> Result<Vec<u8>, CryptoError> {
        match self.state {
            DecryptState::Header { .. } => Err(CryptoError::Truncated),
            DecryptState::Failed => Err(CryptoError::Poisoned),
            DecryptState::Body { cipher, index } => {
                let mut out = Vec::with_capacity(self.pending.len());
                cipher.open(index, true, &self.pending, &mut out)?;
                Ok(out)
            }
        }
    }

    fn update_inner(&mut self, mut data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if let DecryptState::Header { key, context } = &self.state {
            let (head, rest) = data.split_at(data.len().min(HEADER_LEN - self.pending.len()));
            self.pending.extend_from_slice(head);
            data = rest;
            if self.pending.len() < HEADER_LEN {
                return Ok(Vec::new());
            }
            let header = BlobHeader::parse(&self.pending)?;
            let cipher = ChunkCipher::new(key, &header, context);
            self.state = DecryptState::Body {
                cipher: Box::new(cipher),
                index: 0,
            };
            self.pending.clear();
        }
        let DecryptState::Body { cipher, index } = &mut self.state else {
            return Err(CryptoError::Poisoned);
        };
        let segment = cipher.chunk_size.segment();
        let chunks = (self.pending.len().saturating_add(data.len())) / segment;
        let mut out = Vec::with_capacity(chunks.saturating_mul(cipher.chunk_size.len()));
        if !self.pending.is_empty() {
            let (head, rest) = data.split_at(data.len().min(segment - self.pending.len()));
            self.pending.extend_from_slice(head);
            data = rest;
            if self.pending.len() == segment {
                open_full(cipher, index, &self.pending, &mut out)?;
                self.pending.clear();
            }
        }
        while let Some((chunk, rest)) = data.split_at_checked(segment) {
            open_full(cipher, index, chunk, &mut out)?;
            data = rest;
        }
        if !data.is_empty() {
            self.pending
                .reserve_exact(segment.saturating_sub(self.pending.len()));
        }
        self.pending.extend_from_slice(data);
        Ok(out)
    }
}

/// Opens a full (so non-final) chunk and advances the counter.
fn open_full(
    cipher: &ChunkCipher,
    index: &mut u32,
    chunk: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    // A valid blob still has a final chunk after this one, which needs an index.
    let next = index.checked_add(1).ok_or(CryptoError::AuthFailed)?;
    cipher.open(*index, false, chunk, out)?;
    *index = next;
    Ok(())
}

impl std::fmt::Debug for Decryptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            DecryptState::Header { .. } => "header",
            DecryptState::Body { .. } => "body",
            DecryptState::Failed => "failed",
        };
        f.debug_struct("Decryptor")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}
