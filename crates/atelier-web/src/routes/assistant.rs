//! The AI assistant (G4, C9, D6): prompt enhancement, image-to-prompt, AI Edit, and the user's
//! own call log — listed, and deleted in one request.

use super::generations::{GenerationJson, generation_json, idempotency_key};
use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, CsrfRejected, Invalid, RateLimited, Unauthorized};
use crate::state::AppState;
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
    post, path = "/api/v1/assistant/enhance", tag = "assistant", operation_id = "enhancePrompt",
    request_body = EnhanceBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The enhanced prompt", body = PromptJson),
        BadRequest, Unauthorized,
        (status = 402, description = "`insufficient_credits` when enhancing has a price", body = crate::error::ErrorBody),
        CsrfRejected, Invalid,
        (status = 502, description = "The assistant failed (`provider_failed`)", body = crate::error::ErrorBody),
        (status = 503, description = "The assistant is unavailable: try again later (`provider_unavailable`)", body = crate::error::ErrorBody),
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
    post, path = "/api/v1/assistant/describe", tag = "assistant", operation_id = "describeUpload",
    request_body = DescribeBody,
    security(("access_token" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "A prompt that describes the image", body = PromptJson),
        BadRequest, Unauthorized,
        (status = 402, description = "`insufficient_credits` when describing has a price", body = crate::error::ErrorBody),
        CsrfRejected,
        (status = 404, description = "Not one of your uploads (`not_found`)", body = crate::error::ErrorBody),
        Invalid,
        (status = 502, description = "The assistant failed (`provider_failed`)", body = crate::error::ErrorBody),
        (status = 503, description = "The assistant is unavailable: try again later (`provider_unavailable`)", body = crate::error::ErrorBody),
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
    post, path = "/api/v1/assistant/edit", tag = "assistant", operation_id = "createAiEdit",
    request_body = EditBody,
    security(("access_token" = []), ("session_cookie" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "As for generations: the same key and body give the same answer and one charge")),
    responses(
        (status = 202, description = "The edit is queued as a generation; poll it with `getGeneration`", body = GenerationJson),
        BadRequest, Unauthorized,
        (status = 402, description = "`insufficient_credits`", body = crate::error::ErrorBody),
        CsrfRejected,
        (status = 404, description = "Not one of your images (`not_found`)", body = crate::error::ErrorBody),
        Invalid, RateLimited,
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
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// 1 to 200 (default 50).
    limit: Option<u32>,
    /// From the previous page.
    cursor: Option<String>,
}

/// Your assistant calls of the last `retention.assistant_log_days` days (C9).
#[utoipa::path(
    get, path = "/api/v1/me/assistant-logs", tag = "assistant", operation_id = "listAssistantLogs",
    params(LogQuery),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "A page of your assistant calls, newest first", body = AssistantLogList), BadRequest, Unauthorized)
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
    delete, path = "/api/v1/me/assistant-logs", tag = "assistant", operation_id = "deleteAssistantLogs",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "Every assistant call log of the account is deleted"), Unauthorized, CsrfRejected)
)]
pub async fn delete_logs(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<StatusCode, ApiError> {
    state.app.delete_assistant_logs(&principal.user.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
