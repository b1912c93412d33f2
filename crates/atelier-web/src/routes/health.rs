//! `GET /healthz`: 200 `ok` when the database and storage answer, 503 otherwise.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

/// Health check for load balancers and operators.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let health = state.app.health().await;
    let (status, body) = if health.ok() {
        (StatusCode::OK, "ok")
    } else if health.database {
        (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    };
    (status, [(header::CACHE_CONTROL, "no-store")], body)
}
