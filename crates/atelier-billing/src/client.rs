//! Stripe's API as the instance uses it: creating Checkout sessions (issue 18, G7, S1).
//!
//! Every request carries `Authorization: Bearer <secret key>`, the pinned [`STRIPE_VERSION`] and
//! the caller's `Idempotency-Key`. Stripe remembers a key's answer for 24 hours, so a request sent
//! again with the same key never creates a second session: the client therefore retries in place
//! when nothing or a temporary failure came back — 429, 5xx, a refused or broken connection, a
//! timeout — up to [`RetryPolicy::max_retries`] times, waiting what `Retry-After` asks for, else an
//! exponential back-off with jitter. Stripe's `Stripe-Should-Retry` header, when present, overrides the status
//! (it says `true` for a 409 of a concurrent request with the same key). Any other 4xx comes back
//! at once as [`StripeError::Api`].

use std::hash::BuildHasher as _;
use std::time::{Duration, SystemTime};

use atelier_core::Secret;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::error::{ApiError, StripeError};
use crate::form::{FormValue, encode};

/// The API version every request names, so that answers and events keep the shape this crate
/// reads whatever the account's default version.
pub const STRIPE_VERSION: &str = "2024-06-20";

/// The most of an error body read.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// How requests are retried in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first back-off when Stripe names no wait; doubled on each retry.
    pub base_delay: Duration,
    /// The longest wait slept in place (a longer `Retry-After` ends the retries).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The back-off before retry number `attempt + 1`: half of `base × 2^attempt` (capped at
    /// `max_delay`) plus a random part of the other half.
    #[must_use]
    pub fn backoff(&self, attempt: u32) -> Duration {
        let full = self
            .base_delay
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max_delay);
        let half = full / 2;
        half + random_below(full - half)
    }
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

/// What the instance asks Stripe Checkout for: one pack, paid once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// The instance's purchase id: sent as `client_reference_id` and `metadata[purchase_id]`.
    pub purchase_id: String,
    /// The pack's name, shown on Stripe's page.
    pub pack_name: String,
    /// The price in the currency's minor units.
    pub amount: u64,
    /// ISO 4217 code in lower case.
    pub currency: String,
    /// Where Stripe sends the buyer after paying (may hold `{CHECKOUT_SESSION_ID}`).
    pub success_url: String,
    /// Where Stripe sends the buyer who gives up.
    pub cancel_url: String,
    /// The buyer's address, prefilled on Stripe's page.
    pub customer_email: Option<String>,
}

impl CheckoutRequest {
    /// The form `POST /v1/checkout/sessions` takes.
    #[must_use]
    pub fn form(&self) -> FormValue {
        let price_data = FormValue::map()
            .with("currency", &self.currency)
            .with("unit_amount", self.amount)
            .with(
                "product_data",
                FormValue::map().with("name", &self.pack_name),
            );
        FormValue::map()
            .with("mode", "payment")
            .with(
                "line_items",
                vec![
                    FormValue::map()
                        .with("price_data", price_data)
                        .with("quantity", 1u32),
                ],
            )
            .with("client_reference_id", &self.purchase_id)
            .with(
                "metadata",
                FormValue::map().with("purchase_id", &self.purchase_id),
            )
            .with("success_url", &self.success_url)
            .with("cancel_url", &self.cancel_url)
            .with_optional("customer_email", self.customer_email.as_ref())
    }
}

/// A Checkout session Stripe created.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckoutSession {
    /// `cs_…`.
    pub id: String,
    /// Stripe's payment page for it.
    pub url: String,
}

/// A client of Stripe's API.
#[derive(Debug, Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base_url: String,
    secret_key: Secret<String>,
    retry: RetryPolicy,
}

impl StripeClient {
    /// A client of the API at `base_url` (`https://api.stripe.com`, or a fake's) with the
    /// secret key; requests go through `http` (its timeouts apply) with [`RetryPolicy::default`].
    ///
    /// # Errors
    /// [`StripeError::Config`] when `base_url` is not an http(s) URL or the key is empty or holds
    /// spaces or control characters.
    pub fn new(
        base_url: &str,
        secret_key: Secret<String>,
        http: reqwest::Client,
    ) -> Result<Self, StripeError> {
        let url = url::Url::parse(base_url)
            .map_err(|e| StripeError::Config(format!("billing.stripe.base_url: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(StripeError::Config(
                "billing.stripe.base_url must be an http(s) URL".into(),
            ));
        }
        let key = secret_key.expose();
        if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(StripeError::Config(
                "billing.stripe.secret_key is empty or malformed".into(),
            ));
        }
        Ok(Self {
            http,
            base_url: url.as_str().trim_end_matches('/').to_owned(),
            secret_key,
            retry: RetryPolicy::default(),
        })
    }

    /// This client with another retry policy (tests use tiny delays).
    #[must_use]
    pub const fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The retry policy in use.
    #[must_use]
    pub const fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// Creates a Checkout session for one pack, paid once. `idempotency_key` (the purchase's own
    /// key) makes a repeated call answer the same session.
    ///
    /// # Errors
    /// [`StripeError::Api`] with Stripe's error object, [`StripeError::Transport`] when Stripe
    /// could not be reached after the retries, [`StripeError::InvalidResponse`] for a success
    /// without an `id` and `url`.
    pub async fn create_checkout_session(
        &self,
        request: &CheckoutRequest,
        idempotency_key: &str,
    ) -> Result<CheckoutSession, StripeError> {
        let body = encode(&request.form());
        let bytes = self
            .post_form("/v1/checkout/sessions", body, idempotency_key)
            .await?;
        serde_json::from_slice::<CheckoutSession>(&bytes)
            .map_err(|e| StripeError::InvalidResponse(format!("checkout session: {e}")))
    }

    /// `POST {base}{path}` with a form body, retried as the module says; the body of the
    /// first success.
    async fn post_form(
        &self,
        path: &str,
        body: String,
        idempotency_key: &str,
    ) -> Result<Vec<u8>, StripeError> {
        let url = format!("{}{path}", self.base_url);
        let mut attempt: u32 = 0;
        loop {
            let sent = self
                .http
                .post(&url)
                .bearer_auth(self.secret_key.expose())
                .header("Stripe-Version", STRIPE_VERSION)
                .header("Idempotency-Key", idempotency_key)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(body.clone())
                .send()
                .await;
            let (error, retryable, wait) = match sent {
                Ok(response) if response.status().is_success() => {
                    return response
                        .bytes()
                        .await
                        .map(|b| b.to_vec())
                        .map_err(|e| StripeError::Transport(self.describe(&e)));
                }
                Ok(response) => {
                    let status = response.status();
                    let headers = response.headers().clone();
                    let body = read_limited(response).await;
                    let error = StripeError::Api(self.api_error(status, &body));
                    (error, should_retry(status, &headers), retry_after(&headers))
                }
                Err(e) => {
                    let retryable = e.is_connect() || e.is_timeout() || e.is_request();
                    (StripeError::Transport(self.describe(&e)), retryable, None)
                }
            };
            tracing::debug!(
                provider = "stripe",
                path,
                attempt,
                status = error.status(),
                code = error.code(),
                retryable,
                "stripe request failed"
            );
            if !retryable || attempt >= self.retry.max_retries {
                return Err(error);
            }
            let wait = wait.unwrap_or_else(|| self.retry.backoff(attempt));
            if wait > self.retry.max_delay {
                return Err(error);
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Stripe's error object from an unsuccessful answer, or a generic one for a body that is
    /// not one.
    fn api_error(&self, status: StatusCode, body: &[u8]) -> ApiError {
        #[derive(Deserialize)]
        struct Envelope {
            error: Inner,
        }
        #[derive(Deserialize)]
        struct Inner {
            #[serde(rename = "type", default)]
            error_type: Option<String>,
            #[serde(default)]
            code: Option<String>,
            #[serde(default)]
            message: Option<String>,
            #[serde(default)]
            param: Option<String>,
        }
        let parsed = serde_json::from_slice::<Envelope>(body)
            .ok()
            .map(|e| e.error);
        let fallback_type = if status.is_server_error() {
            "api_error"
        } else {
            "invalid_request_error"
        };
        let (error_type, code, message, param) = match parsed {
            Some(inner) => (
                inner.error_type.unwrap_or_else(|| fallback_type.to_owned()),
                inner.code,
                inner.message.unwrap_or_default(),
                inner.param,
            ),
            None => (
                fallback_type.to_owned(),
                None,
                status.canonical_reason().unwrap_or("error").to_owned(),
                None,
            ),
        };
        ApiError {
            status: status.as_u16(),
            error_type,
            code,
            message: self.redact(&message),
            param,
        }
    }

    /// A transport error described without its URL and without the key.
    fn describe(&self, e: &reqwest::Error) -> String {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(inner) = source {
            text.push_str(": ");
            text.push_str(&inner.to_string());
            source = inner.source();
        }
        let text = text.replace(&self.base_url, "stripe");
        self.redact(&text)
    }

    /// `text` with the secret key, should it appear, masked.
    fn redact(&self, text: &str) -> String {
        let key = self.secret_key.expose();
        if key.is_empty() {
            text.to_owned()
        } else {
            text.replace(key.as_str(), "***")
        }
    }
}

/// Whether an unsuccessful answer may be sent again with the same key: `Stripe-Should-Retry`
/// when Stripe says, else 429 and 5xx.
fn should_retry(status: StatusCode, headers: &HeaderMap) -> bool {
    match headers
        .get("stripe-should-retry")
        .and_then(|v| v.to_str().ok())
    {
        Some("true") => true,
        Some("false") => false,
        _ => status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error(),
    }
}

/// The wait a `Retry-After` header asks for: seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

/// At most [`ERROR_BODY_LIMIT`] bytes of an error answer; empty when it cannot be read.
async fn read_limited(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = ERROR_BODY_LIMIT.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= ERROR_BODY_LIMIT {
            break;
        }
    }
    body
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

    fn client() -> StripeClient {
        StripeClient::new(
            "https://api.stripe.com/",
            Secret::new("sk_test_topsecret".into()),
            reqwest::Client::new(),
        )
        .unwrap()
    }

    #[test]
    fn s1_rate_limits_and_server_errors_are_retried_other_4xx_not() {
        let none = HeaderMap::new();
        assert!(should_retry(StatusCode::TOO_MANY_REQUESTS, &none));
        assert!(should_retry(StatusCode::INTERNAL_SERVER_ERROR, &none));
        assert!(should_retry(StatusCode::SERVICE_UNAVAILABLE, &none));
        assert!(!should_retry(StatusCode::BAD_REQUEST, &none));
        assert!(!should_retry(StatusCode::UNAUTHORIZED, &none));
        assert!(!should_retry(StatusCode::CONFLICT, &none));
        let yes = headers(&[("stripe-should-retry", "true")]);
        let no = headers(&[("stripe-should-retry", "false")]);
        assert!(should_retry(StatusCode::CONFLICT, &yes));
        assert!(!should_retry(StatusCode::INTERNAL_SERVER_ERROR, &no));
    }

    #[test]
    fn s1_retry_after_is_read_as_seconds_or_a_date() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "2")])),
            Some(Duration::from_secs(2))
        );
        let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        let wait = retry_after(&headers(&[("retry-after", &date)])).unwrap();
        assert!(wait > Duration::from_secs(50) && wait <= Duration::from_secs(60));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn s1_backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for _ in 0..20 {
            let first = policy.backoff(0);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = policy.backoff(1);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            assert!(policy.backoff(10) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn g7_stripe_error_objects_are_read_and_the_key_never_shows() {
        let c = client();
        let body = br#"{"error":{"type":"invalid_request_error","code":"parameter_missing","param":"line_items","message":"Missing required param: line_items. (key sk_test_topsecret)"}}"#;
        let e = c.api_error(StatusCode::BAD_REQUEST, body);
        assert_eq!(e.status, 400);
        assert_eq!(e.error_type, "invalid_request_error");
        assert_eq!(e.code.as_deref(), Some("parameter_missing"));
        assert_eq!(e.param.as_deref(), Some("line_items"));
        assert!(!e.message.contains("topsecret"), "{}", e.message);
        let e = c.api_error(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert_eq!(e.error_type, "api_error");
        assert_eq!(e.code, None);
        assert_eq!(e.message, "Bad Gateway");
        let shown = format!("{c:?} {}", StripeError::Api(e));
        assert!(!shown.contains("topsecret"), "{shown}");
    }

    #[test]
    fn s1_the_client_needs_an_http_url_and_a_usable_key() {
        let key = || Secret::new("sk_test_1".to_owned());
        assert!(matches!(
            StripeClient::new("ftp://x", key(), reqwest::Client::new()),
            Err(StripeError::Config(_))
        ));
        assert!(matches!(
            StripeClient::new("nope", key(), reqwest::Client::new()),
            Err(StripeError::Config(_))
        ));
        assert!(matches!(
            StripeClient::new(
                "https://api.stripe.com",
                Secret::new(" ".into()),
                reqwest::Client::new()
            ),
            Err(StripeError::Config(_))
        ));
        assert_eq!(client().base_url, "https://api.stripe.com");
        assert_eq!(client().retry_policy(), RetryPolicy::default());
    }

    #[test]
    fn g7_the_checkout_form_names_the_purchase_twice_and_one_line() {
        let request = CheckoutRequest {
            purchase_id: "pur_42".into(),
            pack_name: "Starter 100".into(),
            amount: 499,
            currency: "usd".into(),
            success_url: "https://art.example.com/credits/done".into(),
            cancel_url: "https://art.example.com/credits".into(),
            customer_email: Some("ada@example.com".into()),
        };
        let pairs = request.form().pairs();
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("mode"), Some("payment"));
        assert_eq!(get("line_items[0][price_data][currency]"), Some("usd"));
        assert_eq!(get("line_items[0][price_data][unit_amount]"), Some("499"));
        assert_eq!(
            get("line_items[0][price_data][product_data][name]"),
            Some("Starter 100")
        );
        assert_eq!(get("line_items[0][quantity]"), Some("1"));
        assert_eq!(get("client_reference_id"), Some("pur_42"));
        assert_eq!(get("metadata[purchase_id]"), Some("pur_42"));
        assert_eq!(get("customer_email"), Some("ada@example.com"));
        assert_eq!(pairs.len(), 10);
    }
}
