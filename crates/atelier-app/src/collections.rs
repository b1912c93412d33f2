//! Favorites and boards (G5, D2): a user's hearts on gallery items, and named boards of gallery
//! items and their own generations. Boards are private; a share link (an unguessable token) shows
//! the public gallery items and only the generations the owner chose to share. Deleting a board
//! never deletes its items; a deleted generation or a taken-down item leaves every board and
//! favorite list at once (foreign keys with ON DELETE CASCADE).

use crate::{App, AppError};
use atelier_core::id::{new_id, random_token};
use atelier_db::collections::{BoardEntryRow, BoardRow};
use atelier_db::gallery::GalleryItemRow;

/// Longest board name.
pub const MAX_BOARD_NAME_CHARS: usize = 80;
/// Longest board description.
pub const MAX_BOARD_DESCRIPTION_CHARS: usize = 500;

/// Changes to a board; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct BoardUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// Share through a link (`true`: a fresh link if none; `false`: the link stops working).
    pub shared: Option<bool>,
}

/// A board's contents as its owner (or a share link) sees them.
#[derive(Debug, Clone)]
pub struct BoardContents {
    /// The board.
    pub board: BoardRow,
    /// Gallery items, newest addition first.
    pub items: Vec<GalleryItemRow>,
    /// Generations on the board with whether each is shared.
    pub generations: Vec<(crate::generation::Generation, bool)>,
}

fn check_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_BOARD_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(AppError::invalid(
            crate::Refusal::InvalidBoardName,
            format!("A board name has 1 to {MAX_BOARD_NAME_CHARS} characters."),
        ));
    }
    Ok(name.to_owned())
}

fn check_description(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.chars().count() > MAX_BOARD_DESCRIPTION_CHARS
        || text.chars().any(|c| c.is_control() && c != '\n')
    {
        return Err(AppError::invalid(
            crate::Refusal::InvalidBoardDescription,
            format!("A description has at most {MAX_BOARD_DESCRIPTION_CHARS} characters."),
        ));
    }
    Ok(text.to_owned())
}

impl App {
    /// Hearts a gallery item (idempotent).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown item.
    pub async fn add_favorite(&self, user_id: &str, item_id: &str) -> Result<(), AppError> {
        if self
            .store()
            .add_favorite(user_id, item_id, self.now_ms())
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Removes a heart (idempotent).
    ///
    /// # Errors
    /// On database failure.
    pub async fn remove_favorite(&self, user_id: &str, item_id: &str) -> Result<(), AppError> {
        Ok(self
            .store()
            .remove_favorite(user_id, item_id, self.now_ms())
            .await?)
    }

    /// The user's favorites, newest first, a page at a time.
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a cursor that does not decode.
    pub async fn favorites(
        &self,
        user_id: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<(Vec<GalleryItemRow>, Option<String>), AppError> {
        let limit = i64::from(limit.clamp(1, 100));
        let before = crate::paging::decode(cursor)?;
        let mut marks = self.store().favorites(user_id, limit + 1, before).await?;
        let next = crate::paging::split_page(&mut marks, limit, |(id, at)| (*at, id.as_str()));
        let ids: Vec<String> = marks.into_iter().map(|(id, _)| id).collect();
        Ok((self.gallery_items_in_order(&ids).await?, next))
    }

    /// Which of these gallery items the user has hearted (for the grid's heart buttons).
    ///
    /// # Errors
    /// On database failure.
    pub async fn favorited_among(
        &self,
        user_id: &str,
        item_ids: &[String],
    ) -> Result<Vec<String>, AppError> {
        Ok(self.store().favorited_among(user_id, item_ids).await?)
    }

    async fn gallery_items_in_order(
        &self,
        ids: &[String],
    ) -> Result<Vec<GalleryItemRow>, AppError> {
        let rows = self.store().gallery_items(ids).await?;
        Ok(ids
            .iter()
            .filter_map(|id| rows.iter().find(|r| &r.id == id).cloned())
            .collect())
    }

    /// Creates a private board.
    ///
    /// # Errors
    /// [`AppError::Invalid`] `invalid_name` or `invalid_description`.
    pub async fn create_board(
        &self,
        user_id: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<BoardRow, AppError> {
        let now = self.now_ms();
        let board = BoardRow {
            id: new_id(),
            user_id: user_id.to_owned(),
            name: check_name(name)?,
            description: check_description(description.unwrap_or(""))?,
            share_token: None,
            created_at: now,
            updated_at: now,
            item_count: 0,
        };
        self.store().insert_board(&board).await?;
        Ok(board)
    }

    /// The user's boards.
    ///
    /// # Errors
    /// On database failure.
    pub async fn boards(&self, user_id: &str) -> Result<Vec<BoardRow>, AppError> {
        Ok(self.store().boards_of_user(user_id).await?)
    }

    /// One of the user's boards; someone else's is not found.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn board(&self, user_id: &str, id: &str) -> Result<BoardRow, AppError> {
        Ok(self.store().board(user_id, id).await?)
    }

    /// Renames, describes, shares or unshares a board.
    ///
    /// # Errors
    /// [`AppError::NotFound`], or [`AppError::Invalid`] for a bad name or description.
    pub async fn update_board(
        &self,
        user_id: &str,
        id: &str,
        update: BoardUpdate,
    ) -> Result<BoardRow, AppError> {
        let mut board = self.board(user_id, id).await?;
        if let Some(name) = update.name {
            board.name = check_name(&name)?;
        }
        if let Some(description) = update.description {
            board.description = check_description(&description)?;
        }
        match update.shared {
            Some(true) if board.share_token.is_none() => {
                board.share_token = Some(random_token(24));
            }
            Some(false) => board.share_token = None,
            _ => {}
        }
        board.updated_at = self.now_ms();
        self.store().update_board(&board).await?;
        Ok(board)
    }

    /// Deletes a board; its items stay where they are.
    ///
    /// # Errors
    /// [`AppError::NotFound`].
    pub async fn delete_board(&self, user_id: &str, id: &str) -> Result<(), AppError> {
        if self.store().delete_board(user_id, id).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Puts a gallery item on one of the user's boards (idempotent).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's board or an unknown item.
    pub async fn add_to_board(
        &self,
        user_id: &str,
        board_id: &str,
        item_id: &str,
    ) -> Result<(), AppError> {
        let board = self.board(user_id, board_id).await?;
        self.store()
            .put_board_entry(
                &board.id,
                &BoardEntryRow {
                    id: new_id(),
                    item_id: Some(item_id.to_owned()),
                    generation_id: None,
                    shared: true,
                    added_at: self.now_ms(),
                },
            )
            .await
            .map_err(AppError::from)
    }

    /// Puts one of the user's own generations on their board; `shared` says whether the share
    /// link shows it (off unless the owner says so).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's board or generation.
    pub async fn add_generation_to_board(
        &self,
        user_id: &str,
        board_id: &str,
        generation_id: &str,
        shared: bool,
    ) -> Result<(), AppError> {
        let board = self.board(user_id, board_id).await?;
        self.store().generation(user_id, generation_id).await?;
        self.store()
            .put_board_entry(
                &board.id,
                &BoardEntryRow {
                    id: new_id(),
                    item_id: None,
                    generation_id: Some(generation_id.to_owned()),
                    shared,
                    added_at: self.now_ms(),
                },
            )
            .await
            .map_err(AppError::from)
    }

    /// Takes a gallery item or a generation off one of the user's boards (idempotent).
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's board.
    pub async fn remove_from_board(
        &self,
        user_id: &str,
        board_id: &str,
        item_id: Option<&str>,
        generation_id: Option<&str>,
    ) -> Result<(), AppError> {
        let board = self.board(user_id, board_id).await?;
        Ok(self
            .store()
            .remove_board_entry(&board.id, item_id, generation_id)
            .await?)
    }

    /// What is on one of the user's boards.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for someone else's board.
    pub async fn board_contents(
        &self,
        user_id: &str,
        board_id: &str,
    ) -> Result<BoardContents, AppError> {
        let board = self.board(user_id, board_id).await?;
        self.contents(board, false).await
    }

    /// What a share link shows: the public gallery items, and only the generations the owner
    /// chose to share.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for an unknown or withdrawn link.
    pub async fn shared_board(&self, token: &str) -> Result<BoardContents, AppError> {
        if token.len() < 16 {
            return Err(AppError::NotFound);
        }
        let board = self.store().board_by_share_token(token).await?;
        self.contents(board, true).await
    }

    async fn contents(
        &self,
        board: BoardRow,
        shared_only: bool,
    ) -> Result<BoardContents, AppError> {
        let entries = self.store().board_entries(&board.id).await?;
        let item_ids: Vec<String> = entries.iter().filter_map(|e| e.item_id.clone()).collect();
        let items = self.gallery_items_in_order(&item_ids).await?;
        let mut generations = Vec::new();
        for entry in entries.iter().filter(|e| e.generation_id.is_some()) {
            if shared_only && !entry.shared {
                continue;
            }
            if let Some(id) = &entry.generation_id
                && let Ok(g) = self.generation(&board.user_id, id).await
            {
                generations.push((g, entry.shared));
            }
        }
        Ok(BoardContents {
            board,
            items,
            generations,
        })
    }
}
