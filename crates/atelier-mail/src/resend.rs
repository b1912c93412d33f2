//! The Resend transport: one `POST /emails` per message, with the mail id as the idempotency
//! key so that a retried send never delivers twice.

use std::time::{Duration, SystemTime};

use atelier_core::Secret;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::message::check;
use crate::{MailError, OutgoingMail, SendError, Transport, redact_addresses};

/// Delivers through Resend's HTTP API.
#[derive(Debug, Clone)]
pub struct ResendTransport {
    client: reqwest::Client,
    endpoint: String,
    api_key: Secret<String>,
}

impl ResendTransport {
    /// A transport for the API at `base_url` (such as `https://api.resend.com`) with the key
    /// `api_key`; each call may take `timeout`.
    ///
    /// # Errors
    /// [`MailError::Config`] when `base_url` is not an http(s) URL, the key is empty or the HTTP
    /// client cannot be built.
    pub fn new(base_url: &str, api_key: &str, timeout: Duration) -> Result<Self, MailError> {
        let base = url::Url::parse(base_url)
            .map_err(|e| MailError::Config(format!("mail.resend.base_url: {e}")))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(MailError::Config(
                "mail.resend.base_url must be an http(s) URL".into(),
            ));
        }
        if api_key.trim().is_empty() || api_key.contains(['\r', '\n']) {
            return Err(MailError::Config(
                "mail.resend.api_key is empty or malformed".into(),
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("atelier/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| MailError::Config(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            endpoint: format!("{}/emails", base.as_str().trim_end_matches('/')),
            api_key: Secret::new(api_key.trim().to_owned()),
        })
    }
}

/// Resend's error body.
#[derive(Debug, Default, Deserialize)]
struct ApiError {
    #[serde(default)]
    name: String,
    #[serde(default)]
    message: String,
}

/// The wait a `retry-after` header asks for: seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

/// The wait a `ratelimit-reset` header (seconds until the window resets) asks for.
fn ratelimit_reset(headers: &HeaderMap) -> Option<Duration> {
    let secs = headers
        .get("ratelimit-reset")?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(Duration::from_secs(secs))
}

/// Maps an unsuccessful answer to a send error.
fn classify(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> SendError {
    let api: ApiError = serde_json::from_slice(body).unwrap_or_default();
    let reason = {
        let mut r = format!("resend {}", status.as_u16());
        if !api.name.is_empty() {
            r.push_str(": ");
            r.push_str(&api.name);
        }
        if !api.message.is_empty() {
            r.push_str(": ");
            r.push_str(&api.message);
        }
        redact_addresses(&r)
    };
    match status.as_u16() {
        429 => SendError::Retry {
            reason,
            after: retry_after(headers).or_else(|| ratelimit_reset(headers)),
        },
        409 if api.name == "concurrent_idempotent_requests" => SendError::Retry {
            reason,
            after: retry_after(headers),
        },
        408 => SendError::retry(reason),
        s if s >= 500 => SendError::Retry {
            reason,
            after: retry_after(headers),
        },
        _ => SendError::Permanent(reason),
    }
}

#[async_trait::async_trait]
impl Transport for ResendTransport {
    fn name(&self) -> &'static str {
        "resend"
    }

    async fn send(&self, mail: &OutgoingMail) -> Result<(), SendError> {
        let checked = check(mail)?;
        if mail.subject.chars().any(char::is_control) {
            return Err(MailError::InvalidSubject("mail").into());
        }
        let mut headers = serde_json::Map::new();
        headers.insert("Message-ID".into(), checked.message_id.into());
        for (name, value) in checked.headers {
            headers.insert(name.to_string(), value.into());
        }
        let body = serde_json::json!({
            "from": mail.from,
            "to": [mail.to],
            "subject": mail.subject,
            "text": mail.text,
            "html": mail.html,
            "headers": headers,
        });
        let response = self
            .client
            .post(&self.endpoint)
            .bearer_auth(self.api_key.expose())
            .header("Idempotency-Key", &mail.id)
            .json(&body)
            .send()
            .await
            .map_err(|e| SendError::retry(format!("resend: {}", e.without_url())))?;
        let status = response.status();
        if status.is_success() {
            tracing::debug!(mail_id = %mail.id, transport = "resend", "mail sent");
            return Ok(());
        }
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap_or_default();
        let err = classify(status, &headers, &body);
        tracing::debug!(mail_id = %mail.id, transport = "resend", status = status.as_u16(), "mail not sent");
        Err(err)
    }
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
    fn rate_limits_are_retried_after_the_asked_wait() {
        let e = classify(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", "7"), ("ratelimit-reset", "3")]),
            b"{}",
        );
        assert!(
            matches!(e, SendError::Retry { after: Some(d), .. } if d == Duration::from_secs(7))
        );
        let e = classify(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("ratelimit-reset", "3")]),
            b"",
        );
        assert!(
            matches!(e, SendError::Retry { after: Some(d), .. } if d == Duration::from_secs(3))
        );
        let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let e = classify(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", &date)]),
            b"",
        );
        assert!(
            matches!(e, SendError::Retry { after: Some(d), .. } if d > Duration::from_secs(100))
        );
    }

    #[test]
    fn idempotency_conflicts() {
        let concurrent = br#"{"statusCode":409,"name":"concurrent_idempotent_requests","message":"Same key in flight"}"#;
        assert!(classify(StatusCode::CONFLICT, &HeaderMap::new(), concurrent).is_retry());
        let invalid = br#"{"statusCode":409,"name":"invalid_idempotent_request","message":"Different payload"}"#;
        assert!(!classify(StatusCode::CONFLICT, &HeaderMap::new(), invalid).is_retry());
    }

    #[test]
    fn client_errors_are_permanent_and_redacted() {
        let body = br#"{"statusCode":422,"name":"validation_error","message":"Invalid `to` field: bob@example.com"}"#;
        match classify(StatusCode::UNPROCESSABLE_ENTITY, &HeaderMap::new(), body) {
            SendError::Permanent(m) => {
                assert_eq!(
                    m,
                    "resend 422: validation_error: Invalid `to` field: [address]"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(!classify(StatusCode::UNAUTHORIZED, &HeaderMap::new(), b"").is_retry());
        assert!(classify(StatusCode::BAD_GATEWAY, &HeaderMap::new(), b"<html>").is_retry());
    }

    #[test]
    fn refuses_bad_settings() {
        let t = Duration::from_secs(5);
        assert!(ResendTransport::new("not a url", "re_x", t).is_err());
        assert!(ResendTransport::new("ftp://x", "re_x", t).is_err());
        assert!(ResendTransport::new("https://api.resend.com", " ", t).is_err());
        let ok = ResendTransport::new("https://api.resend.com/", "re_secret", t).unwrap();
        assert_eq!(ok.endpoint, "https://api.resend.com/emails");
        assert!(!format!("{ok:?}").contains("re_secret"));
    }
}
