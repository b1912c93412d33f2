//! The list of boards, a new board, and "add to board" from an artwork or a generation (G5).

use super::{BoardsQuery, items_label};
use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, Page, PageResult, SignedInPage, Viewer, local_or, personal_page, render,
    see_other,
};
use crate::state::AppState;
use crate::views::excerpt;
use askama::Template;
use atelier_app::AppError;
use axum::Form;
use axum::extract::{Query, State};
use serde::Deserialize;

/// A board in the list.
struct BoardCard {
    href: String,
    name: String,
    description: String,
    items: String,
    shared: bool,
}

#[derive(Template)]
#[template(path = "boards.html")]
struct BoardsPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    boards: Vec<BoardCard>,
    error: bool,
}

/// `GET /boards`: the user's boards with their item counts, and the form for a new one.
pub async fn boards_page(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Query(query): Query<BoardsQuery>,
) -> PageResult {
    let boards = state
        .app
        .boards(&principal.user.id)
        .await?
        .into_iter()
        .map(|b| BoardCard {
            href: format!("/boards/{}", b.id),
            items: items_label(m, b.item_count),
            shared: b.share_token.is_some(),
            name: b.name,
            description: excerpt(&b.description, 160),
        })
        .collect();
    let page = BoardsPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(&principal)),
        boards,
        error: query.error.is_some(),
    };
    Ok(personal_page(render(&page)?, lang))
}

/// The new board's form.
#[derive(Debug, Deserialize)]
pub struct NewBoardForm {
    name: String,
    description: Option<String>,
}

/// `POST /boards`: creates a board and opens it.
pub async fn create_board(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<NewBoardForm>,
) -> PageResult {
    let principal = page.require("/boards")?;
    match state
        .app
        .create_board(&principal.user.id, &form.name, form.description.as_deref())
        .await
    {
        Ok(board) => Ok(see_other(&format!("/boards/{}", board.id))),
        Err(AppError::Invalid { .. } | AppError::BadRequest { .. }) => {
            Ok(see_other("/boards?error=1"))
        }
        Err(e) => Err(e.into()),
    }
}

/// "Add to board" from an artwork or a generation.
#[derive(Debug, Deserialize)]
pub struct AddForm {
    gallery_id: Option<String>,
    generation_id: Option<String>,
    board_id: Option<String>,
    new_board_name: Option<String>,
    next: Option<String>,
}

/// `POST /boards/add`: puts an artwork or one's own generation on a board (an existing one, or a
/// new one by its name), then goes back.
pub async fn add_to_board(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<AddForm>,
) -> PageResult {
    let next = local_or(form.next.as_deref(), "/boards");
    let principal = page.require(&next)?;
    let user_id = &principal.user.id;
    let new_name = form
        .new_board_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let board_id = match (new_name, form.board_id.as_deref().filter(|b| !b.is_empty())) {
        (Some(name), _) => match state.app.create_board(user_id, name, None).await {
            Ok(board) => board.id,
            Err(AppError::Invalid { .. } | AppError::BadRequest { .. }) => {
                return Ok(see_other("/boards?error=1"));
            }
            Err(e) => return Err(e.into()),
        },
        (None, Some(id)) => id.to_owned(),
        (None, None) => return Ok(see_other(&next)),
    };
    let result = match (form.gallery_id.as_deref(), form.generation_id.as_deref()) {
        (Some(item), _) if !item.is_empty() => {
            state.app.add_to_board(user_id, &board_id, item).await
        }
        (_, Some(generation)) if !generation.is_empty() => {
            state
                .app
                .add_generation_to_board(user_id, &board_id, generation, false)
                .await
        }
        _ => Err(AppError::NotFound),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/boards/{board_id}"))),
        Err(e) => Err(e.into()),
    }
}
