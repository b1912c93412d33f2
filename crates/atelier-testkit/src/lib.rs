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
use std::net::SocketAddr;
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
    /// The data folder (the file mail transport writes to `outbox/` in it).
    pub data_dir: tempfile::TempDir,
}

/// The address test requests come from unless a test says otherwise.
pub const TEST_PEER: &str = "203.0.113.10:50000";

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
        let mut settings = self
            .settings
            .unwrap_or_else(|| Settings::defaults().unwrap());
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
        TestApp {
            app,
            router,
            clock,
            db,
            data_dir,
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

    /// Sends a request through the router, from [`TEST_PEER`] unless the request names a peer
    /// (a `ConnectInfo` extension) itself.
    pub async fn request(&self, mut request: Request<Body>) -> TestResponse {
        if request
            .extensions()
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .is_none()
        {
            request.extensions_mut().insert(axum::extract::ConnectInfo(
                TEST_PEER.parse::<SocketAddr>().unwrap(),
            ));
        }
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

/// How a test request proves who it is.
#[derive(Debug, Clone, Default)]
pub enum Auth {
    /// Nothing.
    #[default]
    None,
    /// A browser: the session cookie, sent with `Sec-Fetch-Site: same-origin` as browsers do.
    Cookie(String),
    /// `Authorization: Bearer`.
    Bearer(String),
}

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct SignedInUser {
    /// User id.
    pub id: String,
    /// Address.
    pub email: String,
    /// `Cookie` header value carrying the session.
    pub cookie: String,
    /// The personal access token returned by verify.
    pub token: String,
}

impl SignedInUser {
    /// As a browser with the session cookie.
    #[must_use]
    pub fn browser(&self) -> Auth {
        Auth::Cookie(self.cookie.clone())
    }

    /// As an API client with the bearer token.
    #[must_use]
    pub fn bearer(&self) -> Auth {
        Auth::Bearer(self.token.clone())
    }
}

/// A message the file transport wrote.
#[derive(Debug, Clone)]
pub struct SentMail {
    /// The file.
    pub path: std::path::PathBuf,
    /// `To` address.
    pub to: String,
    /// Decoded subject.
    pub subject: String,
    /// Decoded plain-text body.
    pub text: String,
    /// Decoded HTML body.
    pub html: String,
    /// Every header, raw, for header checks.
    pub raw_headers: String,
}

impl SentMail {
    /// The first run of exactly six digits in the text body (the one-time code).
    pub fn code(&self) -> String {
        let bytes = self.text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i].is_ascii_digit() {
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                if i - start == 6 {
                    return self.text[start..i].to_owned();
                }
            } else {
                i += 1;
            }
        }
        panic!("no 6-digit code in the mail: {}", self.text)
    }

    /// The magic link's token.
    pub fn link_token(&self) -> String {
        let at = self.text.find("token=").expect("a magic link in the mail");
        self.text[at + 6..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

impl TestApp {
    /// Every message in the file transport's outbox folder, oldest first.
    pub fn mails(&self) -> Vec<SentMail> {
        let dir = self.data_dir.path().join("outbox");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        // Written in this order (names share the test clock's second, so they cannot tell).
        paths.sort_by_key(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .unwrap_or(std::time::SystemTime::UNIX_EPOCH)
        });
        paths
            .into_iter()
            .map(|path| {
                let raw = std::fs::read(&path).unwrap();
                let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
                let head_end = raw
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .unwrap_or(raw.len());
                SentMail {
                    to: msg
                        .to()
                        .and_then(|a| a.first())
                        .and_then(|a| a.address())
                        .unwrap_or_default()
                        .to_owned(),
                    subject: msg.subject().unwrap_or_default().to_owned(),
                    text: msg.body_text(0).unwrap_or_default().into_owned(),
                    html: msg.body_html(0).unwrap_or_default().into_owned(),
                    raw_headers: String::from_utf8_lossy(&raw[..head_end]).into_owned(),
                    path,
                }
            })
            .collect()
    }

    /// Uploads a JPEG as `u` through `POST /api/v1/uploads` (multipart field `file`), asserts
    /// 201 and returns the upload's id.
    pub async fn upload_jpeg(&self, u: &SignedInUser, jpeg: &[u8]) -> String {
        const B: &str = "b0undary";
        let mut body = format!(
            "--{B}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(jpeg);
        body.extend_from_slice(format!("\r\n--{B}--\r\n").as_bytes());
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/uploads")
            .header("authorization", format!("Bearer {}", u.token))
            .header("content-type", format!("multipart/form-data; boundary={B}"))
            .body(Body::from(body))
            .expect("an upload request");
        let r = self.request(request).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["id"].as_str().expect("an upload id").to_owned()
    }

    /// The newest message to `to`, after running due jobs (the mail job among them).
    pub async fn last_mail_to(&self, to: &str) -> SentMail {
        self.run_jobs().await;
        self.mails()
            .into_iter()
            .rev()
            .find(|m| m.to == to)
            .unwrap_or_else(|| panic!("no mail to {to}"))
    }

    /// A request with an optional JSON body as `auth`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        auth: &Auth,
    ) -> TestResponse {
        let mut builder = Request::builder().method(method).uri(path);
        match auth {
            Auth::None => {}
            Auth::Cookie(cookie) => {
                builder = builder
                    .header("cookie", cookie)
                    .header("sec-fetch-site", "same-origin");
            }
            Auth::Bearer(token) => {
                builder = builder.header("authorization", format!("Bearer {token}"));
            }
        }
        let request = match body {
            Some(json) => builder
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(json).unwrap())),
            None => builder.body(Body::empty()),
        }
        .unwrap();
        self.request(request).await
    }

    /// Signs `email` in through the HTTP API, reading the code from the outbox.
    pub async fn sign_in(&self, email: &str) -> SignedInUser {
        let sent = self
            .send_json(
                Method::POST,
                "/api/v1/auth/email",
                &serde_json::json!({ "email": email }),
            )
            .await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.text());
        let code = self.last_mail_to(email).await.code();
        let verified = self
            .send_json(
                Method::POST,
                "/api/v1/auth/verify",
                &serde_json::json!({ "email": email, "code": code }),
            )
            .await;
        assert_eq!(verified.status, StatusCode::OK, "{}", verified.text());
        let cookie = verified
            .set_cookie("atelier_session")
            .expect("a session cookie");
        let json = verified.json();
        SignedInUser {
            id: json["user"]["id"].as_str().unwrap().to_owned(),
            email: email.to_owned(),
            cookie: format!("atelier_session={cookie}"),
            token: json["token"].as_str().unwrap().to_owned(),
        }
    }
}

/// The project's own sample posts (`crates/atelier-testkit/data/sample-posts.json`): 40 posts in
/// the shapes real exports from X have — JSON-structured and plain prompts from one word to about
/// 16,000 characters, English, Chinese and Japanese, emoji, numeric and string ids, every accepted
/// date form, posts without images, views or a date, and a post from another source.
pub const SAMPLE_POSTS: &str = include_str!("../data/sample-posts.json");

/// Import lines that go wrong in every way a real file does
/// (`crates/atelier-testkit/data/sample-posts-messy.jsonl`): bad JSON, missing and malformed
/// fields, a repeated id, a blank line, an over-long prompt and id. Its test says what each
/// line must do.
pub const MESSY_POSTS: &str = include_str!("../data/sample-posts-messy.jsonl");

/// The first `n` of [`SAMPLE_POSTS`], as a JSON array.
///
/// # Panics
/// When `n` is more than the sample holds, so that a test never silently gets fewer posts.
pub fn sample_posts(n: usize) -> String {
    let all: Vec<serde_json::Value> = serde_json::from_str(SAMPLE_POSTS).expect("a JSON array");
    assert!(n <= all.len(), "the sample holds {} posts", all.len());
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

    /// The value a `Set-Cookie` header gives the cookie `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
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
