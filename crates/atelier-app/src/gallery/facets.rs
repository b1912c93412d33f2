//! The gallery's filter chips (G2): the models and aspect ratios the items use, the most common
//! first, counted from the database at most once a minute on each node (a count over every item
//! is too dear for each page view, and a chip a minute late harms nobody).

use crate::{App, AppError};
use atelier_core::clock::MINUTE_MS;
pub use atelier_db::gallery::Facet;
use atelier_db::gallery::FacetColumn;
use std::sync::Arc;

/// How long counted chips are reused.
const FACET_TTL_MS: i64 = MINUTE_MS;
/// Models offered as chips at most.
const MAX_MODELS: i64 = 8;
/// Aspect ratios offered as chips at most.
const MAX_ASPECTS: i64 = 10;

/// The values the gallery can be filtered by.
#[derive(Debug, Default)]
pub struct GalleryFacets {
    /// Models, most common first.
    pub models: Vec<Facet>,
    /// Aspect ratios, most common first.
    pub aspects: Vec<Facet>,
}

/// The last count and when it was made (by the app's clock).
#[derive(Debug, Default)]
pub(crate) struct FacetCache(tokio::sync::Mutex<Option<(i64, Arc<GalleryFacets>)>>);

impl App {
    /// The gallery's filter values, counted at most once a minute per node.
    ///
    /// # Errors
    /// When the database fails; nothing is cached then, so the next call counts again.
    pub async fn gallery_facets(&self) -> Result<Arc<GalleryFacets>, AppError> {
        let mut cached = self.facet_cache().0.lock().await;
        let now = self.now_ms();
        if let Some((at, facets)) = cached.as_ref()
            && now - at < FACET_TTL_MS
        {
            return Ok(Arc::clone(facets));
        }
        let facets = Arc::new(GalleryFacets {
            models: self
                .store()
                .gallery_facets(FacetColumn::Model, MAX_MODELS)
                .await?,
            aspects: self
                .store()
                .gallery_facets(FacetColumn::Aspect, MAX_ASPECTS)
                .await?,
        });
        *cached = Some((now, Arc::clone(&facets)));
        Ok(facets)
    }
}
