//! Reference uploads (C5, C11): `POST /api/v1/uploads` (multipart field `file`), the owner's list,
//! one upload, deletion, and `GET /img/up/{id}/{variant}` that serves the decrypted image to its
//! owner only.

use crate::ApiError;
use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, CsrfRejected, NotFound, Unauthorized};
use crate::state::AppState;
use atelier_app::AppError;
use atelier_app::image_urls;
use atelier_app::uploads::UploadVariant;
use atelier_core::time::rfc3339;
use atelier_db::uploads::UploadRow;
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use serde::Serialize;

/// Cache policy of private images: the browser only, for at most a day (C6 allows 7 days).
pub const PRIVATE_IMAGE_CACHE: &str = "private, max-age=86400";

/// An upload.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadJson {
    /// Id, for `reference_upload_ids`.
    id: String,
    /// Width in pixels (after EXIF orientation).
    width: i64,
    /// Height in pixels.
    height: i64,
    /// MIME type of the cleaned image (`image/jpeg` or `image/png`).
    content_type: String,
    /// Bytes of the cleaned image.
    byte_size: i64,
    /// The image, for its owner only.
    url: String,
    /// A small WebP preview, for its owner only.
    preview_url: String,
    /// Upload time.
    created_at: String,
}

impl From<UploadRow> for UploadJson {
    fn from(u: UploadRow) -> Self {
        Self {
            url: image_urls::upload(&u.id, image_urls::ORIGINAL),
            preview_url: image_urls::upload(&u.id, &image_urls::thumb(320)),
            id: u.id,
            width: u.width,
            height: u.height,
            content_type: u.content_type,
            byte_size: u.byte_size,
            created_at: rfc3339(u.created_at),
        }
    }
}

/// `{items, next_cursor}` of uploads.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadList {
    /// The newest 200 uploads.
    items: Vec<UploadJson>,
    /// Always null.
    next_cursor: Option<String>,
}

/// The multipart body of an upload (for the OpenAPI document).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// A PNG, JPEG, WebP or GIF image (first frame), told by its bytes.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

/// Stores a reference image: its type is told by its bytes, size and pixel count are checked
/// before decoding, EXIF orientation is applied and all metadata (GPS included) is removed.
#[utoipa::path(
    post, path = "/api/v1/uploads", tag = "generation", operation_id = "createUpload",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 201, description = "The stored reference image", body = UploadJson),
        BadRequest, Unauthorized, CsrfRejected,
        (status = 413, description = "Over the byte limit (`payload_too_large`)", body = crate::error::ErrorBody),
        (status = 422, description = "Not an image, damaged, or over the pixel limit", body = crate::error::ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    mut multipart: Multipart,
) -> Result<(StatusCode, Json<UploadJson>), ApiError> {
    let max = state.app.settings().uploads.max_bytes;
    let mut file = None;
    while let Some(mut field) = multipart.next_field().await.map_err(bad_multipart)? {
        if field.name() != Some("file") {
            continue;
        }
        let mut buf = BytesMut::new();
        while let Some(chunk) = field.chunk().await.map_err(bad_multipart)? {
            if buf.len() + chunk.len() > max {
                return Err(AppError::TooLarge(format!(
                    "The image is larger than {} MB.",
                    max / (1024 * 1024)
                ))
                .into());
            }
            buf.extend_from_slice(&chunk);
        }
        file = Some(buf.freeze());
        break;
    }
    let bytes = file.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "missing_file",
            "Send the image in a multipart field named `file`.",
        )
    })?;
    let row = state.app.create_upload(&principal.user.id, bytes).await?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

fn bad_multipart(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "The request body is larger than this route accepts.",
        );
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "malformed_multipart",
        "The multipart body cannot be read.",
    )
}

/// The signed-in user's uploads.
#[utoipa::path(
    get, path = "/api/v1/uploads", tag = "generation", operation_id = "listUploads",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Your reference uploads, newest first", body = UploadList), Unauthorized)
)]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<UploadList>, ApiError> {
    let items = state.app.uploads(&principal.user.id).await?;
    Ok(Json(UploadList {
        items: items.into_iter().map(UploadJson::from).collect(),
        next_cursor: None,
    }))
}

/// One upload; another user's is 404.
#[utoipa::path(
    get, path = "/api/v1/uploads/{id}", tag = "generation", operation_id = "getUpload",
    params(("id" = String, Path, description = "Upload id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The upload", body = UploadJson), Unauthorized, NotFound)
)]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<UploadJson>, ApiError> {
    Ok(Json(
        state.app.upload(&principal.user.id, &id).await?.into(),
    ))
}

/// Deletes an upload and every stored copy of it.
#[utoipa::path(
    delete, path = "/api/v1/uploads/{id}", tag = "generation", operation_id = "deleteUpload",
    params(("id" = String, Path, description = "Upload id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The upload and its image are deleted"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_upload(&principal.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /img/up/{id}/{variant}`: an upload's image, decrypted, for its owner only.
pub async fn image(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path((id, variant)): Path<(String, String)>,
) -> Response {
    let Some(variant) = UploadVariant::parse(&variant) else {
        return gone();
    };
    match state
        .app
        .upload_image(&principal.user.id, &id, variant)
        .await
    {
        Ok((bytes, content_type)) => private_image(bytes, &content_type),
        Err(AppError::NotFound) => gone(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// A decrypted private image with its cache policy.
pub fn private_image(bytes: bytes::Bytes, content_type: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(PRIVATE_IMAGE_CACHE),
    );
    response
}

/// 404 that no cache keeps (a deleted image must not come back from a cache).
pub fn gone() -> Response {
    let mut response = ApiError::not_found().into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
