//! The crate's one error type.
//!
//! Policy: user input (query text, filters, limits) never produces an error — odd input gives
//! results or an empty page. The only input-derived error is a cursor that does not decode,
//! [`SearchError::BadCursor`], which the web layer maps to 400. Everything else is an I/O or
//! index failure, reported as text so that tantivy's types do not leak into callers.

/// What can go wrong with the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The cursor did not come from a previous page of the same sort (or was tampered with).
    #[error("malformed cursor")]
    BadCursor,
    /// The index could not be opened, read or written.
    #[error("search index: {0}")]
    Index(String),
}

impl From<tantivy::TantivyError> for SearchError {
    fn from(err: tantivy::TantivyError) -> Self {
        SearchError::Index(err.to_string())
    }
}

impl From<std::io::Error> for SearchError {
    fn from(err: std::io::Error) -> Self {
        SearchError::Index(err.to_string())
    }
}

impl From<tantivy::directory::error::OpenDirectoryError> for SearchError {
    fn from(err: tantivy::directory::error::OpenDirectoryError) -> Self {
        SearchError::Index(err.to_string())
    }
}
