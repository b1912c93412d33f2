//! Checks that bytes are an image we accept, and reads its type and size from its own header.
//! Nothing a provider says about its images (type, width, height) is trusted.

use std::io::Cursor;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use image::{DynamicImage, ImageFormat, ImageReader};

use crate::{ProviderError, ReferenceImage};

/// The image types providers may deliver and references may have.
pub const ALLOWED_CONTENT_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/webp"];

/// The largest width or height accepted from a provider.
const MAX_SIDE: u32 = 16_384;

/// What an image's header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// `image/png`, `image/jpeg` or `image/webp`.
    pub content_type: &'static str,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Why bytes are not an acceptable image.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// Empty, unknown or not one of the allowed formats.
    #[error("not a PNG, JPEG or WebP image")]
    NotAnImage,
    /// The header could not be read.
    #[error("unreadable image header")]
    Unreadable,
    /// Zero or absurdly large dimensions.
    #[error("implausible image size {0}×{1}")]
    Size(u32, u32),
}

/// Reads the type and size of an encoded image.
///
/// # Errors
/// [`ProbeError`] when the bytes are not a PNG, JPEG or WebP image with a readable header and a
/// plausible size (1 to 16384 pixels a side).
pub fn probe(bytes: &[u8]) -> Result<ImageInfo, ProbeError> {
    let format = image::guess_format(bytes).map_err(|_| ProbeError::NotAnImage)?;
    let content_type = match format {
        ImageFormat::Png => "image/png",
        ImageFormat::Jpeg => "image/jpeg",
        ImageFormat::WebP => "image/webp",
        _ => return Err(ProbeError::NotAnImage),
    };
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|_| ProbeError::Unreadable)?;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(ProbeError::Size(width, height));
    }
    Ok(ImageInfo {
        content_type,
        width,
        height,
    })
}

/// The most pixels an image worked on offline (edits, descriptions) may have: 40 megapixels.
pub(crate) const MAX_WORK_PIXELS: u64 = 40_000_000;

/// Decodes an accepted image (PNG, JPEG or WebP, see [`probe`]) of at most
/// [`MAX_WORK_PIXELS`] pixels for offline work. `what` names the image in errors.
///
/// # Errors
/// [`ProviderError::Rejected`] when the bytes are not such an image, are too large or cannot be
/// decoded: the same bytes would fail again.
pub(crate) fn decode_limited(bytes: &[u8], what: &str) -> Result<DynamicImage, ProviderError> {
    let info = probe(bytes).map_err(|e| ProviderError::Rejected(format!("{what}: {e}")))?;
    let pixels = u64::from(info.width) * u64::from(info.height);
    if pixels > MAX_WORK_PIXELS {
        return Err(ProviderError::Rejected(format!(
            "{what} has {} megapixels; at most {} can be worked on",
            pixels / 1_000_000,
            MAX_WORK_PIXELS / 1_000_000
        )));
    }
    let format = image::guess_format(bytes)
        .map_err(|_| ProviderError::Rejected(format!("{what}: {}", ProbeError::NotAnImage)))?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    reader
        .decode()
        .map_err(|_| ProviderError::Rejected(format!("{what} could not be decoded")))
}

/// The content type of reference image number `index` (from 1), read from its bytes.
///
/// # Errors
/// [`ProviderError::Rejected`] when the reference is not an acceptable image: sending it would be
/// refused by the provider as well.
pub(crate) fn reference_type(
    reference: &ReferenceImage,
    index: usize,
) -> Result<&'static str, ProviderError> {
    probe(&reference.bytes)
        .map(|info| info.content_type)
        .map_err(|e| ProviderError::Rejected(format!("reference image {index}: {e}")))
}

/// The file extension for a content type from [`ALLOWED_CONTENT_TYPES`].
pub(crate) fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/webp" => "webp",
        _ => "png",
    }
}

/// A `data:` URI carrying the reference image.
pub(crate) fn data_uri(content_type: &str, bytes: &[u8]) -> String {
    format!("data:{content_type};base64,{}", STANDARD.encode(bytes))
}

/// The bytes of a base64 `data:` URI, or `None` when `uri` is not one.
pub(crate) fn decode_data_uri(uri: &str) -> Option<Result<Vec<u8>, base64::DecodeError>> {
    let rest = uri.strip_prefix("data:")?;
    let (meta, payload) = rest.split_once(',')?;
    if !meta.ends_with(";base64") {
        return None;
    }
    Some(decode_base64(payload))
}

/// Decodes standard base64, tolerating line breaks and spaces some servers insert.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    if text.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        STANDARD.decode(compact)
    } else {
        STANDARD.decode(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_render::{RenderRequest, render_png};

    fn png(width: u32, height: u32) -> Vec<u8> {
        render_png(&RenderRequest {
            prompt: "a lake",
            seed: 1,
            width,
            height,
        })
    }

    #[test]
    fn reads_png_size_from_the_header() {
        let info = probe(&png(40, 24)).unwrap();
        assert_eq!(
            info,
            ImageInfo {
                content_type: "image/png",
                width: 40,
                height: 24
            }
        );
    }

    #[test]
    fn refuses_what_is_not_an_image() {
        assert!(matches!(probe(b""), Err(ProbeError::NotAnImage)));
        assert!(matches!(probe(b"hello world"), Err(ProbeError::NotAnImage)));
        assert!(matches!(
            probe(b"GIF89a\x01\x00\x01\x00"),
            Err(ProbeError::NotAnImage)
        ));
        let mut truncated = png(32, 32);
        truncated.truncate(12);
        assert!(probe(&truncated).is_err());
    }

    /// A PNG signature, a header announcing `width` × `height` and an empty data chunk.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = 0xffff_ffffu32;
            for &b in bytes {
                crc ^= u32::from(b);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xedb8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
            let mut body = kind.to_vec();
            body.extend_from_slice(data);
            out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
            out.extend_from_slice(&body);
            out.extend_from_slice(&crc32(&body).to_be_bytes());
        }
        let mut header = width.to_be_bytes().to_vec();
        header.extend_from_slice(&height.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut out, b"IHDR", &header);
        chunk(&mut out, b"IDAT", &[]);
        chunk(&mut out, b"IEND", &[]);
        out
    }

    #[test]
    fn decoding_refuses_huge_and_broken_images() {
        let huge = png_header(8000, 6000);
        assert_eq!(probe(&huge).unwrap().width, 8000);
        let err = decode_limited(&huge, "the image").unwrap_err();
        assert!(
            matches!(err, ProviderError::Rejected(ref m) if m.contains("48 megapixels")),
            "{err:?}"
        );
        let small = png_header(10, 10);
        assert!(matches!(
            decode_limited(&small, "the image"),
            Err(ProviderError::Rejected(_))
        ));
        let decoded = decode_limited(&png(40, 24), "the image").unwrap();
        assert_eq!((decoded.width(), decoded.height()), (40, 24));
    }

    #[test]
    fn data_uris_round_trip() {
        let bytes = png(16, 16);
        let uri = data_uri("image/png", &bytes);
        assert!(uri.starts_with("data:image/png;base64,iVBOR"));
        assert_eq!(decode_data_uri(&uri).unwrap().unwrap(), bytes);
        assert!(decode_data_uri("https://example.com/a.png").is_none());
        assert!(decode_data_uri("data:text/plain,hello").is_none());
        assert_eq!(decode_base64("aGVs\nbG8=").unwrap(), b"hello");
    }
}
