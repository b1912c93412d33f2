//! Thumbnails: resized with `fast_image_resize` (Lanczos3, SIMD) and encoded as lossy WebP with
//! the `webp` crate (the `image` crate only writes lossless WebP, which is several times larger).

use super::ImageError;
use ::image::{DynamicImage, GenericImageView as _};
use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use std::borrow::Cow;

/// The widths the gallery serves.
pub const THUMB_WIDTHS: [u32; 4] = [320, 480, 640, 1280];

/// WebP quality (0–100) of thumbnails: libwebp's own default, visually clean at a fraction of
/// the PNG size; 80 made the demo's grainy drawings about a tenth heavier (issue 22).
const WEBP_QUALITY: f32 = 75.0;

/// The largest side libwebp can encode.
const WEBP_MAX_SIDE: u32 = 16_383;

/// An encoded thumbnail.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// The WebP file.
    pub bytes: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl std::fmt::Debug for Thumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thumbnail")
            .field("bytes", &self.bytes.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// A thumbnail `width` px wide (height by aspect; never upscaled beyond the original), resized with
/// Lanczos3 and encoded as lossy WebP (quality 75).
pub fn thumbnail_webp(img: &DynamicImage, width: u32) -> Result<Thumbnail, ImageError> {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 || width == 0 {
        return Err(ImageError::Encode("cannot thumbnail an empty image".into()));
    }
    let tw = width.min(w);
    let th = (u64::from(h) * u64::from(tw) + u64::from(w) / 2) / u64::from(w);
    let th = u32::try_from(th.max(1)).unwrap_or(u32::MAX);
    if th > WEBP_MAX_SIDE {
        return Err(ImageError::Encode(format!(
            "a {tw}×{th} thumbnail is taller than WebP allows"
        )));
    }

    // 8-bit RGB or RGBA: the layouts WebP takes.
    let alpha = img.color().has_alpha();
    let src: Cow<'_, DynamicImage> = match (img, alpha) {
        (DynamicImage::ImageRgb8(_), false) | (DynamicImage::ImageRgba8(_), true) => {
            Cow::Borrowed(img)
        }
        (_, true) => Cow::Owned(DynamicImage::ImageRgba8(img.to_rgba8())),
        (_, false) => Cow::Owned(DynamicImage::ImageRgb8(img.to_rgb8())),
    };
    let resized: Cow<'_, DynamicImage> = if tw == w {
        src
    } else {
        let mut dst = DynamicImage::new(tw, th, src.color());
        let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        Resizer::new()
            .resize(src.as_ref(), &mut dst, &options)
            .map_err(|e| ImageError::Encode(format!("resizing: {e}")))?;
        Cow::Owned(dst)
    };

    let (rw, rh) = resized.dimensions();
    let encoder = match resized.as_ref() {
        DynamicImage::ImageRgba8(buf) => webp::Encoder::from_rgba(buf.as_raw(), rw, rh),
        DynamicImage::ImageRgb8(buf) => webp::Encoder::from_rgb(buf.as_raw(), rw, rh),
        _ => return Err(ImageError::Encode("unexpected pixel layout".into())),
    };
    let bytes = encoder
        .encode_simple(false, WEBP_QUALITY)
        .map_err(|e| ImageError::Encode(format!("webp: {e:?}")))?
        .to_vec();
    Ok(Thumbnail {
        bytes,
        width: rw,
        height: rh,
    })
}
