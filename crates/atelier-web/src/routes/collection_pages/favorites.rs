//! "My favorites" and the heart (G5).

use super::PAGE_SIZE;
use crate::i18n::{Lang, Messages};
use crate::page::{
    ASSET_VERSION, Page, PageResult, SignedInPage, Viewer, local_or, personal_page, render,
    see_other,
};
use crate::state::AppState;
use crate::views::CardView;
use askama::Template;
use atelier_app::AppError;
use axum::Form;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use url::form_urlencoded;

/// The heart's form.
#[derive(Debug, Deserialize)]
pub struct FavoriteForm {
    on: Option<String>,
    next: Option<String>,
}

/// `POST /favorites/{id}`: hearts (`on=1`) or un-hearts (`on=0`) an artwork, then goes back.
pub async fn toggle_favorite(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<FavoriteForm>,
) -> PageResult {
    let next = local_or(form.next.as_deref(), &format!("/g/{id}"));
    let principal = page.require(&next)?;
    let result = if form.on.as_deref() == Some("0") {
        state.app.remove_favorite(&principal.user.id, &id).await
    } else {
        state.app.add_favorite(&principal.user.id, &id).await
    };
    match result {
        Ok(()) => Ok(see_other(&next)),
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "favorites.html")]
struct FavoritesPage<'a> {
    m: &'static Messages,
    lang: Lang,
    asset_version: &'a str,
    here: String,
    q: String,
    user: Option<Viewer>,
    cards: Vec<CardView>,
    next_href: Option<String>,
}

/// The list's query.
#[derive(Debug, Deserialize)]
pub struct CursorQuery {
    cursor: Option<String>,
}

/// `GET /favorites`: the user's hearted artworks, last hearted first.
pub async fn favorites_page(
    State(state): State<AppState>,
    SignedInPage {
        lang,
        m,
        here,
        principal,
    }: SignedInPage,
    Query(query): Query<CursorQuery>,
) -> PageResult {
    let user_id = &principal.user.id;
    let cursor = query.cursor.filter(|c| !c.is_empty());
    // A cursor it cannot read starts from the first page.
    let (items, next) = match state
        .app
        .favorites(user_id, PAGE_SIZE, cursor.as_deref())
        .await
    {
        Ok(page) => page,
        Err(AppError::BadRequest { .. }) => state.app.favorites(user_id, PAGE_SIZE, None).await?,
        Err(e) => return Err(e.into()),
    };
    let mut cards: Vec<CardView> = items.iter().filter_map(CardView::from_item).collect();
    for card in &mut cards {
        card.favorited = true;
    }
    let page = FavoritesPage {
        m,
        lang,
        asset_version: &ASSET_VERSION,
        here,
        q: String::new(),
        user: Some(Viewer::of(&principal)),
        cards,
        next_href: next.map(|c| {
            let c: String = form_urlencoded::byte_serialize(c.as_bytes()).collect();
            format!("/favorites?cursor={c}")
        }),
    };
    Ok(personal_page(render(&page)?, lang))
}
