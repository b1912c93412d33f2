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
}
