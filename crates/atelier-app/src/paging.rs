//! Keyset pagination over `(created_at, id)`: the cursor a list returns is the position of its
//! last row, and the next page starts after it.

use crate::AppError;

/// The cursor of a row.
#[must_use]
pub fn encode(created_at: i64, id: &str) -> String {
    format!("{created_at}.{id}")
}

/// The position a cursor names.
///
/// # Errors
/// [`AppError::BadRequest`] `invalid_cursor` when it does not decode.
pub fn decode(cursor: Option<&str>) -> Result<Option<(i64, &str)>, AppError> {
    cursor
        .map(|c| {
            c.split_once('.')
                .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id)))
                .filter(|(_, id)| !id.is_empty())
                .ok_or_else(|| {
                    AppError::bad_request(crate::Refusal::InvalidCursor, "The cursor is not valid.")
                })
        })
        .transpose()
}

/// Trims the look-ahead row of a page fetched with `limit + 1` and returns the next cursor.
pub fn split_page<T>(
    rows: &mut Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> (i64, &str),
) -> Option<String> {
    if rows.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
        rows.pop();
        rows.last().map(|r| {
            let (at, id) = key(r);
            encode(at, id)
        })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        assert_eq!(decode(Some(&encode(5, "a.b"))).unwrap(), Some((5, "a.b")));
        assert!(decode(Some("junk")).is_err());
        assert!(decode(Some("5.")).is_err());
        assert_eq!(decode(None).unwrap(), None);
        let mut rows = vec![(1, "a"), (2, "b"), (3, "c")];
        assert_eq!(split_page(&mut rows, 2, |r| *r), Some("2.b".to_owned()));
        assert_eq!(rows.len(), 2);
    }
}
