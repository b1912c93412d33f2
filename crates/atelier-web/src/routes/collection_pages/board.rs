//! One board (G5): its artworks and generations, renaming, sharing, removal and deletion behind
//! a confirmation.

use super::{BoardsQuery, GenerationCard, is_not_found, items_label};
use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, Page, PageResult, SignedInPage, Viewer, mark_favorites, personal_page, render,
    see_other,
};
use crate::state::AppState;
use crate::views::CardView;
use askama::Template;
use atelier_app::AppError;
use atelier_app::collections::BoardUpdate;
use axum::Form;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    id: String,
    name: String,
    description: String,
    items_label: String,
    cards: Vec<CardView>,
    generations: Vec<GenerationCard>,
    share_url: Option<String>,
    holds_generations: bool,
    error: bool,
}

/// `GET /boards/{id}`: the board's artworks and generations, with removal, renaming, sharing and
/// deletion.
pub async fn board_page(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Path(id): Path<String>,
    Query(query): Query<BoardsQuery>,
) -> PageResult {
    // Not there or not theirs: 404, the friendly page (`html_errors`).
    let c = state.app.board_contents(&principal.user.id, &id).await?;
    let mut cards: Vec<CardView> = c.items.iter().filter_map(CardView::from_item).collect();
    mark_favorites(&state, Some(&principal), &mut cards).await?;
    let generations: Vec<GenerationCard> = c
        .generations
        .iter()
        .map(|(g, shared)| GenerationCard::of(&state, g, *shared, false))
        .collect();
    let settings = state.app.settings();
    let page = BoardPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(&principal)),
        id: c.board.id.clone(),
        items_label: items_label(m, c.board.item_count),
        share_url: c
            .board
            .share_token
            .as_ref()
            .map(|t| crate::views::absolute(settings, &format!("/b/{t}"))),
        holds_generations: !generations.is_empty(),
        error: query.error.is_some(),
        name: c.board.name,
        description: c.board.description,
        cards,
        generations,
    };
    Ok(personal_page(render(&page)?, lang))
}

/// The rename form.
#[derive(Debug, Deserialize)]
pub struct EditForm {
    name: String,
    description: Option<String>,
}

/// `POST /boards/{id}/edit`: renames and describes a board.
pub async fn edit_board(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> PageResult {
    update(
        &state,
        &page,
        &id,
        BoardUpdate {
            name: Some(form.name),
            description: Some(form.description.unwrap_or_default()),
            shared: None,
        },
    )
    .await
}

/// The share switch.
#[derive(Debug, Deserialize)]
pub struct ShareForm {
    on: Option<String>,
}

/// `POST /boards/{id}/share`: creates the share link (`on=1`) or withdraws it (`on=0`).
pub async fn share_board(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<ShareForm>,
) -> PageResult {
    update(
        &state,
        &page,
        &id,
        BoardUpdate {
            shared: Some(form.on.as_deref() != Some("0")),
            ..BoardUpdate::default()
        },
    )
    .await
}

async fn update(state: &AppState, page: &Page, id: &str, change: BoardUpdate) -> PageResult {
    let board_href = format!("/boards/{id}");
    let principal = page.require(&board_href)?;
    match state.app.update_board(&principal.user.id, id, change).await {
        Ok(_) => Ok(see_other(&board_href)),
        Err(AppError::Invalid { .. } | AppError::BadRequest { .. }) => {
            Ok(see_other(&format!("{board_href}?error=1")))
        }
        Err(e) => Err(e.into()),
    }
}

/// A generation's share switch.
#[derive(Debug, Deserialize)]
pub struct GenerationShareForm {
    shared: Option<String>,
}

/// `POST /boards/{id}/generations/{generation_id}`: shows (`shared=1`) or hides (`shared=0`) one
/// of the user's generations on the shared page.
pub async fn share_generation(
    State(state): State<AppState>,
    page: Page,
    Path((id, generation_id)): Path<(String, String)>,
    Form(form): Form<GenerationShareForm>,
) -> PageResult {
    let board_href = format!("/boards/{id}");
    let principal = page.require(&board_href)?;
    let user_id = &principal.user.id;
    // Only a generation already on the board is switched; nothing is added here.
    let on_board = match state.app.board_contents(user_id, &id).await {
        Ok(c) => c.generations.iter().any(|(g, _)| g.row.id == generation_id),
        Err(e) if is_not_found(&e) => false,
        Err(e) => return Err(e.into()),
    };
    let result = if on_board {
        state
            .app
            .add_generation_to_board(
                user_id,
                &id,
                &generation_id,
                form.shared.as_deref() == Some("1"),
            )
            .await
    } else {
        Err(AppError::NotFound)
    };
    match result {
        Ok(()) => Ok(see_other(&board_href)),
        Err(e) => Err(e.into()),
    }
}

/// The remove button's form.
#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    gallery_id: Option<String>,
    generation_id: Option<String>,
}

/// `POST /boards/{id}/remove`: takes an artwork or a generation off the board (it stays where it
/// is otherwise).
pub async fn remove_from_board(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<RemoveForm>,
) -> PageResult {
    let board_href = format!("/boards/{id}");
    let principal = page.require(&board_href)?;
    let item = form.gallery_id.as_deref().filter(|s| !s.is_empty());
    let generation = form.generation_id.as_deref().filter(|s| !s.is_empty());
    if item.is_none() && generation.is_none() {
        return Ok(see_other(&board_href));
    }
    match state
        .app
        .remove_from_board(&principal.user.id, &id, item, generation)
        .await
    {
        Ok(()) => Ok(see_other(&board_href)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "board_delete.html")]
struct DeleteBoardPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    id: String,
    name: String,
    items_label: String,
}

/// `GET /boards/{id}/delete`: the confirmation: only the board goes, not what is on it.
pub async fn confirm_delete_board(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Path(id): Path<String>,
) -> PageResult {
    let board = match state.app.board(&principal.user.id, &id).await {
        Ok(b) => b,
        Err(e) => return Err(e.into()),
    };
    let page = DeleteBoardPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(&principal)),
        id: board.id,
        name: board.name,
        items_label: items_label(m, board.item_count),
    };
    Ok(personal_page(render(&page)?, lang))
}

/// `POST /boards/{id}/delete`: deletes the board (never its items) and goes to the list.
pub async fn delete_board(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
) -> PageResult {
    let principal = page.require(&format!("/boards/{id}"))?;
    match state.app.delete_board(&principal.user.id, &id).await {
        Ok(()) => Ok(see_other("/boards")),
        Err(e) => Err(e.into()),
    }
}
