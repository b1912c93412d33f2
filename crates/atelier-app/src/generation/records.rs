//! Reading a user's generation records, and deleting one for good.

use crate::{App, AppError};
use atelier_db::generations::{GenerationImageRow, GenerationRow};
use atelier_media::BlobKey;

/// A generation with its images and references.
#[derive(Debug, Clone)]
pub struct Generation {
    /// The record.
    pub row: GenerationRow,
    /// Delivered images.
    pub images: Vec<GenerationImageRow>,
    /// Reference upload ids, in order.
    pub reference_upload_ids: Vec<String>,
}

impl App {
    /// One of the user's generations with its images; another user's is not found.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn generation(&self, user_id: &str, id: &str) -> Result<Generation, AppError> {
        let row = self.store().generation(user_id, id).await?;
        let mut list = self.with_images(vec![row]).await?;
        list.pop().ok_or(AppError::NotFound)
    }

    /// A generation by its id alone: the id (≥ 128 random bits) is the capability, as on
    /// MeiGen's status route.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn generation_by_capability(&self, id: &str) -> Result<Generation, AppError> {
        let row = self
            .store()
            .generation_by_id(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut list = self.with_images(vec![row]).await?;
        list.pop().ok_or(AppError::NotFound)
    }

    /// The user's generations, newest first, a page at a time.
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn generations(
        &self,
        user_id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<(Vec<Generation>, Option<String>), AppError> {
        let limit = i64::from(limit.clamp(1, 100));
        let before = crate::paging::decode(cursor)?;
        let mut rows = self
            .store()
            .generations_of_user(user_id, limit + 1, before)
            .await?;
        let next = crate::paging::split_page(&mut rows, limit, |r| (r.created_at, r.id.as_str()));
        Ok((self.with_images(rows).await?, next))
    }

    async fn with_images(&self, rows: Vec<GenerationRow>) -> Result<Vec<Generation>, AppError> {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let images = self.store().generation_images(&ids).await?;
        let refs = self.store().generation_references(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|row| Generation {
                images: images
                    .iter()
                    .filter(|i| i.generation_id == row.id)
                    .cloned()
                    .collect(),
                reference_upload_ids: refs
                    .iter()
                    .filter(|(g, _)| *g == row.id)
                    .map(|(_, u)| u.clone())
                    .collect(),
                row,
            })
            .collect())
    }

    /// Deletes a generation for good (D2, C5, C6, C8): the record with its prompt, every image
    /// and thumbnail in storage, and the reference uploads no other record of the user uses. A
    /// generation still running has its hold released.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's or an unknown generation.
    pub async fn delete_generation(&self, user_id: &str, id: &str) -> Result<(), AppError> {
        let deleted = self
            .store()
            .delete_generation(user_id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(hold) = &deleted.hold_id {
            // Settles nothing if the job already did (a hold is settled once).
            self.settle_credits(hold, 0, "Deleted before it finished")
                .await?;
        }
        let mut paths = Vec::new();
        for image in &deleted.image_ids {
            self.blobs()
                .delete_prefix(&BlobKey::generated_prefix(user_id, image))
                .await?;
            paths.extend(crate::image_urls::every_generated_variant(image));
        }
        self.queue_cdn_purge(&paths).await?;
        for upload in &deleted.orphaned_upload_ids {
            self.blobs()
                .delete_prefix(&BlobKey::upload_prefix(user_id, upload))
                .await?;
        }
        Ok(())
    }
}
