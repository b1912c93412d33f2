//! Favorites and boards as pages (G5, D2): the heart on every card and on the detail page, "My
//! favorites", the boards with their items, renaming, deletion behind a confirmation (the items
//! stay), "add to board" from an artwork or a generation, and the share link with its public page.
//! Plain forms with Post/Redirect/Get, so everything works without JavaScript; `app.js` turns the
//! heart into a `fetch` to the JSON API. Every personal page is sent with `Cache-Control:
//! no-store`, and so is the shared page (a link can be withdrawn at any time).

use super::account_pages::see_other;
use super::pages::{
    ASSET_VERSION, Viewer, here, is_local_path, not_found_page, personal_page, render,
};
use crate::ApiError;
use crate::auth::MaybeUser;
use crate::i18n::{Lang, Messages, PageLang};
use crate::server::AppState;
use crate::views::{CardView, excerpt};
use askama::Template;
use atelier_app::AppError;
use atelier_app::accounts::Principal;
use atelier_app::collections::{BoardContents, BoardUpdate};
use atelier_app::generation::Generation;
use atelier_app::image_urls;
use axum::Form;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use url::form_urlencoded;

/// Favorites per page.
const PAGE_SIZE: u32 = 24;

/// A signed-out visitor goes to the sign-in page first, and comes back to `next` after it.
fn sign_in_first(next: &str) -> Response {
    let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    see_other(&format!("/login?next={next}"))
}

/// `next` when it is a path of this site, else `fallback`.
fn local_or(next: Option<&str>, fallback: &str) -> String {
    next.filter(|n| is_local_path(n))
        .unwrap_or(fallback)
        .to_owned()
}

fn is_not_found(e: &AppError) -> bool {
    matches!(e, AppError::NotFound)
}

/// Marks the cards the signed-in user has hearted: one query for the whole page.
pub(crate) async fn mark_favorites(
    state: &AppState,
    principal: Option<&Principal>,
    cards: &mut [CardView],
) -> Result<(), ApiError> {
    let Some(principal) = principal else {
        return Ok(());
    };
    if cards.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = cards.iter().map(|c| c.id.clone()).collect();
    let hearted = state.app.favorited_among(&principal.user.id, &ids).await?;
    for card in cards {
        card.favorited = hearted.contains(&card.id);
    }
    Ok(())
}

/// `one` when `n` is 1, else `many` with `{n}` replaced.
fn items_label(m: &Messages, n: i64) -> String {
    if n == 1 {
        m.collections.board_items_one.to_owned()
    } else {
        m.collections
            .board_items_many
            .replace("{n}", &n.to_string())
    }
}

/// The heart's form.
#[derive(Debug, Deserialize)]
pub struct FavoriteForm {
    on: Option<String>,
    next: Option<String>,
}

/// `POST /favorites/{id}`: hearts (`on=1`) or un-hearts (`on=0`) an artwork, then goes back.
pub async fn toggle_favorite(
    State(state): State<AppState>,
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(form): Form<FavoriteForm>,
) -> Result<Response, ApiError> {
    let next = local_or(form.next.as_deref(), &format!("/g/{id}"));
    let Some(principal) = principal else {
        return Ok(sign_in_first(&next));
    };
    let result = if form.on.as_deref() == Some("0") {
        state.app.remove_favorite(&principal.user.id, &id).await
    } else {
        state.app.add_favorite(&principal.user.id, &id).await
    };
    match result {
        Ok(()) => Ok(see_other(&next)),
        Err(e) if is_not_found(&e) => {
            Ok(not_found_page(&headers, &uri, Some(Viewer::of(&principal))))
        }
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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Query(query): Query<CursorQuery>,
) -> Result<Response, ApiError> {
    let here = here(&uri);
    let Some(principal) = principal else {
        return Ok(sign_in_first(&here));
    };
    let lang = Lang::from_headers(&headers);
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
        m: lang.messages(),
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

/// The list's query: `?error=1` after a refused name.
#[derive(Debug, Deserialize)]
pub struct BoardsQuery {
    error: Option<String>,
}

/// `GET /boards`: the user's boards with their item counts, and the form for a new one.
pub async fn boards_page(
    State(state): State<AppState>,
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Query(query): Query<BoardsQuery>,
) -> Result<Response, ApiError> {
    let here = here(&uri);
    let Some(principal) = principal else {
        return Ok(sign_in_first(&here));
    };
    let lang = Lang::from_headers(&headers);
    let m = lang.messages();
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
    MaybeUser(principal): MaybeUser,
    Form(form): Form<NewBoardForm>,
) -> Result<Response, ApiError> {
    let Some(principal) = principal else {
        return Ok(sign_in_first("/boards"));
    };
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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Form(form): Form<AddForm>,
) -> Result<Response, ApiError> {
    let next = local_or(form.next.as_deref(), "/boards");
    let Some(principal) = principal else {
        return Ok(sign_in_first(&next));
    };
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
        Err(e) if is_not_found(&e) => {
            Ok(not_found_page(&headers, &uri, Some(Viewer::of(&principal))))
        }
        Err(e) => Err(e.into()),
    }
}

/// A generation on a board, as its owner or the share page sees it.
struct GenerationCard {
    id: String,
    href: Option<String>,
    thumb: Option<String>,
    prompt: String,
    shared: bool,
}

impl GenerationCard {
    fn of(state: &AppState, g: &Generation, shared: bool, public: bool) -> Self {
        let thumb = g.images.first().and_then(|i| {
            if public {
                state.app.signed_image_path(&i.id, "w640").ok()
            } else {
                Some(image_urls::generated(&i.id, &image_urls::thumb(640)))
            }
        });
        Self {
            id: g.row.id.clone(),
            href: (!public).then(|| format!("/generations/{}", g.row.id)),
            thumb,
            prompt: excerpt(&g.row.prompt, 140),
            shared,
        }
    }
}

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

/// The signed-in user's board `id`; `None` when it is not theirs or not there.
async fn load(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> Result<Option<BoardContents>, ApiError> {
    match state.app.board_contents(&principal.user.id, id).await {
        Ok(c) => Ok(Some(c)),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `GET /boards/{id}`: the board's artworks and generations, with removal, renaming, sharing and
/// deletion.
pub async fn board_page(
    State(state): State<AppState>,
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(id): Path<String>,
    Query(query): Query<BoardsQuery>,
) -> Result<Response, ApiError> {
    let here = here(&uri);
    let Some(principal) = principal else {
        return Ok(sign_in_first(&here));
    };
    let Some(c) = load(&state, &principal, &id).await? else {
        return Ok(not_found_page(&headers, &uri, Some(Viewer::of(&principal))));
    };
    let lang = Lang::from_headers(&headers);
    let m = lang.messages();
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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> Result<Response, ApiError> {
    update(
        &state,
        principal,
        &headers,
        &uri,
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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(form): Form<ShareForm>,
) -> Result<Response, ApiError> {
    update(
        &state,
        principal,
        &headers,
        &uri,
        &id,
        BoardUpdate {
            shared: Some(form.on.as_deref() != Some("0")),
            ..BoardUpdate::default()
        },
    )
    .await
}

async fn update(
    state: &AppState,
    principal: Option<Principal>,
    headers: &HeaderMap,
    uri: &OriginalUri,
    id: &str,
    change: BoardUpdate,
) -> Result<Response, ApiError> {
    let board_href = format!("/boards/{id}");
    let Some(principal) = principal else {
        return Ok(sign_in_first(&board_href));
    };
    match state.app.update_board(&principal.user.id, id, change).await {
        Ok(_) => Ok(see_other(&board_href)),
        Err(AppError::Invalid { .. } | AppError::BadRequest { .. }) => {
            Ok(see_other(&format!("{board_href}?error=1")))
        }
        Err(e) if is_not_found(&e) => {
            Ok(not_found_page(headers, uri, Some(Viewer::of(&principal))))
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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path((id, generation_id)): Path<(String, String)>,
    Form(form): Form<GenerationShareForm>,
) -> Result<Response, ApiError> {
    let board_href = format!("/boards/{id}");
    let Some(principal) = principal else {
        return Ok(sign_in_first(&board_href));
    };
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
        Err(e) if is_not_found(&e) => {
            Ok(not_found_page(&headers, &uri, Some(Viewer::of(&principal))))
        }
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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(id): Path<String>,
    Form(form): Form<RemoveForm>,
) -> Result<Response, ApiError> {
    let board_href = format!("/boards/{id}");
    let Some(principal) = principal else {
        return Ok(sign_in_first(&board_href));
    };
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
        Err(e) if is_not_found(&e) => {
            Ok(not_found_page(&headers, &uri, Some(Viewer::of(&principal))))
        }
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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let here = here(&uri);
    let Some(principal) = principal else {
        return Ok(sign_in_first(&here));
    };
    let board = match state.app.board(&principal.user.id, &id).await {
        Ok(b) => b,
        Err(e) if is_not_found(&e) => {
            return Ok(not_found_page(&headers, &uri, Some(Viewer::of(&principal))));
        }
        Err(e) => return Err(e.into()),
    };
    let lang = Lang::from_headers(&headers);
    let m = lang.messages();
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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let Some(principal) = principal else {
        return Ok(sign_in_first(&format!("/boards/{id}")));
    };
    match state.app.delete_board(&principal.user.id, &id).await {
        Ok(()) => Ok(see_other("/boards")),
        Err(e) if is_not_found(&e) => {
            Ok(not_found_page(&headers, &uri, Some(Viewer::of(&principal))))
        }
        Err(e) => Err(e.into()),
    }
}

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
    MaybeUser(principal): MaybeUser,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let viewer = Viewer::from_maybe(principal.as_ref());
    let c = match state.app.shared_board(&token).await {
        Ok(c) => c,
        Err(e) if is_not_found(&e) => return Ok(not_found_page(&headers, &uri, viewer)),
        Err(e) => return Err(e.into()),
    };
    let lang = Lang::from_headers(&headers);
    let mut cards: Vec<CardView> = c.items.iter().filter_map(CardView::from_item).collect();
    mark_favorites(&state, principal.as_ref(), &mut cards).await?;
    let generations = c
        .generations
        .iter()
        .filter(|(_, shared)| *shared)
        .map(|(g, shared)| GenerationCard::of(&state, g, *shared, true))
        .collect();
    let page = SharedBoardPage {
        m: lang.messages(),
        lang,
        asset_version: &ASSET_VERSION,
        here: here(&uri),
        q: String::new(),
        user: viewer,
        name: c.board.name,
        description: c.board.description,
        cards,
        generations,
    };
    Ok(personal_page(render(&page)?, lang))
}

/// A board in the "add to board" select.
pub(crate) struct BoardChoice {
    pub id: String,
    pub name: String,
}

/// The user's boards for the "add to board" select.
pub(crate) async fn board_choices(
    state: &AppState,
    principal: Option<&Principal>,
) -> Result<Vec<BoardChoice>, ApiError> {
    let Some(principal) = principal else {
        return Ok(Vec::new());
    };
    Ok(state
        .app
        .boards(&principal.user.id)
        .await?
        .into_iter()
        .map(|b| BoardChoice {
            id: b.id,
            name: b.name,
        })
        .collect())
}
