//! Rows of favorites and boards.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;
use sqlx::any::AnyRow;

/// A board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    /// Id.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Name (1..80 characters).
    pub name: String,
    /// Description.
    pub description: String,
    /// The unguessable token of its share link, when shared.
    pub share_token: Option<String>,
    /// Creation time.
    pub created_at: UnixMillis,
    /// Last change.
    pub updated_at: UnixMillis,
    /// Items on it.
    pub item_count: i64,
}

const BOARD_SELECT: &str = "SELECT b.id, b.user_id, b.name, b.description, b.share_token, \
     b.created_at, b.updated_at, (SELECT COUNT(*) FROM board_items i WHERE i.board_id = b.id) AS item_count \
     FROM boards b";

fn board_from_row(r: &AnyRow) -> Result<BoardRow, sqlx::Error> {
    Ok(BoardRow {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        share_token: r.try_get("share_token")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
        item_count: r.try_get("item_count")?,
    })
}

/// Something on a board: a gallery item or one of the owner's generations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardEntryRow {
    /// Entry id.
    pub id: String,
    /// A gallery item.
    pub item_id: Option<String>,
    /// One of the owner's generations.
    pub generation_id: Option<String>,
    /// For a generation: whether the owner chose to show it through the share link.
    pub shared: bool,
    /// When it was added.
    pub added_at: UnixMillis,
}

impl Store {
    /// Marks a gallery item as a favorite of the user (again: nothing changes); keeps the item's
    /// favorite count and the search index current. `false` when the item does not exist.
    ///
    /// # Errors
    /// On database failure.
    pub async fn add_favorite(
        &self,
        user_id: &str,
        item_id: &str,
        now: UnixMillis,
    ) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            let exists = sqlx::query("SELECT id FROM gallery_items WHERE id = $1")
                .bind(item_id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            if !exists {
                return Ok::<_, DbError>(false);
            }
            let added = sqlx::query(
                "INSERT INTO favorites (user_id, item_id, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (user_id, item_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(item_id)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if added == 1 {
                bump_favorites(&mut tx, item_id, 1, now).await?;
            }
            Ok(true)
        }
        .await;
        let result = crate::store::finish_tx(tx, outcome, |found| *found).await;
        self.gallery_written();
        result
    }

    /// Removes a favorite (absent: nothing changes).
    ///
    /// # Errors
    /// On database failure.
    pub async fn remove_favorite(
        &self,
        user_id: &str,
        item_id: &str,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
            let removed = sqlx::query("DELETE FROM favorites WHERE user_id = $1 AND item_id = $2")
                .bind(user_id)
                .bind(item_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if removed == 1 {
                bump_favorites(&mut tx, item_id, -1, now).await?;
            }
            Ok::<_, DbError>(())
        }
        .await;
        let result = crate::store::finish_tx(tx, outcome, |()| true).await;
        self.gallery_written();
        result
    }

    /// The user's favorite gallery item ids, newest first, before the `(created_at, id)` cursor.
    ///
    /// # Errors
    /// On database failure.
    pub async fn favorites(
        &self,
        user_id: &str,
        limit: i64,
        before: Option<(UnixMillis, &str)>,
    ) -> Result<Vec<(String, UnixMillis)>, DbError> {
        let (at, id) = before.unwrap_or((i64::MAX, ""));
        let rows = sqlx::query(
            "SELECT item_id, created_at FROM favorites WHERE user_id = $1 \
             AND (created_at < $2 OR (created_at = $2 AND item_id < $3) OR $3 = '') \
             ORDER BY created_at DESC, item_id DESC LIMIT $4",
        )
        .bind(user_id)
        .bind(at)
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("item_id")?, r.try_get("created_at")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Which of `item_ids` the user has favorited.
    ///
    /// # Errors
    /// On database failure.
    pub async fn favorited_among(
        &self,
        user_id: &str,
        item_ids: &[String],
    ) -> Result<Vec<String>, DbError> {
        if item_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = (2..item_ids.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql =
            format!("SELECT item_id FROM favorites WHERE user_id = $1 AND item_id IN ({marks})");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(user_id);
        for id in item_ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(self.pool()).await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("item_id"))
            .collect::<Result<_, _>>()?)
    }

    /// Stores a new board.
    ///
    /// # Errors
    /// On database failure.
    pub async fn insert_board(&self, b: &BoardRow) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO boards (id, user_id, name, description, share_token, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&b.id)
        .bind(&b.user_id)
        .bind(&b.name)
        .bind(&b.description)
        .bind(&b.share_token)
        .bind(b.created_at)
        .bind(b.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One of the user's boards.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown board or someone else's.
    pub async fn board(&self, user_id: &str, id: &str) -> Result<BoardRow, DbError> {
        let sql = format!("{BOARD_SELECT} WHERE b.id = $1 AND b.user_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        Ok(board_from_row(&row)?)
    }

    /// The board behind a share link.
    ///
    /// # Errors
    /// [`DbError::NotFound`].
    pub async fn board_by_share_token(&self, token: &str) -> Result<BoardRow, DbError> {
        let sql = format!("{BOARD_SELECT} WHERE b.share_token = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(token)
            .fetch_one(self.pool())
            .await?;
        Ok(board_from_row(&row)?)
    }

    /// The user's boards, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn boards_of_user(&self, user_id: &str) -> Result<Vec<BoardRow>, DbError> {
        let sql = format!("{BOARD_SELECT} WHERE b.user_id = $1 ORDER BY b.created_at DESC, b.id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(board_from_row).collect::<Result<_, _>>()?)
    }

    /// Writes a board's name, description and share token.
    ///
    /// # Errors
    /// [`DbError::NotFound`] when it is not the user's.
    pub async fn update_board(&self, b: &BoardRow) -> Result<(), DbError> {
        let done = sqlx::query(
            "UPDATE boards SET name = $3, description = $4, share_token = $5, updated_at = $6 \
             WHERE id = $1 AND user_id = $2",
        )
        .bind(&b.id)
        .bind(&b.user_id)
        .bind(&b.name)
        .bind(&b.description)
        .bind(&b.share_token)
        .bind(b.updated_at)
        .execute(self.pool())
        .await?;
        if done.rows_affected() == 0 {
            return Err(DbError::NotFound);
        }
        Ok(())
    }

    /// Deletes a board (never its items); `false` when it is not the user's.
    ///
    /// # Errors
    /// On database failure.
    pub async fn delete_board(&self, user_id: &str, id: &str) -> Result<bool, DbError> {
        let done = sqlx::query("DELETE FROM boards WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Puts a gallery item or a generation on a board (again: only `shared` is updated).
    ///
    /// # Errors
    /// [`DbError::NotFound`] when the item or generation does not exist.
    pub async fn put_board_entry(
        &self,
        board_id: &str,
        entry: &BoardEntryRow,
    ) -> Result<(), DbError> {
        let (column, value) = match (&entry.item_id, &entry.generation_id) {
            (Some(item), None) => ("item_id", item),
            (None, Some(generation)) => ("generation_id", generation),
            _ => return Err(DbError::NotFound),
        };
        let sql = format!(
            "INSERT INTO board_items (id, board_id, {column}, shared, added_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (board_id, {column}) WHERE {column} IS NOT NULL DO UPDATE SET shared = $4"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&entry.id)
            .bind(board_id)
            .bind(value)
            .bind(i64::from(entry.shared))
            .bind(entry.added_at)
            .execute(self.pool())
            .await
            .map_err(|e| match DbError::from(e) {
                DbError::Sqlx(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                    DbError::NotFound
                }
                other => other,
            })?;
        Ok(())
    }

    /// Takes a gallery item or a generation off a board (absent: nothing changes).
    ///
    /// # Errors
    /// On database failure.
    pub async fn remove_board_entry(
        &self,
        board_id: &str,
        item_id: Option<&str>,
        generation_id: Option<&str>,
    ) -> Result<(), DbError> {
        sqlx::query(
            "DELETE FROM board_items WHERE board_id = $1 AND (item_id = $2 OR generation_id = $3)",
        )
        .bind(board_id)
        .bind(item_id)
        .bind(generation_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// What is on a board, newest first.
    ///
    /// # Errors
    /// On database failure.
    pub async fn board_entries(&self, board_id: &str) -> Result<Vec<BoardEntryRow>, DbError> {
        let rows = sqlx::query(
            "SELECT id, item_id, generation_id, shared, added_at FROM board_items \
             WHERE board_id = $1 ORDER BY added_at DESC, id",
        )
        .bind(board_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BoardEntryRow {
                    id: r.try_get("id")?,
                    item_id: r.try_get("item_id")?,
                    generation_id: r.try_get("generation_id")?,
                    shared: r.try_get::<i64, _>("shared")? != 0,
                    added_at: r.try_get("added_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }
}

/// Changes an item's favorite count and records the change for the search index.
pub(crate) async fn bump_favorites(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    item_id: &str,
    delta: i64,
    now: UnixMillis,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE gallery_items SET favorites = CASE WHEN favorites + $2 < 0 THEN 0 ELSE favorites + $2 END \
         WHERE id = $1",
    )
    .bind(item_id)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO gallery_changes (item_id, changed_at) VALUES ($1, $2)")
        .bind(item_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
