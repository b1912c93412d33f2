//! Encryption at rest (R1, SEC1): every blob of a user is encrypted with that user's data key
//! (AES-256-GCM, `atelier-crypto`), and the data key is stored only wrapped by the instance's
//! master key. Destroying the wrapped key row makes every copy of the user's blobs — backups
//! included — unreadable. This module is the only door to user blobs.

use crate::{App, AppError};
use atelier_crypto::{DataKey, MasterKey};
use atelier_media::BlobKey;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use std::sync::Arc;

impl App {
    /// The instance's master key: `master_key` from the settings, else `<data_dir>/master.key`
    /// (created on first use, mode 0600). Loaded once.
    ///
    /// # Errors
    /// [`AppError::Unavailable`] when the configured key is malformed or the file cannot be read
    /// or created.
    pub fn master_key(&self) -> Result<Arc<MasterKey>, AppError> {
        self.inner
            .master_key
            .get_or_init(|| {
                let settings = self.settings();
                let key = match &settings.master_key {
                    Some(b64) => MasterKey::from_base64(b64.expose().trim()),
                    None => {
                        let path = settings.data_dir.join("master.key");
                        let key = MasterKey::load_or_create(&path);
                        if key.is_ok() && MasterKey::insecure_permissions(&path) {
                            tracing::warn!(
                                "master.key is readable by other users; run chmod 600 on it"
                            );
                        }
                        key
                    }
                };
                key.map(Arc::new).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| AppError::Unavailable(format!("master key: {e}")))
    }

    /// The user's data key, made and stored (wrapped) on first use.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the user is gone; [`AppError::Corrupt`] when the stored key
    /// does not unwrap with this instance's master key.
    pub async fn data_key(&self, user_id: &str) -> Result<DataKey, AppError> {
        let master = self.master_key()?;
        let wrapped = match self.store().user_key(user_id).await? {
            Some(w) => w,
            None => {
                let fresh = STANDARD.encode(master.wrap(&DataKey::generate(), user_id));
                // A concurrent first use may have stored another key: use whichever is stored.
                self.store()
                    .insert_user_key(user_id, &fresh, self.now_ms())
                    .await?
            }
        };
        let bytes = STANDARD
            .decode(wrapped.as_bytes())
            .map_err(|_| AppError::Corrupt("a stored data key is not base64".to_owned()))?;
        master
            .unwrap(&bytes, user_id)
            .map_err(|e| AppError::Corrupt(format!("a data key does not unwrap: {e}")))
    }

    /// Encrypts `plaintext` with the owner's data key and stores it under `key` (the key is bound
    /// into the ciphertext, so a blob copied to another key does not decrypt).
    ///
    /// # Errors
    /// As [`App::data_key`], or a storage failure.
    pub async fn put_private_blob(
        &self,
        owner: &str,
        key: &BlobKey,
        plaintext: &[u8],
    ) -> Result<(), AppError> {
        let dk = self.data_key(owner).await?;
        let sealed = atelier_crypto::encrypt(&dk, key.as_str().as_bytes(), plaintext)
            .map_err(|e| AppError::Corrupt(format!("encrypting: {e}")))?;
        self.blobs().put(key, Bytes::from(sealed)).await?;
        Ok(())
    }

    /// Reads and decrypts a private blob of `owner`.
    ///
    /// # Errors
    /// [`AppError::Storage`] (not found included), [`AppError::Corrupt`] when it does not
    /// decrypt.
    pub async fn get_private_blob(&self, owner: &str, key: &BlobKey) -> Result<Bytes, AppError> {
        let sealed = self.blobs().get(key).await?;
        let dk = self.data_key(owner).await?;
        let plain = atelier_crypto::decrypt(&dk, key.as_str().as_bytes(), &sealed)
            .map_err(|e| AppError::Corrupt(format!("decrypting a private blob: {e}")))?;
        Ok(Bytes::from(plain))
    }
}
