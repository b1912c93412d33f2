//! Takedowns (C7): an item removed on request leaves a tombstone of its source post, so that no
//! later import or upsert brings it back.

use super::changes::record_change;
use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::Row as _;

impl Store {
    /// Removes an item (its images' rows go with it) and leaves a tombstone so that it is never
    /// indexed again (C7). Returns whether it existed.
    ///
    /// # Errors
    /// Database errors.
    pub async fn take_down_gallery_item(&self, id: &str, now: UnixMillis) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let outcome = async {
        let Some(row) =
            sqlx::query("SELECT source, source_post_id FROM gallery_items WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok::<_, DbError>(false);
        };
        let source: String = row.try_get("source")?;
        let post: String = row.try_get("source_post_id")?;
        sqlx::query(
            "INSERT INTO gallery_tombstones (source, source_post_id, removed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (source, source_post_id) DO NOTHING",
        )
        .bind(&source)
        .bind(&post)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM gallery_images WHERE item_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM gallery_items WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record_change(&mut tx, id, now).await?;
        Ok(true)
        }
        .await;
        let result = crate::store::finish_tx(tx, outcome, |existed| *existed).await;
        self.gallery_written();
        result
    }

    /// The ids of the items whose source post is at `url`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_ids_by_source_url(&self, url: &str) -> Result<Vec<String>, DbError> {
        let rows = sqlx::query("SELECT id FROM gallery_items WHERE source_url = $1 ORDER BY id")
            .bind(url)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?)
    }

    /// The source and author handle of an item, and the ids of every item of that author in
    /// that source.
    ///
    /// # Errors
    /// [`DbError::NotFound`] for an unknown item.
    pub async fn gallery_author_items(
        &self,
        id: &str,
    ) -> Result<(String, String, Vec<String>), DbError> {
        let row = sqlx::query("SELECT source, author_handle FROM gallery_items WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(DbError::NotFound)?;
        let source: String = row.try_get("source")?;
        let handle: String = row.try_get("author_handle")?;
        let rows = sqlx::query(
            "SELECT id FROM gallery_items WHERE source = $1 AND LOWER(author_handle) = $2 \
             ORDER BY id",
        )
        .bind(&source)
        .bind(handle.to_lowercase())
        .fetch_all(self.pool())
        .await?;
        let ids = rows
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        Ok((source, handle, ids))
    }

    /// Keeps every later post of an author out of the gallery (their current items are taken
    /// down one by one).
    ///
    /// # Errors
    /// Database errors.
    pub async fn tombstone_author(
        &self,
        source: &str,
        handle: &str,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO gallery_author_tombstones (source, author_handle, removed_at) \
             VALUES ($1, $2, $3) ON CONFLICT (source, author_handle) DO NOTHING",
        )
        .bind(source)
        .bind(handle.to_lowercase())
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
