//! The collections part of the export: favorites with their items' prompts, boards (whether
//! shared, never the share token) and their entries.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A favorite gallery item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFavorite {
    /// Gallery item id.
    pub item_id: String,
    /// The item's prompt.
    pub prompt: Option<String>,
    /// When.
    pub created_at: UnixMillis,
}

/// A board (whether it is shared, never its token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportBoard {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Whether a share link exists.
    pub shared: bool,
    /// Creation.
    pub created_at: UnixMillis,
    /// Last change.
    pub updated_at: UnixMillis,
}

/// An entry on a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportBoardItem {
    /// Id.
    pub id: String,
    /// The board.
    pub board_id: String,
    /// A gallery item.
    pub item_id: Option<String>,
    /// One of the user's generations.
    pub generation_id: Option<String>,
    /// Whether shown through the share link.
    pub shared: bool,
    /// When added.
    pub added_at: UnixMillis,
}

impl Store {
    /// Every favorite of the user, with the item's prompt.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_favorites(&self, user_id: &str) -> Result<Vec<ExportFavorite>, DbError> {
        self.export_rows(
            "SELECT f.item_id, g.prompt, f.created_at FROM favorites f \
             LEFT JOIN gallery_items g ON g.id = f.item_id WHERE f.user_id = $1 \
             ORDER BY f.created_at, f.item_id",
            user_id,
            |r| {
                Ok(ExportFavorite {
                    item_id: r.try_get("item_id")?,
                    prompt: r.try_get("prompt")?,
                    created_at: r.try_get("created_at")?,
                })
            },
        )
        .await
    }

    /// Every board of the user (whether shared, never the token).
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_boards(&self, user_id: &str) -> Result<Vec<ExportBoard>, DbError> {
        self.export_rows(
            "SELECT id, name, description, \
             CAST(CASE WHEN share_token IS NULL THEN 0 ELSE 1 END AS BIGINT) AS shared, created_at, updated_at \
             FROM boards WHERE user_id = $1 ORDER BY created_at, id",
            user_id,
            |r| {
                Ok(ExportBoard {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    description: r.try_get("description")?,
                    shared: int_flag(r, "shared")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                })
            },
        )
        .await
    }

    /// Every entry on the user's boards.
    ///
    /// # Errors
    /// Database failures.
    pub async fn export_board_items(&self, user_id: &str) -> Result<Vec<ExportBoardItem>, DbError> {
        self.export_rows(
            "SELECT i.id, i.board_id, i.item_id, i.generation_id, i.shared, i.added_at \
             FROM board_items i JOIN boards b ON b.id = i.board_id WHERE b.user_id = $1 \
             ORDER BY i.board_id, i.added_at, i.id",
            user_id,
            |r| {
                Ok(ExportBoardItem {
                    id: r.try_get("id")?,
                    board_id: r.try_get("board_id")?,
                    item_id: r.try_get("item_id")?,
                    generation_id: r.try_get("generation_id")?,
                    shared: int_flag(r, "shared")?,
                    added_at: r.try_get("added_at")?,
                })
            },
        )
        .await
    }
}

/// A 0/1 column (an integer on both backends).
fn int_flag(r: &AnyRow, column: &str) -> Result<bool, sqlx::Error> {
    Ok(r.try_get::<i64, _>(column)? != 0)
}
