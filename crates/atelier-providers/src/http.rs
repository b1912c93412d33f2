//! HTTP machinery the remote providers share: sending with in-place retries that honour the
//! provider's rate-limit headers, reading bodies under a size limit, and downloading outputs.
//!
//! In-place retries: a request is sent again when the provider's answer classifies as
//! [`ProviderError::RateLimited`] or [`ProviderError::Unavailable`] (429, 408, 5xx) or the
//! connection was refused (nothing was sent). The wait is what the answer asked for
//! (`retry-after-ms`, `retry-after`, `x-ratelimit-reset-*`), else exponential backoff from the
//! initial backoff with equal jitter. A wait longer than the policy's `max_wait` is not slept
//! here: the error goes back at once, carrying the wait, for the job to schedule. Timeouts are not
//! retried in place: the provider may still be working (and billing) on the first request.

use std::hash::BuildHasher;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::HeaderMap;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use url::Url;

use crate::image_check::decode_data_uri;
use crate::{GeneratedImage, ProviderError};

/// The most of an error answer read.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// The longest backoff computed, before jitter.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The longest description of a transport error kept.
const MAX_DESCRIPTION_CHARS: usize = 200;

/// How a request is retried in place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff when the provider names no wait; doubled on each retry.
    pub initial_backoff: Duration,
    /// The longest wait slept in place.
    pub max_wait: Duration,
}

/// Sends the request `build` makes, retrying as the module comment says, and returns the first
/// successful (2xx) response with its body unread. `classify` turns any other answer into an
/// error; `provider` names the provider in logs.
pub(crate) async fn send_with_retries<B, C>(
    provider: &'static str,
    policy: RetryPolicy,
    build: B,
    classify: C,
) -> Result<Response, ProviderError>
where
    B: Fn() -> Result<RequestBuilder, ProviderError>,
    C: Fn(StatusCode, &[u8]) -> ProviderError,
{
    let mut attempt: u32 = 0;
    loop {
        let (error, hint) = match build()?.send().await {
            Ok(response) if response.status().is_success() => return Ok(response),
            Ok(response) => {
                let status = response.status();
                let hint = rate_limit_wait(response.headers());
                let body = read_limited(response, ERROR_BODY_LIMIT)
                    .await
                    .unwrap_or_default();
                let error = classify(status, &body);
                tracing::debug!(
                    provider,
                    status = status.as_u16(),
                    attempt,
                    code = error.code(),
                    "provider answered with an error"
                );
                (error, hint)
            }
            Err(e) if e.is_timeout() => return Err(ProviderError::Timeout),
            Err(e) if e.is_connect() => (
                ProviderError::Unavailable(format!("cannot connect: {}", describe(&e))),
                None,
            ),
            Err(e) => return Err(ProviderError::Unavailable(describe(&e))),
        };
        if !matches!(
            error,
            ProviderError::RateLimited { .. } | ProviderError::Unavailable(_)
        ) {
            return Err(error);
        }
        let wait = hint.unwrap_or_else(|| backoff(policy.initial_backoff, attempt));
        if attempt >= policy.max_retries {
            return Err(with_retry_after(error, hint));
        }
        if wait > policy.max_wait {
            return Err(with_retry_after(error, Some(wait)));
        }
        tracing::debug!(
            provider,
            attempt,
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "retrying provider request"
        );
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// `error` with the provider's requested wait attached, when it is a rate limit.
fn with_retry_after(error: ProviderError, wait: Option<Duration>) -> ProviderError {
    match error {
        ProviderError::RateLimited { retry_after } => ProviderError::RateLimited {
            retry_after: wait.or(retry_after),
        },
        other => other,
    }
}

/// Exponential backoff with equal jitter: half of `initial × 2^attempt` (capped at a minute)
/// plus a random part of the other half.
pub(crate) fn backoff(initial: Duration, attempt: u32) -> Duration {
    let base = initial
        .saturating_mul(1u32 << attempt.min(16))
        .min(MAX_BACKOFF);
    let half = base / 2;
    half + random_below(base - half)
}

/// A random duration in `0..=limit`, from the standard library's randomly keyed hasher.
fn random_below(limit: Duration) -> Duration {
    let nanos = u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    let random = std::collections::hash_map::RandomState::new().hash_one(SystemTime::now());
    Duration::from_nanos(random % nanos.saturating_add(1))
}

/// The wait the provider's headers ask for before the next request: `retry-after-ms`
/// (milliseconds), `retry-after` (seconds or an HTTP date), else OpenAI's
/// `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens` (Go durations such as `6m0s`) — the
/// longest of those whose `x-ratelimit-remaining-*` is 0, or the requests reset when none says.
pub(crate) fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
    if let Some(d) = text("retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
    {
        return Some(d);
    }
    if let Some(value) = text("retry-after") {
        if let Some(d) = value
            .parse::<f64>()
            .ok()
            .and_then(|s| Duration::try_from_secs_f64(s).ok())
        {
            return Some(d);
        }
        if let Ok(when) = httpdate::parse_http_date(value) {
            return Some(when.duration_since(SystemTime::now()).unwrap_or_default());
        }
    }
    let exhausted = |kind: &str| text(&format!("x-ratelimit-remaining-{kind}")) == Some("0");
    let reset = |kind: &str| text(&format!("x-ratelimit-reset-{kind}")).and_then(go_duration);
    let waits: Vec<Duration> = ["requests", "tokens"]
        .into_iter()
        .filter(|kind| exhausted(kind))
        .filter_map(reset)
        .collect();
    waits.into_iter().max().or_else(|| reset("requests"))
}

/// Parses a Go-style duration: `1s`, `6m0s`, `20ms`, `1h2m3.5s`, `250us`.
pub(crate) fn go_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut seconds = 0.0_f64;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest.get(..number_len)?.parse().ok()?;
        rest = rest.get(number_len..)?;
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match rest.get(..unit_len)? {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        rest = rest.get(unit_len..)?;
        seconds += value * scale;
    }
    Duration::try_from_secs_f64(seconds).ok()
}

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The body is larger than the limit.
    TooLarge,
    /// The body did not arrive in time.
    Timeout,
    /// The connection failed.
    Failed(String),
}

impl ReadError {
    /// The provider error for this failure; `too_large` makes the one for an oversized body.
    pub(crate) fn into_error(self, too_large: impl FnOnce() -> ProviderError) -> ProviderError {
        match self {
            Self::TooLarge => too_large(),
            Self::Timeout => ProviderError::Timeout,
            Self::Failed(reason) => ProviderError::Unavailable(reason),
        }
    }
}

/// Reads the whole body, refusing more than `limit` bytes (before reading, when the length is
/// announced, and while reading).
pub(crate) async fn read_limited(mut response: Response, limit: u64) -> Result<Bytes, ReadError> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Err(ReadError::TooLarge);
    }
    let mut body = BytesMut::new();
    loop {
        let chunk = match response.chunk().await {
            Ok(Some(chunk)) => chunk,
            Ok(None) => return Ok(body.freeze()),
            Err(e) if e.is_timeout() => return Err(ReadError::Timeout),
            Err(e) => return Err(ReadError::Failed(describe(&e))),
        };
        let total = u64::try_from(body.len().saturating_add(chunk.len())).unwrap_or(u64::MAX);
        if total > limit {
            return Err(ReadError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
}

/// A transport error in a few words: the error and its causes, without the URL.
pub(crate) fn describe(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(e) = current {
        let part = e.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        current = e.source();
    }
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "[url]");
    }
    text.chars().take(MAX_DESCRIPTION_CHARS).collect()
}

/// Fetches one output image from `location` (an http(s) URL or a base64 `data:` URI), at most
/// `limit` bytes, without credentials, and checks that it is an image.
///
/// An output over the limit is [`ProviderError::Rejected`]: the same model would make it again.
pub(crate) async fn download_image(
    client: &Client,
    provider: &'static str,
    policy: RetryPolicy,
    location: &str,
    limit: u64,
) -> Result<GeneratedImage, ProviderError> {
    let too_large = || {
        ProviderError::Rejected(format!(
            "an image from the provider is larger than the {} limit",
            human_size(limit)
        ))
    };
    if let Some(decoded) = decode_data_uri(location) {
        let bytes = decoded
            .map_err(|_| ProviderError::Malformed("an output data URI is not base64".into()))?;
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
            return Err(too_large());
        }
        return GeneratedImage::from_bytes(Bytes::from(bytes));
    }
    let url = url::Url::parse(location)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| ProviderError::Malformed("an output is not an http(s) URL".into()))?;
    let response = send_with_retries(
        provider,
        policy,
        || Ok(client.get(url.clone())),
        |status, _| match status.as_u16() {
            429 => ProviderError::RateLimited { retry_after: None },
            408 | 500..=599 => {
                ProviderError::Unavailable(format!("output download answered HTTP {status}"))
            }
            _ => ProviderError::Malformed(format!("output download answered HTTP {status}")),
        },
    )
    .await?;
    let bytes = read_limited(response, limit)
        .await
        .map_err(|e| e.into_error(too_large))?;
    GeneratedImage::from_bytes(bytes)
}

/// What is wrong with a JSON answer, without quoting it (serde's messages can quote the body,
/// which may echo a prompt): `the prediction is not valid JSON (syntax error at line 1, column 9)`.
pub(crate) fn json_problem(what: &str, error: &serde_json::Error) -> String {
    let kind = match error.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected shape",
        serde_json::error::Category::Eof => "cut short",
    };
    format!(
        "{what} is not valid JSON ({kind} at line {}, column {})",
        error.line(),
        error.column()
    )
}

/// `bytes` as a short readable size: `20 MB`, `512 KB`, `900 bytes`.
fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    const KB: u64 = 1024;
    if bytes >= MB {
        format!("{} MB", bytes / MB)
    } else if bytes >= KB {
        format!("{} KB", bytes / KB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The parsed form of one of this crate's constant URLs (checked by the unit tests).
pub(crate) fn default_url(text: &'static str) -> Url {
    Url::parse(text).expect("constant URL parses")
}

/// The base URL without a trailing `/` or `/v1`, when it is http(s).
pub(crate) fn api_root(base: &Url) -> Option<String> {
    if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
        return None;
    }
    let text = base.as_str().trim_end_matches('/');
    Some(text.strip_suffix("/v1").unwrap_or(text).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration("1s"), Some(Duration::from_secs(1)));
        assert_eq!(go_duration("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(go_duration("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(
            go_duration("1h2m3.5s"),
            Some(Duration::from_millis(3_723_500))
        );
        assert_eq!(go_duration("250us"), Some(Duration::from_micros(250)));
        assert_eq!(go_duration(""), None);
        assert_eq!(go_duration("5"), None);
        assert_eq!(go_duration("5 parsecs"), None);
    }

    #[test]
    fn rate_limit_headers_in_order_of_preference() {
        let h = headers(&[("retry-after-ms", "10"), ("retry-after", "3")]);
        assert_eq!(rate_limit_wait(&h), Some(Duration::from_millis(10)));
        let h = headers(&[("retry-after", "3"), ("x-ratelimit-reset-requests", "1s")]);
        assert_eq!(rate_limit_wait(&h), Some(Duration::from_secs(3)));
        let h = headers(&[("retry-after", "0")]);
        assert_eq!(rate_limit_wait(&h), Some(Duration::ZERO));
        let h = headers(&[("x-ratelimit-reset-requests", "20ms")]);
        assert_eq!(rate_limit_wait(&h), Some(Duration::from_millis(20)));
        let h = headers(&[
            ("x-ratelimit-remaining-requests", "12"),
            ("x-ratelimit-reset-requests", "1s"),
            ("x-ratelimit-remaining-tokens", "0"),
            ("x-ratelimit-reset-tokens", "6m0s"),
        ]);
        assert_eq!(rate_limit_wait(&h), Some(Duration::from_secs(360)));
        let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let h = headers(&[("retry-after", &date)]);
        assert!(rate_limit_wait(&h).is_some_and(|d| d > Duration::from_secs(100)));
        assert_eq!(rate_limit_wait(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(rate_limit_wait(&HeaderMap::new()), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let initial = Duration::from_millis(100);
        for attempt in 0..4 {
            let full = initial * (1 << attempt);
            let d = backoff(initial, attempt);
            assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
        }
        assert!(backoff(initial, 40) <= MAX_BACKOFF);
        assert_eq!(backoff(Duration::ZERO, 3), Duration::ZERO);
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(20 * 1024 * 1024), "20 MB");
        assert_eq!(human_size(2048), "2 KB");
        assert_eq!(human_size(10), "10 bytes");
    }
}
