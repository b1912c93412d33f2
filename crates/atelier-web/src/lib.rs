//! The HTTP face of Atelier. Handlers are thin: extract, authorize, call one use case, render.
//! Every error leaves through [`ApiError`]'s one mapping; every request passes the same middleware
//! (request id, PII-free request log, timeout, security headers, compression).

pub mod auth;
mod error;
mod extract;
pub mod i18n;
mod media;
mod middleware;
mod openapi;
mod page;
pub mod refusals;
mod routes;
mod server;
mod state;
pub mod telemetry;
pub mod views;

/// The cache policies of images (C6), for `atelier doctor`.
pub mod cache {
    pub use crate::routes::images::{FALLBACK_IMAGE_CACHE, GALLERY_IMAGE_CACHE};
    pub use crate::routes::uploads::PRIVATE_IMAGE_CACHE;
}

pub use error::ApiError;
pub use extract::{ApiJson, ApiQuery};
pub use middleware::RequestId;
pub use routes::api_doc;
pub use server::{router, serve};
