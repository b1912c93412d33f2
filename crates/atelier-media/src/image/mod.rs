//! The image pipeline for stored images: recognise an upload by its magic bytes, refuse oversized
//! files and decompression bombs from the header alone, decode with the EXIF orientation applied,
//! re-encode as a clean PNG (which drops every piece of metadata: EXIF with GPS, XMP, ICC,
//! comments), make the WebP thumbnails the gallery serves, and the dominant colour and tiny
//! placeholder shown before them.
//!
//! Nothing here trusts a file name or a declared content type: the format comes from the bytes.

mod color;
mod decode;
mod probe;
mod thumbnail;

/// Hand-made image files for tests (EXIF with GPS, bombs, animated GIFs), also for other crates'
/// tests through the `testing` feature.
#[cfg(any(test, feature = "testing"))]
#[allow(clippy::unwrap_used, clippy::missing_panics_doc, missing_docs)]
pub mod fixtures;
#[cfg(test)]
mod tests;

pub use color::{PLACEHOLDER_WIDTH, Rgb, dominant_color, placeholder_webp};
pub use decode::{decode, encode_jpeg, encode_png};
pub use probe::probe;
pub use thumbnail::{THUMB_WIDTHS, Thumbnail, thumbnail_webp};

/// The image formats Atelier accepts, recognised from their magic bytes only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// Portable Network Graphics (`\x89PNG\r\n\x1a\n`).
    Png,
    /// JPEG / JFIF (`FF D8 FF`).
    Jpeg,
    /// WebP, lossy or lossless (`RIFF....WEBP`).
    Webp,
    /// GIF 87a/89a; only the first frame is used.
    Gif,
}

impl ImageFormat {
    /// The MIME type, as served in `Content-Type`.
    pub fn mime(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }
}

impl From<ImageFormat> for ::image::ImageFormat {
    fn from(format: ImageFormat) -> Self {
        match format {
            ImageFormat::Png => Self::Png,
            ImageFormat::Jpeg => Self::Jpeg,
            ImageFormat::Webp => Self::WebP,
            ImageFormat::Gif => Self::Gif,
        }
    }
}

/// What the header of an image says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    /// The format, from the magic bytes.
    pub format: ImageFormat,
    /// Width in pixels, as stored (before EXIF orientation).
    pub width: u32,
    /// Height in pixels, as stored (before EXIF orientation).
    pub height: u32,
}

/// How big an image may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Largest accepted file, in bytes. Default 20 MiB.
    pub max_bytes: usize,
    /// Largest accepted width × height. Default 40 million pixels.
    pub max_pixels: u64,
}

impl ImageLimits {
    /// The default size limit of an uploaded file: 20 MiB.
    pub const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;
    /// The default pixel limit: 40 million pixels (e.g. 8000 × 5000).
    pub const DEFAULT_MAX_PIXELS: u64 = 40_000_000;
}

impl Default for ImageLimits {
    fn default() -> Self {
        Self {
            max_bytes: Self::DEFAULT_MAX_BYTES,
            max_pixels: Self::DEFAULT_MAX_PIXELS,
        }
    }
}

/// What can go wrong with an image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The file is larger than [`ImageLimits::max_bytes`].
    #[error("the image is {size} bytes; at most {limit} bytes are accepted")]
    TooLarge {
        /// Size of the file in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The header declares more pixels than [`ImageLimits::max_pixels`].
    #[error("the image is {width}×{height} pixels; at most {limit} pixels are accepted")]
    TooManyPixels {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// The limit in pixels.
        limit: u64,
    },
    /// The bytes are not a PNG, JPEG, WebP or GIF image.
    #[error("not a PNG, JPEG, WebP or GIF image")]
    Unsupported,
    /// The bytes start like an image but are truncated or corrupt.
    #[error("the image is damaged: {0}")]
    Malformed(String),
    /// Encoding the output failed.
    #[error("the image could not be encoded: {0}")]
    Encode(String),
}
