//! The AI assistant (G4, C9, D6): prompt enhancement, image-to-prompt, AI Edit, and the user's
//! own call log — listed, and deleted in one request.

use super::generations::{GenerationJson, generation_json, idempotency_key};
use crate::auth::CurrentUser;
use crate::server::AppState;
use crate::{ApiError, ApiJson, ApiQuery};
use atelier_app::assistant::EditRequest;
use atelier_core::time::rfc3339;
use atelier_db::assistant::AssistantLogRow;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};

/// `{prompt}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnhanceBody {
    /// The prompt to enrich, 1 to 4000 characters.
    prompt: String,
}

/// `{prompt}`: the assistant's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PromptJson {
    /// A prompt ready for the studio.
    prompt: String,
}

/// Rewrites a short prompt into a rich one; the subject stays first (U4: the prompt goes to
/// the configured assistant provider).
#[utoipa::path(
    post, path = "/api/v1/assistant/enhance", tag = "assistant", request_body = EnhanceBody,
    responses(
        (status = 200, body = PromptJson),
        (status = 402, description = "`insufficient_credits` when enhancing has a price", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody),
        (status = 502, description = "`provider_failed`", body = crate::error::ErrorBody),
        (status = 503, description = "`provider_unavailable`: try again later", body = crate::error::ErrorBody),
    )
)]
pub async fn enhance(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<EnhanceBody>,
) -> Result<Json<PromptJson>, ApiError> {
    let user = &principal.user;
    let prompt = state
        .app
        .enhance_prompt(&user.id, &body.prompt, &user.language)
        .await?;
    Ok(Json(PromptJson { prompt }))
}

/// `{upload_id}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribeBody {
    /// One of your uploads.
    upload_id: String,
}

/// Describes one of your uploads as a prompt.
#[utoipa::path(
    post, path = "/api/v1/assistant/describe", tag = "assistant", request_body = DescribeBody,
    responses(
        (status = 200, body = PromptJson),
        (status = 404, description = "Not one of your uploads", body = crate::error::ErrorBody),
        (status = 502, body = crate::error::ErrorBody),
        (status = 503, body = crate::error::ErrorBody),
    )
)]
pub async fn describe(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<DescribeBody>,
) -> Result<Json<PromptJson>, ApiError> {
    let user = &principal.user;
    let prompt = state
        .app
        .describe_upload(&user.id, &body.upload_id, &user.language)
        .await?;
    Ok(Json(PromptJson { prompt }))
}

/// `{upload_id or generation_image_id, instruction, model?}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    /// One of your uploads.
    upload_id: Option<String>,
    /// One of your generated images.
    generation_image_id: Option<String>,
    /// What to change, 1 to 1000 characters ("black and white", "crop to 16:9", "warmer"…).
    instruction: String,
    /// Image model (default: `assistant.edit_model`, else the default model).
    model: Option<String>,
}

/// Changes an image by an instruction. The result is a generation of one image: charged,
/// listed and deleted like one.
#[utoipa::path(
    post, path = "/api/v1/assistant/edit", tag = "assistant", request_body = EditBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "As for generations")),
    responses(
        (status = 202, body = GenerationJson),
        (status = 402, body = crate::error::ErrorBody),
        (status = 404, description = "Not one of your images", body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody),
    )
)]
pub async fn edit(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<EditBody>,
) -> Result<(StatusCode, Json<GenerationJson>), ApiError> {
    let key = idempotency_key(&headers)?;
    let user_id = &principal.user.id;
    let row = state
        .app
        .edit_image(
            user_id,
            EditRequest {
                upload_id: body.upload_id,
                generation_image_id: body.generation_image_id,
                instruction: body.instruction,
                model: body.model,
            },
            key,
        )
        .await?;
    let generation = state.app.generation(user_id, &row.id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(generation_json(&state, generation)?),
    ))
}

/// One assistant call (C9).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssistantLogJson {
    /// Id.
    id: String,
    /// `enhance`, `describe` or `edit`.
    feature: String,
    /// The prompt, or the image used (`upload:ID`, `image:ID`).
    input: String,
    /// The edit instruction.
    instruction: Option<String>,
    /// What the model answered.
    output: Option<String>,
    /// Provider kind.
    provider: String,
    /// Model.
    model: String,
    /// How long the call took.
    duration_ms: i64,
    /// `succeeded` or `failed`.
    status: String,
    /// Why it failed.
    error: Option<String>,
    /// When.
    created_at: String,
}

impl From<AssistantLogRow> for AssistantLogJson {
    fn from(r: AssistantLogRow) -> Self {
        Self {
            id: r.id,
            feature: r.feature,
            input: r.input,
            instruction: r.instruction,
            output: r.output,
            provider: r.provider,
            model: r.model,
            duration_ms: r.duration_ms,
            status: r.status,
            error: r.error,
            created_at: rfc3339(r.created_at),
        }
    }
}

/// `{items, next_cursor}` of assistant calls.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssistantLogList {
    /// Newest first.
    items: Vec<AssistantLogJson>,
    /// The next page's cursor.
    next_cursor: Option<String>,
}

/// `?limit=&cursor=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LogQuery {
    /// 1 to 200 (default 50).
    limit: Option<u32>,
    /// From the previous page.
    cursor: Option<String>,
}

/// Your assistant calls of the last `retention.assistant_log_days` days (C9).
#[utoipa::path(
    get, path = "/api/v1/me/assistant-logs", tag = "assistant", params(LogQuery),
    responses((status = 200, body = AssistantLogList))
)]
pub async fn logs(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiQuery(q): ApiQuery<LogQuery>,
) -> Result<Json<AssistantLogList>, ApiError> {
    let (rows, next_cursor) = state
        .app
        .assistant_logs(
            &principal.user.id,
            q.limit.unwrap_or(50),
            q.cursor.as_deref(),
        )
        .await?;
    Ok(Json(AssistantLogList {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// Deletes all your assistant calls now (D6).
#[utoipa::path(
    delete, path = "/api/v1/me/assistant-logs", tag = "assistant",
    responses((status = 204))
)]
pub async fn delete_logs(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<StatusCode, ApiError> {
    state.app.delete_assistant_logs(&principal.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
