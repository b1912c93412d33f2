//! Abuse blocks over the API (C2).

use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, Invalid, NotFound, StaffOnly, Unauthorized};
use crate::state::AppState;
use crate::{ApiError, ApiJson};
use atelier_core::time::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// A blocked network.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BlockJson {
    /// Id (to lift it).
    id: String,
    /// The network in CIDR form.
    network: String,
    /// Why.
    reason: String,
    /// The staff member who blocked it.
    created_by: String,
    /// When.
    created_at: String,
    /// When it lapses; null: until lifted.
    expires_at: Option<String>,
}

impl From<atelier_db::blocks::BlockRow> for BlockJson {
    fn from(b: atelier_db::blocks::BlockRow) -> Self {
        Self {
            id: b.id,
            network: b.network,
            reason: b.reason,
            created_by: b.created_by,
            created_at: rfc3339(b.created_at),
            expires_at: b.expires_at.map(rfc3339),
        }
    }
}

/// `{items}` of blocks.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BlockList {
    /// Blocks in force, newest first.
    items: Vec<BlockJson>,
}

/// `{network, reason, days?, confirm?}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BlockBody {
    /// An IPv4 or IPv6 network (`203.0.113.0/24`, `2001:db8::/48`) or one address.
    network: String,
    /// Why (1 to 200 characters).
    reason: String,
    /// Days until it lapses (1 to 3650); absent: until lifted.
    days: Option<u32>,
    /// Block it even though it holds the caller's own address.
    #[serde(default)]
    confirm: bool,
}

/// The networks blocked now.
#[utoipa::path(
    get, path = "/api/v1/admin/blocks", tag = "admin", operation_id = "adminListBlocks",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The blocks in force", body = BlockList), Unauthorized, StaffOnly)
)]
pub async fn blocks(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<BlockList>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let items = state.app.admin_blocks(&staff).await?;
    Ok(Json(BlockList {
        items: items.into_iter().map(BlockJson::from).collect(),
    }))
}

/// Blocks a network: its clients are refused sign-in and state changes with 403 (admin; audited).
#[utoipa::path(
    post, path = "/api/v1/admin/blocks", tag = "admin", operation_id = "adminCreateBlock",
    request_body = BlockBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 201, description = "The block, in force on every node at once", body = BlockJson),
        (status = 409, description = "The network holds the caller's own address (`blocks_own_network`); send `confirm: true` to block it anyway", body = crate::error::ErrorBody),
        BadRequest, Unauthorized, StaffOnly, Invalid
    )
)]
pub async fn create_block(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    client: Option<axum::Extension<crate::auth::ClientIp>>,
    ApiJson(body): ApiJson<BlockBody>,
) -> Result<(StatusCode, Json<BlockJson>), ApiError> {
    let staff = state.app.staff(&principal)?;
    let block = state
        .app
        .admin_block(
            &staff,
            &atelier_app::admin::NewBlock {
                network: &body.network,
                reason: &body.reason,
                days: body.days,
                own_ip: client.map(|c| c.0.0),
                confirm: body.confirm,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(BlockJson::from(block))))
}

/// Lifts a block (admin; audited).
#[utoipa::path(
    delete, path = "/api/v1/admin/blocks/{id}", tag = "admin", operation_id = "adminDeleteBlock",
    params(("id" = String, Path, description = "The block's id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "Lifted"), Unauthorized, StaffOnly, NotFound)
)]
pub async fn delete_block(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let staff = state.app.staff(&principal)?;
    state.app.admin_unblock(&staff, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
