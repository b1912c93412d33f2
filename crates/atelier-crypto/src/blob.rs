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

use std::ops::Range;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::keys::{DataKey, KEY_LEN};
use crate::{CryptoError, random_array};

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

    fn len(self) -> usize {
        // At most 16 MiB, so this fits every usize of 32 bits or more; the fallback is unreachable.
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }

    fn len_u64(self) -> u64 {
        u64::from(self.0)
    }

    /// Ciphertext bytes of a full chunk.
    fn segment(self) -> usize {
        self.len() + TAG_LEN
    }

    fn segment_u64(self) -> u64 {
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
    chunk_size: ChunkSize,
    salt: [u8; SALT_LEN],
    nonce_prefix: [u8; PREFIX_LEN],
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

    fn random(chunk_size: ChunkSize) -> Self {
        Self {
            chunk_size,
            salt: random_array(),
            nonce_prefix: random_array(),
        }
    }

    fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut out = [0; HEADER_LEN];
        out[..4].copy_from_slice(&MAGIC);
        out[4] = FORMAT_VERSION;
        out[5..9].copy_from_slice(&self.chunk_size.0.to_be_bytes());
        out[9..9 + SALT_LEN].copy_from_slice(&self.salt);
        out[9 + SALT_LEN..].copy_from_slice(&self.nonce_prefix);
        out
    }
}

/// Seals and opens the chunks of one blob.
struct ChunkCipher {
    aead: Aes256Gcm,
    nonce_prefix: [u8; PREFIX_LEN],
    aad: [u8; 32],
    chunk_size: ChunkSize,
}

impl ChunkCipher {
    fn new(key: &DataKey, header: &BlobHeader, context: &[u8]) -> Self {
        let mut blob_key = Zeroizing::new([0u8; KEY_LEN]);
        Hkdf::<Sha256>::new(Some(&header.salt), key.as_bytes())
            .expand(KEY_INFO, blob_key.as_mut())
            // HKDF-SHA256 refuses only outputs longer than 8160 bytes.
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        let aead = Aes256Gcm::new((&*blob_key).into());
        let aad = Sha256::new()
            .chain_update(AAD_LABEL)
            .chain_update(header.to_bytes())
            .chain_update(context)
            .finalize()
            .into();
        Self {
            aead,
            nonce_prefix: header.nonce_prefix,
            aad,
            chunk_size: header.chunk_size,
        }
    }

    fn nonce(&self, index: u32, last: bool) -> [u8; 12] {
        let mut nonce = [0; 12];
        nonce[..PREFIX_LEN].copy_from_slice(&self.nonce_prefix);
        nonce[PREFIX_LEN..11].copy_from_slice(&index.to_be_bytes());
        nonce[11] = u8::from(last);
        nonce
    }

    /// Appends chunk `index`, sealed, to `out`.
    fn seal(
        &self,
        index: u32,
        last: bool,
        plaintext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), CryptoError> {
        let start = out.len();
        out.extend_from_slice(plaintext);
        let tag = self
            .aead
            .encrypt_in_place_detached(
                &self.nonce(index, last).into(),
                &self.aad,
                &mut out[start..],
            )
            .map_err(|_| CryptoError::TooLarge)?;
        out.extend_from_slice(&tag);
        Ok(())
    }

    /// Appends the plaintext of sealed chunk `index` to `out`; appends nothing on failure.
    fn open(
        &self,
        index: u32,
        last: bool,
        chunk: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), CryptoError> {
        let Some(body_len) = chunk.len().checked_sub(TAG_LEN) else {
            return Err(CryptoError::Truncated);
        };
        let (body, tag) = chunk.split_at(body_len);
        let start = out.len();
        out.extend_from_slice(body);
        let opened = self.aead.decrypt_in_place_detached(
            &self.nonce(index, last).into(),
            &self.aad,
            &mut out[start..],
            tag.into(),
        );
        if opened.is_err() {
            out.truncate(start);
            return Err(CryptoError::AuthFailed);
        }
        Ok(())
    }
}

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

/// Decrypts and verifies a whole blob made by [`encrypt`] or an [`Encryptor`] (any chunk size).
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
    fn with_header(key: &DataKey, context: &[u8], header: &BlobHeader) -> Self {
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
/// A full chunk is never the final one (see the module docs), so each chunk is opened as soon as
/// it is complete; only [`Decryptor::finish`] proves the blob was not cut short, so the output is
/// untrusted until it succeeds. Memory: at most one chunk of ciphertext is buffered.
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

/// The stored size of a blob of `plaintext_len` bytes: `HEADER_LEN + P + 16 * (P / C + 1)`.
///
/// # Errors
/// [`CryptoError::TooLarge`] past 2^32 chunks.
pub fn ciphertext_len(plaintext_len: u64, chunk_size: ChunkSize) -> Result<u64, CryptoError> {
    let chunks = u64::from(last_index(plaintext_len, chunk_size)?) + 1;
    chunks
        .checked_mul(TAG_LEN_U64)
        .and_then(|tags| tags.checked_add(plaintext_len))
        .and_then(|len| len.checked_add(HEADER_LEN_U64))
        .ok_or(CryptoError::TooLarge)
}

/// The plaintext size of a stored blob of `ciphertext_len` bytes (its header's chunk size), for
/// `Content-Length` without decrypting. Only a length is checked here, not the contents.
///
/// # Errors
/// [`CryptoError::Truncated`] for a length no blob can have (shorter than header and tag, or
/// ending at a chunk boundary or inside a tag), [`CryptoError::TooLarge`] past 2^32 chunks.
pub fn plaintext_len(ciphertext_len: u64, chunk_size: ChunkSize) -> Result<u64, CryptoError> {
    let body = ciphertext_len
        .checked_sub(HEADER_LEN_U64)
        .ok_or(CryptoError::Truncated)?;
    let segment = chunk_size.segment_u64();
    let full = body / segment;
    let last = (body % segment)
        .checked_sub(TAG_LEN_U64)
        .ok_or(CryptoError::Truncated)?;
    if full > u64::from(u32::MAX) {
        return Err(CryptoError::TooLarge);
    }
    full.checked_mul(chunk_size.len_u64())
        .and_then(|len| len.checked_add(last))
        .ok_or(CryptoError::TooLarge)
}

/// For the plaintext bytes `plain` of a blob of `total_plain_len` plaintext bytes, the absolute
/// byte range of the stored blob to fetch, and the index of the first chunk in it.
///
/// The range covers whole chunks, starts at or after [`HEADER_LEN`] (the header is read
/// separately) and, when `plain` reaches the end of the blob, includes the final chunk, so the
/// read also proves the blob is complete. An empty `plain` still touches one chunk.
///
/// # Errors
/// [`CryptoError::BadRange`] unless `plain.start <= plain.end <= total_plain_len`,
/// [`CryptoError::TooLarge`] past 2^32 chunks.
pub fn ciphertext_range_for(
    plain: Range<u64>,
    total_plain_len: u64,
    chunk_size: ChunkSize,
) -> Result<(Range<u64>, u32), CryptoError> {
    let span = ChunkSpan::new(&plain, total_plain_len, chunk_size)?;
    Ok((span.ciphertext, span.first))
}

/// Decrypts the plaintext bytes `plain` from a partial read of a blob: `header` is the blob's
/// first [`HEADER_LEN`] bytes and `fetched` exactly the bytes [`ciphertext_range_for`] named, whose
/// first chunk is `first_chunk`. Every chunk touched is verified (the final one as final).
///
/// # Errors
/// Header errors; [`CryptoError::BadRange`] if the range, first chunk or fetched length do not
/// match; [`CryptoError::Truncated`] if fewer bytes were fetched than needed;
/// [`CryptoError::AuthFailed`] if a chunk does not verify (also when `total_plain_len` is not the
/// blob's real length).
pub fn decrypt_range(
    key: &DataKey,
    context: &[u8],
    header: &[u8],
    first_chunk: u32,
    fetched: &[u8],
    plain: Range<u64>,
    total_plain_len: u64,
) -> Result<Vec<u8>, CryptoError> {
    if header.len() != HEADER_LEN {
        return Err(CryptoError::BadHeader(
            "header must be exactly HEADER_LEN bytes",
        ));
    }
    let header = BlobHeader::parse(header)?;
    let chunk_size = header.chunk_size;
    let span = ChunkSpan::new(&plain, total_plain_len, chunk_size)?;
    if span.first != first_chunk {
        return Err(CryptoError::BadRange(
            "first chunk does not match the range",
        ));
    }
    let wanted = span.ciphertext.end - span.ciphertext.start;
    let fetched_len = u64::try_from(fetched.len()).map_err(|_| CryptoError::TooLarge)?;
    if fetched_len < wanted {
        return Err(CryptoError::Truncated);
    }
    if fetched_len > wanted {
        return Err(CryptoError::BadRange(
            "more bytes fetched than the range needs",
        ));
    }

    let cipher = ChunkCipher::new(key, &header, context);
    let mut out = Vec::with_capacity(fetched.len());
    let mut rest = fetched;
    let mut index = span.first;
    loop {
        let last = index == span.last_of_blob;
        let take = if last {
            rest.len()
        } else {
            rest.len().min(chunk_size.segment())
        };
        let (chunk, tail) = rest.split_at(take);
        cipher.open(index, last, chunk, &mut out)?;
        rest = tail;
        if index == span.last {
            break;
        }
        index = index.checked_add(1).ok_or(CryptoError::TooLarge)?;
    }
    let skip = plain.start - u64::from(span.first) * chunk_size.len_u64();
    let skip = usize::try_from(skip).map_err(|_| CryptoError::TooLarge)?;
    let len = usize::try_from(plain.end - plain.start).map_err(|_| CryptoError::TooLarge)?;
    out.drain(..skip);
    out.truncate(len);
    Ok(out)
}

/// The chunks a plaintext range touches.
struct ChunkSpan {
    first: u32,
    last: u32,
    last_of_blob: u32,
    ciphertext: Range<u64>,
}

impl ChunkSpan {
    fn new(plain: &Range<u64>, total: u64, chunk_size: ChunkSize) -> Result<Self, CryptoError> {
        if plain.start > plain.end || plain.end > total {
            return Err(CryptoError::BadRange("range outside the blob"));
        }
        let size = chunk_size.len_u64();
        let last_of_blob = last_index(total, chunk_size)?;
        let to_index = |i: u64| u32::try_from(i).map_err(|_| CryptoError::TooLarge);
        let first = to_index(plain.start / size)?;
        let last = if plain.end == total {
            last_of_blob
        } else if plain.end > plain.start {
            to_index((plain.end - 1) / size)?
        } else {
            first
        };
        let offset = |i: u32| HEADER_LEN_U64 + u64::from(i) * chunk_size.segment_u64();
        let end = if last == last_of_blob {
            // The final chunk holds the rest of the plaintext and its tag.
            offset(last) + (total - u64::from(last) * size) + TAG_LEN_U64
        } else {
            offset(last) + chunk_size.segment_u64()
        };
        Ok(Self {
            first,
            last,
            last_of_blob,
            ciphertext: offset(first)..end,
        })
    }
}

/// Index of the final chunk of a `plaintext_len`-byte blob.
fn last_index(plaintext_len: u64, chunk_size: ChunkSize) -> Result<u32, CryptoError> {
    u32::try_from(plaintext_len / chunk_size.len_u64()).map_err(|_| CryptoError::TooLarge)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator, so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
        }

        fn bytes(&mut self, n: usize) -> Vec<u8> {
            (0..n).map(|_| self.next().to_le_bytes()[0]).collect()
        }
    }

    const CTX: &[u8] = b"users/u1/images/0001.webp";
    const C: usize = 16;

    fn small() -> ChunkSize {
        ChunkSize::new(16).unwrap()
    }

    fn sizes() -> [usize; 6] {
        [0, 1, C - 1, C, C + 1, C * 7 / 2]
    }

    fn seal(key: &DataKey, plaintext: &[u8]) -> Vec<u8> {
        encrypt_with_chunk_size(key, CTX, plaintext, small()).unwrap()
    }

    fn u64_of(n: usize) -> u64 {
        u64::try_from(n).unwrap()
    }

    #[test]
    fn round_trips_at_chunk_edges() {
        let key = DataKey::generate();
        let mut rng = Rng(1);
        for n in sizes() {
            let plaintext = rng.bytes(n);
            let ciphertext = seal(&key, &plaintext);
            assert_eq!(&ciphertext[..4], b"ATB1");
            let expected = ciphertext_len(u64_of(n), small()).unwrap();
            assert_eq!(u64_of(ciphertext.len()), expected, "size {n}");
            assert_eq!(
                plaintext_len(expected, small()).unwrap(),
                u64_of(n),
                "size {n}"
            );
            assert_eq!(
                decrypt(&key, CTX, &ciphertext).unwrap(),
                plaintext,
                "size {n}"
            );
        }
        // The default chunk size too, across a boundary.
        let plaintext = rng.bytes(64 * 1024 + 3);
        let ciphertext = encrypt(&key, CTX, &plaintext).unwrap();
        assert_eq!(ciphertext.len(), HEADER_LEN + plaintext.len() + 2 * TAG_LEN);
        assert_eq!(decrypt(&key, CTX, &ciphertext).unwrap(), plaintext);
    }

    #[test]
    fn empty_plaintext_is_one_empty_final_chunk() {
        let key = DataKey::generate();
        let ciphertext = seal(&key, &[]);
        assert_eq!(ciphertext.len(), HEADER_LEN + TAG_LEN);
        assert_eq!(decrypt(&key, CTX, &ciphertext).unwrap(), Vec::<u8>::new());
        let err = decrypt(&key, CTX, &ciphertext[..HEADER_LEN]).unwrap_err();
        assert!(matches!(err, CryptoError::Truncated), "{err}");
    }

    #[test]
    fn lengths_invert_and_impossible_lengths_are_rejected() {
        for size in [1, 3, 16] {
            let cs = ChunkSize::new(size).unwrap();
            let mut valid = std::collections::BTreeSet::new();
            for p in 0..200u64 {
                let c = ciphertext_len(p, cs).unwrap();
                assert_eq!(plaintext_len(c, cs).unwrap(), p);
                valid.insert(c);
            }
            let max = *valid.last().unwrap();
            for c in 0..max {
                if !valid.contains(&c) {
                    assert!(
                        matches!(plaintext_len(c, cs), Err(CryptoError::Truncated)),
                        "length {c} at chunk size {size}"
                    );
                }
            }
        }
        let seg = u64::from(small().get()) + TAG_LEN_U64;
        for claim in [0, HEADER_LEN_U64, HEADER_LEN_U64 + 15, HEADER_LEN_U64 + seg] {
            assert!(matches!(
                plaintext_len(claim, small()),
                Err(CryptoError::Truncated)
            ));
        }
        assert!(matches!(
            ciphertext_len(u64::MAX, ChunkSize::DEFAULT),
            Err(CryptoError::TooLarge)
        ));
        assert!(plaintext_len(u64::MAX, ChunkSize::new(1).unwrap()).is_err());
    }

    #[test]
    fn streaming_with_random_splits_equals_one_shot() {
        let key = DataKey::generate();
        let mut rng = Rng(2);
        for n in sizes().into_iter().chain([100, 257]) {
            let plaintext = rng.bytes(n);
            let header = BlobHeader::random(small());
            let mut one = Encryptor::with_header(&key, CTX, &header);
            let mut expected = one.update(&plaintext).unwrap();
            expected.extend(one.finish().unwrap());
            for round in 0..20 {
                let mut streaming = Encryptor::with_header(&key, CTX, &header);
                let mut got = Vec::new();
                for piece in random_pieces(&mut rng, &plaintext, round) {
                    got.extend(streaming.update(piece).unwrap());
                }
                got.extend(streaming.finish().unwrap());
                assert_eq!(got, expected, "size {n}, round {round}");

                let mut decryptor = Decryptor::new(&key, CTX);
                let mut back = Vec::new();
                for piece in random_pieces(&mut rng, &got, round) {
                    back.extend(decryptor.update(piece).unwrap());
                }
                back.extend(decryptor.finish().unwrap());
                assert_eq!(back, plaintext, "size {n}, round {round}");
            }
        }
    }

    /// Splits `data` at random points; round 0 feeds byte by byte.
    fn random_pieces<'a>(rng: &mut Rng, data: &'a [u8], round: usize) -> Vec<&'a [u8]> {
        let mut pieces = Vec::new();
        let mut rest = data;
        while !rest.is_empty() {
            let take = if round == 0 {
                1
            } else {
                rng.below(rest.len() + C).min(rest.len())
            };
            let (piece, tail) = rest.split_at(take);
            pieces.push(piece);
            rest = tail;
        }
        pieces
    }

    #[test]
    fn decryptor_emits_a_full_chunk_as_soon_as_it_arrives() {
        let key = DataKey::generate();
        let plaintext = Rng(3).bytes(C + 5);
        let ciphertext = seal(&key, &plaintext);
        let mut decryptor = Decryptor::new(&key, CTX);
        let first = decryptor
            .update(&ciphertext[..HEADER_LEN + C + TAG_LEN])
            .unwrap();
        assert_eq!(first, &plaintext[..C]);
        let rest = decryptor
            .update(&ciphertext[HEADER_LEN + C + TAG_LEN..])
            .unwrap();
        assert!(rest.is_empty());
        assert_eq!(decryptor.finish().unwrap(), &plaintext[C..]);
    }

    #[test]
    fn every_flipped_bit_is_detected() {
        let key = DataKey::generate();
        let plaintext = Rng(4).bytes(C * 7 / 2);
        let ciphertext = seal(&key, &plaintext);
        for i in 0..ciphertext.len() {
            for bit in [0x01, 0x80] {
                let mut bad = ciphertext.clone();
                bad[i] ^= bit;
                assert!(decrypt(&key, CTX, &bad).is_err(), "byte {i} bit {bit:#x}");
            }
        }
    }

    #[test]
    fn every_truncation_is_detected() {
        let key = DataKey::generate();
        for n in sizes() {
            let ciphertext = seal(&key, &Rng(5).bytes(n));
            for len in 0..ciphertext.len() {
                let err = decrypt(&key, CTX, &ciphertext[..len]).unwrap_err();
                let boundary = len >= HEADER_LEN && (len - HEADER_LEN).is_multiple_of(C + TAG_LEN);
                if boundary {
                    assert!(matches!(err, CryptoError::Truncated), "len {len}: {err}");
                }
            }
        }
    }

    #[test]
    fn reordered_dropped_duplicated_or_appended_chunks_are_detected() {
        let key = DataKey::generate();
        let plaintext = Rng(6).bytes(C * 7 / 2);
        let ciphertext = seal(&key, &plaintext);
        let (header, body) = ciphertext.split_at(HEADER_LEN);
        let chunks: Vec<&[u8]> = body.chunks(C + TAG_LEN).collect();
        assert_eq!(chunks.len(), 4);
        let rebuild = |order: &[usize]| {
            let mut out = header.to_vec();
            for &i in order {
                out.extend_from_slice(chunks[i]);
            }
            out
        };
        assert_eq!(
            decrypt(&key, CTX, &rebuild(&[0, 1, 2, 3])).unwrap(),
            plaintext
        );
        for order in [
            &[1, 0, 2, 3][..],
            &[0, 2, 1, 3],
            &[0, 1, 3],
            &[1, 2, 3],
            &[0, 0, 1, 2, 3],
            &[0, 1, 2, 2, 3],
            &[0, 1, 2, 3, 3],
            &[0, 1, 2],
        ] {
            assert!(decrypt(&key, CTX, &rebuild(order)).is_err(), "{order:?}");
        }
        for junk in [&[0u8][..], &[0; TAG_LEN], &[7; C + TAG_LEN], chunks[3]] {
            let mut extended = ciphertext.clone();
            extended.extend_from_slice(junk);
            let err = decrypt(&key, CTX, &extended).unwrap_err();
            assert!(
                matches!(err, CryptoError::AuthFailed),
                "{} bytes: {err}",
                junk.len()
            );
        }
    }

    #[test]
    fn wrong_key_context_or_header_fails() {
        let key = DataKey::generate();
        let plaintext = Rng(7).bytes(40);
        let ciphertext = seal(&key, &plaintext);
        let err = decrypt(&DataKey::generate(), CTX, &ciphertext).unwrap_err();
        assert!(matches!(err, CryptoError::AuthFailed), "{err}");
        let err = decrypt(&key, b"users/u2/images/0001.webp", &ciphertext).unwrap_err();
        assert!(matches!(err, CryptoError::AuthFailed), "{err}");
        // Another blob's header (other salt and prefix) on these chunks.
        let other = seal(&key, &plaintext);
        let mut spliced = other[..HEADER_LEN].to_vec();
        spliced.extend_from_slice(&ciphertext[HEADER_LEN..]);
        let err = decrypt(&key, CTX, &spliced).unwrap_err();
        assert!(matches!(err, CryptoError::AuthFailed), "{err}");
    }

    #[test]
    fn header_errors_are_specific() {
        let key = DataKey::generate();
        let ciphertext = seal(&key, b"x");
        let mut bad = ciphertext.clone();
        bad[0] = b'X';
        assert!(matches!(
            decrypt(&key, CTX, &bad),
            Err(CryptoError::BadHeader(_))
        ));
        let mut bad = ciphertext.clone();
        bad[4] = 9;
        assert!(matches!(
            decrypt(&key, CTX, &bad),
            Err(CryptoError::UnsupportedVersion(9))
        ));
        for size in [0u32, ChunkSize::MAX + 1] {
            let mut bad = ciphertext.clone();
            bad[5..9].copy_from_slice(&size.to_be_bytes());
            assert!(matches!(
                decrypt(&key, CTX, &bad),
                Err(CryptoError::BadHeader(_))
            ));
            assert!(matches!(
                ChunkSize::new(size),
                Err(CryptoError::BadChunkSize(_))
            ));
        }
        assert!(matches!(
            decrypt(&key, CTX, &[]),
            Err(CryptoError::Truncated)
        ));
        assert!(matches!(
            decrypt(&key, CTX, &ciphertext[..HEADER_LEN - 1]),
            Err(CryptoError::Truncated)
        ));
        assert_eq!(
            BlobHeader::parse(&ciphertext).unwrap().chunk_size(),
            small()
        );
    }

    #[test]
    fn a_failed_decryptor_stays_failed() {
        let key = DataKey::generate();
        let mut ciphertext = seal(&key, &[1; 3 * C]);
        ciphertext[HEADER_LEN] ^= 1;
        let mut decryptor = Decryptor::new(&key, CTX);
        assert!(matches!(
            decryptor.update(&ciphertext),
            Err(CryptoError::AuthFailed)
        ));
        assert!(matches!(decryptor.update(&[]), Err(CryptoError::Poisoned)));
        assert!(matches!(decryptor.finish(), Err(CryptoError::Poisoned)));
    }

    /// Decrypts following only the format described in the module docs, to keep docs and code
    /// in agreement.
    #[test]
    fn format_matches_its_documentation() {
        let key = DataKey::from_bytes([9; 32]);
        let plaintext = Rng(8).bytes(C * 2);
        let ciphertext = seal(&key, &plaintext);
        let header = &ciphertext[..32];
        assert_eq!(&header[..4], b"ATB1");
        assert_eq!(header[4], 1);
        assert_eq!(u32::from_be_bytes(header[5..9].try_into().unwrap()), 16);
        let (salt, prefix) = (&header[9..25], &header[25..32]);
        let mut blob_key = [0u8; 32];
        Hkdf::<Sha256>::new(Some(salt), &[9; 32])
            .expand(b"atelier/blob-key/v1", &mut blob_key)
            .unwrap();
        let aead = Aes256Gcm::new(&blob_key.into());
        let mut aad_input = b"atelier/blob-aad/v1".to_vec();
        aad_input.extend_from_slice(header);
        aad_input.extend_from_slice(CTX);
        let aad = Sha256::digest(&aad_input);
        let chunks: Vec<&[u8]> = ciphertext[32..].chunks(16 + 16).collect();
        assert_eq!(chunks.len(), 3, "two full chunks and an empty final one");
        let mut out = Vec::new();
        for (i, chunk) in chunks.iter().enumerate() {
            let mut nonce = prefix.to_vec();
            nonce.extend_from_slice(&u32::try_from(i).unwrap().to_be_bytes());
            nonce.push(u8::from(i == 2));
            let opened = aes_gcm::aead::Aead::decrypt(
                &aead,
                nonce.as_slice().into(),
                aes_gcm::aead::Payload {
                    msg: chunk,
                    aad: &aad,
                },
            )
            .unwrap();
            out.extend(opened);
        }
        assert_eq!(out, plaintext);
    }

    #[test]
    fn random_ranges_decrypt_to_slices() {
        let key = DataKey::generate();
        let mut rng = Rng(9);
        for n in sizes().into_iter().chain([100]) {
            let plaintext = rng.bytes(n);
            let ciphertext = seal(&key, &plaintext);
            let total = u64_of(n);
            let header = &ciphertext[..HEADER_LEN];
            let mut ranges = vec![(0, n), (n, n), (0, 0)];
            for _ in 0..60 {
                let a = rng.below(n + 1);
                let b = a + rng.below(n - a + 1);
                ranges.push((a, b));
            }
            for (a, b) in ranges {
                let plain = u64_of(a)..u64_of(b);
                let (range, first) = ciphertext_range_for(plain.clone(), total, small()).unwrap();
                assert!(range.start >= HEADER_LEN_U64);
                let fetched = &ciphertext
                    [usize::try_from(range.start).unwrap()..usize::try_from(range.end).unwrap()];
                let got = decrypt_range(&key, CTX, header, first, fetched, plain, total).unwrap();
                assert_eq!(got, &plaintext[a..b], "size {n}, range {a}..{b}");
                if b == n {
                    assert_eq!(
                        range.end,
                        u64_of(ciphertext.len()),
                        "reaches the final chunk"
                    );
                }
            }
        }
    }

    #[test]
    fn range_reads_verify_what_they_touch() {
        let key = DataKey::generate();
        let plaintext = Rng(10).bytes(C * 7 / 2);
        let ciphertext = seal(&key, &plaintext);
        let total = u64_of(plaintext.len());
        let header = &ciphertext[..HEADER_LEN];
        let (range, first) = ciphertext_range_for(20..40, total, small()).unwrap();
        assert_eq!(first, 1);
        let (s, e) = (
            usize::try_from(range.start).unwrap(),
            usize::try_from(range.end).unwrap(),
        );
        let fetched = &ciphertext[s..e];
        let read = |fetched: &[u8], first, plain: Range<u64>, total| {
            decrypt_range(&key, CTX, header, first, fetched, plain, total)
        };
        assert_eq!(
            read(fetched, first, 20..40, total).unwrap(),
            &plaintext[20..40]
        );

        let mut bad = fetched.to_vec();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(
            read(&bad, first, 20..40, total),
            Err(CryptoError::AuthFailed)
        ));
        assert!(matches!(
            read(fetched, 0, 20..40, total),
            Err(CryptoError::BadRange(_))
        ));
        assert!(matches!(
            read(&fetched[1..], first, 20..40, total),
            Err(CryptoError::Truncated)
        ));
        assert!(matches!(
            read(&[], first, 20..40, total),
            Err(CryptoError::Truncated)
        ));
        let mut longer = fetched.to_vec();
        longer.push(0);
        assert!(matches!(
            read(&longer, first, 20..40, total),
            Err(CryptoError::BadRange(_))
        ));
        let err = decrypt_range(
            &DataKey::generate(),
            CTX,
            header,
            first,
            fetched,
            20..40,
            total,
        );
        assert!(matches!(err, Err(CryptoError::AuthFailed)));
        let err = decrypt_range(&key, b"other", header, first, fetched, 20..40, total);
        assert!(matches!(err, Err(CryptoError::AuthFailed)));

        // A read to the end checks the final flag: a blob cut at a chunk boundary, presented as
        // shorter, does not pass.
        let cut = HEADER_LEN + 3 * (C + TAG_LEN);
        let lie = u64_of(2 * C + 5);
        let (range, first) = ciphertext_range_for(0..lie, lie, small()).unwrap();
        let fetched = &ciphertext[usize::try_from(range.start).unwrap()..cut];
        assert!(u64_of(cut) >= range.end);
        let fetched = &fetched[..usize::try_from(range.end - range.start).unwrap()];
        assert!(read(fetched, first, 0..lie, lie).is_err());

        for (plain, total) in [(Range { start: 5, end: 4 }, 10), (0..11, 10), (11..11, 10)] {
            assert!(matches!(
                ciphertext_range_for(plain, total, small()),
                Err(CryptoError::BadRange(_))
            ));
        }
        assert!(matches!(
            decrypt_range(&key, CTX, &header[1..], 0, &[], 0..0, 0),
            Err(CryptoError::BadHeader(_))
        ));
    }
}
