//! Test support shared by the crates' integration tests: [`TestApp`] builds the real app and router
//! over a fresh database (SQLite, or PostgreSQL when `ATELIER_TEST_DATABASE_URL` is set) and
//! in-memory blobs, with a controllable clock; [`TestResponse`] reads answers; [`LogCapture`]
//! collects the service log as the binary would write it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

mod logs;

pub use logs::LogCapture;

use atelier_app::App;
use atelier_core::{ManualClock, Settings};
use atelier_db::testing::TestDb;
use atelier_media::BlobStore;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use bytes::Bytes;
use http_body_util::BodyExt as _;
use std::sync::Arc;
use tower::ServiceExt as _;

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
}

/// Builder for [`TestApp`].
#[derive(Debug, Default)]
pub struct TestAppBuilder {
    settings: Option<Settings>,
}

impl TestAppBuilder {
    /// Uses these settings (database and storage URLs are ignored: each test gets its own).
    #[must_use]
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = Some(settings);
        self
    }

    /// Builds the app.
    pub async fn build(self) -> TestApp {
        let db = TestDb::new().await;
        let settings = self
            .settings
            .unwrap_or_else(|| Settings::defaults().unwrap());
        let clock = ManualClock::new(T0);
        let search = atelier_search::SearchIndex::in_memory().expect("in-memory search index");
        let app = App::from_parts(
            settings,
            db.store.clone(),
            BlobStore::memory(),
            Arc::new(clock.clone()),
            Some(search),
        );
        let router = atelier_web::router(app.clone());
        TestApp {
            app,
            router,
            clock,
            db,
        }
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
    pub async fn import(&self, text: &str) -> atelier_app::gallery::import::ImportSummary {
        let records =
            atelier_app::gallery::import::read_records(text.as_bytes()).expect("readable import");
        let options = atelier_app::gallery::import::ImportOptions {
            fetcher: None,
            render_missing: true,
            concurrency: 2,
        };
        let summary = self
            .app
            .import_gallery(records, &options, |_| {})
            .await
            .expect("import");
        self.run_jobs().await;
        self.app.sync_search_index().await.expect("index sync");
        summary
    }

    /// Sends a request through the router.
    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// A request with a JSON body.
    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        body: &serde_json::Value,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json")
            .body(Body::from(serde_json::to_vec(body).unwrap()))
            .unwrap();
        self.request(request).await
    }

    /// A request with a raw body and content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<Body>,
    ) -> TestResponse {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", content_type)
            .body(body.into())
            .unwrap();
        self.request(request).await
    }
}

/// A file of `../shared/data/` (the real-world sample data, never copied into the repository).
pub fn shared_data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(name)
}

/// The first `n` records of `../shared/data/trending-prompts.json`, as a JSON array.
pub fn trending_sample(n: usize) -> String {
    let text = std::fs::read_to_string(shared_data("trending-prompts.json"))
        .expect("../shared/data/trending-prompts.json");
    let all: Vec<serde_json::Value> = serde_json::from_str(&text).expect("a JSON array");
    serde_json::to_string(&all.into_iter().take(n).collect::<Vec<_>>()).expect("serialize")
}

/// A finished answer.
#[derive(Debug)]
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl TestResponse {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the contract's error shape and returns its code.
    pub fn error_code(&self) -> String {
        let json = self.json();
        let code = json["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error body: {json}"));
        assert!(
            json["error"]["message"].is_string(),
            "error without message: {json}"
        );
        code.to_owned()
    }
}
