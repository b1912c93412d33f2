//! Imports in bulk: one lookup per batch for takedown tombstones and existing posts, then
//! multi-row inserts for the new items, their images and their change-log rows — a handful of
//! statements per few hundred items instead of five per item. After a bulk load the planner's
//! statistics are refreshed here too.

use super::items::upsert_in;
use crate::gallery::{GalleryItemInput, UpsertOutcome};
use crate::store::markers;
use crate::{DbError, Store};
use atelier_core::UnixMillis;
use atelier_core::settings::DatabaseKind;
use sqlx::{Any, Row as _, Transaction};
use std::collections::{HashMap, HashSet};

/// Keys per lookup query.
const LOOKUP_CHUNK: usize = 400;
/// Item rows per multi-row INSERT: 4,000 bound values, well under both databases' limits
/// (32,766 for SQLite, 65,535 for PostgreSQL); fewer, larger statements import PostgreSQL
/// 27 % faster than 50 rows did.
const INSERT_CHUNK: usize = 250;

/// Post ids of `source` among `posts` found in `table` (which has `source_post_id` and, for
/// `id_column`, an id), as post id → id.
async fn lookup(
    tx: &mut Transaction<'static, Any>,
    kind: DatabaseKind,
    table: &str,
    id_column: &str,
    source: &str,
    posts: &[&str],
) -> Result<HashMap<String, String>, sqlx::Error> {
    let mut found = HashMap::new();
    for chunk in posts.chunks(LOOKUP_CHUNK) {
        let sql = match kind {
            DatabaseKind::Sqlite => format!(
                "SELECT source_post_id, {id_column} AS id FROM {table} \
                 WHERE source = ? AND source_post_id IN ({})",
                markers(kind, 1, chunk.len())
            ),
            // One index probe per post id. Asked as `source_post_id IN (…)`, PostgreSQL
            // often scanned every item of the source through the index prefix and compared
            // each with all the listed ids (under a generic plan, and also with custom plans
            // while the table has never been analyzed), which made imports quadratic: 517
            // items/s at 100k items.
            DatabaseKind::Postgres => format!(
                "SELECT v.p AS source_post_id, t.{id_column} AS id FROM (VALUES {}) AS v(p) \
                 JOIN {table} t ON t.source = $1 AND t.source_post_id = v.p",
                (0..chunk.len())
                    .map(|i| format!("(${})", i + 2))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        // Planned for the table as it is now on every run: PostgreSQL connections set
        // `plan_cache_mode = force_custom_plan` (see `Store::connect`).
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(source.to_owned());
        for post in chunk {
            query = query.bind((*post).to_owned());
        }
        for row in query.fetch_all(&mut **tx).await? {
            found.insert(row.try_get("source_post_id")?, row.try_get("id")?);
        }
    }
    Ok(found)
}

/// Upserts a batch inside `tx`. Batches that name the same post twice take the one-by-one path.
pub(crate) async fn upsert_batch(
    tx: &mut Transaction<'static, Any>,
    kind: DatabaseKind,
    items: &[GalleryItemInput],
    now: UnixMillis,
) -> Result<Vec<UpsertOutcome>, DbError> {
    let mut seen = HashSet::new();
    if !items
        .iter()
        .all(|i| seen.insert((i.source.as_str(), i.source_post_id.as_str())))
    {
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            outcomes.push(upsert_in(tx, item, now).await?);
        }
        return Ok(outcomes);
    }
    let mut by_source: HashMap<&str, Vec<&str>> = HashMap::new();
    for item in items {
        by_source
            .entry(item.source.as_str())
            .or_default()
            .push(item.source_post_id.as_str());
    }
    let mut tombstoned: HashSet<(String, String)> = HashSet::new();
    let mut existing: HashSet<(String, String)> = HashSet::new();
    // Authors taken down as a whole: few rows, read once per source.
    let mut authors_gone: HashSet<(String, String)> = HashSet::new();
    for source in by_source.keys() {
        let rows =
            sqlx::query("SELECT author_handle FROM gallery_author_tombstones WHERE source = $1")
                .bind((*source).to_owned())
                .fetch_all(&mut **tx)
                .await?;
        for row in rows {
            authors_gone.insert(((*source).to_owned(), row.try_get("author_handle")?));
        }
    }
    for (source, posts) in &by_source {
        let dead = lookup(
            tx,
            kind,
            "gallery_tombstones",
            "source_post_id",
            source,
            posts,
        )
        .await?;
        tombstoned.extend(dead.into_keys().map(|p| ((*source).to_owned(), p)));
        let live = lookup(tx, kind, "gallery_items", "id", source, posts).await?;
        existing.extend(live.into_keys().map(|p| ((*source).to_owned(), p)));
    }

    let mut outcomes = Vec::with_capacity(items.len());
    let mut fresh: Vec<(String, &GalleryItemInput)> = Vec::new();
    for item in items {
        let key = (item.source.clone(), item.source_post_id.clone());
        let author = (item.source.clone(), item.author_handle.to_lowercase());
        if tombstoned.contains(&key) || authors_gone.contains(&author) {
            outcomes.push(UpsertOutcome::Tombstoned);
        } else if existing.contains(&key) {
            outcomes.push(upsert_in(tx, item, now).await?);
        } else {
            let id = atelier_core::id::new_sortable_id();
            outcomes.push(UpsertOutcome::Created(id.clone()));
            fresh.push((id, item));
        }
    }
    insert_items(tx, kind, &fresh, now).await?;
    insert_images(tx, kind, &fresh, now).await?;
    insert_changes(tx, kind, &fresh, now).await?;
    Ok(outcomes)
}

async fn insert_items(
    tx: &mut Transaction<'static, Any>,
    kind: DatabaseKind,
    fresh: &[(String, &GalleryItemInput)],
    now: UnixMillis,
) -> Result<(), DbError> {
    const COLUMNS: usize = 16;
    for chunk in fresh.chunks(INSERT_CHUNK) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                format!(
                    "({}, 0, {})",
                    markers(kind, r * COLUMNS + 1, 13),
                    markers(kind, r * COLUMNS + 14, 3)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO gallery_items (id, source, source_post_id, source_url, prompt, model, aspect, categories, \
             author_handle, author_name, author_url, likes, views, favorites, posted_at, created_at, updated_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, item) in chunk {
            let categories =
                serde_json::to_string(&item.categories).unwrap_or_else(|_| "[]".to_owned());
            query = query
                .bind(id.clone())
                .bind(item.source.clone())
                .bind(item.source_post_id.clone())
                .bind(item.source_url.clone())
                .bind(item.prompt.clone())
                .bind(item.model.clone())
                .bind(item.aspect.clone())
                .bind(categories)
                .bind(item.author_handle.clone())
                .bind(item.author_name.clone())
                .bind(item.author_url.clone())
                .bind(item.likes)
                .bind(item.views)
                .bind(item.posted_at)
                .bind(now)
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_images(
    tx: &mut Transaction<'static, Any>,
    kind: DatabaseKind,
    fresh: &[(String, &GalleryItemInput)],
    now: UnixMillis,
) -> Result<(), DbError> {
    let images: Vec<(&str, i64, &crate::gallery::GalleryImageInput)> = fresh
        .iter()
        .flat_map(|(id, item)| {
            item.images
                .iter()
                .enumerate()
                .map(move |(p, image)| (id.as_str(), i64::try_from(p).unwrap_or(i64::MAX), image))
        })
        .collect();
    for chunk in images.chunks(INSERT_CHUNK * 2) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                format!(
                    "({}, 'pending', {})",
                    markers(kind, r * 6 + 1, 5),
                    markers(kind, r * 6 + 6, 1)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO gallery_images (item_id, position, width, height, remote_url, status, updated_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, position, image) in chunk {
            query = query
                .bind((*id).to_owned())
                .bind(*position)
                .bind(image.width)
                .bind(image.height)
                .bind(image.remote_url.clone())
                .bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

async fn insert_changes(
    tx: &mut Transaction<'static, Any>,
    kind: DatabaseKind,
    fresh: &[(String, &GalleryItemInput)],
    now: UnixMillis,
) -> Result<(), DbError> {
    for chunk in fresh.chunks(INSERT_CHUNK * 4) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| format!("({})", markers(kind, r * 2 + 1, 2)))
            .collect();
        let sql = format!(
            "INSERT INTO gallery_changes (item_id, changed_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (id, _) in chunk {
            query = query.bind(id.clone()).bind(now);
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
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
}
