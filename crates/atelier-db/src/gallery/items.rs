//! Gallery items: the rows themselves, read by id (with their images) or in id order for index
//! rebuilds, counted, and added or updated by `(source, source_post_id)`. An upsert refuses posts
//! under a takedown tombstone (C7) and logs each change for the search index.

use super::changes::record_change;
use super::images::{GalleryImageInput, GalleryImageRow, insert_images};
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
        let outcomes = super::batch::upsert_batch(&mut tx, self.kind(), items, now).await;
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
    let author_gone = sqlx::query(
        "SELECT 1 AS x FROM gallery_author_tombstones WHERE source = $1 AND author_handle = $2",
    )
    .bind(&item.source)
    .bind(item.author_handle.to_lowercase())
    .fetch_optional(&mut **tx)
    .await?
    .is_some();
    if tombstoned || author_gone {
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
