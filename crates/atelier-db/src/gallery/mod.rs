//! Rows of the public gallery: items, their images, takedown tombstones, and the change log from
//! which every node keeps its search index current, one module each; filter-chip counts and bulk
//! imports beside them.

mod batch;
mod changes;
mod facets;
mod images;
mod items;
mod takedown;

pub use facets::{Facet, FacetColumn};
pub use images::{GalleryImageInput, GalleryImageRow, StoredGalleryImage};
pub use items::{GalleryItemInput, GalleryItemRow, UpsertOutcome};
