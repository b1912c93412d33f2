//! Opaque paging cursors: URL-safe base64 of a tiny JSON `{"o":48,"s":"newest"}`.
//!
//! An offset is enough for a static index (no duplicates, no gaps); the sort name inside lets a
//! cursor from another order be refused instead of silently paging the wrong list. Paging depth
//! is capped at [`MAX_OFFSET`] results: deep pages cost more than they are worth.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::SearchError;

/// Deepest offset a cursor may carry; no `next_cursor` is offered beyond it.
pub(crate) const MAX_OFFSET: usize = 10_000;

/// Longest cursor string accepted (real ones are ~30 chars).
const MAX_CURSOR_LEN: usize = 200;

#[derive(Serialize, Deserialize)]
struct CursorData {
    o: usize,
    s: String,
}

/// Encodes the offset of the next page for the given sort name.
pub(crate) fn encode(offset: usize, sort: &str) -> String {
    let data = CursorData {
        o: offset,
        s: sort.to_owned(),
    };
    // Serializing a struct of a number and a string cannot fail; fall back to an empty object.
    let json = serde_json::to_vec(&data).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor into an offset, checking it belongs to `sort`.
pub(crate) fn decode(cursor: &str, sort: &str) -> Result<usize, SearchError> {
    let cursor = cursor.trim();
    if cursor.is_empty() || cursor.len() > MAX_CURSOR_LEN {
        return Err(SearchError::BadCursor);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim_end_matches('='))
        .map_err(|_| SearchError::BadCursor)?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| SearchError::BadCursor)?;
    if data.s != sort || data.o > MAX_OFFSET {
        return Err(SearchError::BadCursor);
    }
    Ok(data.o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let c = encode(48, "newest");
        assert_eq!(decode(&c, "newest").unwrap(), 48);
        assert!(
            c.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn rejects_garbage_other_sorts_and_deep_offsets() {
        assert!(matches!(decode("", "newest"), Err(SearchError::BadCursor)));
        assert!(matches!(
            decode("!!!", "newest"),
            Err(SearchError::BadCursor)
        ));
        assert!(matches!(
            decode("bm90IGpzb24", "newest"),
            Err(SearchError::BadCursor)
        ));
        let c = encode(24, "likes");
        assert!(matches!(decode(&c, "newest"), Err(SearchError::BadCursor)));
        let deep = encode(MAX_OFFSET + 1, "newest");
        assert!(matches!(
            decode(&deep, "newest"),
            Err(SearchError::BadCursor)
        ));
        let negative = URL_SAFE_NO_PAD.encode(br#"{"o":-1,"s":"newest"}"#);
        assert!(matches!(
            decode(&negative, "newest"),
            Err(SearchError::BadCursor)
        ));
        assert!(matches!(
            decode(&"A".repeat(5000), "newest"),
            Err(SearchError::BadCursor)
        ));
    }
}
