//! Media: where Atelier's images live. [`BlobStore`] is a thin typed wrapper over `object_store`
//! with a local-folder, an S3-compatible and an in-memory backend, chosen from `storage_url`.
//! Every key is a [`BlobKey`], so no code builds storage paths by hand.

mod key;
mod storage;

pub use key::BlobKey;
pub use storage::{BlobMeta, BlobStore, ByteStream, StorageError};
