//! Use cases. Handlers in the web crate and commands in the binary call these; this crate is where
//! transactions and side effects meet and where each promise of the privacy policy is carried out,
//! once. It knows no HTTP.

pub mod accounts;
pub mod admin;
pub mod assistant;
pub mod billing;
pub mod cdn;
pub mod collections;
pub mod credits;
mod error;
pub mod export;
pub mod gallery;
pub mod generation;
mod health;
pub mod image_urls;
mod jobs;
pub mod ledger;
pub mod mail;
pub mod paging;
pub mod privacy;
mod refusal;
mod sweeper;
pub mod uploads;
mod vault;

pub use atelier_db::DbError;
pub use atelier_mail::MailKind;
pub use error::AppError;
pub use health::Health;
pub use jobs::{JobKind, registry};
pub use refusal::Refusal;

use atelier_core::{Clock, Settings};
use atelier_db::{PoolOptions, Store};
use atelier_jobs::Queue;
use atelier_media::BlobStore;
use atelier_search::SearchIndex;
use std::sync::Arc;

/// Everything a use case needs, shared by every request and job. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    settings: Settings,
    store: Store,
    blobs: BlobStore,
    queue: Queue,
    clock: Arc<dyn Clock>,
    search: Option<SearchIndex>,
    mailer: mail::Mailer,
    providers: generation::Providers,
    assistant: Arc<dyn atelier_providers::AssistantProvider>,
    stripe: Option<atelier_billing::StripeClient>,
    master_key: std::sync::OnceLock<Result<Arc<atelier_crypto::MasterKey>, String>>,
    sync_state: tokio::sync::Mutex<gallery::index::SyncState>,
    page_cache: gallery::browse::PageCache,
    facet_cache: gallery::facets::FacetCache,
    size_makers: gallery::sizes::SizeMakers,
}

/// SQLite page cache per connection of a bulk writer, in KiB.
pub const BULK_SQLITE_CACHE_KIB: u32 = 64 * 1024;

impl App {
    /// Connects to the database and the blob store named by `settings` and applies migrations.
    ///
    /// # Errors
    /// When either cannot be reached or migrations fail.
    pub async fn open(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, AppError> {
        Self::open_with(settings, clock, PoolOptions::default()).await
    }

    /// [`App::open`] for a bulk writer such as `atelier import`: SQLite connections keep a
    /// 64 MiB page cache, so that the indexes a batch of inserts walks stay in memory.
    ///
    /// # Errors
    /// As [`App::open`].
    pub async fn open_for_bulk(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, AppError> {
        let options = PoolOptions {
            sqlite_cache_kib: BULK_SQLITE_CACHE_KIB,
            ..PoolOptions::default()
        };
        Self::open_with(settings, clock, options).await
    }

    async fn open_with(
        settings: Settings,
        clock: Arc<dyn Clock>,
        options: PoolOptions,
    ) -> Result<Self, AppError> {
        let store = Store::connect(settings.database_url.expose(), options).await?;
        store.migrate().await?;
        let blobs = BlobStore::open(&settings.storage_url, &settings.s3)?;
        Self::from_parts(settings, store, blobs, clock, None)
    }

    /// Like [`App::open`], and also opens this node's search index under `<data_dir>/search`
    /// (for `serve`: only one process may hold an index folder).
    ///
    /// # Errors
    /// As [`App::open`], or when the index folder cannot be opened.
    pub async fn open_serving(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, AppError> {
        let dir = settings.data_dir.join("search");
        let app = Self::open(settings, clock).await?;
        let index = tokio::task::spawn_blocking(move || SearchIndex::open(&dir))
            .await
            .map_err(|e| AppError::Unavailable(format!("index task: {e}")))?
            .map_err(|e| AppError::Search(e.to_string()))?;
        let inner = Arc::try_unwrap(app.inner)
            .map_err(|_| AppError::Unavailable("app shared too early".to_owned()))?;
        Self::from_parts(
            inner.settings,
            inner.store,
            inner.blobs,
            inner.clock,
            Some(index),
        )
    }

    /// Builds the app from ready parts (tests, tools); the mail transport is the configured one.
    ///
    /// # Errors
    /// When the mail transport's settings cannot be used.
    pub fn from_parts(
        settings: Settings,
        store: Store,
        blobs: BlobStore,
        clock: Arc<dyn Clock>,
        search: Option<SearchIndex>,
    ) -> Result<Self, AppError> {
        let transport = atelier_mail::transport_from_settings(&settings)
            .map_err(|e| AppError::Unavailable(format!("mail transport: {e}")))?;
        let providers = generation::Providers::from_settings(&settings)
            .map_err(|e| AppError::Unavailable(format!("image providers: {e}")))?;
        let assistant = assistant::assistant_from_settings(&settings)
            .map_err(|e| AppError::Unavailable(format!("assistant: {e}")))?;
        let stripe = billing::stripe_from_settings(&settings)
            .map_err(|e| AppError::Unavailable(format!("stripe: {e}")))?;
        let queue = Queue::new(store.clone(), Arc::clone(&clock));
        Ok(Self {
            inner: Arc::new(Inner {
                settings,
                store,
                blobs,
                queue,
                clock,
                search,
                mailer: mail::Mailer::new(transport),
                providers,
                assistant,
                stripe,
                master_key: std::sync::OnceLock::new(),
                sync_state: tokio::sync::Mutex::default(),
                page_cache: gallery::browse::PageCache::default(),
                facet_cache: gallery::facets::FacetCache::default(),
                size_makers: gallery::sizes::SizeMakers::default(),
            }),
        })
    }

    /// The instance's settings.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// The database: for the use cases only. Callers outside this crate go through a use case,
    /// so that every policy stays in one place (`docs/architecture.md`).
    #[must_use]
    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Closes the database's connections, waiting for those in use (at shutdown, and before a
    /// command exits).
    pub async fn close(&self) {
        self.inner.store.close().await;
    }

    /// Stripe's client, while billing is on.
    pub(crate) fn stripe(&self) -> Option<&atelier_billing::StripeClient> {
        self.inner.stripe.as_ref()
    }

    /// The blob store.
    #[must_use]
    pub fn blobs(&self) -> &BlobStore {
        &self.inner.blobs
    }

    /// The job queue.
    #[must_use]
    pub fn queue(&self) -> &Queue {
        &self.inner.queue
    }

    /// This node's search index.
    ///
    /// # Errors
    /// [`AppError::Unavailable`] in processes that do not serve (import, migrate).
    pub fn search(&self) -> Result<&SearchIndex, AppError> {
        self.inner
            .search
            .as_ref()
            .ok_or_else(|| AppError::Unavailable("no search index in this process".to_owned()))
    }

    pub(crate) fn sync_state(&self) -> &tokio::sync::Mutex<gallery::index::SyncState> {
        &self.inner.sync_state
    }

    pub(crate) fn page_cache(&self) -> &gallery::browse::PageCache {
        &self.inner.page_cache
    }

    /// The gallery's filter chips, last counted.
    pub(crate) fn facet_cache(&self) -> &gallery::facets::FacetCache {
        &self.inner.facet_cache
    }

    /// The makers of gallery image sizes asked for before they were made.
    pub(crate) fn size_makers(&self) -> &gallery::sizes::SizeMakers {
        &self.inner.size_makers
    }

    /// Now, by the app's clock.
    #[must_use]
    pub fn now_ms(&self) -> i64 {
        self.inner.clock.now_ms()
    }
}
