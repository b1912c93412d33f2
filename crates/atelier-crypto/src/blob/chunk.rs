//! One blob's chunk cipher: the per-blob key derived from the data key and the header's salt,
//! the nonce of each chunk (counter and final flag) and the associated data binding the header
//! and the storage key; sealing and opening a single chunk. Both directions and range reads use it.

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit};
use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::header::{BlobHeader, ChunkSize};
use super::{AAD_LABEL, KEY_INFO, PREFIX_LEN, TAG_LEN};
use crate::CryptoError;
use crate::keys::{DataKey, KEY_LEN};

/// Seals and opens the chunks of one blob.
pub(super) struct ChunkCipher {
    aead: Aes256Gcm,
    nonce_prefix: [u8; PREFIX_LEN],
    aad: [u8; 32],
    pub(super) chunk_size: ChunkSize,
}

impl ChunkCipher {
    pub(super) fn new(key: &DataKey, header: &BlobHeader, context: &[u8]) -> Self {
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
    pub(super) fn seal(
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
    pub(super) fn open(
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
