//! Self-service export (D4): `GET /api/v1/me/export` streams one ZIP of everything held about the
//! signed-in user; `POST /api/v1/me/exports` prepares it in the background and mails a signed
//! link; `GET /api/v1/me/exports` lists those; the link
//! (`GET /api/v1/me/exports/{id}/download?expires=…&sig=…`) works without cookies until it
//! expires.

use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, CsrfRejected, Unauthorized};
use crate::state::AppState;
use crate::{ApiError, ApiQuery};
use atelier_app::export::ExportLink;
use atelier_core::time::rfc3339;
use atelier_db::export::ExportRow;
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// A background export.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportJson {
    /// Id.
    id: String,
    /// `queued`, `ready` or `failed`.
    status: String,
    /// Size of the ZIP once ready.
    byte_size: Option<i64>,
    /// When it was asked for.
    created_at: String,
    /// When the file and its link stop working.
    expires_at: String,
}

impl From<ExportRow> for ExportJson {
    fn from(e: ExportRow) -> Self {
        Self {
            id: e.id,
            status: e.status,
            byte_size: e.byte_size,
            created_at: rfc3339(e.created_at),
            expires_at: rfc3339(e.expires_at),
        }
    }
}

/// `{items}` of background exports.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExportList {
    /// Newest first.
    items: Vec<ExportJson>,
}

/// The signed link's query.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinkQuery {
    /// Expiry, in seconds since the Unix epoch.
    expires: i64,
    /// The link's signature (hex).
    sig: String,
}

fn zip_response(body: Body, file_name: &str, length: Option<i64>) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(len) = length.and_then(|l| u64::try_from(l).ok()) {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    }
    response
}

/// Downloads everything held about the signed-in user as one ZIP, streamed as it is written: a
/// JSON file per kind of data, every image decrypted, and a README. Five per hour.
#[utoipa::path(
    get, path = "/api/v1/me/export", tag = "accounts", operation_id = "downloadAccountExport",
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The ZIP, streamed (`Content-Disposition: attachment`)", content_type = "application/zip", body = inline(crate::openapi::ZipFile)),
        Unauthorized,
        (status = 429, description = "Too many exports this hour (`rate_limited`, `Retry-After`)", body = crate::error::ErrorBody),
    )
)]
pub async fn download(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Response, ApiError> {
    let user_id = &principal.user.id;
    let stream = state.app.download_export(user_id).await?;
    Ok(zip_response(
        Body::from_stream(stream),
        &state.app.export_file_name(),
        None,
    ))
}

/// Prepares the export in the background (for large accounts); a mail with a signed link that
/// works for 24 hours follows when it is ready. Counts against the same hourly limit.
#[utoipa::path(
    post, path = "/api/v1/me/exports", tag = "accounts", operation_id = "createExport",
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 202, description = "Queued: a mail with a download link follows when the ZIP is ready", body = ExportJson),
        Unauthorized, CsrfRejected,
        (status = 429, description = "Too many exports this hour (`rate_limited`, `Retry-After`)", body = crate::error::ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<(StatusCode, Json<ExportJson>), ApiError> {
    let row = state.app.request_export(&principal.user.id).await?;
    Ok((StatusCode::ACCEPTED, Json(row.into())))
}

/// The signed-in user's background exports.
#[utoipa::path(
    get, path = "/api/v1/me/exports", tag = "accounts", operation_id = "listExports",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Your exports, newest first", body = ExportList), Unauthorized)
)]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<ExportList>, ApiError> {
    let items = state.app.exports(&principal.user.id).await?;
    Ok(Json(ExportList {
        items: items.into_iter().map(ExportJson::from).collect(),
    }))
}

/// The ZIP of a background export, through the signed link of its mail (no sign-in needed).
#[utoipa::path(
    get, path = "/api/v1/me/exports/{id}/download", tag = "accounts", operation_id = "downloadSignedExport",
    params(("id" = String, Path, description = "Export id"), LinkQuery), security(()),
    responses(
        (status = 200, description = "The ZIP (`Content-Disposition: attachment`)", content_type = "application/zip", body = inline(crate::openapi::ZipFile)),
        BadRequest,
        (status = 404, description = "`invalid_link`: tampered or unknown", body = crate::error::ErrorBody),
        (status = 410, description = "`link_expired`: ask for a new export", body = crate::error::ErrorBody),
    )
)]
pub async fn signed_download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<LinkQuery>,
) -> Result<Response, ApiError> {
    let row = match state.app.check_export_link(&id, q.expires, &q.sig).await? {
        ExportLink::Valid(row) => row,
        ExportLink::Expired => {
            return Err(ApiError::new(
                StatusCode::GONE,
                "link_expired",
                "This download link has expired and its file was deleted. Ask for a new export in your privacy settings.",
            ));
        }
        ExportLink::Invalid => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "invalid_link",
                "This download link is not valid. Use the link from the mail as it is, or ask for a new export.",
            ));
        }
    };
    let stream = state.app.export_download(&row).await?;
    let date: String = rfc3339(row.created_at).chars().take(10).collect();
    Ok(zip_response(
        Body::from_stream(stream),
        &format!("atelier-export-{date}.zip"),
        row.byte_size,
    ))
}
