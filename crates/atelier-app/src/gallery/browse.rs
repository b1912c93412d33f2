//! Browsing and searching the public gallery (G1, G2).

use crate::{App, AppError};
use atelier_db::gallery::GalleryItemRow;
use atelier_search::{SearchError, SearchQuery};
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

/// An item on a gallery page, with the highlighted fragment of its prompt.
#[derive(Debug, Clone)]
pub struct GalleryCard {
    /// The item.
    pub item: GalleryItemRow,
    /// HTML-escaped prompt fragment with `<mark>` around matches.
    pub snippet_html: String,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct GalleryPage {
    /// The items.
    pub cards: Vec<GalleryCard>,
    /// Opaque cursor of the next page; `None` on the last.
    pub next_cursor: Option<String>,
    /// Matching items in all: exact when `total_exact`, else a lower bound (counting stops
    /// past [`atelier_search::COUNT_LIMIT`] matches).
    pub total: u64,
    /// Whether `total` is exact.
    pub total_exact: bool,
}

/// Gallery pages already answered (the home page and popular searches are asked for again and
/// again), valid while neither the search index nor this node's gallery rows change. A page
/// holds the index's answer and the items' rows, so it is filed under a [`Stamp`] of both:
/// - the index generation, which every change to an item (import, takedown, favorite, image
///   ready, from any node) makes new once the index applies it from the change log;
/// - this node's count of gallery writes, which changes the moment this node writes a row,
///   before the index has caught up: a user who hearts an item sees its new count at once.
///
/// A page is thus never older than the index it came from, and rows written here never wait
/// for the index; rows written on another node show once this node's index applies them,
/// within seconds, like the items themselves.
#[derive(Debug, Default)]
pub(crate) struct PageCache {
    inner: Mutex<PageCacheInner>,
}

/// What a cached page was computed under.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    generation: u64,
    writes: u64,
}

impl Stamp {
    /// Whether `self` is older than `other` in either part.
    fn before(self, other: Self) -> bool {
        self.generation < other.generation || self.writes < other.writes
    }
}

#[derive(Debug)]
struct PageCacheInner {
    stamp: Stamp,
    /// Full: the least recently asked page makes room.
    pages: LruCache<String, Arc<GalleryPage>>,
}

impl Default for PageCacheInner {
    fn default() -> Self {
        Self {
            stamp: Stamp::default(),
            pages: LruCache::unbounded(),
        }
    }
}

impl PageCache {
    fn get(&self, stamp: Stamp, key: &str) -> Option<Arc<GalleryPage>> {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.stamp != stamp {
            return None;
        }
        inner.pages.get(key).cloned()
    }

    fn put(&self, stamp: Stamp, key: String, page: Arc<GalleryPage>, capacity: usize) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if stamp.before(inner.stamp) {
            return;
        }
        // Something changed: start over (the popular pages come straight back).
        if stamp != inner.stamp {
            inner.stamp = stamp;
            inner.pages.clear();
        }
        if let Some(capacity) = NonZeroUsize::new(capacity)
            && inner.pages.cap() != capacity
        {
            inner.pages.resize(capacity);
        }
        inner.pages.put(key, page);
    }
}

impl From<SearchError> for AppError {
    fn from(err: SearchError) -> Self {
        match err {
            SearchError::BadCursor => Self::bad_request(
                crate::Refusal::InvalidCursor,
                "The cursor is not one this server gave out.",
            ),
            other => Self::Search(other.to_string()),
        }
    }
}

impl App {
    /// Searches (or, with no text, browses) the gallery.
    ///
    /// # Errors
    /// [`AppError::BadRequest`] for a malformed cursor; index or database errors.
    pub async fn browse_gallery(&self, query: SearchQuery) -> Result<GalleryPage, AppError> {
        let index = self.search()?;
        let capacity = self.settings().http.gallery_cache_pages;
        if capacity == 0 {
            return self.browse_uncached(query).await;
        }
        // Read before searching and reading rows: a page computed from newer state is then at
        // worst filed under an older stamp, which no later request asks for.
        let stamp = Stamp {
            generation: index.generation(),
            writes: self.store().gallery_writes(),
        };
        let key = format!("{query:?}");
        if let Some(page) = self.page_cache().get(stamp, &key) {
            return Ok(page.as_ref().clone());
        }
        let page = self.browse_uncached(query).await?;
        self.page_cache()
            .put(stamp, key, Arc::new(page.clone()), capacity);
        Ok(page)
    }

    async fn browse_uncached(&self, query: SearchQuery) -> Result<GalleryPage, AppError> {
        let index = self.search()?.clone();
        let page = tokio::task::spawn_blocking(move || index.search(&query))
            .await
            .map_err(|e| AppError::Unavailable(format!("search task: {e}")))??;
        let ids: Vec<String> = page.hits.iter().map(|h| h.id.clone()).collect();
        let mut items = self.store().gallery_items(&ids).await?;
        let mut cards = Vec::with_capacity(items.len());
        for hit in page.hits {
            if let Some(pos) = items.iter().position(|i| i.id == hit.id) {
                cards.push(GalleryCard {
                    item: items.swap_remove(pos),
                    snippet_html: hit.snippet_html,
                });
            }
        }
        Ok(GalleryPage {
            cards,
            next_cursor: page.next_cursor,
            total: page.total,
            total_exact: page.total_exact,
        })
    }

    /// One item and up to `related` items like it.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for unknown ids.
    pub async fn gallery_detail(
        &self,
        id: &str,
        related: usize,
    ) -> Result<(GalleryItemRow, Vec<GalleryItemRow>), AppError> {
        let item = self.store().gallery_item(id).await?;
        if !item
            .images
            .iter()
            .any(atelier_db::gallery::GalleryImageRow::is_ready)
        {
            return Err(AppError::NotFound);
        }
        let related_ids = match self.search() {
            Ok(index) => {
                let index = index.clone();
                let id = id.to_owned();
                tokio::task::spawn_blocking(move || index.related(&id, related))
                    .await
                    .map_err(|e| AppError::Unavailable(format!("search task: {e}")))??
            }
            Err(_) => Vec::new(),
        };
        let related = self.store().gallery_items(&related_ids).await?;
        Ok((item, related))
    }
}

impl App {
    /// Takes an item down at its creator's request (C7): its rows go, a tombstone keeps it from
    /// ever being imported again, every stored image and thumbnail is deleted, and the search
    /// index drops it at once on this node (other nodes within seconds, from the change log).
    /// Returns whether the item existed.
    ///
    /// # Errors
    /// Database, storage or index errors.
    pub async fn take_down_gallery_item(&self, id: &str) -> Result<bool, AppError> {
        let positions: Vec<i64> = match self.store().gallery_item(id).await {
            Ok(item) => item.images.iter().map(|i| i.position).collect(),
            Err(_) => Vec::new(),
        };
        let existed = self
            .store()
            .take_down_gallery_item(id, self.now_ms())
            .await?;
        self.blobs()
            .delete_prefix(&atelier_media::BlobKey::gallery_item_prefix(id))
            .await?;
        if existed && self.search().is_ok() {
            self.sync_search_index().await?;
        }
        let paths: Vec<String> = positions
            .into_iter()
            .flat_map(|position| crate::image_urls::every_gallery_variant(id, position))
            .collect();
        self.queue_cdn_purge(&paths).await?;
        Ok(existed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(total: u64) -> Arc<GalleryPage> {
        Arc::new(GalleryPage {
            cards: Vec::new(),
            next_cursor: None,
            total,
            total_exact: true,
        })
    }

    fn stamp(generation: u64, writes: u64) -> Stamp {
        Stamp { generation, writes }
    }

    #[test]
    fn pages_live_while_the_stamp_lasts() {
        let cache = PageCache::default();
        cache.put(stamp(3, 7), "home".into(), page(1), 4);
        assert_eq!(cache.get(stamp(3, 7), "home").map(|p| p.total), Some(1));
        assert!(cache.get(stamp(3, 8), "home").is_none(), "a local write");
        assert!(
            cache.get(stamp(4, 7), "home").is_none(),
            "a new index generation"
        );
        // A page computed under an older stamp is not filed over newer ones.
        cache.put(stamp(4, 8), "home".into(), page(2), 4);
        cache.put(stamp(4, 7), "search".into(), page(3), 4);
        assert!(cache.get(stamp(4, 7), "search").is_none());
        assert!(cache.get(stamp(4, 8), "search").is_none());
        assert_eq!(cache.get(stamp(4, 8), "home").map(|p| p.total), Some(2));
    }

    #[test]
    fn a_full_cache_drops_the_least_recently_asked_page() {
        let cache = PageCache::default();
        let now = stamp(1, 0);
        for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
            cache.put(now, key.into(), page(i as u64), 3);
        }
        assert!(cache.get(now, "a").is_some());
        cache.put(now, "d".into(), page(9), 3);
        assert!(
            cache.get(now, "b").is_none(),
            "b was the least recently asked"
        );
        for key in ["a", "c", "d"] {
            assert!(cache.get(now, key).is_some(), "{key}");
        }
    }
}
