//! Keeping this node's search index in step with the database. The index is a derived cache: it
//! is rebuilt when missing, stale or of another schema, and otherwise follows the gallery's change
//! log, so items imported by another process or node appear within seconds and removed items
//! disappear.

use crate::{App, AppError};
use atelier_db::gallery::GalleryItemRow;
use atelier_search::GalleryDoc;
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Changes this recent are read again on every poll, so that a transaction that committed after
/// a later-numbered one is not missed.
const RECENT_WINDOW_MS: i64 = 15_000;
/// Changes read per round.
const CHANGES_PER_ROUND: i64 = 5_000;
/// Items loaded per round of a full rebuild.
const REBUILD_PAGE: i64 = 5_000;

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Whether the index was rebuilt from scratch.
    pub rebuilt: bool,
    /// Documents added or replaced.
    pub upserted: u64,
    /// Documents removed.
    pub removed: u64,
}

/// The search document of an item, or `None` while it has no stored image to show.
#[must_use]
pub fn to_doc(item: &GalleryItemRow) -> Option<GalleryDoc> {
    item.images
        .iter()
        .any(|i| i.is_ready())
        .then(|| GalleryDoc {
            id: item.id.clone(),
            prompt: item.prompt.clone(),
            author_handle: item.author_handle.clone(),
            author_name: item.author_name.clone(),
            categories: item.categories.clone(),
            model: item.model.clone(),
            aspect: item.aspect.clone(),
            source: item.source.clone(),
            posted_at: item.posted_at,
            likes: item.likes,
            favorites: item.favorites,
            views: item.views,
        })
}

/// Sequence numbers already applied from the recent window, so that re-reading it is cheap.
#[derive(Debug, Default)]
pub struct SyncState {
    applied_recent: HashSet<i64>,
}

impl App {
    /// Brings the index up to date with the database: a full rebuild when the index is new,
    /// stale (the change log was pruned past its watermark) or empty while the gallery is not;
    /// otherwise the changes since its watermark.
    ///
    /// # Errors
    /// [`AppError::Unavailable`] without an index; database or index errors.
    pub async fn sync_search_index(&self) -> Result<SyncReport, AppError> {
        let index = self.search()?.clone();
        let mut state = self.sync_state().lock().await;
        let bounds = self.store().gallery_change_bounds().await?;
        let watermark = index.watermark();
        let stale = match (watermark, bounds) {
            (None, _) => true,
            (Some(w), Some((lo, _))) => lo > w.saturating_add(1),
            (Some(_), None) => false,
        };
        let empty_but_should_not_be =
            index.doc_count() == 0 && self.store().gallery_count().await? > 0;
        if stale || empty_but_should_not_be {
            state.applied_recent.clear();
            return self.rebuild_index(bounds.map_or(0, |(_, hi)| hi)).await;
        }
        let mut report = SyncReport::default();
        let mut watermark = watermark.unwrap_or(0);
        loop {
            let recent_since = self.now_ms() - RECENT_WINDOW_MS;
            let changes = self
                .store()
                .gallery_changes_since(watermark, recent_since, CHANGES_PER_ROUND)
                .await?;
            let fresh: Vec<&(i64, String)> = changes
                .iter()
                .filter(|(seq, _)| !state.applied_recent.contains(seq))
                .collect();
            let ids: BTreeSet<String> = fresh.iter().map(|(_, id)| id.clone()).collect();
            if !ids.is_empty() {
                let ids: Vec<String> = ids.into_iter().collect();
                let items = self.store().gallery_items(&ids).await?;
                let docs: Vec<GalleryDoc> = items.iter().filter_map(to_doc).collect();
                let keep: HashSet<&str> = docs.iter().map(|d| d.id.as_str()).collect();
                let gone: Vec<String> = ids
                    .iter()
                    .filter(|id| !keep.contains(id.as_str()))
                    .cloned()
                    .collect();
                report.upserted += docs.len() as u64;
                report.removed += gone.len() as u64;
                let idx = index.clone();
                tokio::task::spawn_blocking(move || -> Result<(), atelier_search::SearchError> {
                    if !docs.is_empty() {
                        idx.upsert(&docs)?;
                    }
                    if !gone.is_empty() {
                        idx.delete(&gone)?;
                    }
                    Ok(())
                })
                .await
                .map_err(|e| AppError::Unavailable(format!("index task: {e}")))??;
            }
            for (seq, _) in &fresh {
                state.applied_recent.insert(*seq);
            }
            let max_seq = changes.iter().map(|(s, _)| *s).max().unwrap_or(watermark);
            if max_seq > watermark {
                watermark = max_seq;
                index.set_watermark(watermark)?;
            }
            if i64::try_from(changes.len()).unwrap_or(i64::MAX) < CHANGES_PER_ROUND {
                break;
            }
        }
        // Forget applied sequence numbers once they fall out of the recent window and below the
        // watermark: they will not be read again.
        if state.applied_recent.len() > 50_000 {
            state.applied_recent.retain(|s| *s > watermark - 50_000);
        }
        Ok(report)
    }

    async fn rebuild_index(&self, up_to_seq: i64) -> Result<SyncReport, AppError> {
        let index = self.search()?.clone();
        let started = std::time::Instant::now();
        let idx = index.clone();
        tokio::task::spawn_blocking(move || idx.clear())
            .await
            .map_err(|e| AppError::Unavailable(format!("index task: {e}")))??;
        // The database is read page by page while the index takes the documents on a blocking
        // thread, in one bulk with one commit: reading and indexing overlap, and no merges of
        // page-sized segments pile up.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<GalleryDoc>>(2);
        let idx = index.clone();
        let indexing = tokio::task::spawn_blocking(move || {
            idx.bulk_upsert(std::iter::from_fn(move || rx.blocking_recv()).flatten())
        });
        let mut after = String::new();
        let read = async {
            loop {
                let items = self
                    .store()
                    .gallery_items_after(&after, REBUILD_PAGE)
                    .await?;
                let Some(last) = items.last() else { break };
                after = last.id.clone();
                let docs: Vec<GalleryDoc> = items.iter().filter_map(to_doc).collect();
                if tx.send(docs).await.is_err() {
                    break; // the indexing side failed; its error is reported below
                }
            }
            drop(tx);
            Ok::<(), AppError>(())
        };
        let read_result = read.await;
        let upserted = indexing
            .await
            .map_err(|e| AppError::Unavailable(format!("index task: {e}")))??;
        read_result?;
        // A small rebuild is not compacted by the bulk itself: merge its segments now.
        let idx = index.clone();
        tokio::task::spawn_blocking(move || idx.compact())
            .await
            .map_err(|e| AppError::Unavailable(format!("index task: {e}")))??;
        index.set_watermark(up_to_seq)?;
        tracing::info!(
            documents = upserted,
            ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "search index rebuilt"
        );
        Ok(SyncReport {
            rebuilt: true,
            upserted,
            removed: 0,
        })
    }

    /// Keeps the index in step every `every` until `shutdown`.
    pub async fn run_index_sync(self, every: Duration, shutdown: CancellationToken) {
        loop {
            if let Err(e) = self.sync_search_index().await {
                tracing::warn!(error = %e, "search index sync failed");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(every) => {}
            }
        }
    }
}
