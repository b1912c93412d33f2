//! Favorites and boards (G5, D2; CONTRACT.md): hearts on gallery items, boards of gallery items
//! and the user's own generations, and the read-only view behind a board's share link.

use super::generations::{GenerationJson, generation_json};
use crate::auth::CurrentUser;
use crate::openapi::{BadRequest, CsrfRejected, Invalid, NotFound, Unauthorized};
use crate::state::AppState;
use crate::views::{GalleryItemJson, absolute};
use crate::{ApiError, ApiJson, ApiQuery};
use atelier_app::collections::{BoardContents, BoardUpdate};
use atelier_core::time::rfc3339;
use atelier_db::collections::BoardRow;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

/// `?cursor=&limit=`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Items per page, 1 to 100 (default 24).
    limit: Option<u32>,
}

/// `{items, next_cursor}` of gallery items.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FavoriteList {
    /// Favorite gallery items, most recently hearted first (`id` is the gallery id).
    items: Vec<GalleryItemJson>,
    /// Cursor of the next page, or null.
    next_cursor: Option<String>,
}

/// Hearts a gallery item (doing it again changes nothing).
#[utoipa::path(
    put, path = "/api/v1/favorites/{gallery_id}", tag = "collections", operation_id = "addFavorite",
    params(("gallery_id" = String, Path, description = "Gallery item id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The item is among your favorites"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn favorite(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(gallery_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .add_favorite(&principal.user.id, &gallery_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a heart (doing it again changes nothing).
#[utoipa::path(
    delete, path = "/api/v1/favorites/{gallery_id}", tag = "collections", operation_id = "removeFavorite",
    params(("gallery_id" = String, Path, description = "Gallery item id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The item is not among your favorites (whether or not it was)"), Unauthorized, CsrfRejected)
)]
pub async fn unfavorite(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(gallery_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_favorite(&principal.user.id, &gallery_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user's favorites.
#[utoipa::path(
    get, path = "/api/v1/favorites", tag = "collections", operation_id = "listFavorites",
    params(PageParams),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "A page of your favorites", body = FavoriteList), BadRequest, Unauthorized)
)]
pub async fn favorites(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<FavoriteList>, ApiError> {
    let (items, next_cursor) = state
        .app
        .favorites(
            &principal.user.id,
            params.limit.unwrap_or(24),
            params.cursor.as_deref(),
        )
        .await?;
    let settings = state.app.settings();
    Ok(Json(FavoriteList {
        items: items
            .iter()
            .map(|i| GalleryItemJson::new(settings, i, None))
            .collect(),
        next_cursor,
    }))
}

/// A board.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BoardJson {
    /// Id.
    id: String,
    /// Name.
    name: String,
    /// Description.
    description: String,
    /// Items on it.
    item_count: i64,
    /// Whether a share link exists.
    shared: bool,
    /// The share link, when shared: it shows the gallery items and only the generations marked
    /// as shared.
    share_url: Option<String>,
    /// Creation time.
    created_at: String,
    /// Last change.
    updated_at: String,
}

fn board_json(state: &AppState, b: BoardRow) -> BoardJson {
    BoardJson {
        share_url: b
            .share_token
            .as_ref()
            .map(|t| absolute(state.app.settings(), &format!("/b/{t}"))),
        shared: b.share_token.is_some(),
        id: b.id,
        name: b.name,
        description: b.description,
        item_count: b.item_count,
        created_at: rfc3339(b.created_at),
        updated_at: rfc3339(b.updated_at),
    }
}

/// `{items, next_cursor}` of boards.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BoardList {
    /// Newest first.
    items: Vec<BoardJson>,
    /// Always null.
    next_cursor: Option<String>,
}

/// `{name, description?}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBoard {
    /// 1 to 80 characters.
    name: String,
    /// At most 500 characters.
    description: Option<String>,
}

/// Creates a private board.
#[utoipa::path(
    post, path = "/api/v1/boards", tag = "collections", operation_id = "createBoard",
    request_body = NewBoard,
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 201, description = "The new board", body = BoardJson), BadRequest, Unauthorized, CsrfRejected, Invalid)
)]
pub async fn create_board(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    ApiJson(body): ApiJson<NewBoard>,
) -> Result<(StatusCode, Json<BoardJson>), ApiError> {
    let board = state
        .app
        .create_board(&principal.user.id, &body.name, body.description.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(board_json(&state, board))))
}

/// The user's boards.
#[utoipa::path(
    get, path = "/api/v1/boards", tag = "collections", operation_id = "listBoards",
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "Your boards", body = BoardList), Unauthorized)
)]
pub async fn boards(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
) -> Result<Json<BoardList>, ApiError> {
    let items = state.app.boards(&principal.user.id).await?;
    Ok(Json(BoardList {
        items: items.into_iter().map(|b| board_json(&state, b)).collect(),
        next_cursor: None,
    }))
}

/// One board; another user's is 404.
#[utoipa::path(
    get, path = "/api/v1/boards/{id}", tag = "collections", operation_id = "getBoard",
    params(("id" = String, Path, description = "Board id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The board", body = BoardJson), Unauthorized, NotFound)
)]
pub async fn board(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<BoardJson>, ApiError> {
    let board = state.app.board(&principal.user.id, &id).await?;
    Ok(Json(board_json(&state, board)))
}

/// `{name?, description?, shared?}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardPatch {
    /// A new name.
    name: Option<String>,
    /// A new description.
    description: Option<String>,
    /// `true` makes a share link (the same link stays while shared); `false` withdraws it.
    shared: Option<bool>,
}

/// Renames, describes, shares or unshares a board.
#[utoipa::path(
    patch, path = "/api/v1/boards/{id}", tag = "collections", operation_id = "updateBoard",
    request_body = BoardPatch, params(("id" = String, Path, description = "Board id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The board as changed", body = BoardJson), BadRequest, Unauthorized, CsrfRejected, NotFound, Invalid)
)]
pub async fn update_board(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<BoardPatch>,
) -> Result<Json<BoardJson>, ApiError> {
    let board = state
        .app
        .update_board(
            &principal.user.id,
            &id,
            BoardUpdate {
                name: body.name,
                description: body.description,
                shared: body.shared,
            },
        )
        .await?;
    Ok(Json(board_json(&state, board)))
}

/// Deletes a board; its items are not deleted (D2).
#[utoipa::path(
    delete, path = "/api/v1/boards/{id}", tag = "collections", operation_id = "deleteBoard",
    params(("id" = String, Path, description = "Board id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The board and its share link are gone"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn delete_board(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.delete_board(&principal.user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a gallery item on a board (again: nothing changes).
#[utoipa::path(
    put, path = "/api/v1/boards/{id}/items/{gallery_id}", tag = "collections", operation_id = "addBoardItem",
    params(("id" = String, Path, description = "Board id"), ("gallery_id" = String, Path, description = "Gallery item id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The item is on the board"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn add_item(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path((id, gallery_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .add_to_board(&principal.user.id, &id, &gallery_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a gallery item off a board.
#[utoipa::path(
    delete, path = "/api/v1/boards/{id}/items/{gallery_id}", tag = "collections", operation_id = "removeBoardItem",
    params(("id" = String, Path, description = "Board id"), ("gallery_id" = String, Path, description = "Gallery item id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The item is off the board"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn remove_item(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path((id, gallery_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_from_board(&principal.user.id, &id, Some(&gallery_id), None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `{shared?}` for a generation on a board.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoardGenerationBody {
    /// Show it through the board's share link (default false).
    #[serde(default)]
    shared: bool,
}

/// Puts one of your generations on your board; it shows through the share link only with
/// `shared: true`.
#[utoipa::path(
    put, path = "/api/v1/boards/{id}/generations/{generation_id}", tag = "collections", operation_id = "addBoardGeneration",
    request_body(content = Option<BoardGenerationBody>, description = "Optional: without a body the generation is not shared"),
    params(("id" = String, Path, description = "Board id"), ("generation_id" = String, Path, description = "Generation id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The generation is on the board"), Unauthorized, CsrfRejected, NotFound, Invalid)
)]
pub async fn add_generation(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path((id, generation_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    // The body is optional: none means not shared.
    let shared = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        serde_json::from_slice::<BoardGenerationBody>(&body)
            .map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    format!("The JSON body does not have the expected shape: {e}"),
                )
            })?
            .shared
    };
    state
        .app
        .add_generation_to_board(&principal.user.id, &id, &generation_id, shared)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes a generation off a board.
#[utoipa::path(
    delete, path = "/api/v1/boards/{id}/generations/{generation_id}", tag = "collections", operation_id = "removeBoardGeneration",
    params(("id" = String, Path, description = "Board id"), ("generation_id" = String, Path, description = "Generation id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 204, description = "The generation is off the board"), Unauthorized, CsrfRejected, NotFound)
)]
pub async fn remove_generation(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path((id, generation_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_from_board(&principal.user.id, &id, None, Some(&generation_id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A board's contents.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BoardItems {
    /// The board.
    board: BoardJson,
    /// Gallery items, newest addition first.
    items: Vec<GalleryItemJson>,
    /// Generations on the board (the owner's view: all; a share link: the shared ones).
    generations: Vec<BoardGenerationJson>,
    /// Always null.
    next_cursor: Option<String>,
}

/// A generation on a board.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BoardGenerationJson {
    /// The generation.
    #[serde(flatten)]
    generation: GenerationJson,
    /// Whether the share link shows it.
    shared: bool,
}

fn contents_json(state: &AppState, c: BoardContents) -> Result<BoardItems, ApiError> {
    let settings = state.app.settings();
    Ok(BoardItems {
        items: c
            .items
            .iter()
            .map(|i| GalleryItemJson::new(settings, i, None))
            .collect(),
        generations: c
            .generations
            .into_iter()
            .map(|(g, shared)| {
                Ok(BoardGenerationJson {
                    generation: generation_json(state, g)?,
                    shared,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        board: board_json(state, c.board),
        next_cursor: None,
    })
}

/// What is on one of your boards.
#[utoipa::path(
    get, path = "/api/v1/boards/{id}/items", tag = "collections", operation_id = "listBoardItems",
    params(("id" = String, Path, description = "Board id")),
    security(("access_token" = []), ("session_cookie" = [])),
    responses((status = 200, description = "The board with its gallery items and generations", body = BoardItems), Unauthorized, NotFound)
)]
pub async fn board_items(
    State(state): State<AppState>,
    CurrentUser(principal): CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<BoardItems>, ApiError> {
    let contents = state.app.board_contents(&principal.user.id, &id).await?;
    Ok(Json(contents_json(&state, contents)?))
}

/// What a board's share link shows: its gallery items and the generations its owner chose to
/// share (no credentials needed; the token is unguessable).
#[utoipa::path(
    get, path = "/api/v1/shared/boards/{token}", tag = "collections", operation_id = "getSharedBoard",
    params(("token" = String, Path, description = "The share link's token")), security(()),
    responses(
        (status = 200, description = "The shared board: its gallery items and the generations shared on it", body = BoardItems),
        (status = 404, description = "No board shares this token (any more) (`not_found`)", body = crate::error::ErrorBody),
    )
)]
pub async fn shared_board(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<BoardItems>, ApiError> {
    let contents = state.app.shared_board(&token).await?;
    let mut json = contents_json(&state, contents)?;
    // The owner's private view is not the visitor's: no share management, no private URLs.
    json.board.share_url = None;
    for g in &mut json.generations {
        g.generation.strip_private_urls();
    }
    Ok(Json(json))
}
