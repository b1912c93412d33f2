//! The blob store: local folder, S3-compatible service or memory, behind one type. Reads and writes
//! stream, so a large image never has to sit in memory whole.

use crate::BlobKey;
use atelier_core::settings::S3Settings;
use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _, TryStreamExt as _};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload, WriteMultipart};
use std::ops::Range;
use std::sync::Arc;
use url::Url;

/// A stream of a blob's bytes.
pub type ByteStream = BoxStream<'static, Result<Bytes, StorageError>>;

/// Below this size a streamed write is sent in one request; above it, as a multipart upload.
const SINGLE_PUT_LIMIT: usize = 8 * 1024 * 1024;

/// What can go wrong with the blob store.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No blob under that key.
    #[error("blob not found")]
    NotFound,
    /// The `storage_url` or S3 settings cannot be used.
    #[error("storage configuration: {0}")]
    Config(String),
    /// The backend failed.
    #[error("storage backend: {0}")]
    Backend(#[source] object_store::Error),
    /// The data being written failed to arrive.
    #[error("reading the data to store failed: {0}")]
    Source(#[source] std::io::Error),
}

impl From<object_store::Error> for StorageError {
    fn from(err: object_store::Error) -> Self {
        match err {
            object_store::Error::NotFound { .. } => Self::NotFound,
            other => Self::Backend(other),
        }
    }
}

/// Size and version of a stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobMeta {
    /// The blob's key.
    pub key: BlobKey,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, in milliseconds since the Unix epoch.
    pub last_modified_ms: i64,
    /// The backend's entity tag, when it has one.
    pub e_tag: Option<String>,
}

/// Where blobs live. Cheap to clone.
#[derive(Clone)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    description: String,
}

impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobStore")
            .field("backend", &self.description)
            .finish()
    }
}

impl BlobStore {
    /// Opens the store named by `url`: `file:///abs/path/`, `s3://bucket/prefix` or `memory://`.
    /// A local folder is created when missing.
    ///
    /// # Errors
    /// When the URL or the S3 settings cannot be used.
    pub fn open(url: &Url, s3: &S3Settings) -> Result<Self, StorageError> {
        match url.scheme() {
            "memory" => Ok(Self::memory()),
            "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| StorageError::Config(format!("not a local path: {url}")))?;
                std::fs::create_dir_all(&path).map_err(|e| {
                    StorageError::Config(format!("cannot create {}: {e}", path.display()))
                })?;
                let fs = LocalFileSystem::new_with_prefix(&path)?.with_automatic_cleanup(true);
                Ok(Self {
                    inner: Arc::new(fs),
                    description: "file".to_owned(),
                })
            }
            "s3" => {
                let bucket = url
                    .host_str()
                    .filter(|b| !b.is_empty())
                    .ok_or_else(|| StorageError::Config("s3:// needs a bucket".to_owned()))?;
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                if let Some(region) = &s3.region {
                    builder = builder.with_region(region);
                }
                if s3.allow_http {
                    builder = builder.with_allow_http(true);
                }
                if let Some(key) = &s3.access_key_id {
                    builder = builder.with_access_key_id(key.expose());
                }
                if let Some(secret) = &s3.secret_access_key {
                    builder = builder.with_secret_access_key(secret.expose());
                }
                let s3_store = builder.build()?;
                let prefix = url.path().trim_matches('/');
                let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3_store)
                } else {
                    Arc::new(PrefixStore::new(s3_store, prefix))
                };
                Ok(Self {
                    inner,
                    description: "s3".to_owned(),
                })
            }
            other => Err(StorageError::Config(format!(
                "unknown storage scheme `{other}`"
            ))),
        }
    }

    /// A store that keeps everything in memory (tests, throw-away demos).
    #[must_use]
    pub fn memory() -> Self {
        Self {
            inner: Arc::new(InMemory::new()),
            description: "memory".to_owned(),
        }
    }

    /// `file`, `s3` or `memory`.
    #[must_use]
    pub fn backend(&self) -> &str {
        &self.description
    }

    /// Stores `bytes` under `key`, replacing what was there.
    ///
    /// # Errors
    /// Backend failures.
    pub async fn put(&self, key: &BlobKey, bytes: Bytes) -> Result<(), StorageError> {
        self.inner
            .put(&path(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// Stores a stream under `key` without holding it whole in memory: small streams go up in one
    /// request, large ones as a multipart upload that is aborted if the stream fails.
    ///
    /// # Errors
    /// Backend failures, or an error from the stream itself.
    pub async fn put_stream<S>(&self, key: &BlobKey, stream: S) -> Result<u64, StorageError>
    where
        S: Stream<Item = Result<Bytes, std::io::Error>> + Send,
    {
        let mut stream = std::pin::pin!(stream);
        let mut head: Vec<Bytes> = Vec::new();
        let mut head_len = 0usize;
        while head_len <= SINGLE_PUT_LIMIT {
            match stream.next().await {
                Some(chunk) => {
                    let chunk = chunk.map_err(StorageError::Source)?;
                    head_len += chunk.len();
                    head.push(chunk);
                }
                None => {
                    let payload: PutPayload = head.into_iter().collect();
                    self.inner.put(&path(key), payload).await?;
                    return Ok(head_len as u64);
                }
            }
        }
        let upload = self.inner.put_multipart(&path(key)).await?;
        let mut writer = WriteMultipart::new(upload);
        let mut total = 0u64;
        for chunk in head {
            total += chunk.len() as u64;
            writer.put(chunk);
        }
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(chunk) => {
                    total += chunk.len() as u64;
                    writer.wait_for_capacity(4).await?;
                    writer.put(chunk);
                }
                Err(e) => {
                    writer.abort().await?;
                    return Err(StorageError::Source(e));
                }
            }
        }
        writer.finish().await?;
        Ok(total)
    }

    /// Reads a whole blob.
    ///
    /// # Errors
    /// [`StorageError::NotFound`], or backend failures.
    pub async fn get(&self, key: &BlobKey) -> Result<Bytes, StorageError> {
        Ok(self.inner.get(&path(key)).await?.bytes().await?)
    }

    /// Opens a blob as a stream of chunks, with its metadata.
    ///
    /// # Errors
    /// [`StorageError::NotFound`], or backend failures.
    pub async fn get_stream(&self, key: &BlobKey) -> Result<(BlobMeta, ByteStream), StorageError> {
        let result = self.inner.get(&path(key)).await?;
        let meta = to_meta(key.clone(), &result.meta);
        let stream = result.into_stream().map_err(StorageError::from).boxed();
        Ok((meta, stream))
    }

    /// Reads the bytes `range` of a blob.
    ///
    /// # Errors
    /// [`StorageError::NotFound`], or backend failures (a range past the end included).
    pub async fn get_range(&self, key: &BlobKey, range: Range<u64>) -> Result<Bytes, StorageError> {
        Ok(self.inner.get_range(&path(key), range).await?)
    }

    /// Size and version of a blob.
    ///
    /// # Errors
    /// [`StorageError::NotFound`], or backend failures.
    pub async fn head(&self, key: &BlobKey) -> Result<BlobMeta, StorageError> {
        let meta = self.inner.head(&path(key)).await?;
        Ok(to_meta(key.clone(), &meta))
    }

    /// Removes a blob; removing one that is not there is not an error.
    ///
    /// # Errors
    /// Backend failures.
    pub async fn delete(&self, key: &BlobKey) -> Result<(), StorageError> {
        match self.inner.delete(&path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes every blob under `prefix`; returns how many.
    ///
    /// # Errors
    /// Backend failures.
    pub async fn delete_prefix(&self, prefix: &BlobKey) -> Result<u64, StorageError> {
        let mut removed = 0;
        let keys: Vec<BlobKey> = self
            .list(Some(prefix))
            .map_ok(|m| m.key)
            .try_collect()
            .await?;
        for key in keys {
            self.delete(&key).await?;
            removed += 1;
        }
        Ok(removed)
    }

    /// Lists blobs under `prefix` (everything when `None`), for the orphan sweeper. Paths outside
    /// the key layout are skipped.
    pub fn list(
        &self,
        prefix: Option<&BlobKey>,
    ) -> BoxStream<'static, Result<BlobMeta, StorageError>> {
        let prefix = prefix.map(path);
        self.inner
            .list(prefix.as_ref())
            .map_err(StorageError::from)
            .try_filter_map(|meta| async move {
                Ok(BlobKey::from_listed(meta.location.as_ref()).map(|key| to_meta(key, &meta)))
            })
            .boxed()
    }

    /// Writes, reads back and deletes a small probe object: proves the store answers.
    ///
    /// # Errors
    /// When any of the three steps fails.
    pub async fn check(&self) -> Result<(), StorageError> {
        let key = BlobKey::health_probe();
        let probe = Bytes::from_static(b"ok");
        self.put(&key, probe.clone()).await?;
        let back = self.get(&key).await?;
        if back != probe {
            return Err(StorageError::Config(
                "the probe read back differently".to_owned(),
            ));
        }
        self.delete(&key).await
    }
}

fn path(key: &BlobKey) -> Path {
    Path::from(key.as_str())
}

fn to_meta(key: BlobKey, meta: &object_store::ObjectMeta) -> BlobMeta {
    BlobMeta {
        key,
        size: meta.size,
        last_modified_ms: meta.last_modified.timestamp_millis(),
        e_tag: meta.e_tag.clone(),
    }
}
