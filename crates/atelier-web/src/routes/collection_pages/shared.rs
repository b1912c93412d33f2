//! A shared board's public page (G5): only what its owner chose to show.

use super::GenerationCard;
use crate::i18n::{Lang, Messages};
use crate::page::{ASSET_VERSION, Page, PageResult, Viewer, mark_favorites, personal_page, render};
use crate::state::AppState;
use crate::views::CardView;
use askama::Template;
use axum::extract::{Path, State};

#[derive(Template)]
#[template(path = "shared_board.html")]
struct SharedBoardPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    name: String,
    description: String,
    cards: Vec<CardView>,
    generations: Vec<GenerationCard>,
}

/// `GET /b/{token}`: a shared board for anyone with the link: its name, description, artworks and
/// the generations its owner chose to show, nothing about the owner.
pub async fn shared_board_page(
    State(state): State<AppState>,
    page: Page,
    Path(token): Path<String>,
) -> PageResult {
    let c = state.app.shared_board(&token).await?;
    let mut cards: Vec<CardView> = c.items.iter().filter_map(CardView::from_item).collect();
    mark_favorites(&state, page.principal.as_ref(), &mut cards).await?;
    let generations = c
        .generations
        .iter()
        .filter(|(_, shared)| *shared)
        .map(|(g, shared)| GenerationCard::of(&state, g, *shared, true))
        .collect();
    let view = SharedBoardPage {
        m: page.m,
        lang: page.lang,
        asset_version: &ASSET_VERSION,
        here: page.here.clone(),
        q: String::new(),
        user: page.viewer(),
        name: c.board.name,
        description: c.board.description,
        cards,
        generations,
    };
    Ok(personal_page(render(&view)?, page.lang))
}
