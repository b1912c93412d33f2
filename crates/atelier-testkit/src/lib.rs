//! Test support shared by the crates' integration tests, in crates.io's manner: a test builds the
//! app with a fluent [`TestApp::init()`] (`.demo()`, `.with_settings_toml(…)`,
//! `.with_sample_posts(n)`), signs users in ([`TestApp::sign_in`],
//! [`TestApp::sign_in_with_form`]) and then speaks to the real router as an API client
//! ([`TestApp::api`], [`TestApp::call`]) or as a browser ([`TestApp::page`],
//! [`TestApp::post_form`]) over a fresh database (SQLite, or PostgreSQL when
//! `ATELIER_TEST_DATABASE_URL` is set), in-memory blobs and a controllable clock.
//!
//! - [`app`]: the builder and the app's own state (jobs, imports, stored blobs);
//! - [`http`]: requests and [`TestResponse`];
//! - [`pages`]: pages and forms as a browser sends them;
//! - [`users`]: signing in and what a signed-in user makes (uploads, boards, favorites);
//! - [`mail`]: the outbox and the codes in it;
//! - [`fakes`]: local servers that speak a provider's wire format;
//! - [`samples`]: the project's sample posts;
//! - [`LogCapture`]: the service log as the binary would write it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

pub mod app;
pub mod fakes;
pub mod http;
mod logs;
pub mod mail;
pub mod pages;
pub mod samples;
pub mod users;

pub use app::{T0, TestApp, TestAppBuilder};
pub use http::{Auth, MultipartForm, TEST_PEER, TestResponse};
pub use logs::LogCapture;
pub use mail::{SentMail, wrong_code};
pub use pages::Visitor;
pub use samples::{MESSY_POSTS, SAMPLE_POSTS, sample_posts};
pub use users::SignedInUser;
