//! Gallery images: storing originals (downloaded or drawn offline), making thumbnails once in a
//! background job, and choosing what to serve for a requested variant.

use crate::{App, AppError};
use atelier_core::Aspect;
use atelier_db::gallery::GalleryItemRow;
use atelier_media::BlobKey;
use atelier_media::image::{self as pipeline, ImageFormat, ImageLimits, THUMB_WIDTHS};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// The longest edge of images drawn for the gallery.
pub const RENDER_LONG_EDGE: u32 = 1024;

/// Job payload of [`crate::JobKind::GalleryThumbnails`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThumbnailJob {
    /// Item id.
    pub item_id: String,
    /// Image position.
    pub position: i64,
}

/// Job payload of [`crate::JobKind::GalleryFetchImage`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FetchJob {
    /// Item id.
    pub item_id: String,
    /// Image position.
    pub position: i64,
}

/// The content type of a stored image format.
#[must_use]
pub const fn content_type(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::Webp => "image/webp",
        ImageFormat::Gif => "image/gif",
    }
}

/// A variant of a gallery image that can be requested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The stored original.
    Original,
    /// A WebP thumbnail of this width.
    Thumb(u32),
}

impl Variant {
    /// Parses `original` or `w320`/`w640`/`w1280`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if text == "original" {
            return Some(Self::Original);
        }
        let width: u32 = text.strip_prefix('w')?.parse().ok()?;
        THUMB_WIDTHS.contains(&width).then_some(Self::Thumb(width))
    }

    /// The name in URLs.
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::Original => "original".to_owned(),
            Self::Thumb(w) => format!("w{w}"),
        }
    }
}

/// What to serve for a request: the blob, its content type, and whether it is the variant asked
/// for (a thumbnail not made yet falls back to the original, which should be cached briefly).
#[derive(Debug, Clone)]
pub struct ServedImage {
    /// The blob to stream.
    pub key: BlobKey,
    /// Its content type.
    pub content_type: String,
    /// `false` when a fallback stands in for the requested variant.
    pub exact: bool,
    /// When the image row last changed, for validators.
    pub updated_at: i64,
}

/// The aspect a prompt asks for (`--ar 16:9`, `aspect ratio 9:16`, `16:9 aspect`), if any.
#[must_use]
pub fn aspect_from_prompt(prompt: &str) -> Option<Aspect> {
    let lower = prompt.to_lowercase();
    for marker in [
        "--ar ",
        "--aspect ",
        "aspect ratio:",
        "aspect ratio of ",
        "aspect ratio ",
        "ratio ",
    ] {
        if let Some(pos) = lower.find(marker) {
            let rest = &lower[pos + marker.len()..];
            let token: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ':')
                .collect();
            if let Some(aspect) = Aspect::parse(&token) {
                return Some(aspect);
            }
        }
    }
    lower
        .split(|c: char| !(c.is_ascii_digit() || c == ':'))
        .filter(|t| t.contains(':'))
        .find_map(Aspect::parse)
        .filter(|a| *a != Aspect::Square || lower.contains("1:1"))
}

/// A fitting aspect for a post with no size information: from its prompt, else from its category.
#[must_use]
pub fn guess_aspect(prompt: &str, categories: &[String]) -> Aspect {
    if let Some(aspect) = aspect_from_prompt(prompt) {
        return aspect;
    }
    let has = |name: &str| categories.iter().any(|c| c.eq_ignore_ascii_case(name));
    if has("Poster Design") {
        Aspect::Portrait2x3
    } else if has("UI & Graphic") {
        Aspect::Landscape16x9
    } else if has("Product & Brand") || has("Food & Drink") {
        Aspect::Square
    } else if has("Photography") {
        Aspect::Portrait3x4
    } else {
        Aspect::Portrait4x5
    }
}

/// A stable 64-bit seed from text (FNV-1a), so drawings never change between runs.
#[must_use]
pub fn seed_of(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

impl App {
    /// Decodes and validates downloaded bytes, then stores them as the image's original.
    ///
    /// # Errors
    /// [`AppError::Invalid`] when the bytes are not an acceptable image; storage or database errors.
    pub async fn store_gallery_download(
        &self,
        item_id: &str,
        position: i64,
        bytes: Bytes,
    ) -> Result<(), AppError> {
        let limits = ImageLimits::default();
        let info = pipeline::probe(&bytes, &limits)
            .map_err(|e| AppError::invalid(crate::Refusal::InvalidImage, e.to_string()))?;
        let (format, width, height) = (info.format, info.width, info.height);
        self.store_gallery_original(
            item_id,
            position,
            bytes,
            content_type(format),
            (width, height),
        )
        .await
    }

    /// Draws the image offline from the item's prompt (deterministic per post and position) and
    /// stores it as the original.
    ///
    /// # Errors
    /// Storage or database errors.
    pub async fn render_gallery_image(
        &self,
        item: &GalleryItemRow,
        position: i64,
    ) -> Result<(), AppError> {
        let aspect = Aspect::parse(&item.aspect).unwrap_or(Aspect::Portrait3x4);
        let (width, height) = aspect.dimensions(RENDER_LONG_EDGE);
        let prompt = item.prompt.clone();
        let seed = seed_of(&format!(
            "{}:{}:{position}",
            item.source, item.source_post_id
        ));
        let png = tokio::task::spawn_blocking(move || {
            atelier_render::render_png(&atelier_render::RenderRequest {
                prompt: &prompt,
                seed,
                width,
                height,
            })
        })
        .await
        .map_err(|e| AppError::Unavailable(format!("render task: {e}")))?;
        self.store_gallery_original(
            &item.id,
            position,
            Bytes::from(png),
            "image/png",
            (width, height),
        )
        .await
    }

    async fn store_gallery_original(
        &self,
        item_id: &str,
        position: i64,
        bytes: Bytes,
        content_type: &str,
        (width, height): (u32, u32),
    ) -> Result<(), AppError> {
        let index = u32::try_from(position).map_err(|_| AppError::NotFound)?;
        let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
        self.blobs()
            .put(&BlobKey::gallery_original(item_id, index), bytes)
            .await?;
        self.store()
            .gallery_image_stored(
                item_id,
                position,
                (i64::from(width), i64::from(height)),
                content_type,
                size,
                self.now_ms(),
            )
            .await?;
        let job = ThumbnailJob {
            item_id: item_id.to_owned(),
            position,
        };
        self.queue()
            .enqueue(
                crate::JobKind::GalleryThumbnails.name(),
                &job,
                atelier_jobs::EnqueueOptions {
                    dedup_key: Some(format!("thumbs:{item_id}:{position}")),
                    ..Default::default()
                },
            )
            .await?;
        Ok(())
    }

    /// Makes every thumbnail width of a stored original (the job behind
    /// [`crate::JobKind::GalleryThumbnails`]). Widths at or above the original's are skipped.
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
        let thumbs = tokio::task::spawn_blocking(move || -> Result<Vec<(u32, Vec<u8>)>, String> {
            let img =
                pipeline::decode(&original, &ImageLimits::default()).map_err(|e| e.to_string())?;
            let mut out = Vec::new();
            for width in THUMB_WIDTHS {
                if width >= img.width() {
                    continue;
                }
                let thumb = pipeline::thumbnail_webp(&img, width).map_err(|e| e.to_string())?;
                out.push((width, thumb.bytes));
            }
            Ok(out)
        })
        .await
        .map_err(|e| AppError::Unavailable(format!("thumbnail task: {e}")))?
        .map_err(|e| AppError::invalid(crate::Refusal::InvalidImage, e))?;
        let mut widths = Vec::new();
        for (width, bytes) in thumbs {
            self.blobs()
                .put(
                    &BlobKey::gallery_thumb(item_id, index, width),
                    Bytes::from(bytes),
                )
                .await?;
            widths.push(width);
        }
        self.store()
            .gallery_thumbs_made(item_id, position, &widths, self.now_ms())
            .await?;
        Ok(widths)
    }

    /// Which blob answers a request for `variant` of image `position` of item `item_id`.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for unknown items, positions, variants or images not stored yet.
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
            .find(|i| i.position == position && i.is_ready())
            .ok_or(AppError::NotFound)?;
        let index = u32::try_from(position).map_err(|_| AppError::NotFound)?;
        let original = ServedImage {
            key: BlobKey::gallery_original(item_id, index),
            content_type: image
                .content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".to_owned()),
            exact: variant == Variant::Original,
            updated_at: image.updated_at,
        };
        Ok(match variant {
            Variant::Thumb(width) if image.thumb_widths.contains(&width) => ServedImage {
                key: BlobKey::gallery_thumb(item_id, index, width),
                content_type: "image/webp".to_owned(),
                exact: true,
                updated_at: image.updated_at,
            },
            // The original is narrower than the thumbnail: it is the best there is.
            Variant::Thumb(width) if i64::from(width) >= image.width => ServedImage {
                exact: true,
                ..original
            },
            // The original itself, or a stand-in for a thumbnail not made yet.
            Variant::Original | Variant::Thumb(_) => original,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspects_are_read_from_prompts() {
        assert_eq!(
            aspect_from_prompt("a cat --ar 16:9 --v 6"),
            Some(Aspect::Landscape16x9)
        );
        assert_eq!(
            aspect_from_prompt("Vertical poster, aspect ratio 9:16."),
            Some(Aspect::Portrait9x16)
        );
        assert_eq!(
            aspect_from_prompt("3:4 portrait of a woman"),
            Some(Aspect::Portrait3x4)
        );
        assert_eq!(aspect_from_prompt("meeting at 10:30 in the cafe"), None);
        assert_eq!(aspect_from_prompt("a cat"), None);
    }

    #[test]
    fn categories_pick_an_aspect_when_the_prompt_does_not() {
        assert_eq!(
            guess_aspect("poster", &["Poster Design".to_owned()]),
            Aspect::Portrait2x3
        );
        assert_eq!(
            guess_aspect("poster --ar 1:1", &["Poster Design".to_owned()]),
            Aspect::Square
        );
        assert_eq!(guess_aspect("a cat", &[]), Aspect::Portrait4x5);
    }

    #[test]
    fn variants_parse() {
        assert_eq!(Variant::parse("original"), Some(Variant::Original));
        assert_eq!(Variant::parse("w640"), Some(Variant::Thumb(640)));
        assert_eq!(Variant::parse("w641"), None);
        assert_eq!(Variant::parse("x"), None);
        assert_eq!(seed_of("abc"), seed_of("abc"));
        assert_ne!(seed_of("abc"), seed_of("abd"));
    }
}
