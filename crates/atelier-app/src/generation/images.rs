//! Generated images for their owner: the row of one (to use it as AI Edit's source) and its
//! decrypted bytes; someone else's image is [`AppError::NotFound`], as an unknown one is (SEC2).

use super::ImageVariant;
use crate::{App, AppError};
use atelier_db::generations::GenerationImageRow;
use atelier_media::BlobKey;

impl App {
    /// One of the user's own generated images.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's, a deleted or an unknown image.
    pub async fn own_generated_image(
        &self,
        owner: &str,
        image_id: &str,
    ) -> Result<GenerationImageRow, AppError> {
        match self.store().generation_image(image_id).await? {
            Some((image, user_id)) if user_id == owner => Ok(image),
            _ => Err(AppError::NotFound),
        }
    }

    /// A generated image's decrypted bytes and type, for its owner only.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's, a deleted or an unknown image.
    pub async fn generated_image(
        &self,
        owner: Option<&str>,
        image_id: &str,
        variant: ImageVariant,
    ) -> Result<(bytes::Bytes, String), AppError> {
        let (image, user_id) = self
            .store()
            .generation_image(image_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if owner.is_some_and(|o| o != user_id) {
            return Err(AppError::NotFound);
        }
        let key = BlobKey::generated(&user_id, &image.id, &variant.name());
        let bytes = self.get_private_blob(&user_id, &key).await?;
        let content_type = match variant {
            ImageVariant::Original => image.content_type,
            ImageVariant::Thumb(_) => "image/webp".to_owned(),
        };
        Ok((bytes, content_type))
    }
}
