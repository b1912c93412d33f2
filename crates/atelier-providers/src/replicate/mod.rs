//! The `replicate` provider: one Replicate prediction per request.
//!
//! The prediction is created with `Prefer: wait` (Replicate holds the request until the model is
//! done, up to 60 s, or less when our own timeout is shorter) at
//! `POST {base}/v1/models/{owner}/{name}/predictions` for a model named `owner/name`, or at
//! `POST {base}/v1/predictions` with `{"version": …}` for `owner/name:version`. The input is
//! `{prompt, aspect_ratio: "16:9", num_outputs, seed?, image_input?: [data URIs]}`.
//!
//! A prediction still `starting` or `processing` is polled at `urls.get` every poll interval
//! until it ends or [`ReplicateConfig::max_wait`] passes since creation; then it is cancelled
//! (`urls.cancel`, best effort) and the answer is [`ProviderError::Timeout`]. Polling errors that
//! may pass (429, 5xx, timeouts) do not end the wait. `urls.get` and `urls.cancel` are followed
//! only on the API's own origin — the token is never sent elsewhere; otherwise the URL is built
//! from the prediction id.
//!
//! Outputs (a URL or an array of URLs; `data:` URIs too) are downloaded at once, since Replicate
//! deletes them after an hour: without the token, http(s) only, at most
//! [`ReplicateConfig::max_output_bytes`] each (more is [`ProviderError::Rejected`]), and checked
//! to be images. At most the requested count is kept.
//!
//! A `failed` prediction is [`ProviderError::Rejected`] with the first line of its error,
//! except errors that look transient (timeouts, out of memory, CUDA, "try again", …) or carry no
//! reason, which are [`ProviderError::Unavailable`]. `canceled` (by someone else) is
//! [`ProviderError::Unavailable`]. Creation errors: 402 → [`ProviderError::QuotaExceeded`];
//! 429/408/5xx retried in place like OpenAI's; 401/403 → [`ProviderError::Unauthorized`]; other
//! 4xx (invalid input, unknown model) → [`ProviderError::Rejected`] with Replicate's `detail`.

mod errors;

use std::fmt;
use std::time::{Duration, Instant};

use atelier_core::Secret;
use reqwest::Client;
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use crate::error::Reason;
use crate::http::{
    RetryPolicy, api_root, default_url, download_image, json_problem, read_limited,
    send_with_retries,
};
use crate::image_check::{data_uri, reference_type};
use crate::{
    ConfigError, GenerateRequest, GeneratedImage, ImageProvider, MAX_IMAGES_PER_REQUEST,
    ProviderError,
};
use errors::{classify, failure};

const KIND: &str = "replicate";
/// The longest Replicate holds a `Prefer: wait` request.
const MAX_HOLD_SECS: u64 = 60;
/// How long the best-effort cancel call may take.
const CANCEL_TIMEOUT: Duration = Duration::from_secs(5);

/// How to reach Replicate.
#[derive(Clone)]
pub struct ReplicateConfig {
    /// The API's origin, `https://api.replicate.com` by default.
    pub base_url: Url,
    /// The API token, sent as `Authorization: Bearer`. Never shown by `Debug`.
    pub api_token: String,
    /// How long one HTTP request may take. Above 65 s, Replicate's full 60-second hold is used.
    pub timeout: Duration,
    /// The pause between two polls of an unfinished prediction.
    pub poll_interval: Duration,
    /// The longest a prediction may take, from creation to its outputs.
    pub max_wait: Duration,
    /// The largest output image downloaded.
    pub max_output_bytes: u64,
    /// Retries of the creation after the first attempt for 429s, 5xxs and refused connections.
    pub max_retries: u32,
    /// The first wait when Replicate names none; doubled on each retry, with jitter.
    pub initial_backoff: Duration,
    /// The longest wait slept in place before a retry.
    pub max_retry_wait: Duration,
}

impl ReplicateConfig {
    /// The default origin of Replicate's API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.replicate.com";

    /// Settings for Replicate with `api_token`: 90-second requests, polls every second, at most
    /// 10 minutes per prediction, outputs up to 50 MB, 3 retries from a 1-second backoff.
    #[must_use]
    pub fn new(api_token: impl Into<String>) -> Self {
        Self {
            base_url: default_url(Self::DEFAULT_BASE_URL),
            api_token: api_token.into(),
            timeout: Duration::from_secs(90),
            poll_interval: Duration::from_secs(1),
            max_wait: Duration::from_secs(600),
            max_output_bytes: 50 * 1024 * 1024,
            max_retries: 3,
            initial_backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
        }
    }
}

impl fmt::Debug for ReplicateConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplicateConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_token", &"***")
            .field("timeout", &self.timeout)
            .field("poll_interval", &self.poll_interval)
            .field("max_wait", &self.max_wait)
            .field("max_output_bytes", &self.max_output_bytes)
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_retry_wait", &self.max_retry_wait)
            .finish()
    }
}

/// Generates with Replicate predictions; see the module comment.
#[derive(Debug, Clone)]
pub struct ReplicateProvider {
    client: Client,
    root: String,
    origin: url::Origin,
    token: Secret<String>,
    reason: Reason,
    policy: RetryPolicy,
    timeout: Duration,
    poll_interval: Duration,
    max_wait: Duration,
    max_output_bytes: u64,
}

impl ReplicateProvider {
    /// A provider for `config`.
    ///
    /// # Errors
    /// [`ConfigError`] when the base URL is not http(s), the token is empty or cannot be sent in
    /// a header, or the HTTP client cannot be built.
    pub fn new(config: ReplicateConfig) -> Result<Self, ConfigError> {
        let token = config.api_token.trim().to_owned();
        if token.is_empty() || token.chars().any(|c| c.is_control() || c == ' ') {
            return Err(ConfigError::ApiKey(KIND));
        }
        let root = api_root(&config.base_url).ok_or(ConfigError::BaseUrl(KIND))?;
        let client = Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("atelier/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Client {
                provider: KIND,
                reason: e.to_string(),
            })?;
        Ok(Self {
            client,
            root,
            origin: config.base_url.origin(),
            reason: Reason::new(&token),
            token: Secret::new(token),
            policy: RetryPolicy {
                max_retries: config.max_retries,
                initial_backoff: config.initial_backoff,
                max_wait: config.max_retry_wait,
            },
            timeout: config.timeout,
            poll_interval: config.poll_interval,
            max_wait: config.max_wait,
            max_output_bytes: config.max_output_bytes,
        })
    }

    /// The `Prefer` header: Replicate's full hold when our timeout allows it, else a shorter one.
    fn prefer(&self) -> String {
        let hold = self
            .timeout
            .as_secs()
            .saturating_sub(5)
            .min(self.max_wait.as_secs())
            .clamp(1, MAX_HOLD_SECS);
        if hold == MAX_HOLD_SECS {
            "wait".to_owned()
        } else {
            format!("wait={hold}")
        }
    }

    /// Where to create the prediction, and the version to name in the body.
    fn create_target(&self, model: &str) -> Result<(String, Option<String>), ProviderError> {
        let invalid = || {
            ProviderError::Rejected(
                "the Replicate model must be named owner/name or owner/name:version".into(),
            )
        };
        let (name, version) = match model.trim().split_once(':') {
            Some((name, version)) => (name, Some(version)),
            None => (model.trim(), None),
        };
        let (owner, model_name) = name.split_once('/').ok_or_else(invalid)?;
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !name_ok(owner) || !name_ok(model_name) {
            return Err(invalid());
        }
        match version {
            Some(v) if !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric()) => {
                Ok((format!("{}/v1/predictions", self.root), Some(v.to_owned())))
            }
            Some(_) => Err(invalid()),
            None => Ok((
                format!("{}/v1/models/{owner}/{model_name}/predictions", self.root),
                None,
            )),
        }
    }

    /// `given` when it is on the API's origin, else the URL built from the prediction id.
    fn api_url(&self, given: Option<&str>, id: Option<&str>, suffix: &str) -> Option<Url> {
        given
            .and_then(|u| Url::parse(u).ok())
            .filter(|u| u.origin() == self.origin)
            .or_else(|| {
                let id = id
                    .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()))?;
                Url::parse(&format!("{}/v1/predictions/{id}{suffix}", self.root)).ok()
            })
    }

    /// The largest prediction answer read: room for every output as a `data:` URI.
    fn prediction_limit(&self) -> u64 {
        self.max_output_bytes
            .saturating_mul(2)
            .saturating_mul(u64::from(MAX_IMAGES_PER_REQUEST))
            .saturating_add(1024 * 1024)
    }

    async fn read_prediction(
        &self,
        response: reqwest::Response,
    ) -> Result<Prediction, ProviderError> {
        let body = read_limited(response, self.prediction_limit())
            .await
            .map_err(|e| {
                e.into_error(|| ProviderError::Malformed("the prediction is too large".into()))
            })?;
        serde_json::from_slice(&body)
            .map_err(|e| ProviderError::Malformed(json_problem("the prediction", &e)))
    }

    /// One poll; no in-place retries (the next poll is the retry), bounded by the deadline.
    async fn poll(&self, url: &Url, deadline: Instant) -> Result<Prediction, ProviderError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let once = RetryPolicy {
            max_retries: 0,
            ..self.policy
        };
        let response = send_with_retries(
            KIND,
            once,
            || {
                Ok(self
                    .client
                    .get(url.clone())
                    .bearer_auth(self.token.expose())
                    .timeout(remaining.min(self.timeout).max(Duration::from_millis(1))))
            },
            |status, body| classify(status, body, &self.reason),
        )
        .await?;
        self.read_prediction(response).await
    }

    /// Asks Replicate to stop the prediction; failures only reach the debug log.
    async fn cancel(&self, prediction: &Prediction) {
        let Some(url) = self.api_url(
            prediction.urls.cancel.as_deref(),
            prediction.id.as_deref(),
            "/cancel",
        ) else {
            return;
        };
        let result = self
            .client
            .post(url)
            .bearer_auth(self.token.expose())
            .timeout(CANCEL_TIMEOUT)
            .send()
            .await;
        match result {
            Ok(r) => tracing::debug!(
                provider = KIND,
                status = r.status().as_u16(),
                "cancelled prediction"
            ),
            Err(_) => tracing::debug!(provider = KIND, "cancelling the prediction failed"),
        }
    }

    async fn download_outputs(
        &self,
        output: &Value,
        count: u32,
    ) -> Result<Vec<GeneratedImage>, ProviderError> {
        let locations: Vec<&str> = match output {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if locations.is_empty() {
            return Err(ProviderError::Malformed(
                "the prediction succeeded without image outputs".into(),
            ));
        }
        let take = usize::try_from(count).unwrap_or(usize::MAX);
        let downloads = locations.into_iter().take(take).map(|location| {
            download_image(
                &self.client,
                KIND,
                self.policy,
                location,
                self.max_output_bytes,
            )
        });
        let mut images = Vec::new();
        let mut first_error = None;
        for result in futures::future::join_all(downloads).await {
            match result {
                Ok(image) => images.push(image),
                Err(e) => {
                    tracing::debug!(provider = KIND, code = e.code(), "dropped an output");
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if images.is_empty() => Err(e),
            _ => Ok(images),
        }
    }
}

/// A prediction as Replicate describes it.
#[derive(Debug, Deserialize)]
struct Prediction {
    #[serde(default)]
    id: Option<String>,
    status: String,
    #[serde(default)]
    output: Value,
    #[serde(default)]
    error: Value,
    #[serde(default)]
    urls: PredictionUrls,
}

#[derive(Debug, Default, Deserialize)]
struct PredictionUrls {
    #[serde(default)]
    get: Option<String>,
    #[serde(default)]
    cancel: Option<String>,
}

#[async_trait::async_trait]
impl ImageProvider for ReplicateProvider {
    fn kind(&self) -> &'static str {
        KIND
    }

    async fn generate(&self, req: &GenerateRequest) -> Result<Vec<GeneratedImage>, ProviderError> {
        let count = req.capped_count();
        if count == 0 {
            return Ok(Vec::new());
        }
        let deadline = Instant::now() + self.max_wait;
        let (url, version) = self.create_target(&req.model)?;
        let mut input = json!({
            "prompt": req.prompt,
            "aspect_ratio": req.aspect.as_str(),
            "num_outputs": count,
        });
        if let Some(seed) = req.seed {
            input["seed"] = json!(seed);
        }
        if !req.references.is_empty() {
            let uris = req
                .references
                .iter()
                .enumerate()
                .map(|(i, r)| reference_type(r, i + 1).map(|t| data_uri(t, &r.bytes)))
                .collect::<Result<Vec<_>, _>>()?;
            input["image_input"] = json!(uris);
        }
        let mut body = json!({ "input": input });
        if let Some(version) = version {
            body["version"] = json!(version);
        }
        let prefer = self.prefer();
        let response = send_with_retries(
            KIND,
            self.policy,
            || {
                Ok(self
                    .client
                    .post(&url)
                    .bearer_auth(self.token.expose())
                    .header("Prefer", &prefer)
                    .json(&body))
            },
            |status, body| classify(status, body, &self.reason),
        )
        .await?;
        let mut prediction = self.read_prediction(response).await?;
        let mut polls: u32 = 0;
        loop {
            match prediction.status.as_str() {
                "succeeded" => {
                    tracing::debug!(provider = KIND, polls, "prediction succeeded");
                    return self.download_outputs(&prediction.output, count).await;
                }
                "failed" => return Err(failure(&prediction.error, &self.reason)),
                "canceled" | "aborted" => {
                    return Err(ProviderError::Unavailable(
                        "the prediction was canceled".into(),
                    ));
                }
                _ => {}
            }
            let Some(get) =
                self.api_url(prediction.urls.get.as_deref(), prediction.id.as_deref(), "")
            else {
                return Err(ProviderError::Malformed(
                    "an unfinished prediction has no URL to poll".into(),
                ));
            };
            if Instant::now() + self.poll_interval >= deadline {
                tracing::debug!(provider = KIND, polls, "prediction took too long");
                self.cancel(&prediction).await;
                return Err(ProviderError::Timeout);
            }
            tokio::time::sleep(self.poll_interval).await;
            polls += 1;
            match self.poll(&get, deadline).await {
                Ok(next) => prediction = next,
                Err(
                    e @ (ProviderError::RateLimited { .. }
                    | ProviderError::Unavailable(_)
                    | ProviderError::Timeout),
                ) => {
                    tracing::debug!(provider = KIND, polls, code = e.code(), "poll failed");
                }
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(timeout_secs: u64) -> ReplicateProvider {
        let mut config = ReplicateConfig::new("r8_secret_token");
        config.timeout = Duration::from_secs(timeout_secs);
        ReplicateProvider::new(config).unwrap()
    }

    #[test]
    fn model_names_choose_the_endpoint() {
        let p = provider(90);
        assert_eq!(
            p.create_target("black-forest-labs/flux-schnell").unwrap(),
            (
                "https://api.replicate.com/v1/models/black-forest-labs/flux-schnell/predictions"
                    .to_owned(),
                None
            )
        );
        assert_eq!(
            p.create_target("stability-ai/sdxl:39ed52f2a78e").unwrap(),
            (
                "https://api.replicate.com/v1/predictions".to_owned(),
                Some("39ed52f2a78e".to_owned())
            )
        );
        for bad in ["flux", "a/b/c", "../x/y", "a/b:", "a/b:../x", "/b", ""] {
            assert!(
                matches!(p.create_target(bad), Err(ProviderError::Rejected(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn prefer_header_fits_the_timeout() {
        assert_eq!(provider(90).prefer(), "wait");
        assert_eq!(provider(30).prefer(), "wait=25");
        assert_eq!(provider(2).prefer(), "wait=1");
    }

    #[test]
    fn token_is_only_sent_to_the_api_origin() {
        let p = provider(90);
        let own = "https://api.replicate.com/v1/predictions/abc123";
        assert_eq!(
            p.api_url(Some(own), Some("abc123"), "").unwrap().as_str(),
            own
        );
        let foreign = p
            .api_url(
                Some("https://evil.example/steal"),
                Some("abc123"),
                "/cancel",
            )
            .unwrap();
        assert_eq!(
            foreign.as_str(),
            "https://api.replicate.com/v1/predictions/abc123/cancel"
        );
        assert!(
            p.api_url(Some("https://evil.example/x"), Some("../x"), "")
                .is_none()
        );
        assert!(!format!("{p:?}").contains("r8_secret_token"));
    }
}
