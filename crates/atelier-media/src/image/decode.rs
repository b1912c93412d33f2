//! Decoding (after the header has passed [`probe`]) and re-encoding as a metadata-free PNG.

use super::probe::{check_jpeg_complete, probe};
use super::{ImageError, ImageFormat, ImageInfo, ImageLimits};
use ::image::codecs::png::PngEncoder;
use ::image::metadata::Orientation;
use ::image::{DynamicImage, ImageDecoder, ImageReader};
use std::io::Cursor;

/// Decodes (first frame for GIF) after probing, applies EXIF orientation, returns an RGBA8 or RGB8
/// image. The decoder also gets the probed dimensions as hard limits, a second guard should a
/// header lie.
pub fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<DynamicImage, ImageError> {
    let info = probe(bytes, limits)?;
    if info.format == ImageFormat::Jpeg {
        check_jpeg_complete(bytes)?;
    }
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(info.format.into());
    reader.limits(decoder_limits(&info, limits));
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| from_image(&info, limits, e))?;
    // Orientation comes from EXIF; a damaged EXIF block is not a reason to refuse the pixels, so
    // the picture is then taken as stored.
    let orientation = match decoder.orientation() {
        Ok(o) => o,
        Err(e) => {
            tracing::debug!(error = %e, "unreadable EXIF orientation; using the image as stored");
            Orientation::NoTransforms
        }
    };
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| from_image(&info, limits, e))?;
    img.apply_orientation(orientation);
    Ok(if img.color().has_alpha() {
        DynamicImage::ImageRgba8(img.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(img.into_rgb8())
    })
}

/// Re-encodes as a clean PNG (for uploads: all metadata — EXIF incl. GPS, XMP, ICC, comments — is
/// gone because only pixels are written).
pub fn encode_png(img: &DynamicImage) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let encoder = PngEncoder::new(&mut out);
    let result = match img {
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_)
        | DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA16(_)
        | DynamicImage::ImageRgb16(_)
        | DynamicImage::ImageRgba16(_) => img.write_with_encoder(encoder),
        // Float images have no PNG form; 8 bits per channel is what the gallery shows anyway.
        other if other.color().has_alpha() => {
            DynamicImage::ImageRgba8(other.to_rgba8()).write_with_encoder(encoder)
        }
        other => DynamicImage::ImageRgb8(other.to_rgb8()).write_with_encoder(encoder),
    };
    result.map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

/// Re-encodes as a clean baseline JPEG at `quality` (1–100) without any metadata segment: for
/// photographs, where a PNG would be several times larger. Alpha is dropped.
pub fn encode_jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let encoder =
        ::image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100));
    DynamicImage::ImageRgb8(img.to_rgb8())
        .write_with_encoder(encoder)
        .map_err(|e| ImageError::Encode(e.to_string()))?;
    Ok(out)
}

/// The `image` crate's limits for a file whose header said `info`: exactly the probed size, and
/// memory for at most the pixel limit at 8 bytes per pixel (16-bit RGBA) plus decoder overhead.
fn decoder_limits(info: &ImageInfo, limits: &ImageLimits) -> ::image::Limits {
    let mut l = ::image::Limits::default();
    l.max_image_width = Some(info.width);
    l.max_image_height = Some(info.height);
    l.max_alloc = Some(limits.max_pixels.saturating_mul(8).saturating_add(64 << 20));
    l
}

fn from_image(info: &ImageInfo, limits: &ImageLimits, err: ::image::ImageError) -> ImageError {
    match err {
        ::image::ImageError::Limits(_) => ImageError::TooManyPixels {
            width: info.width,
            height: info.height,
            limit: limits.max_pixels,
        },
        ::image::ImageError::Unsupported(e) => ImageError::Malformed(format!(
            "{}: unsupported variant: {e}",
            info.format.extension()
        )),
        other => ImageError::Malformed(format!("{}: {other}", info.format.extension())),
    }
}
