//! `atelier import URL`: the import file is downloaded with the guards every download has
//! ([`Fetcher`]: http(s) only, public addresses only unless `fetch.allow_private_addresses`,
//! `fetch.import_max_bytes`, `fetch.import_timeout_secs`) and checked to be JSON from its first
//! bytes, streamed into a sink (a temporary file) so that the import starts only from a
//! complete file: a failed download imports nothing.

use super::fetch::{FetchError, Fetcher};
use atelier_core::settings::FetchSettings;
use std::time::Duration;

/// Whether `source` names a URL rather than a file: it has a scheme (`https://…`, `ftp://…`).
#[must_use]
pub fn is_url(source: &str) -> bool {
    source.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Downloads the import file at `url` into `sink`; `progress` learns the bytes so far and the
/// announced total. Returns the bytes written.
///
/// # Errors
/// [`FetchError::Refused`] for a URL that is not http(s) or not public, [`FetchError::TooLarge`],
/// [`FetchError::Status`], [`FetchError::Network`] (also when time runs out), and
/// [`FetchError::Content`] when the body does not start like JSON (an array or JSON lines).
pub async fn download_import_file<W>(
    settings: &FetchSettings,
    url: &str,
    sink: &mut W,
    mut progress: impl FnMut(u64, Option<u64>),
) -> Result<u64, FetchError>
where
    W: tokio::io::AsyncWrite + Unpin,
{
    let max_bytes = usize::try_from(settings.import_max_bytes).unwrap_or(usize::MAX);
    let fetcher = Fetcher::new(
        Duration::from_secs(settings.import_timeout_secs),
        max_bytes,
        settings.allow_private_addresses,
    )?;
    let total = std::cell::Cell::new(None);
    let mut so_far = 0u64;
    let mut checked = false;
    let written = fetcher
        .download(
            url,
            sink,
            |length| total.set(length),
            |chunk| {
                if !checked {
                    match first_byte(chunk) {
                        Some(b'[' | b'{') => checked = true,
                        Some(_) => return Err(not_json(chunk)),
                        None => {} // only whitespace so far
                    }
                }
                so_far += chunk.len() as u64;
                progress(so_far, total.get());
                Ok(())
            },
        )
        .await?;
    if !checked {
        return Err(FetchError::Content("the file is empty".to_owned()));
    }
    Ok(written)
}

/// The first byte that is not whitespace or a byte-order mark.
fn first_byte(chunk: &[u8]) -> Option<u8> {
    let chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
    chunk.iter().copied().find(|b| !b.is_ascii_whitespace())
}

fn not_json(chunk: &[u8]) -> FetchError {
    let start = String::from_utf8_lossy(&chunk[..chunk.len().min(200)]).to_lowercase();
    if start.contains("<html") || start.contains("<!doctype") {
        FetchError::Content("not JSON: the server sent a web page".to_owned())
    } else {
        FetchError::Content("not JSON: expected a JSON array or JSON lines".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_told_from_files() {
        for url in [
            "https://example.com/p.json",
            "http://example.com/p.jsonl",
            "ftp://example.com/p.json",
            "file:///tmp/p.json",
        ] {
            assert!(is_url(url), "{url}");
        }
        for file in [
            "posts.json",
            "./data/posts.jsonl",
            "/tmp/a://b.json",
            "://x",
        ] {
            assert!(!is_url(file), "{file}");
        }
    }

    #[test]
    fn the_first_bytes_must_start_json() {
        assert_eq!(first_byte(b"\xEF\xBB\xBF \n[{}]"), Some(b'['));
        assert_eq!(first_byte(b"  \n"), None);
        assert!(matches!(
            not_json(b"<!DOCTYPE html><html>"),
            FetchError::Content(m) if m.contains("web page")
        ));
    }
}
