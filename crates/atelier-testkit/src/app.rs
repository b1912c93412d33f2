//! [`TestApp`] and its builder: the real app and router over a database of the test's own, with
//! settings given the way an operator writes them (`atelier.toml`), and what a test does to the
//! app directly rather than through HTTP (run the jobs, import a gallery, look into storage).

use crate::SignedInUser;
use atelier_app::App;
use atelier_app::gallery::import::{ImportOptions, ImportSummary, RecordOutcome};
use atelier_core::settings::RawSettings;
use atelier_core::{ManualClock, Settings};
use atelier_db::testing::TestDb;
use atelier_media::{BlobKey, BlobStore};
use axum::Router;
use futures::TryStreamExt as _;
use std::sync::Arc;

/// 2025-06-15T00:00:00Z: where every test clock starts.
pub const T0: i64 = 1_749_945_600_000;

/// An app and its router over a database of its own.
#[derive(Debug)]
pub struct TestApp {
    /// The use cases.
    pub app: App,
    /// The router, as the server runs it.
    pub router: Router,
    /// The test's clock, at [`T0`] until moved.
    pub clock: ManualClock,
    /// The database (dropped with the test).
    pub db: TestDb,
    /// The data folder (the file mail transport writes to `outbox/` in it).
    pub data_dir: tempfile::TempDir,
}

/// Builder for [`TestApp`]: `TestApp::init().demo().with_settings_toml("…").build().await`.
#[derive(Debug, Default)]
pub struct TestAppBuilder {
    settings: Option<Settings>,
    toml: Vec<String>,
    demo: bool,
    gallery: Option<String>,
}

impl TestAppBuilder {
    /// Uses these settings (database and storage URLs are ignored: each test gets its own).
    /// Not together with [`Self::with_settings_toml`].
    #[must_use]
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// Uses `raw` (settings as a test builds them in code) resolved and checked as the binary
    /// does; like [`Self::with_settings`] otherwise.
    #[must_use]
    pub fn with_raw_settings(self, raw: RawSettings) -> Self {
        self.with_settings(
            Settings::resolve(raw).unwrap_or_else(|e| panic!("test settings: {e:?}")),
        )
    }

    /// Settings as `atelier.toml` holds them (`"[credits]\nsignup_grant = 3\n"`); given more than
    /// once, the later are merged over the earlier. Everything else keeps its default.
    #[must_use]
    pub fn with_settings_toml(mut self, toml: &str) -> Self {
        self.toml.push(toml.to_owned());
        self
    }

    /// A demo instance, as `serve --demo` runs: the offline `local` model and assistant, and 100
    /// credits for every new account unless `[credits] signup_grant` says otherwise.
    #[must_use]
    pub fn demo(mut self) -> Self {
        self.demo = true;
        self
    }

    /// Imports these gallery posts (JSON lines or a JSON array) once the app is built, as
    /// [`TestApp::import`] does.
    #[must_use]
    pub fn with_gallery(mut self, posts: impl Into<String>) -> Self {
        self.gallery = Some(posts.into());
        self
    }

    /// Imports the first `n` of the project's sample posts ([`crate::sample_posts`]).
    #[must_use]
    pub fn with_sample_posts(self, n: usize) -> Self {
        self.with_gallery(crate::sample_posts(n))
    }

    /// The settings: those given, else the TOML given over the defaults.
    fn settings(&mut self) -> Settings {
        let mut settings = match self.settings.take() {
            Some(settings) => {
                assert!(
                    self.toml.is_empty(),
                    "with_settings and with_settings_toml do not mix"
                );
                settings
            }
            None if self.toml.is_empty() => Settings::defaults().unwrap(),
            None => {
                use figment::providers::{Format as _, Toml};
                let figment = self.toml.iter().fold(figment::Figment::new(), |f, toml| {
                    f.merge(Toml::string(toml))
                });
                let raw: RawSettings = figment
                    .extract()
                    .unwrap_or_else(|e| panic!("test settings do not read: {e}"));
                Settings::resolve(raw).unwrap_or_else(|e| panic!("test settings: {e:?}"))
            }
        };
        if self.demo {
            settings.demo = true;
        }
        settings
    }

    /// Builds the app and signs `email` in through the API ([`TestApp::sign_in`]):
    /// `let (t, u) = TestApp::init().demo().with_user("ada@example.com").await;`
    pub async fn with_user(self, email: &str) -> (TestApp, SignedInUser) {
        let t = self.build().await;
        let u = t.sign_in(email).await;
        (t, u)
    }

    /// Builds the app (and imports its gallery, when one was given).
    pub async fn build(mut self) -> TestApp {
        let db = TestDb::new().await;
        let mut settings = self.settings();
        let data_dir = tempfile::tempdir().expect("temporary data folder");
        settings.data_dir = data_dir.path().to_path_buf();
        let clock = ManualClock::new(T0);
        let search = atelier_search::SearchIndex::in_memory().expect("in-memory search index");
        let app = App::from_parts(
            settings,
            db.store.clone(),
            BlobStore::memory(),
            Arc::new(clock.clone()),
            Some(search),
        )
        .expect("app");
        let router = atelier_web::router(app.clone());
        let t = TestApp {
            app,
            router,
            clock,
            db,
            data_dir,
        };
        if let Some(posts) = &self.gallery {
            t.import(posts).await;
        }
        t
    }
}

impl TestApp {
    /// A builder.
    #[must_use]
    pub fn init() -> TestAppBuilder {
        TestAppBuilder::default()
    }

    /// A test app with default settings.
    pub async fn new() -> Self {
        Self::init().build().await
    }

    /// The test clock's time.
    pub fn clock_now(&self) -> i64 {
        use atelier_core::Clock as _;
        self.clock.now_ms()
    }

    /// Runs every job that is due (thumbnails, downloads, …) until none is left.
    pub async fn run_jobs(&self) -> usize {
        let runner = atelier_jobs::Runner::new(
            self.app.queue().clone(),
            atelier_app::registry(&self.app),
            atelier_jobs::RunnerConfig::default(),
        );
        runner.run_due().await.expect("running jobs")
    }

    /// Imports JSON lines or a JSON array, drawing every image offline; then makes thumbnails
    /// and brings the search index up to date.
    pub async fn import(&self, text: &str) -> ImportSummary {
        let (summary, _) = self.import_records(text, true, 2).await;
        self.run_jobs().await;
        self.app.sync_search_index().await.expect("index sync");
        summary
    }

    /// Imports JSON lines or a JSON array as the import itself runs, and nothing after it (no
    /// thumbnails, no index sync): drawing missing images offline when `render_missing`,
    /// `concurrency` records at once. Returns the summary and the number and message of every
    /// bad record, in line order.
    pub async fn import_records(
        &self,
        text: &str,
        render_missing: bool,
        concurrency: usize,
    ) -> (ImportSummary, Vec<(usize, String)>) {
        let records =
            atelier_app::gallery::import::read_records(text.as_bytes()).expect("readable import");
        let options = ImportOptions {
            fetcher: None,
            render_missing,
            concurrency,
        };
        let bad = std::sync::Mutex::new(Vec::new());
        let summary = self
            .app
            .import_gallery(records, &options, |outcome| {
                if let RecordOutcome::Bad { number, message } = outcome {
                    bad.lock().unwrap().push((*number, message.clone()));
                }
            })
            .await
            .expect("import");
        let mut bad = bad.into_inner().unwrap();
        bad.sort();
        (summary, bad)
    }

    /// The ids of the public gallery's first page, as `GET /api/v1/gallery?{query}` lists them
    /// (`""`: the default order, most liked first).
    pub async fn gallery_ids(&self, query: &str) -> Vec<String> {
        let path = if query.is_empty() {
            "/api/v1/gallery".to_owned()
        } else {
            format!("/api/v1/gallery?{query}")
        };
        self.get(&path).await.json()["items"]
            .as_array()
            .expect("gallery items")
            .iter()
            .map(|i| i["id"].as_str().expect("an item id").to_owned())
            .collect()
    }

    /// The keys of every blob stored under `prefix`.
    pub async fn stored_blobs(&self, prefix: &BlobKey) -> Vec<String> {
        self.app
            .blobs()
            .list(Some(prefix))
            .map_ok(|meta| meta.key.as_str().to_owned())
            .try_collect()
            .await
            .expect("listing blobs")
    }
}
