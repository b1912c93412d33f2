//! The values callers exchange with the index: documents in, queries in, pages out.

/// Default page size when the caller asks for 0 items.
pub(crate) const DEFAULT_LIMIT: usize = 24;
/// Largest page size; larger requests are clamped.
pub(crate) const MAX_LIMIT: usize = 100;

/// One public gallery item as the index sees it (built by the caller from the database).
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryDoc {
    /// The gallery item's id; the key for replace and delete.
    pub id: String,
    /// The generation prompt, any language; searched and used for snippets.
    pub prompt: String,
    /// The author's handle, with or without a leading `@`; may be empty.
    pub author_handle: String,
    /// The author's display name; may be empty.
    pub author_name: String,
    /// Category names, e.g. `["Photography", "Portrait"]`; searched and filterable.
    pub categories: Vec<String>,
    /// Model key, e.g. `"nanobanana"`, `"midjourney"` (filter, case-insensitive).
    pub model: String,
    /// Aspect ratio, e.g. `"3:4"` (filter).
    pub aspect: String,
    /// Where the item came from: `"x"`, `"import"`, `"demo"` (filter).
    pub source: String,
    /// Milliseconds since the epoch of the source post: the "newest" order and the date filter.
    pub posted_at: i64,
    /// Like count (the "most liked" order and browsing).
    pub likes: i64,
    /// Favorite count (the "most favorited" order).
    pub favorites: i64,
    /// View count. Not indexed yet; kept so callers build one value for every consumer.
    pub views: i64,
}

/// A search request. Every field may come straight from a URL: nothing here can make the
/// search fail except a malformed `cursor`.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// User text, anything at all (quotes, operators, emoji, kilobytes). Empty means browsing.
    pub text: String,
    /// Exact model key (case-insensitive).
    pub model: Option<String>,
    /// Exact aspect ratio, e.g. `"3:4"`.
    pub aspect: Option<String>,
    /// Exact category name (case-insensitive).
    pub category: Option<String>,
    /// Exact source (case-insensitive).
    pub source: Option<String>,
    /// Only items with `posted_at >= from_ms`.
    pub from_ms: Option<i64>,
    /// Only items with `posted_at < to_ms`.
    pub to_ms: Option<i64>,
    /// Result order.
    pub sort: Sort,
    /// Page size, clamped to `1..=100`; 0 means the default (24).
    pub limit: usize,
    /// Opaque cursor from a previous page's [`SearchPage::next_cursor`].
    pub cursor: Option<String>,
    /// A plain offset, for clients that page by offset (MeiGen-compatible routes); ignored when
    /// a cursor is given; capped like cursors.
    pub offset: Option<usize>,
}

impl SearchQuery {
    /// The page size actually used: 0 → 24, otherwise clamped to `1..=100`.
    pub fn effective_limit(&self) -> usize {
        clamp_limit(self.limit)
    }
}

/// Clamps a requested page size (0 → default).
pub(crate) fn clamp_limit(limit: usize) -> usize {
    if limit == 0 {
        DEFAULT_LIMIT
    } else {
        limit.min(MAX_LIMIT)
    }
}

/// Result order.
///
/// With empty text, `Relevance` means browsing: most liked first, then newest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    /// BM25 relevance (prompt ×1, author ×2, categories ×1.5); browsing order without text.
    #[default]
    Relevance,
    /// Newest source post first.
    Newest,
    /// Most likes first, then newest.
    MostLiked,
    /// Most favorites first, then newest.
    MostFavorited,
}

impl Sort {
    /// Parses a sort name from a URL: `relevance`/`relevant`, `newest`/`new`,
    /// `likes`/`most_liked`, `favorites`/`most_favorited` (case-insensitive).
    pub fn parse(s: &str) -> Option<Sort> {
        match s.trim().to_ascii_lowercase().as_str() {
            "relevance" | "relevant" => Some(Sort::Relevance),
            "newest" | "new" => Some(Sort::Newest),
            "likes" | "most_liked" => Some(Sort::MostLiked),
            "favorites" | "most_favorited" => Some(Sort::MostFavorited),
            _ => None,
        }
    }

    /// The canonical name, accepted by [`Sort::parse`].
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::MostLiked => "likes",
            Sort::MostFavorited => "favorites",
        }
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// The hits of this page, in order.
    pub hits: Vec<SearchHit>,
    /// Cursor for the next page; `None` on the last page (or past the paging depth limit).
    pub next_cursor: Option<String>,
    /// Number of matching documents. Exact when `total_exact`; otherwise counting stopped once
    /// it passed [`COUNT_LIMIT`] (paging stops at 10,000 results anyway) and this is that
    /// lower bound — as search engines report "10,000+ results" rather than walk every match.
    pub total: u64,
    /// Whether `total` is the exact count.
    pub total_exact: bool,
}

impl Default for SearchPage {
    /// No results (an exact count of zero).
    fn default() -> Self {
        Self {
            hits: Vec::new(),
            next_cursor: None,
            total: 0,
            total_exact: true,
        }
    }
}

/// Relevance searches count matches up to this many; more is reported as a lower bound.
pub const COUNT_LIMIT: usize = 10_000;

/// One result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The gallery item's id.
    pub id: String,
    /// Relevance for [`Sort::Relevance`] with text, higher is better: `1 + BM25` for documents
    /// matching every term exactly, below 1 for those that needed a typo or prefix match (which
    /// always come after). 0 for the sorted orders and browsing.
    pub score: f32,
    /// The best-matching fragment of the prompt (≈ 200 chars), HTML-escaped, matches wrapped in
    /// `<mark>…</mark>`; when the query has no text, the prompt's beginning, escaped.
    pub snippet_html: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_names_round_trip_and_aliases_parse() {
        for sort in [
            Sort::Relevance,
            Sort::Newest,
            Sort::MostLiked,
            Sort::MostFavorited,
        ] {
            assert_eq!(Sort::parse(sort.as_str()), Some(sort));
        }
        assert_eq!(Sort::parse("most_liked"), Some(Sort::MostLiked));
        assert_eq!(Sort::parse("most_favorited"), Some(Sort::MostFavorited));
        assert_eq!(Sort::parse("new"), Some(Sort::Newest));
        assert_eq!(Sort::parse("Relevant"), Some(Sort::Relevance));
        assert_eq!(Sort::parse("oldest"), None);
        assert_eq!(Sort::parse(""), None);
    }

    #[test]
    fn limits_are_clamped() {
        assert_eq!(clamp_limit(0), DEFAULT_LIMIT);
        assert_eq!(clamp_limit(1), 1);
        assert_eq!(clamp_limit(100), 100);
        assert_eq!(clamp_limit(usize::MAX), MAX_LIMIT);
    }
}
