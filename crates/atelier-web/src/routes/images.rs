//! `GET /img/g/{id}/{position}/{variant}`: public gallery images. Cacheable for at most 7 days and
//! never `immutable`, because anything can be taken down (C6); no cookies; validators and ranges.

use crate::ApiError;
use crate::media::blob_response;
use crate::state::AppState;
use atelier_app::gallery::images::Variant;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

/// Cache policy of public gallery images (C6: at most 7 days, revalidated after).
pub const GALLERY_IMAGE_CACHE: &str = "public, max-age=604800";
/// A stand-in (original for a thumbnail not made yet) is cached briefly.
pub const FALLBACK_IMAGE_CACHE: &str = "public, max-age=60";

/// A gallery image.
pub async fn gallery_image(
    State(state): State<AppState>,
    Path((id, position, variant)): Path<(String, i64, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let variant = Variant::parse(&variant).ok_or_else(ApiError::not_found)?;
    let served = state.app.gallery_image(&id, position, variant).await?;
    let cache = if served.exact {
        GALLERY_IMAGE_CACHE
    } else {
        FALLBACK_IMAGE_CACHE
    };
    blob_response(
        state.app.blobs(),
        &served.key,
        &served.content_type,
        cache,
        &headers,
    )
    .await
}
