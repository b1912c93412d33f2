//! Sized gallery images (issue 22, G1): a `w{width}` URL answers a lossy WebP no wider than asked
//! and no wider than the original — never the original, which only its explicit `original` URL
//! (the detail page's download) serves.
//!
//! Every size of an image is made in one pass: right after drawing (the demo and imports drawn
//! offline), or by the thumbnail job after a download. A request that comes before either makes
//! its size on demand, at most [`ON_DEMAND_CONCURRENCY`] at a time, and stores it under the key
//! the job writes, so it is made once. A request that cannot have its size in
//! [`ON_DEMAND_WAIT`] — the image not stored yet, the makers busy, the original unreadable — gets
//! a tiny WebP of the image's dominant colour instead, cached for no time at all.

use super::images::Variant;
use crate::{App, AppError};
use atelier_db::gallery::GalleryImageRow;
use atelier_media::image::{self as pipeline, ImageLimits, Rgb, THUMB_WIDTHS};
use atelier_media::{BlobKey, StorageError};
use bytes::Bytes;
use image::DynamicImage;
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Sizes made on demand at once; the rest wait. Each decodes an original and encodes one WebP
/// (tens of milliseconds), so two keep the server's other work going on a small machine.
pub const ON_DEMAND_CONCURRENCY: usize = 2;

/// How long a request waits for an on-demand size before it is answered by the placeholder.
pub const ON_DEMAND_WAIT: Duration = Duration::from_secs(10);

/// The makers of on-demand sizes, shared by every request of a node.
#[derive(Debug)]
pub(crate) struct SizeMakers {
    permits: Semaphore,
}

impl Default for SizeMakers {
    fn default() -> Self {
        Self {
            permits: Semaphore::new(ON_DEMAND_CONCURRENCY),
        }
    }
}

/// Every served size of one image and its dominant colour.
#[derive(Debug, Clone)]
pub struct MadeSizes {
    /// `(requested width, WebP)` for every width of [`THUMB_WIDTHS`]; widths at or above the
    /// original's share the one WebP of the original's width (never upscaled).
    pub sizes: Vec<(u32, Bytes)>,
    /// The dominant colour.
    pub color: Rgb,
}

impl MadeSizes {
    /// The widths made.
    #[must_use]
    pub fn widths(&self) -> Vec<u32> {
        self.sizes.iter().map(|(w, _)| *w).collect()
    }
}

/// Makes every size of a decoded image and finds its colour. CPU-bound: call it on a blocking
/// thread.
///
/// # Errors
/// When a WebP cannot be encoded (an image taller than WebP allows).
pub fn make_sizes(img: &DynamicImage) -> Result<MadeSizes, pipeline::ImageError> {
    let mut encoded: BTreeMap<u32, Bytes> = BTreeMap::new();
    let mut sizes = Vec::with_capacity(THUMB_WIDTHS.len());
    for width in THUMB_WIDTHS {
        let actual = width.min(img.width());
        let bytes = match encoded.get(&actual) {
            Some(bytes) => bytes.clone(),
            None => {
                let bytes = Bytes::from(pipeline::thumbnail_webp(img, actual)?.bytes);
                encoded.insert(actual, bytes.clone());
                bytes
            }
        };
        sizes.push((width, bytes));
    }
    Ok(MadeSizes {
        sizes,
        color: pipeline::dominant_color(img),
    })
}

/// What answers a request for a gallery image.
#[derive(Debug, Clone)]
pub enum ServedImage {
    /// A stored blob: the original (asked for by name) or a stored size.
    Stored {
        /// The blob to stream.
        key: BlobKey,
        /// Its content type.
        content_type: String,
    },
    /// A tiny WebP of the image's colour: its size could not be had in time.
    Placeholder(Bytes),
}

/// The content type of every size and placeholder.
pub const WEBP: &str = "image/webp";

impl App {
    /// Makes every size of a stored original and records them with the image's colour (the job
    /// behind [`crate::JobKind::GalleryThumbnails`]). Returns the widths made.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the item or its original is gone; decode, storage or database
    /// errors.
    pub async fn make_gallery_thumbnails(
        &self,
        item_id: &str,
        position: i64,
    ) -> Result<Vec<u32>, AppError> {
        let index = u32::try_from(position).map_err(|_| AppError::NotFound)?;
        let original = self
            .blobs()
            .get(&BlobKey::gallery_original(item_id, index))
            .await?;
        let made = tokio::task::spawn_blocking(move || {
            let img = pipeline::decode(&original, &ImageLimits::default())?;
            make_sizes(&img)
        })
        .await
        .map_err(|e| AppError::Unavailable(format!("thumbnail task: {e}")))?
        .map_err(|e| AppError::invalid(crate::Refusal::InvalidImage, e.to_string()))?;
        self.put_gallery_sizes(item_id, index, &made).await?;
        // Taken down while the sizes were being made (C7): delete them again.
        if let Err(e) = self.store().gallery_item(item_id).await {
            self.blobs()
                .delete_prefix(&BlobKey::gallery_item_prefix(item_id))
                .await?;
            return Err(e.into());
        }
        let widths = made.widths();
        self.store()
            .gallery_thumbs_made(item_id, position, &widths, &made.color.hex(), self.now_ms())
            .await?;
        Ok(widths)
    }

    /// Stores every size of an image under the keys its URLs are served from.
    pub(crate) async fn put_gallery_sizes(
        &self,
        item_id: &str,
        index: u32,
        made: &MadeSizes,
    ) -> Result<(), AppError> {
        for (width, bytes) in &made.sizes {
            self.blobs()
                .put(
                    &BlobKey::gallery_thumb(item_id, index, *width),
                    bytes.clone(),
                )
                .await?;
        }
        Ok(())
    }

    /// What answers a request for `variant` of image `position` of item `item_id`: the original
    /// only when asked for by name; a size as stored, made now, or the placeholder.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for unknown items, positions or variants, an original not stored
    /// yet, and images that could not be stored.
    pub async fn gallery_image(
        &self,
        item_id: &str,
        position: i64,
        variant: Variant,
    ) -> Result<ServedImage, AppError> {
        let item = self.store().gallery_item(item_id).await?;
        let image = item
            .images
            .iter()
            .find(|i| i.position == position)
            .ok_or(AppError::NotFound)?;
        let index = u32::try_from(position).map_err(|_| AppError::NotFound)?;
        match variant {
            Variant::Original if image.is_ready() => Ok(ServedImage::Stored {
                key: BlobKey::gallery_original(item_id, index),
                content_type: image
                    .content_type
                    .clone()
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
            }),
            // Still downloading or drawing: the cards wait with its colour.
            Variant::Thumb(_) if image.status == "pending" => Ok(placeholder(image)),
            Variant::Thumb(width) if image.is_ready() => {
                let key = BlobKey::gallery_thumb(item_id, index, width);
                match self.sized_gallery_image(item_id, index, width, &key).await {
                    Ok(()) => Ok(ServedImage::Stored {
                        key,
                        content_type: WEBP.to_owned(),
                    }),
                    Err(SizeUnavailable::Busy) => {
                        tracing::debug!(item_id, position, width, "size makers busy");
                        Ok(placeholder(image))
                    }
                    Err(SizeUnavailable::Failed(e)) => {
                        tracing::warn!(item_id, position, width, error = %e, "size not made");
                        Ok(placeholder(image))
                    }
                }
            }
            Variant::Original | Variant::Thumb(_) => Err(AppError::NotFound),
        }
    }

    /// Makes sure the size `width` of a stored original exists under `key`, making it now when
    /// no job or request has yet.
    async fn sized_gallery_image(
        &self,
        item_id: &str,
        index: u32,
        width: u32,
        key: &BlobKey,
    ) -> Result<(), SizeUnavailable> {
        if self.blob_exists(key).await? {
            return Ok(());
        }
        let _permit = tokio::time::timeout(ON_DEMAND_WAIT, self.size_makers().permits.acquire())
            .await
            .map_err(|_| SizeUnavailable::Busy)?
            .map_err(|_| SizeUnavailable::Busy)?;
        // Another request for the same size may have made it while this one waited.
        if self.blob_exists(key).await? {
            return Ok(());
        }
        let original = self
            .blobs()
            .get(&BlobKey::gallery_original(item_id, index))
            .await
            .map_err(|e| SizeUnavailable::Failed(e.into()))?;
        let bytes = tokio::task::spawn_blocking(move || {
            let img = pipeline::decode(&original, &ImageLimits::default())?;
            pipeline::thumbnail_webp(&img, width)
        })
        .await
        .map_err(|e| SizeUnavailable::Failed(AppError::Unavailable(format!("size task: {e}"))))?
        .map_err(|e| {
            SizeUnavailable::Failed(AppError::invalid(
                crate::Refusal::InvalidImage,
                e.to_string(),
            ))
        })?;
        self.blobs()
            .put(key, Bytes::from(bytes.bytes))
            .await
            .map_err(|e| SizeUnavailable::Failed(e.into()))?;
        // Taken down while this size was being made (C7): its blobs are gone, so is this one.
        if let Err(e) = self.store().gallery_item(item_id).await {
            self.blobs()
                .delete(key)
                .await
                .map_err(|e| SizeUnavailable::Failed(e.into()))?;
            return Err(SizeUnavailable::Failed(e.into()));
        }
        Ok(())
    }

    async fn blob_exists(&self, key: &BlobKey) -> Result<bool, SizeUnavailable> {
        match self.blobs().head(key).await {
            Ok(_) => Ok(true),
            Err(StorageError::NotFound) => Ok(false),
            Err(e) => Err(SizeUnavailable::Failed(e.into())),
        }
    }
}

/// Why a size could not be had for a request.
enum SizeUnavailable {
    /// Every maker stayed busy for [`ON_DEMAND_WAIT`].
    Busy,
    /// Storage or decoding failed.
    Failed(AppError),
}

/// The placeholder of an image: its colour (grey until known) at its aspect.
fn placeholder(image: &GalleryImageRow) -> ServedImage {
    let color = image
        .color
        .as_deref()
        .and_then(Rgb::parse_hex)
        .unwrap_or(Rgb::NEUTRAL);
    let (width, height) = (
        u32::try_from(image.width).unwrap_or(0),
        u32::try_from(image.height).unwrap_or(0),
    );
    // Encoding a few hundred flat pixels does not fail; should it, an empty WebP body is still
    // not the original.
    let bytes = pipeline::placeholder_webp(color, width, height).unwrap_or_default();
    ServedImage::Placeholder(Bytes::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GenericImageView as _, Rgb as Pixel, RgbImage};

    fn flat(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Pixel([20, 120, 220])))
    }

    #[test]
    fn g1_sizes_are_never_wider_than_asked_nor_than_the_original() {
        let made = make_sizes(&flat(576, 1024)).unwrap();
        assert_eq!(made.widths(), THUMB_WIDTHS);
        assert_eq!(made.color, Rgb([20, 120, 220]));
        for (asked, bytes) in &made.sizes {
            assert_eq!(&bytes[8..12], b"WEBP");
            let img = image::load_from_memory(bytes).unwrap();
            assert_eq!(img.width(), (*asked).min(576), "w{asked}");
        }
        // 640 and 1280 are both the original's width: encoded once.
        assert_eq!(made.sizes[2].1, made.sizes[3].1);
    }

    #[test]
    fn a_pending_image_has_a_grey_placeholder_until_its_colour_is_known() {
        let mut row = GalleryImageRow {
            position: 0,
            width: 768,
            height: 1024,
            remote_url: None,
            status: "pending".to_owned(),
            content_type: None,
            byte_size: None,
            thumb_widths: Vec::new(),
            color: None,
            updated_at: 0,
        };
        let ServedImage::Placeholder(grey) = placeholder(&row) else {
            panic!("a placeholder");
        };
        row.color = Some("#ff0000".to_owned());
        let ServedImage::Placeholder(red) = placeholder(&row) else {
            panic!("a placeholder");
        };
        assert_ne!(grey, red);
        let img = image::load_from_memory(&red).unwrap();
        assert_eq!(img.dimensions(), (16, 21));
        let [r, g, b, _] = img.get_pixel(8, 10).0;
        assert!(r > 200 && g < 60 && b < 60, "{r} {g} {b}");
    }
}
