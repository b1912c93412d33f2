//! Routes, one module per area.

mod health;
mod instance;

use crate::server::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use health::healthz;

/// Every `/api/v1` route, with its OpenAPI description.
pub fn api_v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base()).routes(routes!(instance::instance))
}
