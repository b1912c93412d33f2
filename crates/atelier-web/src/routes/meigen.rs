//! MeiGen-compatible read routes, so that existing MeiGen clients pointed at an Atelier instance
//! search it: `GET /api/search` and `GET /api/images/{id}` (shapes of MeiGen's public API).

use crate::ApiQuery;
use crate::server::AppState;
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
        Err(
            atelier_app::AppError::NotFound
            | atelier_app::AppError::Db(atelier_app::DbError::NotFound),
        ) => failure(StatusCode::NOT_FOUND, "image not found"),
        Err(e) => failure(crate::ApiError::from(e).status(), "lookup failed"),
    }
}
