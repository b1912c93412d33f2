//! `GET /img/g/{id}/{position}/{variant}`: public gallery images. Cacheable for at most 7 days and
//! never `immutable`, because anything can be taken down (C6); no cookies; validators and ranges.
//!
//! A sized variant (`w320`, `w640`, `w1280`) is always a WebP no wider than asked and than the
//! original, or a tiny placeholder of the image's colour; the original is served only by its
//! own `original` URL, the detail page's download (issue 22).

use crate::ApiError;
use crate::media::blob_response;
use crate::state::AppState;
use atelier_app::gallery::images::Variant;
use atelier_app::gallery::sizes::{ServedImage, WEBP};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse as _, Response};

/// Cache policy of public gallery images (C6: at most 7 days, revalidated after).
pub const GALLERY_IMAGE_CACHE: &str = "public, max-age=604800";
/// A placeholder standing in for a size not made yet is never reused: the next request gets
/// the size.
pub const FALLBACK_IMAGE_CACHE: &str = "no-cache, max-age=0";

/// A gallery image.
pub async fn gallery_image(
    State(state): State<AppState>,
    Path((id, position, variant)): Path<(String, i64, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let variant = Variant::parse(&variant).ok_or_else(ApiError::not_found)?;
    match state.app.gallery_image(&id, position, variant).await? {
        ServedImage::Stored { key, content_type } => {
            blob_response(
                state.app.blobs(),
                &key,
                &content_type,
                GALLERY_IMAGE_CACHE,
                &headers,
            )
            .await
        }
        ServedImage::Placeholder(bytes) => Ok((
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(WEBP)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(FALLBACK_IMAGE_CACHE),
                ),
            ],
            bytes,
        )
            .into_response()),
    }
}
