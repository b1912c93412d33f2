//! Reference uploads (C5, C11): an image a user gives as a reference for their own generations.
//! The type is told by magic bytes, never by name; size and pixel limits are checked from the
//! header before anything is decoded, so a decompression bomb costs milliseconds; EXIF orientation
//! is applied and then every metadata block (EXIF with GPS, XMP, ICC, comments) is dropped by
//! re-encoding the pixels. The result and a preview are stored encrypted with the owner's key.

use crate::{App, AppError};
use atelier_core::id::new_id;
use atelier_db::uploads::UploadRow;
use atelier_media::BlobKey;
use atelier_media::image::{self, ImageError, ImageFormat, ImageLimits};
use bytes::Bytes;

/// Width of an upload's preview.
pub const PREVIEW_WIDTH: u32 = 320;
/// JPEG quality of re-encoded photographs.
const JPEG_QUALITY: u8 = 90;

/// A cleaned upload, ready to store.
struct Cleaned {
    bytes: Vec<u8>,
    content_type: &'static str,
    width: u32,
    height: u32,
    preview: Vec<u8>,
}

/// An upload's image variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadVariant {
    /// The cleaned image.
    Original,
    /// The WebP preview, [`PREVIEW_WIDTH`] wide.
    Preview,
}

impl UploadVariant {
    /// Parses `original` or `w320`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "original" => Some(Self::Original),
            "w320" => Some(Self::Preview),
            _ => None,
        }
    }

    const fn key_part(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Preview => "w320",
        }
    }
}

fn image_error(err: ImageError) -> AppError {
    match err {
        ImageError::TooLarge { .. } => AppError::TooLarge(capitalized(&err.to_string())),
        ImageError::TooManyPixels { .. } => {
            AppError::invalid(crate::Refusal::TooManyPixels, capitalized(&err.to_string()))
        }
        ImageError::Unsupported => AppError::invalid(
            crate::Refusal::UnsupportedImage,
            "Upload a PNG, JPEG, WebP or GIF image.",
        ),
        ImageError::Malformed(_) => AppError::invalid(
            crate::Refusal::MalformedImage,
            "The image is damaged or incomplete.",
        ),
        ImageError::Encode(e) => AppError::Unavailable(format!("re-encoding an upload: {e}")),
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        format!("{}{}.", f.to_uppercase(), c.as_str())
    })
}

fn clean(bytes: &[u8], limits: &ImageLimits) -> Result<Cleaned, ImageError> {
    let info = image::probe(bytes, limits)?;
    let img = image::decode(bytes, limits)?;
    let (bytes, content_type) = if info.format == ImageFormat::Jpeg {
        (image::encode_jpeg(&img, JPEG_QUALITY)?, "image/jpeg")
    } else {
        (image::encode_png(&img)?, "image/png")
    };
    let preview = image::thumbnail_webp(&img, PREVIEW_WIDTH)?;
    Ok(Cleaned {
        bytes,
        content_type,
        width: img.width(),
        height: img.height(),
        preview: preview.bytes,
    })
}

impl App {
    /// Cleans and stores an upload of `owner` (`POST /api/v1/uploads`).
    ///
    /// # Errors
    /// [`AppError::TooLarge`] (413) over the byte limit; [`AppError::Invalid`] with
    /// `too_many_pixels`, `unsupported_image` or `malformed_image`.
    pub async fn create_upload(&self, owner: &str, bytes: Bytes) -> Result<UploadRow, AppError> {
        let limits = ImageLimits {
            max_bytes: self.settings().uploads.max_bytes,
            max_pixels: self.settings().uploads.max_pixels,
        };
        // Cheap checks first, on this thread: a bomb never reaches the decoder.
        image::probe(&bytes, &limits).map_err(image_error)?;
        let cleaned = tokio::task::spawn_blocking(move || clean(&bytes, &limits))
            .await
            .map_err(|e| AppError::Unavailable(format!("image task: {e}")))?
            .map_err(image_error)?;
        let row = UploadRow {
            id: new_id(),
            user_id: owner.to_owned(),
            content_type: cleaned.content_type.to_owned(),
            width: i64::from(cleaned.width),
            height: i64::from(cleaned.height),
            byte_size: i64::try_from(cleaned.bytes.len()).unwrap_or(i64::MAX),
            created_at: self.now_ms(),
        };
        let stored = async {
            self.put_private_blob(owner, &BlobKey::upload(owner, &row.id), &cleaned.bytes)
                .await?;
            self.put_private_blob(
                owner,
                &BlobKey::upload_variant(owner, &row.id, UploadVariant::Preview.key_part()),
                &cleaned.preview,
            )
            .await?;
            self.store().insert_upload(&row).await?;
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(e) = stored {
            // Leave nothing behind (the orphan sweeper would find it later otherwise).
            let _ = self
                .blobs()
                .delete_prefix(&BlobKey::upload_prefix(owner, &row.id))
                .await;
            return Err(e);
        }
        Ok(row)
    }

    /// One of the owner's uploads; another user's is not found.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn upload(&self, owner: &str, id: &str) -> Result<UploadRow, AppError> {
        Ok(self.store().upload(owner, id).await?)
    }

    /// The owner's uploads, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn uploads(&self, owner: &str) -> Result<Vec<UploadRow>, AppError> {
        Ok(self.store().uploads_of_user(owner, 200).await?)
    }

    /// The decrypted bytes and MIME type of an upload's variant, for its owner only.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's or an unknown upload.
    pub async fn upload_image(
        &self,
        owner: &str,
        id: &str,
        variant: UploadVariant,
    ) -> Result<(Bytes, String), AppError> {
        let row = self.upload(owner, id).await?;
        let key = BlobKey::upload_variant(owner, &row.id, variant.key_part());
        let bytes = self.get_private_blob(owner, &key).await?;
        let content_type = match variant {
            UploadVariant::Original => row.content_type,
            UploadVariant::Preview => "image/webp".to_owned(),
        };
        Ok((bytes, content_type))
    }

    /// Deletes an upload: the row, then every stored variant (C5: gone from storage, not only
    /// from the database).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's or an unknown upload.
    pub async fn delete_upload(&self, owner: &str, id: &str) -> Result<(), AppError> {
        if !self.store().delete_upload(owner, id).await? {
            return Err(AppError::NotFound);
        }
        self.blobs()
            .delete_prefix(&BlobKey::upload_prefix(owner, id))
            .await?;
        Ok(())
    }
}
