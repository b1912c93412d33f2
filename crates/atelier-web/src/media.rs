//! Answering with a stored blob: validators (`ETag`, `Last-Modified`, 304), single byte ranges
//! (206/416), streaming bodies, and the caller's `Cache-Control` — shared by every image route.

use crate::ApiError;
use atelier_media::{BlobKey, BlobStore, StorageError};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::hash::{Hash as _, Hasher as _};
use std::time::{Duration, UNIX_EPOCH};

/// A byte range asked for by `Range`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RangeRequest {
    /// No (usable) range: send everything.
    Whole,
    /// `start..end` (end exclusive).
    Part(u64, u64),
    /// Cannot be satisfied.
    Unsatisfiable,
}

/// Parses one `bytes=` range against a blob of `size` bytes. Several ranges, or units other than
/// bytes, are answered with the whole body, as RFC 9110 allows.
fn parse_range(value: Option<&str>, size: u64) -> RangeRequest {
    let Some(spec) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return RangeRequest::Whole;
    };
    if spec.contains(',') {
        return RangeRequest::Whole;
    }
    let Some((start, end)) = spec.trim().split_once('-') else {
        return RangeRequest::Unsatisfiable;
    };
    let (start, end) = (start.trim(), end.trim());
    let range = match (start.is_empty(), end.is_empty()) {
        (true, true) => return RangeRequest::Unsatisfiable,
        (true, false) => {
            let Ok(suffix) = end.parse::<u64>() else {
                return RangeRequest::Unsatisfiable;
            };
            if suffix == 0 {
                return RangeRequest::Unsatisfiable;
            }
            (size.saturating_sub(suffix), size)
        }
        (false, _) => {
            let Ok(first) = start.parse::<u64>() else {
                return RangeRequest::Unsatisfiable;
            };
            let last = if end.is_empty() {
                size.saturating_sub(1)
            } else {
                match end.parse::<u64>() {
                    Ok(l) if l >= first => l.min(size.saturating_sub(1)),
                    _ => return RangeRequest::Unsatisfiable,
                }
            };
            (first, last + 1)
        }
    };
    if range.0 >= size || range.0 >= range.1 {
        RangeRequest::Unsatisfiable
    } else {
        RangeRequest::Part(range.0, range.1)
    }
}

fn http_date(ms: i64) -> String {
    let secs = u64::try_from(ms.max(0) / 1000).unwrap_or(0);
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(secs))
}

fn etag_of(key: &BlobKey, size: u64, modified_ms: i64) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.as_str().hash(&mut hasher);
    size.hash(&mut hasher);
    modified_ms.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

fn not_modified(req: &HeaderMap, etag: &str, modified_ms: i64) -> bool {
    if let Some(inm) = req.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        return inm.split(',').any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag
        });
    }
    req.get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
        .and_then(|since| since.duration_since(UNIX_EPOCH).ok())
        .is_some_and(|since| {
            i64::try_from(since.as_secs()).unwrap_or(i64::MAX) >= modified_ms / 1000
        })
}

/// Answers a GET for `key` with `content_type` and `cache_control`, honouring conditional and
/// range requests.
///
/// # Errors
/// 404 when the blob is gone; 500 for storage failures.
pub async fn blob_response(
    blobs: &BlobStore,
    key: &BlobKey,
    content_type: &str,
    cache_control: &'static str,
    request: &HeaderMap,
) -> Result<Response, ApiError> {
    let meta = blobs.head(key).await.map_err(storage_error)?;
    let etag = etag_of(key, meta.size, meta.last_modified_ms);
    let last_modified = http_date(meta.last_modified_ms);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&last_modified) {
        headers.insert(header::LAST_MODIFIED, v);
    }
    if not_modified(request, &etag, meta.last_modified_ms) {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let range = parse_range(
        request.get(header::RANGE).and_then(|v| v.to_str().ok()),
        meta.size,
    );
    match range {
        RangeRequest::Whole => {
            let (_, stream) = blobs.get_stream(key).await.map_err(storage_error)?;
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(meta.size));
            Ok((StatusCode::OK, headers, Body::from_stream(stream)).into_response())
        }
        RangeRequest::Part(start, end) => {
            let bytes = blobs
                .get_range(key, start..end)
                .await
                .map_err(storage_error)?;
            if let Ok(v) =
                HeaderValue::from_str(&format!("bytes {start}-{}/{}", end - 1, meta.size))
            {
                headers.insert(header::CONTENT_RANGE, v);
            }
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(end - start));
            Ok((StatusCode::PARTIAL_CONTENT, headers, bytes).into_response())
        }
        RangeRequest::Unsatisfiable => {
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{}", meta.size)) {
                headers.insert(header::CONTENT_RANGE, v);
            }
            headers.remove(header::CONTENT_TYPE);
            Ok((StatusCode::RANGE_NOT_SATISFIABLE, headers).into_response())
        }
    }
}

fn storage_error(err: StorageError) -> ApiError {
    match err {
        StorageError::NotFound => ApiError::not_found(),
        other => ApiError::from(atelier_app::AppError::Storage(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(parse_range(None, 100), RangeRequest::Whole);
        assert_eq!(
            parse_range(Some("bytes=0-9"), 100),
            RangeRequest::Part(0, 10)
        );
        assert_eq!(
            parse_range(Some("bytes=90-"), 100),
            RangeRequest::Part(90, 100)
        );
        assert_eq!(
            parse_range(Some("bytes=-10"), 100),
            RangeRequest::Part(90, 100)
        );
        assert_eq!(
            parse_range(Some("bytes=95-200"), 100),
            RangeRequest::Part(95, 100)
        );
        assert_eq!(
            parse_range(Some("bytes=100-"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=9-3"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=x-3"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(
            parse_range(Some("bytes=-0"), 100),
            RangeRequest::Unsatisfiable
        );
        assert_eq!(parse_range(Some("bytes=0-1,5-6"), 100), RangeRequest::Whole);
        assert_eq!(parse_range(Some("items=0-1"), 100), RangeRequest::Whole);
    }
}
