//! Rows of the public gallery: items, their images, takedown tombstones, and the change log from
//! which every node keeps its search index current.

use crate::{DbError, Store};
use atelier_core::UnixMillis;
use sqlx::any::AnyRow;
use sqlx::{Any, Row as _, Transaction};
use std::collections::HashMap;

/// A gallery item with its images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryItemRow {
    /// Our id.
    pub id: String,
    /// Where it came from: `x`, `import`, `demo`.
    pub source: String,
    /// The post's id at the source.
    pub source_post_id: String,
    /// The post's URL at the source.
    pub source_url: Option<String>,
    /// The full prompt.
    pub prompt: String,
    /// Model name as the source gave it.
    pub model: String,
    /// Aspect ratio, e.g. `3:4`.
    pub aspect: String,
    /// Category names.
    pub categories: Vec<String>,
    /// Author's handle (without `@`).
    pub author_handle: String,
    /// Author's display name.
    pub author_name: String,
    /// Author's profile URL.
    pub author_url: Option<String>,
    /// Likes at the source.
    pub likes: i64,
    /// Views at the source.
    pub views: i64,
    /// Favorites on this instance.
    pub favorites: i64,
    /// When the source post was published.
    pub posted_at: UnixMillis,
    /// When the item was added here.
    pub created_at: UnixMillis,
    /// Last change.
    pub updated_at: UnixMillis,
    /// Images in order.
    pub images: Vec<GalleryImageRow>,
}

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

/// A gallery item to add or update, keyed by `(source, source_post_id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryItemInput {
    /// Source.
    pub source: String,
    /// Post id at the source.
    pub source_post_id: String,
    /// Post URL.
    pub source_url: Option<String>,
    /// Prompt.
    pub prompt: String,
    /// Model.
    pub model: String,
    /// Aspect.
    pub aspect: String,
    /// Categories.
    pub categories: Vec<String>,
    /// Author handle.
    pub author_handle: String,
    /// Author name.
    pub author_name: String,
    /// Author profile URL.
    pub author_url: Option<String>,
    /// Likes.
    pub likes: i64,
    /// Views.
    pub views: i64,
    /// Post time.
    pub posted_at: UnixMillis,
    /// Images, in order.
    pub images: Vec<GalleryImageInput>,
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

/// What an upsert did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpsertOutcome {
    /// A new item with this id.
    Created(String),
    /// An existing item with this id was updated.
    Updated(String),
    /// The post was taken down earlier and stays out (C7).
    Tombstoned,
}

/// How many items share a value, for filter chips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    /// The value.
    pub value: String,
    /// Items with it.
    pub count: i64,
}

const ITEM_COLUMNS: &str = "id, source, source_post_id, source_url, prompt, model, aspect, categories, \
    author_handle, author_name, author_url, likes, views, favorites, posted_at, created_at, updated_at";

fn item_from_row(row: &AnyRow) -> Result<GalleryItemRow, sqlx::Error> {
    let categories: String = row.try_get("categories")?;
    Ok(GalleryItemRow {
        id: row.try_get("id")?,
        source: row.try_get("source")?,
        source_post_id: row.try_get("source_post_id")?,
        source_url: row.try_get("source_url")?,
        prompt: row.try_get("prompt")?,
        model: row.try_get("model")?,
        aspect: row.try_get("aspect")?,
        categories: serde_json::from_str(&categories).unwrap_or_default(),
        author_handle: row.try_get("author_handle")?,
        author_name: row.try_get("author_name")?,
        author_url: row.try_get("author_url")?,
        likes: row.try_get("likes")?,
        views: row.try_get("views")?,
        favorites: row.try_get("favorites")?,
        posted_at: row.try_get("posted_at")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        images: Vec::new(),
    })
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
            updated_at: row.try_get("updated_at")?,
        },
    ))
}

async fn record_change(
    tx: &mut Transaction<'static, Any>,
    item_id: &str,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO gallery_changes (item_id, changed_at) VALUES ($1, $2)")
        .bind(item_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    /// Adds an item, or updates the one with the same `(source, source_post_id)`: its text and
    /// counts are replaced, stored images are kept, and images beyond the stored ones are added as
    /// pending. Posts under a takedown tombstone are refused (C7).
    ///
    /// # Errors
    /// Database errors.
    pub async fn upsert_gallery_item(
        &self,
        item: &GalleryItemInput,
        now: UnixMillis,
    ) -> Result<UpsertOutcome, DbError> {
        let mut outcomes = self
            .upsert_gallery_items(std::slice::from_ref(item), now)
            .await?;
        outcomes.pop().ok_or(DbError::NotFound)
    }

    /// [`Store::upsert_gallery_item`] for many items in one transaction (imports).
    ///
    /// # Errors
    /// Database errors; nothing of the batch is written then.
    pub async fn upsert_gallery_items(
        &self,
        items: &[GalleryItemInput],
        now: UnixMillis,
    ) -> Result<Vec<UpsertOutcome>, DbError> {
        let mut tx = self.begin_write().await?;
        let outcomes = crate::gallery_batch::upsert_batch(&mut tx, self.kind(), items, now).await;
        let result = crate::store::finish_tx(tx, outcomes, |_| true).await;
        self.gallery_written();
        result
    }

    /// Items by id, with their images, in the order asked; unknown ids are left out.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_items(&self, ids: &[String]) -> Result<Vec<GalleryItemRow>, DbError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM gallery_items WHERE id IN ({})",
            crate::store::markers(self.kind(), 1, ids.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(self.pool()).await?;
        let mut items = rows
            .iter()
            .map(item_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.attach_images(&mut items).await?;
        let mut by_id: HashMap<String, GalleryItemRow> =
            items.into_iter().map(|i| (i.id.clone(), i)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// One item with its images.
    ///
    /// # Errors
    /// [`DbError::NotFound`] when there is none.
    pub async fn gallery_item(&self, id: &str) -> Result<GalleryItemRow, DbError> {
        self.gallery_items(&[id.to_owned()])
            .await?
            .pop()
            .ok_or(DbError::NotFound)
    }

    /// Items ordered by id after `after` (for full index rebuilds), with images.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_items_after(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<GalleryItemRow>, DbError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ITEM_COLUMNS} FROM gallery_items WHERE id > $1 ORDER BY id LIMIT $2"
        )))
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut items = rows
            .iter()
            .map(item_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        self.attach_images(&mut items).await?;
        Ok(items)
    }

    async fn attach_images(&self, items: &mut [GalleryItemRow]) -> Result<(), DbError> {
        if items.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "SELECT item_id, position, width, height, remote_url, status, content_type, byte_size, thumb_widths, \
             updated_at FROM gallery_images WHERE item_id IN ({}) ORDER BY item_id, position",
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

    /// Number of gallery items.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_count(&self) -> Result<i64, DbError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM gallery_items")
            .fetch_one(self.pool())
            .await?
            .try_get("n")?)
    }

    /// Number of gallery items from one source.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_count_by_source(&self, source: &str) -> Result<i64, DbError> {
        Ok(
            sqlx::query("SELECT COUNT(*) AS n FROM gallery_items WHERE source = $1")
                .bind(source)
                .fetch_one(self.pool())
                .await?
                .try_get("n")?,
        )
    }

    /// Marks an image stored, with its real size.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_image_stored(
        &self,
        item_id: &str,
        position: i64,
        (width, height): (i64, i64),
        content_type: &str,
        byte_size: i64,
        now: UnixMillis,
    ) -> Result<(), DbError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "UPDATE gallery_images SET status = 'ready', width = $3, height = $4, content_type = $5, byte_size = $6, \
             thumb_widths = '', updated_at = $7 WHERE item_id = $1 AND position = $2",
        )
        .bind(item_id)
        .bind(position)
        .bind(width)
        .bind(height)
        .bind(content_type)
        .bind(byte_size)
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

    /// Records which thumbnail widths exist for an image.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_thumbs_made(
        &self,
        item_id: &str,
        position: i64,
        widths: &[u32],
        now: UnixMillis,
    ) -> Result<(), DbError> {
        let list = widths
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        sqlx::query("UPDATE gallery_images SET thumb_widths = $3, updated_at = $4 WHERE item_id = $1 AND position = $2")
            .bind(item_id)
            .bind(position)
            .bind(list)
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

    /// Changes after `seq`, plus every change at or after `recent_since` (so that a transaction that
    /// committed late with a lower sequence is still seen): `(seq, item_id)`, in order.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_changes_since(
        &self,
        seq: i64,
        recent_since: UnixMillis,
        limit: i64,
    ) -> Result<Vec<(i64, String)>, DbError> {
        let rows = sqlx::query(
            "SELECT seq, item_id FROM gallery_changes WHERE seq > $1 OR changed_at >= $2 ORDER BY seq LIMIT $3",
        )
        .bind(seq)
        .bind(recent_since)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("seq")?, r.try_get("item_id")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// `(lowest, highest)` sequence in the change log, `None` when empty.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_change_bounds(&self) -> Result<Option<(i64, i64)>, DbError> {
        let row = sqlx::query("SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM gallery_changes")
            .fetch_one(self.pool())
            .await?;
        let lo: Option<i64> = row.try_get("lo")?;
        let hi: Option<i64> = row.try_get("hi")?;
        Ok(lo.zip(hi))
    }

    /// Drops change-log rows older than `before`, keeping the newest row so the sequence is known.
    ///
    /// # Errors
    /// Database errors.
    pub async fn prune_gallery_changes(&self, before: UnixMillis) -> Result<u64, DbError> {
        // In batches: after a bulk import the log holds a row per item, and one huge delete
        // would hold that much in memory (and the write lock) at once.
        const BATCH: i64 = 10_000;
        let mut removed = 0;
        loop {
            let done = sqlx::query(
                "DELETE FROM gallery_changes WHERE seq IN (SELECT seq FROM gallery_changes \
                 WHERE changed_at < $1 AND seq < (SELECT MAX(seq) FROM gallery_changes) \
                 ORDER BY seq LIMIT $2)",
            )
            .bind(before)
            .bind(BATCH)
            .execute(self.pool())
            .await?
            .rows_affected();
            removed += done;
            if i64::try_from(done).unwrap_or(i64::MAX) < BATCH {
                return Ok(removed);
            }
        }
    }

    /// Counts per model, category or aspect, most common first, for filter chips.
    ///
    /// # Errors
    /// Database errors.
    pub async fn gallery_facets(
        &self,
        column: FacetColumn,
        limit: i64,
    ) -> Result<Vec<Facet>, DbError> {
        let col = match column {
            FacetColumn::Model => "model",
            FacetColumn::Aspect => "aspect",
            FacetColumn::Source => "source",
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {col} AS value, COUNT(*) AS n FROM gallery_items GROUP BY {col} ORDER BY n DESC, value LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Facet {
                    value: r.try_get("value")?,
                    count: r.try_get("n")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// A value of the instance's own bookkeeping.
    ///
    /// # Errors
    /// Database errors.
    pub async fn meta(&self, name: &str) -> Result<Option<String>, DbError> {
        Ok(
            sqlx::query("SELECT value FROM instance_meta WHERE name = $1")
                .bind(name)
                .fetch_optional(self.pool())
                .await?
                .map(|r| r.try_get("value"))
                .transpose()?,
        )
    }

    /// Sets a bookkeeping value.
    ///
    /// # Errors
    /// Database errors.
    pub async fn set_meta(&self, name: &str, value: &str) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO instance_meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = $2",
        )
        .bind(name)
        .bind(value)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// Columns that filter chips are built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetColumn {
    /// Model names.
    Model,
    /// Aspect ratios.
    Aspect,
    /// Sources.
    Source,
}

async fn insert_images<'a>(
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

pub(crate) async fn upsert_in(
    tx: &mut Transaction<'static, Any>,
    item: &GalleryItemInput,
    now: UnixMillis,
) -> Result<UpsertOutcome, DbError> {
    let tombstoned = sqlx::query(
        "SELECT 1 AS x FROM gallery_tombstones WHERE source = $1 AND source_post_id = $2",
    )
    .bind(&item.source)
    .bind(&item.source_post_id)
    .fetch_optional(&mut **tx)
    .await?
    .is_some();
    if tombstoned {
        return Ok(UpsertOutcome::Tombstoned);
    }
    let categories = serde_json::to_string(&item.categories).unwrap_or_else(|_| "[]".to_owned());
    let existing: Option<String> =
        sqlx::query("SELECT id FROM gallery_items WHERE source = $1 AND source_post_id = $2")
            .bind(&item.source)
            .bind(&item.source_post_id)
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?;
    let outcome = if let Some(id) = existing {
        sqlx::query(
            "UPDATE gallery_items SET source_url = $2, prompt = $3, model = $4, aspect = $5, categories = $6, \
             author_handle = $7, author_name = $8, author_url = $9, likes = $10, views = $11, posted_at = $12, \
             updated_at = $13 WHERE id = $1",
        )
        .bind(&id)
        .bind(item.source_url.as_deref())
        .bind(&item.prompt)
        .bind(&item.model)
        .bind(&item.aspect)
        .bind(&categories)
        .bind(&item.author_handle)
        .bind(&item.author_name)
        .bind(item.author_url.as_deref())
        .bind(item.likes)
        .bind(item.views)
        .bind(item.posted_at)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        let stored: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM gallery_images WHERE item_id = $1")
                .bind(&id)
                .fetch_one(&mut **tx)
                .await?
                .try_get("n")?;
        let skip = usize::try_from(stored).unwrap_or(0);
        insert_images(tx, &id, item.images.iter().enumerate().skip(skip), now).await?;
        UpsertOutcome::Updated(id)
    } else {
        let id = atelier_core::id::new_id();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO gallery_items ({ITEM_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15, $15)"
        )))
        .bind(&id)
        .bind(&item.source)
        .bind(&item.source_post_id)
        .bind(item.source_url.as_deref())
        .bind(&item.prompt)
        .bind(&item.model)
        .bind(&item.aspect)
        .bind(&categories)
        .bind(&item.author_handle)
        .bind(&item.author_name)
        .bind(item.author_url.as_deref())
        .bind(item.likes)
        .bind(item.views)
        .bind(item.posted_at)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        insert_images(tx, &id, item.images.iter().enumerate(), now).await?;
        UpsertOutcome::Created(id)
    };
    let id = match &outcome {
        UpsertOutcome::Created(id) | UpsertOutcome::Updated(id) => id,
        UpsertOutcome::Tombstoned => return Ok(outcome),
    };
    record_change(tx, id, now).await?;
    Ok(outcome)
}

impl Store {
    /// Refreshes the query planner's statistics of the gallery tables, as after any bulk load
    /// (PostgreSQL's `ANALYZE`, which samples a few pages: about a second at 1M items; nothing
    /// on SQLite). Without statistics — before autovacuum's first pass, or where it is off —
    /// PostgreSQL guessed that the images of a page's 24 items were a tenth of the table and
    /// scanned all of it in parallel: 100 ms per gallery page instead of 0.2 ms.
    ///
    /// # Errors
    /// Database errors.
    pub async fn analyze_gallery(&self) -> Result<(), DbError> {
        if self.kind() == atelier_core::settings::DatabaseKind::Postgres {
            sqlx::query("ANALYZE gallery_items, gallery_images, gallery_tombstones")
                .execute(self.pool())
                .await?;
        }
        Ok(())
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
