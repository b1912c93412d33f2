//! `GET /api/v1/gallery` and `GET /api/v1/gallery/{id}` (G1, G2; CONTRACT.md).

use crate::state::AppState;
use crate::views::GalleryItemJson;
use crate::{ApiError, ApiQuery};
use atelier_search::{SearchQuery, Sort};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// Query parameters of the gallery list (also read by the pages).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GalleryParams {
    /// Words to search for in prompts, creators and categories (any language).
    pub q: Option<String>,
    /// Only this model.
    pub model: Option<String>,
    /// Only this aspect ratio, e.g. `3:4`.
    pub aspect: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this source (`x`, `import`, `demo`).
    pub source: Option<String>,
    /// Posted on or after this date (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Posted before this date (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// `relevance` (default), `newest`, `likes` or `favorites`.
    pub sort: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100 (default 24).
    pub limit: Option<String>,
}

fn non_empty(value: Option<&String>) -> Option<String> {
    value
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn bad(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

impl GalleryParams {
    /// The search these parameters ask for.
    ///
    /// # Errors
    /// 400 for a sort, date or limit that cannot be read.
    pub fn to_query(&self) -> Result<SearchQuery, ApiError> {
        let date = |value: Option<&String>, name: &str| -> Result<Option<i64>, ApiError> {
            non_empty(value)
                .map(|v| {
                    atelier_core::time::parse_datetime(&v).ok_or_else(|| {
                        bad(
                            "invalid_parameter",
                            &format!("`{name}` must be a date such as 2026-02-01"),
                        )
                    })
                })
                .transpose()
        };
        let sort = match non_empty(self.sort.as_ref()) {
            None => Sort::Relevance,
            Some(s) => Sort::parse(&s).ok_or_else(|| {
                bad(
                    "invalid_parameter",
                    "`sort` must be relevance, newest, likes or favorites",
                )
            })?,
        };
        let limit = match non_empty(self.limit.as_ref()) {
            None => 24,
            Some(l) => l
                .parse::<i64>()
                .map_err(|_| {
                    bad(
                        "invalid_parameter",
                        "`limit` must be a number from 1 to 100",
                    )
                })?
                .clamp(1, 100),
        };
        Ok(SearchQuery {
            text: self.q.clone().unwrap_or_default(),
            model: non_empty(self.model.as_ref()),
            aspect: non_empty(self.aspect.as_ref()),
            category: non_empty(self.category.as_ref()),
            source: non_empty(self.source.as_ref()),
            from_ms: date(self.from.as_ref(), "from")?,
            to_ms: date(self.to.as_ref(), "to")?,
            sort,
            limit: usize::try_from(limit).unwrap_or(24),
            cursor: non_empty(self.cursor.as_ref()),
            ..SearchQuery::default()
        })
    }
}

/// A page of gallery items.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GalleryList {
    /// The items.
    pub items: Vec<GalleryItemJson>,
    /// Cursor of the next page; null on the last.
    pub next_cursor: Option<String>,
    /// Matching items in all; a lower bound when `total_exact` is false (searches stop
    /// counting past 10,000 matches).
    pub total: u64,
    /// Whether `total` is the exact count.
    pub total_exact: bool,
}

/// Browse or search the public gallery.
#[utoipa::path(
    get, path = "/api/v1/gallery", tag = "gallery", operation_id = "listGalleryItems",
    params(GalleryParams), security(()),
    responses(
        (status = 200, description = "A page of items", body = GalleryList),
        (status = 400, description = "A malformed cursor or parameter (`invalid_cursor`, `invalid_query`, …)", body = crate::error::ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<GalleryParams>,
) -> Result<Json<GalleryList>, ApiError> {
    let query = params.to_query()?;
    let has_text = !query.text.trim().is_empty();
    let page = state.app.browse_gallery(query).await?;
    let settings = state.app.settings();
    Ok(Json(GalleryList {
        items: page
            .cards
            .iter()
            .map(|c| {
                GalleryItemJson::new(settings, &c.item, has_text.then(|| c.snippet_html.clone()))
            })
            .collect(),
        next_cursor: page.next_cursor,
        total: page.total,
        total_exact: page.total_exact,
    }))
}

/// One gallery item.
#[utoipa::path(
    get, path = "/api/v1/gallery/{id}", tag = "gallery", operation_id = "getGalleryItem",
    params(("id" = String, Path, description = "Item id")), security(()),
    responses(
        (status = 200, description = "The item", body = GalleryItemJson),
        (status = 404, description = "No such item (`not_found`)", body = crate::error::ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<GalleryItemJson>, ApiError> {
    let (item, _) = state.app.gallery_detail(&id, 0).await?;
    Ok(Json(GalleryItemJson::new(
        state.app.settings(),
        &item,
        None,
    )))
}
