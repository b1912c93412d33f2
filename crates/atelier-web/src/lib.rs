//! The HTTP face of Atelier. Handlers are thin: extract, authorize, call one use case, render.
//! Every error leaves through [`ApiError`]'s one mapping; every request passes the same middleware
//! (request id, PII-free request log, timeout, security headers, compression).

mod error;
mod extract;
mod middleware;
mod openapi;
mod routes;
mod server;
pub mod telemetry;

pub use error::ApiError;
pub use extract::ApiJson;
pub use middleware::RequestId;
pub use openapi::api_doc;
pub use server::{router, serve};
