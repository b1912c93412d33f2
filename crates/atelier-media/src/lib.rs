//! Media: where Atelier's images live. [`BlobStore`] is a thin typed wrapper over `object_store`
//! with a local-folder, an S3-compatible and an in-memory backend, chosen from `storage_url`.
//! Every key is a [`BlobKey`], so no code builds storage paths by hand. The [`image`] module is the
//! pipeline stored images pass through: probe, decode, strip metadata, thumbnail.

pub mod image;
mod key;
mod storage;

pub use self::image::{
    ImageError, ImageFormat, ImageInfo, ImageLimits, Rgb, THUMB_WIDTHS, Thumbnail, decode,
    dominant_color, encode_png, placeholder_webp, probe, thumbnail_webp,
};
pub use key::{BlobKey, segment};
pub use storage::{BlobMeta, BlobStore, ByteStream, StorageError};
