//! Gallery images: storing originals (downloaded or drawn offline) and the variants a URL can
//! ask for. What answers each variant, and how sizes are made, is [`super::sizes`].

use super::sizes::{MadeSizes, make_sizes};
use crate::{App, AppError};
use atelier_core::Aspect;
use atelier_db::gallery::{GalleryItemRow, StoredGalleryImage};
use atelier_media::BlobKey;
use atelier_media::image::{self as pipeline, ImageFormat, ImageLimits, THUMB_WIDTHS};
use bytes::Bytes;
use image::DynamicImage;
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

/// An original about to be stored.
struct Original<'a> {
    bytes: Bytes,
    content_type: &'a str,
    size: (u32, u32),
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
    /// Parses `original` or `w320`/`w480`/`w640`/`w1280`.
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
            Original {
                bytes,
                content_type: content_type(format),
                size: (width, height),
            },
            None,
        )
        .await
    }

    /// Draws the image offline from the item's prompt (deterministic per post and position) and
    /// stores it as the original, with every size made from the same pixels (no thumbnail job).
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
        let (png, made) = tokio::task::spawn_blocking(move || {
            let pixels =
                DynamicImage::ImageRgb8(atelier_render::render(&atelier_render::RenderRequest {
                    prompt: &prompt,
                    seed,
                    width,
                    height,
                }));
            Ok::<_, pipeline::ImageError>((pipeline::encode_png(&pixels)?, make_sizes(&pixels)?))
        })
        .await
        .map_err(|e| AppError::Unavailable(format!("render task: {e}")))?
        .map_err(|e| AppError::Unavailable(format!("render: {e}")))?;
        self.store_gallery_original(
            &item.id,
            position,
            Original {
                bytes: Bytes::from(png),
                content_type: "image/png",
                size: (width, height),
            },
            Some(&made),
        )
        .await
    }

    /// Stores an original; with its sizes already made, those too (sizes first, so that an
    /// image is never listed before them), else the thumbnail job is queued to make them.
    async fn store_gallery_original(
        &self,
        item_id: &str,
        position: i64,
        original: Original<'_>,
        made: Option<&MadeSizes>,
    ) -> Result<(), AppError> {
        let index = u32::try_from(position).map_err(|_| AppError::NotFound)?;
        let byte_size = i64::try_from(original.bytes.len()).unwrap_or(i64::MAX);
        self.blobs()
            .put(&BlobKey::gallery_original(item_id, index), original.bytes)
            .await?;
        if let Some(made) = made {
            self.put_gallery_sizes(item_id, index, made).await?;
        }
        let widths = made.map(MadeSizes::widths).unwrap_or_default();
        let color = made.map(|m| m.color.hex());
        self.store()
            .gallery_image_stored(
                item_id,
                position,
                &StoredGalleryImage {
                    width: i64::from(original.size.0),
                    height: i64::from(original.size.1),
                    content_type: original.content_type,
                    byte_size,
                    thumb_widths: &widths,
                    color: color.as_deref(),
                },
                self.now_ms(),
            )
            .await?;
        if made.is_some() {
            return Ok(());
        }
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
