//! Takedowns over the API (C7): by staff, and creators' requests.

use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, Invalid, NotFound, StaffOnly, Unauthorized};
use crate::state::AppState;
use crate::{ApiError, ApiJson};
use atelier_core::time::rfc3339;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// `{gallery_id or source_url, author?, reason}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TakedownBody {
    /// The gallery item's id.
    gallery_id: Option<String>,
    /// Or its source post's URL.
    source_url: Option<String>,
    /// Take down every item of the item's author, and keep their later posts out too.
    #[serde(default)]
    author: bool,
    /// Why (kept in the audit log; 1 to 500 characters).
    reason: String,
}

/// The author kept out of the gallery.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TakenDownAuthor {
    /// The source (`x`).
    source: String,
    /// Their handle.
    handle: String,
}

/// `{removed, author}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TakedownJson {
    /// The gallery ids removed.
    removed: Vec<String>,
    /// For an author takedown: the author whose later posts stay out.
    author: Option<TakenDownAuthor>,
}

/// Takes a gallery item (or all of its author's) down, as `atelier admin takedown` does (C7):
/// images deleted, the CDN purged, a tombstone against any later import (admin; audited).
#[utoipa::path(
    post, path = "/api/v1/admin/takedowns", tag = "admin", operation_id = "adminTakedown",
    request_body = TakedownBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "What was removed", body = TakedownJson), BadRequest, Unauthorized, StaffOnly, NotFound, Invalid)
)]
pub async fn takedown(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<TakedownBody>,
) -> Result<Json<TakedownJson>, ApiError> {
    use atelier_app::admin::TakedownTarget;
    let staff = state.app.staff(&principal)?;
    let target = match (body.gallery_id.as_deref(), body.source_url.as_deref()) {
        (Some(id), None) => TakedownTarget::Item(id),
        (None, Some(url)) => TakedownTarget::SourceUrl(url),
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_target",
                "Name the item by `gallery_id` or by `source_url`: one of them.",
            ));
        }
    };
    let outcome = state
        .app
        .admin_takedown(&staff, target, body.author, &body.reason)
        .await?;
    Ok(Json(TakedownJson {
        removed: outcome.removed,
        author: outcome
            .author
            .map(|(source, handle)| TakenDownAuthor { source, handle }),
    }))
}

/// `{source_url, contact_email, reason}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TakedownRequestBody {
    /// The post's web address.
    source_url: String,
    /// Where to answer (kept only while the request is open, and some days after).
    contact_email: String,
    /// Why.
    reason: String,
}

/// `{id}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TakedownRequestCreated {
    /// The request's id.
    id: String,
}

/// Anyone (a creator) asks for the removal of a post (C7): staff answer by mail. A few requests
/// an hour per address.
#[utoipa::path(
    post, path = "/api/v1/takedown-requests", tag = "admin", operation_id = "requestTakedown",
    request_body = TakedownRequestBody,
    security(()),
    responses((status = 202, description = "Received; staff answer by mail", body = TakedownRequestCreated), BadRequest, Invalid, crate::openapi::RateLimited)
)]
pub async fn request_takedown(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    client: Option<axum::Extension<crate::auth::ClientIp>>,
    ApiJson(body): ApiJson<TakedownRequestBody>,
) -> Result<(StatusCode, Json<TakedownRequestCreated>), ApiError> {
    use crate::i18n::PageLang as _;
    let lang = crate::i18n::Lang::from_headers(&headers);
    let ip = client.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.0);
    let id = state
        .app
        .request_takedown(&atelier_app::admin::TakedownRequest {
            source_url: &body.source_url,
            contact_email: &body.contact_email,
            reason: &body.reason,
            language: lang.as_str(),
            ip,
        })
        .await?;
    Ok((StatusCode::ACCEPTED, Json(TakedownRequestCreated { id })))
}

/// A creator's request, as staff see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TakedownRequestJson {
    /// Id.
    id: String,
    /// The post's web address.
    source_url: String,
    /// Where to answer; null once forgotten, some days after the answer.
    contact_email: Option<String>,
    /// Why, in the requester's words.
    reason: String,
    /// `open`, `removed` or `declined`.
    status: String,
    /// Items removed by the answer.
    removed: i64,
    /// When it was asked.
    created_at: String,
    /// When it was answered.
    closed_at: Option<String>,
}

impl From<atelier_db::takedown_requests::TakedownRequestRow> for TakedownRequestJson {
    fn from(r: atelier_db::takedown_requests::TakedownRequestRow) -> Self {
        Self {
            id: r.id,
            source_url: r.source_url,
            contact_email: r.contact_email,
            reason: r.reason,
            status: r.status,
            removed: r.removed,
            created_at: rfc3339(r.created_at),
            closed_at: r.closed_at.map(rfc3339),
        }
    }
}

/// `{items}` of requests.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TakedownRequestList {
    /// Open requests first (oldest first), then the answered ones.
    items: Vec<TakedownRequestJson>,
}

/// The creators' takedown requests (staff).
#[utoipa::path(
    get, path = "/api/v1/admin/takedown-requests", tag = "admin", operation_id = "adminListTakedownRequests",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The queue", body = TakedownRequestList), Unauthorized, StaffOnly)
)]
pub async fn takedown_requests(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<TakedownRequestList>, ApiError> {
    let staff = state.app.staff(&principal)?;
    let items = state.app.admin_takedown_requests(&staff).await?;
    Ok(Json(TakedownRequestList {
        items: items.into_iter().map(TakedownRequestJson::from).collect(),
    }))
}

/// `{action}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AnswerBody {
    /// `remove` (the post), `remove_author` (every item of its author, for good) or `decline`.
    action: String,
}

/// Answers a request: removes the post (or its author's) or declines; the requester is told by
/// mail (admin; audited).
#[utoipa::path(
    post, path = "/api/v1/admin/takedown-requests/{id}/answer", tag = "admin", operation_id = "adminAnswerTakedownRequest",
    params(("id" = String, Path, description = "The request's id")),
    request_body = AnswerBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The answered request", body = TakedownRequestJson),
        (status = 409, description = "Answered already (`already_answered`)", body = crate::error::ErrorBody),
        BadRequest, Unauthorized, StaffOnly, NotFound, Invalid
    )
)]
pub async fn answer_takedown_request(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> Result<Json<TakedownRequestJson>, ApiError> {
    use atelier_app::admin::TakedownAnswer;
    let staff = state.app.staff(&principal)?;
    let answer = match body.action.as_str() {
        "remove" => TakedownAnswer::Remove(false),
        "remove_author" => TakedownAnswer::Remove(true),
        "decline" => TakedownAnswer::Decline,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_action",
                "The action is `remove`, `remove_author` or `decline`.",
            ));
        }
    };
    let answered = state.app.admin_answer_takedown(&staff, &id, answer).await?;
    Ok(Json(TakedownRequestJson::from(answered)))
}
