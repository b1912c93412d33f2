//! `GET /api/v1/instance`: what this instance is and what it offers.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;

/// Facts about the instance that clients may show or adapt to.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Instance {
    /// Software name.
    name: &'static str,
    /// Software version.
    version: &'static str,
    /// The public base URL.
    public_url: String,
    /// Whether this is a demo instance (offline provider, demo gallery).
    demo: bool,
    /// Retention periods in days, as configured (policy sections 1 and 4).
    retention: Retention,
}

/// Retention periods in days.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Retention {
    /// AI assistant call logs (C9).
    assistant_log_days: u32,
    /// IP events (C2).
    ip_event_days: u32,
    /// Grace period before an account deletion runs (D3).
    account_deletion_grace_days: u32,
}

/// About this instance.
#[utoipa::path(
    get, path = "/api/v1/instance", tag = "instance", operation_id = "getInstance", security(()),
    responses((status = 200, description = "About this instance", body = Instance))
)]
pub async fn instance(State(state): State<AppState>) -> Json<Instance> {
    let s = state.app.settings();
    Json(Instance {
        name: "Atelier",
        version: env!("CARGO_PKG_VERSION"),
        public_url: s.public_url.to_string(),
        demo: s.demo,
        retention: Retention {
            assistant_log_days: s.retention.assistant_log_days,
            ip_event_days: s.retention.ip_event_days,
            account_deletion_grace_days: s.retention.account_deletion_grace_days,
        },
    })
}
