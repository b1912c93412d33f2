//! Lengths and range reads: the stored size of a plaintext and back, computed from lengths
//! alone, and the decryption of a byte range from the whole chunks that cover it.

use std::ops::Range;

use super::chunk::ChunkCipher;
use super::header::{BlobHeader, ChunkSize};
use super::{HEADER_LEN, HEADER_LEN_U64, TAG_LEN_U64};
use crate::CryptoError;
use crate::keys::DataKey;

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
