//! The same storage contract, run on every backend: memory, a local folder, and a real
//! S3-protocol server on loopback (started by `scripts/test.sh`; required under `CI=true`).

use atelier_core::Secret;
use atelier_core::settings::S3Settings;
use atelier_media::{BlobKey, BlobStore, StorageError};
use bytes::Bytes;
use futures::{StreamExt as _, TryStreamExt as _, stream};
use url::Url;

async fn contract(store: &BlobStore) {
    let user = atelier_core::id::new_id();
    let a = BlobKey::upload(&user, "a");
    let b = BlobKey::generated(&user, "img", "original");
    let other = BlobKey::gallery_original(&atelier_core::id::new_id(), 0);

    // Missing blobs are NotFound, and deleting them is fine.
    assert!(matches!(store.get(&a).await, Err(StorageError::NotFound)));
    assert!(matches!(store.head(&a).await, Err(StorageError::NotFound)));
    store.delete(&a).await.unwrap();

    store
        .put(&a, Bytes::from_static(b"hello world"))
        .await
        .unwrap();
    assert_eq!(
        store.get(&a).await.unwrap(),
        Bytes::from_static(b"hello world")
    );
    assert_eq!(store.head(&a).await.unwrap().size, 11);
    assert_eq!(
        store.get_range(&a, 6..11).await.unwrap(),
        Bytes::from_static(b"world")
    );

    // Streaming write of a blob larger than one request, streaming read back.
    let chunk = Bytes::from(vec![7u8; 1024 * 1024]);
    let chunks: Vec<Result<Bytes, std::io::Error>> = (0..10).map(|_| Ok(chunk.clone())).collect();
    let written = store.put_stream(&b, stream::iter(chunks)).await.unwrap();
    assert_eq!(written, 10 * 1024 * 1024);
    let (meta, body) = store.get_stream(&b).await.unwrap();
    assert_eq!(meta.size, written);
    let read: Vec<Bytes> = body.try_collect().await.unwrap();
    assert_eq!(read.iter().map(Bytes::len).sum::<usize>(), 10 * 1024 * 1024);
    assert!(read.iter().all(|c| c.iter().all(|&x| x == 7)));

    // A failing source stores nothing.
    let broken = BlobKey::upload(&user, "broken");
    let failing = stream::iter(vec![
        Ok(Bytes::from_static(b"partial")),
        Err(std::io::Error::other("client went away")),
    ]);
    assert!(matches!(
        store.put_stream(&broken, failing).await,
        Err(StorageError::Source(_))
    ));
    assert!(matches!(
        store.head(&broken).await,
        Err(StorageError::NotFound)
    ));

    // Listing by owner, then deleting everything of one user.
    store
        .put(&other, Bytes::from_static(b"public"))
        .await
        .unwrap();
    let mut listed: Vec<String> = store
        .list(Some(&BlobKey::user_prefix(&user)))
        .map_ok(|m| m.key.to_string())
        .try_collect()
        .await
        .unwrap();
    listed.sort();
    assert_eq!(listed, vec![b.to_string(), a.to_string()]);
    assert_eq!(
        store
            .delete_prefix(&BlobKey::user_prefix(&user))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.list(Some(&BlobKey::user_prefix(&user))).count().await,
        0
    );
    assert!(store.head(&other).await.is_ok(), "other owners' blobs stay");

    store.check().await.unwrap();
}

#[tokio::test]
async fn memory_backend_keeps_the_contract() {
    contract(&BlobStore::memory()).await;
}

#[tokio::test]
async fn file_backend_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let url = Url::from_directory_path(dir.path().join("blobs")).unwrap();
    let store = BlobStore::open(&url, &S3Settings::default()).unwrap();
    assert_eq!(store.backend(), "file");
    contract(&store).await;
}

#[tokio::test]
async fn s3_backend_keeps_the_contract() {
    let Ok(endpoint) = std::env::var("ATELIER_TEST_S3_ENDPOINT") else {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the S3 suite: scripts/test.sh sets ATELIER_TEST_S3_ENDPOINT"
        );
        eprintln!("skipped: ATELIER_TEST_S3_ENDPOINT is not set");
        return;
    };
    let bucket = std::env::var("ATELIER_TEST_S3_BUCKET").unwrap_or_else(|_| "atelier-test".into());
    let prefix = atelier_core::id::new_id();
    let url = Url::parse(&format!("s3://{bucket}/{prefix}")).unwrap();
    let settings = S3Settings {
        endpoint: Some(endpoint),
        region: Some("us-east-1".into()),
        allow_http: true,
        access_key_id: Some(Secret::new("testing".into())),
        secret_access_key: Some(Secret::new("testing".into())),
    };
    let store = BlobStore::open(&url, &settings).unwrap();
    assert_eq!(store.backend(), "s3");
    contract(&store).await;
}
