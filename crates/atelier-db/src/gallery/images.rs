//! Images of gallery items: added as pending with an item, then stored (or given up on) by the
//! fetch job and given thumbnails; attached in order to the items that are read.

use super::changes::record_change;
use super::items::GalleryItemRow;
use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};
use std::collections::HashMap;

/// One image of a gallery item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryImageRow {
    /// Order within the item, from 0.
    pub position: i64,
    /// Pixel width.
    pub width: i64,
    /// Pixel height.
    pub height: i64,
    /// Where the image was published.
    pub remote_url: Option<String>,
    /// `pending` (not stored yet), `ready` or `failed`.
    pub status: String,
    /// Content type of the stored original.
    pub content_type: Option<String>,
    /// Size of the stored original.
    pub byte_size: Option<i64>,
    /// Thumbnail widths made so far.
    pub thumb_widths: Vec<u32>,
    /// The dominant colour (`#rrggbb`), once the sizes are made.
    pub color: Option<String>,
    /// Last change.
    pub updated_at: UnixMillis,
}

impl GalleryImageRow {
    /// Whether the original is stored.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.status == "ready"
    }
}

/// What is known of an image once its original is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredGalleryImage<'a> {
    /// Pixel width of the original.
    pub width: i64,
    /// Pixel height of the original.
    pub height: i64,
    /// Content type of the original.
    pub content_type: &'a str,
    /// Size of the original in bytes.
    pub byte_size: i64,
    /// Thumbnail widths stored with it (empty when the thumbnail job makes them).
    pub thumb_widths: &'a [u32],
    /// Its dominant colour (`#rrggbb`), when known.
    pub color: Option<&'a str>,
}

fn width_list(widths: &[u32]) -> String {
    widths
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// An image of an item being added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryImageInput {
    /// Expected width (final once stored).
    pub width: i64,
    /// Expected height.
    pub height: i64,
    /// Where it was published.
    pub remote_url: Option<String>,
}

fn image_from_row(row: &AnyRow) -> Result<(String, GalleryImageRow), sqlx::Error> {
    let thumbs: String = row.try_get("thumb_widths")?;
    Ok((
        row.try_get("item_id")?,
        GalleryImageRow {
            position: row.try_get("position")?,
            width: row.try_get("width")?,
            height: row.try_get("height")?,
            remote_url: row.try_get("remote_url")?,
            status: row.try_get("status")?,
            content_type: row.try_get("content_type")?,
            byte_size: row.try_get("byte_size")?,
            thumb_widths: thumbs.split(',').filter_map(|w| w.parse().ok()).collect(),
            color: row.try_get("color")?,
            updated_at: row.try_get("updated_at")?,
        },
    ))
}

impl Store {
    pub(super) async fn attach_images(&self, items: &mut [GalleryItemRow]) -> Result<(), DbError> {
        if items.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT item_id, position, width, height, remote_url, status, content_type, byte_size, thumb_widths, \
             color, updated_at FROM gallery_images WHERE item_id IN ({}) ORDER BY item_id, position",
            crate::store::markers(self.kind(), 1, items.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for item in items.iter() {
            query = query.bind(item.id.clone());
        }
        let slots: HashMap<String, usize> = items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.id.clone(), i))
            .collect();
        for row in query.fetch_all(self.pool()).await? {
            let (item_id, image) = image_from_row(&row)?;
            if let Some(item) = slots.get(&item_id).and_then(|&i| items.get_mut(i)) {
                item.images.push(image);
            }
        }
        Ok(())
    }

    /// Marks an image stored, with its real size and the sizes made with it (none: the
    /// thumbnail job makes them later).
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_image_stored(
        &self,
        item_id: &str,
        position: i64,
        stored: &StoredGalleryImage<'_>,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE gallery_images SET status = 'ready', width = $3, height = $4, content_type = $5, byte_size = $6, \
             thumb_widths = $7, color = $8, updated_at = $9 WHERE item_id = $1 AND position = $2",
        )
        .bind(item_id)
        .bind(position)
        .bind(stored.width)
        .bind(stored.height)
        .bind(stored.content_type)
        .bind(stored.byte_size)
        .bind(width_list(stored.thumb_widths))
        .bind(stored.color)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        record_change(&mut tx, item_id, now).await?;
        tx.commit().await?;
        self.gallery_written();
        Ok(())
    }

    /// Marks an image as impossible to store.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_image_failed(
        &self,
        item_id: &str,
        position: i64,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        sqlx::query("UPDATE gallery_images SET status = 'failed', updated_at = $3 WHERE item_id = $1 AND position = $2")
            .bind(item_id)
            .bind(position)
            .bind(now)
            .execute(self.pool())
            .await?;
        self.gallery_written();
        Ok(())
    }

    /// Records which thumbnail widths exist for an image, and its dominant colour.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_thumbs_made(
        &self,
        item_id: &str,
        position: i64,
        widths: &[u32],
        color: &str,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        sqlx::query(
            "UPDATE gallery_images SET thumb_widths = $3, color = $4, updated_at = $5 \
             WHERE item_id = $1 AND position = $2",
        )
        .bind(item_id)
        .bind(position)
        .bind(width_list(widths))
        .bind(color)
        .bind(now)
        .execute(self.pool())
        .await?;
        self.gallery_written();
        Ok(())
    }

    /// Images not stored yet: `(item_id, position, remote_url)`.
    ///
    /// # Errors
    /// Database errors.
    pub async fn pending_gallery_images(
        &self,
        limit: i64,
    ) -> Result<Vec<(String, i64, Option<String>)>, DbError> {
        let rows = sqlx::query(
            "SELECT item_id, position, remote_url FROM gallery_images WHERE status = 'pending' \
             ORDER BY item_id, position LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("item_id")?,
                    r.try_get("position")?,
                    r.try_get("remote_url")?,
                ))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Benchmarks only: marks every pending image stored without storing pixels.
    ///
    /// # Errors
    /// Database errors.
    #[doc(hidden)]
    pub async fn bench_mark_all_images_ready(&self) -> Result<u64, DbError> {
        let result = sqlx::query(
            "UPDATE gallery_images SET status = 'ready', content_type = 'image/png', byte_size = 0 WHERE status = 'pending'",
        )
        .execute(self.pool())
        .await?;
        self.gallery_written();
        Ok(result.rows_affected())
    }
}

pub(super) async fn insert_images<'a>(
    tx: &mut Transaction<'static, Any>,
    item_id: &str,
    images: impl Iterator<Item = (usize, &'a GalleryImageInput)>,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    for (position, image) in images {
        sqlx::query(
            "INSERT INTO gallery_images (item_id, position, width, height, remote_url, status, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'pending', $6)",
        )
        .bind(item_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(image.width)
        .bind(image.height)
        .bind(image.remote_url.as_deref())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
