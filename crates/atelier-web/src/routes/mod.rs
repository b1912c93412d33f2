//! Routes, one module per area.

pub mod assets;
pub mod gallery;
mod health;
pub mod images;
mod instance;
pub mod meigen;
pub mod pages;

use crate::server::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use health::healthz;

/// Every `/api/v1` route, with its OpenAPI description.
pub fn api_v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .routes(routes!(instance::instance))
        .routes(routes!(gallery::list))
        .routes(routes!(gallery::get))
}
