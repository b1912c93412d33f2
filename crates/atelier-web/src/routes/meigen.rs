//! MeiGen-compatible read routes, so that existing MeiGen clients pointed at an Atelier instance
//! search it: `GET /api/search` and `GET /api/images/{id}` (shapes of MeiGen's public API).

use crate::ApiQuery;
use crate::state::AppState;
use crate::views::{absolute, cover, image_path};
use atelier_db::gallery::GalleryItemRow;
use atelier_search::{SearchQuery, Sort};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Query of `GET /api/search`.
#[derive(Debug, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// A post as MeiGen's API shows it.
#[derive(Debug, Serialize)]
pub struct Post {
    id: String,
    text: String,
    thumbnail_url: Option<String>,
    media_urls: Vec<String>,
    author_username: Option<String>,
    author_display_name: Option<String>,
    likes: i64,
    views: i64,
    model: Option<String>,
    prompt_ready: bool,
    image_width: Option<i64>,
    image_height: Option<i64>,
    rank: u64,
}

fn post(state: &AppState, item: &GalleryItemRow, rank: u64) -> Post {
    let settings = state.app.settings();
    let image = cover(item);
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Post {
        id: item.id.clone(),
        text: item.prompt.clone(),
        thumbnail_url: image.map(|i| absolute(settings, &image_path(&item.id, i.position, "w640"))),
        media_urls: item
            .images
            .iter()
            .filter(|i| i.is_ready())
            .map(|i| absolute(settings, &image_path(&item.id, i.position, "original")))
            .collect(),
        author_username: some(&item.author_handle),
        author_display_name: some(&item.author_name),
        likes: item.likes,
        views: item.views,
        model: some(&item.model),
        prompt_ready: true,
        image_width: image.map(|i| i.width),
        image_height: image.map(|i| i.height),
        rank,
    }
}

fn failure(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"success": false, "error": message}))).into_response()
}

/// `GET /api/search?q=&type=posts&limit=&offset=`.
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Response {
    if params.kind.as_deref().is_some_and(|k| k != "posts") {
        return failure(StatusCode::BAD_REQUEST, "only type=posts is supported");
    }
    let limit = params
        .limit
        .as_deref()
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let offset = params
        .offset
        .as_deref()
        .and_then(|o| o.parse::<usize>().ok())
        .unwrap_or(0)
        .min(10_000);
    let query = SearchQuery {
        text: params.q.unwrap_or_default(),
        sort: Sort::Relevance,
        limit,
        offset: Some(offset),
        ..SearchQuery::default()
    };
    match state.app.browse_gallery(query).await {
        Ok(page) => {
            let data: Vec<Post> = page
                .cards
                .iter()
                .enumerate()
                .map(|(i, c)| post(&state, &c.item, (offset + i + 1) as u64))
                .collect();
            Json(json!({"success": true, "data": data})).into_response()
        }
        Err(e) => {
            let status = crate::ApiError::from(e).status();
            failure(status, "search failed")
        }
    }
}

/// `GET /api/images/{id}`.
pub async fn image(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.app.gallery_detail(&id, 0).await {
        Ok((item, _)) => {
            Json(json!({"success": true, "data": post(&state, &item, 1)})).into_response()
        }
        Err(atelier_app::AppError::NotFound) => failure(StatusCode::NOT_FOUND, "image not found"),
        Err(e) => failure(crate::ApiError::from(e).status(), "lookup failed"),
    }
}

/// `GET /api/models`: the image models in MeiGen's shape.
pub async fn models(State(state): State<AppState>) -> Json<serde_json::Value> {
    let models: Vec<serde_json::Value> = state
        .app
        .models()
        .iter()
        .map(|m| {
            json!({
                "id": m.id,
                "name": m.name,
                "provider": m.provider.display_name(),
                "description": m.description.clone().unwrap_or_default(),
                "credits_per_generation": m.credits_per_image,
                "supports_4k": false,
                "supported_ratios": m.aspects().iter().map(|a| a.as_str()).collect::<Vec<_>>(),
                "api_provider": m.provider.as_str(),
                "request_transform": null,
                "media_type": "image",
                "max_reference_images": m.max_reference_images,
                "extra_config": {},
            })
        })
        .collect();
    Json(json!({ "success": true, "models": models }))
}

/// The body of `POST /api/generate/v2` (MeiGen's names).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateV2 {
    prompt: String,
    aspect_ratio: Option<String>,
    model_id: Option<String>,
    /// Accepted for compatibility; the model decides the resolution.
    #[allow(dead_code)]
    resolution: Option<String>,
    /// Accepted for compatibility.
    #[allow(dead_code)]
    quality: Option<String>,
    /// URLs (or ids) of the caller's own uploads.
    reference_images: Option<Vec<String>>,
}

fn meigen_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "success": false, "error": message }))).into_response()
}

/// `POST /api/generate/v2` (Bearer token): starts a generation of one image.
pub async fn generate_v2(
    State(state): State<AppState>,
    crate::auth::MaybeUser(principal): crate::auth::MaybeUser,
    headers: axum::http::HeaderMap,
    body: Result<Json<GenerateV2>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Some(principal) = principal else {
        return meigen_error(
            StatusCode::UNAUTHORIZED,
            "Send a personal access token as `Authorization: Bearer …`.",
        );
    };
    let Ok(Json(body)) = body else {
        return meigen_error(
            StatusCode::BAD_REQUEST,
            "The body is not the expected JSON.",
        );
    };
    let references: Vec<String> = body
        .reference_images
        .unwrap_or_default()
        .iter()
        .map(|r| atelier_app::image_urls::upload_id_in(r).to_owned())
        .collect();
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let request = atelier_app::generation::NewGeneration {
        prompt: body.prompt,
        model: body.model_id,
        aspect: body.aspect_ratio,
        count: Some(1),
        seed: None,
        reference_upload_ids: (!references.is_empty()).then_some(references),
    };
    match state
        .app
        .create_generation(&principal.user.id, request, key)
        .await
    {
        Ok(row) => Json(json!({
            "success": true,
            "generationId": row.id,
            "modelId": row.model_id,
            "creditsUsed": row.price_per_image * row.count,
        }))
        .into_response(),
        Err(e) => {
            let e = crate::ApiError::from(e);
            let status = e.status();
            meigen_error(status, e.message())
        }
    }
}

/// `GET /api/generate/v2/status/{id}`: the generation's state; works without a token because the
/// id is unguessable, and its image URLs are signed and expire.
pub async fn status_v2(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let generation = match state.app.generation_by_capability(&id).await {
        Ok(g) => g,
        Err(_) => return meigen_error(StatusCode::NOT_FOUND, "No generation has this id."),
    };
    let settings = state.app.settings();
    let mut urls = Vec::new();
    for image in &generation.images {
        match state.app.signed_image_path(&image.id, "original") {
            Ok(path) => urls.push(absolute(settings, &path)),
            Err(e) => return crate::ApiError::from(e).into_response(),
        }
    }
    let status = match generation.row.status.as_str() {
        "queued" => "pending",
        "running" => "processing",
        "succeeded" => "completed",
        _ => "failed",
    };
    Json(json!({
        "status": status,
        "imageUrl": urls.first(),
        "imageUrls": urls,
        "error": generation.row.error,
    }))
    .into_response()
}
