//! The orphan sweeper (C5, C6, R1): a crash between the storage step and the database step of a
//! write or a delete can leave a blob that no row refers to. This job finds every such user blob
//! and removes it, so nothing is left behind. Blobs younger than [`ORPHAN_GRACE_MS`] are left
//! alone: their row may be about to be written.

use crate::{App, AppError};
use atelier_core::clock::HOUR_MS;
use atelier_db::DbError;
use atelier_media::BlobKey;
use futures::TryStreamExt as _;

/// How old an unreferenced blob must be before it is removed.
pub const ORPHAN_GRACE_MS: i64 = HOUR_MS;

impl App {
    /// Removes user blobs without a row; returns how many.
    ///
    /// # Errors
    /// When storage or the database fails.
    pub async fn sweep_orphan_blobs(&self) -> Result<u64, AppError> {
        let mut removed = 0;
        for key in self.orphan_blobs().await? {
            self.blobs().delete(&key).await?;
            removed += 1;
        }
        Ok(removed)
    }

    /// User blobs older than [`ORPHAN_GRACE_MS`] that no row refers to.
    ///
    /// # Errors
    /// When storage or the database fails.
    pub async fn orphan_blobs(&self) -> Result<Vec<BlobKey>, AppError> {
        let listed: Vec<_> = self
            .blobs()
            .list(Some(&BlobKey::users_root()))
            .try_collect()
            .await?;
        let cutoff = self.now_ms() - ORPHAN_GRACE_MS;
        let mut orphans = Vec::new();
        for blob in listed {
            if blob.last_modified_ms > cutoff {
                continue;
            }
            let parts: Vec<&str> = blob.key.as_str().split('/').collect();
            let referenced = match parts.as_slice() {
                ["users", user, "uploads", id, _variant] => {
                    match self.store().upload(user, id).await {
                        Ok(_) => true,
                        Err(DbError::NotFound) => false,
                        Err(e) => return Err(e.into()),
                    }
                }
                ["users", user, "images", id, _variant] => self
                    .store()
                    .generation_image(id)
                    .await?
                    .is_some_and(|(_, owner)| owner == *user),
                // Anything else under users/ is not of this layout: keep it, an operator decides.
                _ => true,
            };
            if !referenced {
                orphans.push(blob.key);
            }
        }
        Ok(orphans)
    }
}
