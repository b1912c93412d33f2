//! Generations (G3, G6, C5, C6, C8): start one, read one's progress and result, list them,
//! delete one for good; the models on offer; and the private image routes — for the owner, or
//! through a signed URL that expires.

use super::uploads::{gone, private_image};
use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, CsrfRejected, Invalid, NotFound, Unauthorized};
use crate::state::AppState;
use crate::views::absolute;
use crate::{ApiError, ApiJson, ApiQuery};
use atelier_app::AppError;
use atelier_app::generation::{Generation, ImageVariant, NewGeneration};
use atelier_app::image_urls;
use atelier_core::settings::{ModelSettings, ProviderKind};
use atelier_core::time::rfc3339;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// A model on offer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelJson {
    /// Id for `model` in requests.
    id: String,
    /// Name.
    name: String,
    /// `local`, `openai` or `replicate`.
    provider: &'static str,
    /// Who receives the prompt and the references (U4).
    provider_name: &'static str,
    /// Whether this is the offline demo generator.
    demo: bool,
    /// Credits per delivered image.
    credits_per_image: u32,
    /// Aspect ratios offered, the default first.
    aspects: Vec<&'static str>,
    /// Reference images accepted.
    max_reference_images: u32,
    /// Whether it is used when a request names no model.
    default: bool,
    /// A short description.
    description: Option<String>,
}

impl ModelJson {
    fn new(m: &ModelSettings, default: bool) -> Self {
        Self {
            id: m.id.clone(),
            name: m.name.clone(),
            provider: m.provider.as_str(),
            provider_name: m.provider.display_name(),
            demo: m.provider == ProviderKind::Local,
            credits_per_image: m.credits_per_image,
            aspects: m.aspects().iter().map(|a| a.as_str()).collect(),
            max_reference_images: m.max_reference_images,
            default,
            description: m.description.clone(),
        }
    }
}

/// `{items, next_cursor}` of models.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelList {
    /// Models, the default first.
    items: Vec<ModelJson>,
    /// Always null.
    next_cursor: Option<String>,
}

/// The image models on offer.
#[utoipa::path(
    get, path = "/api/v1/models", tag = "generation", operation_id = "listModels", security(()),
    responses((status = 200, description = "The image models on offer, the default first", body = ModelList))
)]
pub async fn models(State(state): State<AppState>) -> Json<ModelList> {
    let items = state
        .app
        .models()
        .iter()
        .enumerate()
        .map(|(i, m)| ModelJson::new(m, i == 0))
        .collect();
    Json(ModelList {
        items,
        next_cursor: None,
    })
}

/// A delivered image.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ImageJson {
    /// Id.
    id: String,
    /// The image, with the owner's session or token.
    url: String,
    /// A 640-pixel-wide WebP thumbnail, with the owner's session or token.
    thumb_url: String,
    /// The image without credentials; expires within an hour.
    signed_url: String,
    /// Width.
    width: i64,
    /// Height.
    height: i64,
}

/// A generation record.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GenerationJson {
    /// Id.
    id: String,
    /// The prompt (C8).
    prompt: String,
    /// Model id.
    model: String,
    /// Aspect ratio.
    aspect: String,
    /// Images asked for.
    count: i64,
    /// Seed, if given.
    seed: Option<i64>,
    /// `queued`, `running`, `succeeded` or `failed`.
    status: String,
    /// Why it failed, in words.
    error: Option<String>,
    /// Delivered images.
    images: Vec<ImageJson>,
    /// The uploads used as references.
    reference_upload_ids: Vec<String>,
    /// Credits charged (per delivered image).
    credits_charged: i64,
    /// Creation time.
    created_at: String,
}

impl GenerationJson {
    /// For a visitor of a shared board: only the signed URLs remain (the owner-only URLs would
    /// answer 404 anyway), and nothing of the owner's account.
    pub fn strip_private_urls(&mut self) {
        for image in &mut self.images {
            image.url.clone_from(&image.signed_url);
            image.thumb_url.clone_from(&image.signed_url);
        }
        self.reference_upload_ids.clear();
        self.seed = None;
    }
}

/// Builds the JSON of a generation (signed URLs included).
///
/// # Errors
/// When URLs cannot be signed.
pub fn generation_json(state: &AppState, g: Generation) -> Result<GenerationJson, ApiError> {
    let settings = state.app.settings();
    let images = g
        .images
        .into_iter()
        .map(|i| {
            Ok(ImageJson {
                url: image_urls::generated(&i.id, image_urls::ORIGINAL),
                thumb_url: image_urls::generated(&i.id, &image_urls::thumb(640)),
                signed_url: absolute(
                    settings,
                    &state.app.signed_image_path(&i.id, image_urls::ORIGINAL)?,
                ),
                id: i.id,
                width: i.width,
                height: i.height,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let r = g.row;
    Ok(GenerationJson {
        id: r.id,
        prompt: r.prompt,
        model: r.model_id,
        aspect: r.aspect,
        count: r.count,
        seed: r.seed,
        status: r.status,
        error: r.error,
        images,
        reference_upload_ids: g.reference_upload_ids,
        credits_charged: r.credits_charged,
        created_at: rfc3339(r.created_at),
    })
}

/// `{prompt, model?, aspect?, count?, seed?, reference_upload_ids?}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerationBody {
    /// The prompt, 1 to 4000 characters.
    prompt: String,
    /// Model id (default: the instance's default model).
    model: Option<String>,
    /// Aspect ratio such as `3:4` (default: the model's first).
    aspect: Option<String>,
    /// Images, 1 to `generation.max_count` (default 1).
    count: Option<u32>,
    /// Seed, where the provider supports one.
    seed: Option<u64>,
    /// Your uploads to use as references.
    reference_upload_ids: Option<Vec<String>>,
}

/// `{id, status}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// Generation id.
    id: String,
    /// `queued` (or, for a replayed Idempotency-Key, the current status).
    status: String,
}

/// The request's `Idempotency-Key`, if any.
///
/// # Errors
/// 422 `invalid_idempotency_key` when it is not visible ASCII.
pub fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str().map_err(|_| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_idempotency_key",
                    "The Idempotency-Key must be visible ASCII.",
                )
            })
        })
        .transpose()
}

/// Starts a generation: the credits are held now and charged per delivered image.
#[utoipa::path(
    post, path = "/api/v1/generations", tag = "generation", operation_id = "createGeneration",
    request_body = GenerationBody,
    security(("access_token" = []), ("session_cookie" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the same answer, one charge; same key, another body: 422")),
    responses(
        (status = 202, description = "Queued: poll `getGeneration` until `succeeded` or `failed`", body = Accepted),
        BadRequest, Unauthorized,
        (status = 402, description = "`insufficient_credits`", body = crate::error::ErrorBody),
        CsrfRejected, Invalid,
        (status = 429, description = "Too many generations running (`rate_limited`)", body = crate::error::ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<GenerationBody>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let key = idempotency_key(&headers)?;
    let row = state
        .app
        .create_generation(
            &principal.user.id,
            NewGeneration {
                prompt: body.prompt,
                model: body.model,
                aspect: body.aspect,
                count: body.count,
                seed: body.seed,
                reference_upload_ids: body.reference_upload_ids,
            },
            key,
        )
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            id: row.id,
            status: row.status,
        }),
    ))
}

/// `?cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Records per page, 1 to 100 (default 20).
    limit: Option<u32>,
}

/// `{items, next_cursor}` of generations.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GenerationList {
    /// Newest first.
    items: Vec<GenerationJson>,
    /// Cursor of the next page, or null.
    next_cursor: Option<String>,
}

/// The user's generation records (G6), newest first.
#[utoipa::path(
    get, path = "/api/v1/generations", tag = "generation", operation_id = "listGenerations",
    params(ListParams),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "A page of your generations, newest first", body = GenerationList), BadRequest, Unauthorized)
)]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<GenerationList>, ApiError> {
    let (items, next_cursor) = state
        .app
        .generations(
            &principal.user.id,
            params.limit.unwrap_or(20),
            params.cursor.as_deref(),
        )
        .await?;
    Ok(Json(GenerationList {
        items: items
            .into_iter()
            .map(|g| generation_json(&state, g))
            .collect::<Result<_, _>>()?,
        next_cursor,
    }))
}

/// One generation record with its progress and images.
#[utoipa::path(
    get, path = "/api/v1/generations/{id}", tag = "generation", operation_id = "getGeneration",
    params(("id" = String, Path, description = "Generation id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The generation with its delivered images", body = GenerationJson), Unauthorized, NotFound)
)]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<GenerationJson>, ApiError> {
    let g = state.app.generation(&principal.user.id, &id).await?;
    Ok(Json(generation_json(&state, g)?))
}

/// Deletes a generation for good: the record, its prompt, its images and thumbnails, and the
/// reference uploads no other record uses — from storage too (C5, C6, C8).
#[utoipa::path(
    delete, path = "/api/v1/generations/{id}", tag = "generation", operation_id = "deleteGeneration",
    params(("id" = String, Path, description = "Generation id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The generation and its images are deleted"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_generation(&principal.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /img/gen/{id}/{variant}`: a generated image for its owner.
pub async fn owner_image(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path((id, variant)): Path<(String, String)>,
) -> Response {
    let Some(variant) = ImageVariant::parse(&variant) else {
        return gone();
    };
    serve(&state, Some(&principal.user.id), &id, variant).await
}

/// `?exp=&sig=` of a signed image URL.
#[derive(Debug, Deserialize)]
pub struct Signature {
    exp: i64,
    sig: String,
}

/// `GET /img/s/{id}/{variant}?exp=&sig=`: a generated image through a signed URL.
pub async fn signed_image(
    State(state): State<AppState>,
    Path((id, variant_name)): Path<(String, String)>,
    Query(sig): Query<Signature>,
) -> Response {
    let Some(variant) = ImageVariant::parse(&variant_name) else {
        return gone();
    };
    if !state
        .app
        .verify_signed_image(&id, &variant_name, sig.exp, &sig.sig)
    {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "invalid_signature",
            "This link is not valid or has expired.",
        )
        .into_response();
    }
    serve(&state, None, &id, variant).await
}

async fn serve(state: &AppState, owner: Option<&str>, id: &str, variant: ImageVariant) -> Response {
    match state.app.generated_image(owner, id, variant).await {
        Ok((bytes, content_type)) => private_image(bytes, &content_type),
        Err(AppError::NotFound) => gone(),
        Err(e) => ApiError::from(e).into_response(),
    }
}
