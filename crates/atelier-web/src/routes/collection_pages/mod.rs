//! Favorites and boards as pages (G5, D2): the heart on every card and on the detail page, "My
//! favorites", the boards with their items, renaming, deletion behind a confirmation (the items
//! stay), "add to board" from an artwork or a generation, and the share link with its public page.
//! Plain forms with Post/Redirect/Get, so everything works without JavaScript; `app.js` turns the
//! heart into a `fetch` to the JSON API. Every personal page is sent with `Cache-Control:
//! no-store`, and so is the shared page (a link can be withdrawn at any time).

mod board;
mod boards;
mod favorites;
mod shared;

pub use board::{
    board_page, confirm_delete_board, delete_board, edit_board, remove_from_board, share_board,
    share_generation,
};
pub use boards::{add_to_board, boards_page, create_board};
pub use favorites::{favorites_page, toggle_favorite};
pub use shared::shared_board_page;

use crate::i18n::Messages;
use crate::state::AppState;
use crate::views::excerpt;
use atelier_app::AppError;
use atelier_app::generation::Generation;
use atelier_app::image_urls;
use serde::Deserialize;

/// Favorites per page.
const PAGE_SIZE: u32 = 24;

fn is_not_found(e: &AppError) -> bool {
    matches!(e, AppError::NotFound)
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

/// The list's query: `?error=1` after a refused name.
#[derive(Debug, Deserialize)]
pub struct BoardsQuery {
    error: Option<String>,
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
