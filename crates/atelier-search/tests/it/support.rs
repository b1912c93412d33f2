//! Builders shared by the tests.

use atelier_search::{GalleryDoc, SearchIndex, SearchPage, SearchQuery};

/// 2024-01-01T00:00:00Z in milliseconds.
pub const T0: i64 = 1_704_067_200_000;
pub const DAY: i64 = 86_400_000;

/// A document with neutral defaults.
pub fn doc(id: &str, prompt: &str) -> GalleryDoc {
    GalleryDoc {
        id: id.to_owned(),
        prompt: prompt.to_owned(),
        author_handle: String::new(),
        author_name: String::new(),
        categories: Vec::new(),
        model: "nanobanana".to_owned(),
        aspect: "1:1".to_owned(),
        source: "demo".to_owned(),
        posted_at: T0,
        likes: 0,
        favorites: 0,
        views: 0,
    }
}

/// An in-memory index holding `docs`.
pub fn index_with(docs: &[GalleryDoc]) -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    index.upsert(docs).unwrap();
    index
}

/// A query for `text` with defaults.
pub fn text(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        ..SearchQuery::default()
    }
}

/// The ids of a page, in order.
pub fn ids(page: &SearchPage) -> Vec<String> {
    page.hits.iter().map(|h| h.id.clone()).collect()
}

/// The ids found for `q`.
pub fn find(index: &SearchIndex, q: &SearchQuery) -> Vec<String> {
    ids(&index.search(q).unwrap())
}

/// The ids found for plain text.
pub fn find_text(index: &SearchIndex, t: &str) -> Vec<String> {
    find(index, &text(t))
}
