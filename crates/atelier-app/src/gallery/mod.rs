//! The public gallery: importing, images and their sizes, the search index, browsing, and the
//! demo gallery.

pub mod browse;
pub mod demo;
pub mod facets;
pub mod fetch;
pub mod images;
pub mod import;
pub mod import_url;
pub mod index;
pub mod sizes;
