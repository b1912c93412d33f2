//! The `openai` provider: OpenAI's images API and servers compatible with it.
//!
//! An edit ([`GenerateRequest::edit`]) always has its image as the first reference, so it goes
//! to `/v1/images/edits`; an edit without a reference is rejected before sending.
//!
//! Without references: `POST {base}/v1/images/generations` with JSON
//! `{model, prompt, n, size[, response_format]}`. With references: `POST {base}/v1/images/edits`
//! as multipart form data with `model`, `prompt`, `n`, `size` and each reference as a repeated
//! `image[]` file part. Answers are `{created, data: [{b64_json} | {url}]}`.
//!
//! `response_format: "b64_json"` is sent only to `dall-e-*` models (whose default is a URL) or
//! when [`OpenAiConfig::always_send_response_format`] is set: `gpt-image-1` always answers with
//! base64 and refuses the parameter. Answers carrying a `url` instead are downloaded at once.
//!
//! `dall-e-3` makes one image per request, so it is asked for one (the trait allows fewer); other
//! models are asked for the request's count. The seed is not sent: the API has none.
//!
//! Errors (`{"error": {"message", "type", "code"}}`): `insufficient_quota` and billing codes →
//! [`ProviderError::QuotaExceeded`] at once, whatever the status; other 429s and 408/409/5xx are
//! retried in place (see `http`), then [`ProviderError::RateLimited`] /
//! [`ProviderError::Unavailable`]; 401/403 → [`ProviderError::Unauthorized`]; other 4xx →
//! [`ProviderError::Rejected`] with the provider's message.

use std::fmt;
use std::time::Duration;

use atelier_core::{Aspect, Secret};
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use crate::error::Reason;
use crate::http::{
    RetryPolicy, api_root, default_url, download_image, json_problem, read_limited,
    send_with_retries,
};
use crate::image_check::{decode_base64, extension, reference_type};
use crate::{ConfigError, GenerateRequest, GeneratedImage, ImageProvider, ProviderError};

/// Error codes (or types) that mean the account is out of money rather than busy.
const QUOTA_CODES: [&str; 4] = [
    "insufficient_quota",
    "billing_hard_limit_reached",
    "billing_not_active",
    "quota_exceeded",
];

/// How to reach an OpenAI-compatible images API.
#[derive(Clone)]
pub struct OpenAiConfig {
    /// The API's origin, `https://api.openai.com` by default; `/v1/images/...` is appended (a
    /// base ending in `/v1` is accepted too).
    pub base_url: Url,
    /// The API key, sent as `Authorization: Bearer`. Never shown by `Debug`.
    pub api_key: String,
    /// How long one HTTP request may take, body included. Image models can be slow: minutes.
    pub timeout: Duration,
    /// Retries after the first attempt for 429s, 5xxs and refused connections.
    pub max_retries: u32,
    /// The first wait when the provider names none; doubled on each retry, with jitter.
    pub initial_backoff: Duration,
    /// The longest wait slept in place; a provider asking for longer gets
    /// [`ProviderError::RateLimited`] with that wait back at once.
    pub max_retry_wait: Duration,
    /// Send `response_format: "b64_json"` to every model, not only `dall-e-*` (for compatible
    /// servers that answer with URLs by default).
    pub always_send_response_format: bool,
    /// The largest answer read (base64 JSON of all images, or one downloaded image).
    pub max_response_bytes: u64,
}

impl OpenAiConfig {
    /// The default origin of OpenAI's API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.openai.com";

    /// Settings for OpenAI itself with `api_key`: a 3-minute timeout, 3 retries from a 1-second
    /// backoff, in-place waits up to 60 s and answers up to 128 MB.
    #[must_use]
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            base_url: default_url(Self::DEFAULT_BASE_URL),
            api_key: api_key.into(),
            timeout: Duration::from_secs(180),
            max_retries: 3,
            initial_backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(60),
            always_send_response_format: false,
            max_response_bytes: 128 * 1024 * 1024,
        }
    }
}

impl fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &"***")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_retry_wait", &self.max_retry_wait)
            .field(
                "always_send_response_format",
                &self.always_send_response_format,
            )
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// The OpenAI size for `aspect` with `gpt-image-1`'s three sizes: `"1024x1024"` for square,
/// `"1536x1024"` for every landscape aspect (5:4 to 21:9) and `"1024x1536"` for every portrait
/// one (4:5 to 9:16). Even 5:4 and 4:5 are nearer 3:2 / 2:3 than 1:1 on a log scale.
#[must_use]
pub fn openai_size(aspect: Aspect) -> &'static str {
    match orientation(aspect) {
        Orientation::Square => "1024x1024",
        Orientation::Landscape => "1536x1024",
        Orientation::Portrait => "1024x1536",
    }
}

/// The size to ask `model` for: `dall-e-3` has 1792-pixel landscape and portrait sizes,
/// `dall-e-2` only squares; every other model gets [`openai_size`].
#[must_use]
pub fn openai_size_for_model(model: &str, aspect: Aspect) -> &'static str {
    if model.starts_with("dall-e-2") {
        return "1024x1024";
    }
    if model.starts_with("dall-e-3") {
        return match orientation(aspect) {
            Orientation::Square => "1024x1024",
            Orientation::Landscape => "1792x1024",
            Orientation::Portrait => "1024x1792",
        };
    }
    openai_size(aspect)
}

enum Orientation {
    Square,
    Landscape,
    Portrait,
}

fn orientation(aspect: Aspect) -> Orientation {
    let (w, h) = aspect.parts();
    match w.cmp(&h) {
        std::cmp::Ordering::Equal => Orientation::Square,
        std::cmp::Ordering::Greater => Orientation::Landscape,
        std::cmp::Ordering::Less => Orientation::Portrait,
    }
}

/// Generates through an OpenAI-compatible images API; see the module comment.
#[derive(Debug, Clone)]
pub struct OpenAiProvider {
    client: Client,
    generations_url: Url,
    edits_url: Url,
    api_key: Secret<String>,
    reason: Reason,
    policy: RetryPolicy,
    always_send_response_format: bool,
    max_response_bytes: u64,
}

impl OpenAiProvider {
    /// A provider for `config`.
    ///
    /// # Errors
    /// [`ConfigError`] when the base URL is not http(s), the key is empty or cannot be sent in a
    /// header, or the HTTP client cannot be built.
    pub fn new(config: OpenAiConfig) -> Result<Self, ConfigError> {
        const KIND: &str = "openai";
        let api_key = config.api_key.trim().to_owned();
        if api_key.is_empty() || api_key.chars().any(|c| c.is_control() || c == ' ') {
            return Err(ConfigError::ApiKey(KIND));
        }
        let root = api_root(&config.base_url).ok_or(ConfigError::BaseUrl(KIND))?;
        let endpoint = |path: &str| Url::parse(&format!("{root}/v1/images/{path}"));
        let (Ok(generations_url), Ok(edits_url)) = (endpoint("generations"), endpoint("edits"))
        else {
            return Err(ConfigError::BaseUrl(KIND));
        };
        let client = Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("atelier/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Client {
                provider: KIND,
                reason: e.to_string(),
            })?;
        Ok(Self {
            client,
            generations_url,
            edits_url,
            reason: Reason::new(&api_key),
            api_key: Secret::new(api_key),
            policy: RetryPolicy {
                max_retries: config.max_retries,
                initial_backoff: config.initial_backoff,
                max_wait: config.max_retry_wait,
            },
            always_send_response_format: config.always_send_response_format,
            max_response_bytes: config.max_response_bytes,
        })
    }

    fn sends_response_format(&self, model: &str) -> bool {
        self.always_send_response_format || model.starts_with("dall-e")
    }

    async fn parse_images(
        &self,
        body: &[u8],
        count: u32,
    ) -> Result<Vec<GeneratedImage>, ProviderError> {
        let answer: ImagesAnswer = serde_json::from_slice(body)
            .map_err(|e| ProviderError::Malformed(json_problem("the images answer", &e)))?;
        let mut images = Vec::with_capacity(answer.data.len());
        let mut first_error = None;
        let take = usize::try_from(count).unwrap_or(usize::MAX);
        for datum in answer.data.into_iter().take(take) {
            let image = match (datum.b64_json, datum.url) {
                (Some(b64), _) => decode_base64(&b64)
                    .map_err(|_| ProviderError::Malformed("b64_json is not base64".into()))
                    .and_then(|bytes| GeneratedImage::from_bytes(bytes.into())),
                (None, Some(url)) => {
                    download_image(
                        &self.client,
                        "openai",
                        self.policy,
                        &url,
                        self.max_response_bytes,
                    )
                    .await
                }
                (None, None) => Err(ProviderError::Malformed(
                    "an image has neither b64_json nor url".into(),
                )),
            };
            match image {
                Ok(image) => images.push(image),
                Err(e) => {
                    tracing::debug!(provider = "openai", code = e.code(), "dropped an image");
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) if images.is_empty() => Err(e),
            _ if images.is_empty() => Err(ProviderError::Malformed("no images in answer".into())),
            _ => Ok(images),
        }
    }
}

#[derive(Deserialize)]
struct ImagesAnswer {
    data: Vec<ImageDatum>,
}

#[derive(Deserialize)]
struct ImageDatum {
    #[serde(default)]
    b64_json: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// Maps an unsuccessful answer to an error (see the module comment).
pub(crate) fn classify(status: StatusCode, body: &[u8], reason: &Reason) -> ProviderError {
    let value: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let error = value.get("error");
    let field = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    let message = reason.clean(error.and_then(Value::as_str).unwrap_or(field("message")));
    let is_quota = QUOTA_CODES.contains(&field("code")) || QUOTA_CODES.contains(&field("type"));
    let code = status.as_u16();
    if is_quota {
        return ProviderError::QuotaExceeded(if message.is_empty() {
            "insufficient quota".to_owned()
        } else {
            message
        });
    }
    match code {
        401 | 403 => ProviderError::Unauthorized,
        429 => ProviderError::RateLimited { retry_after: None },
        408 | 409 | 500..=599 if message.is_empty() => {
            ProviderError::Unavailable(format!("HTTP {code}"))
        }
        408 | 409 | 500..=599 => ProviderError::Unavailable(format!("HTTP {code}: {message}")),
        400..=499 if message.is_empty() => ProviderError::Rejected(format!("HTTP {code}")),
        400..=499 => ProviderError::Rejected(message),
        _ => ProviderError::Malformed(format!("unexpected HTTP {code}")),
    }
}

#[async_trait::async_trait]
impl ImageProvider for OpenAiProvider {
    fn kind(&self) -> &'static str {
        "openai"
    }

    async fn generate(&self, req: &GenerateRequest) -> Result<Vec<GeneratedImage>, ProviderError> {
        let mut n = req.capped_count();
        if n == 0 {
            return Ok(Vec::new());
        }
        if req.model.starts_with("dall-e-3") {
            n = 1;
        }
        let size = openai_size_for_model(&req.model, req.aspect);
        let response_format = self.sends_response_format(&req.model);
        let classify = |status, body: &[u8]| classify(status, body, &self.reason);
        if req.edit && req.references.is_empty() {
            return Err(ProviderError::Rejected(
                "an edit needs the image to change".into(),
            ));
        }
        let response = if req.references.is_empty() {
            let mut body = json!({"model": req.model, "prompt": req.prompt, "n": n, "size": size});
            if response_format {
                body["response_format"] = json!("b64_json");
            }
            let build = || {
                Ok(self
                    .client
                    .post(self.generations_url.clone())
                    .bearer_auth(self.api_key.expose())
                    .json(&body))
            };
            send_with_retries("openai", self.policy, build, classify).await?
        } else {
            let types = req
                .references
                .iter()
                .enumerate()
                .map(|(i, r)| reference_type(r, i + 1))
                .collect::<Result<Vec<_>, _>>()?;
            let build = || {
                let mut form = Form::new()
                    .text("model", req.model.clone())
                    .text("prompt", req.prompt.clone())
                    .text("n", n.to_string())
                    .text("size", size);
                if response_format {
                    form = form.text("response_format", "b64_json");
                }
                for (i, (reference, content_type)) in req.references.iter().zip(&types).enumerate()
                {
                    let part = Part::bytes(reference.bytes.to_vec())
                        .file_name(format!("reference-{}.{}", i + 1, extension(content_type)))
                        .mime_str(content_type)
                        .map_err(|_| ProviderError::Rejected("unusable reference image".into()))?;
                    form = form.part("image[]", part);
                }
                Ok(self
                    .client
                    .post(self.edits_url.clone())
                    .bearer_auth(self.api_key.expose())
                    .multipart(form))
            };
            send_with_retries("openai", self.policy, build, classify).await?
        };
        let limit = self.max_response_bytes;
        let body = read_limited(response, limit).await.map_err(|e| {
            e.into_error(|| ProviderError::Malformed("the answer is larger than allowed".into()))
        })?;
        self.parse_images(&body, n).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-test-abcdef";

    fn classify_json(status: u16, body: &str) -> ProviderError {
        classify(
            StatusCode::from_u16(status).unwrap(),
            body.as_bytes(),
            &Reason::new(KEY),
        )
    }

    #[test]
    fn sizes_by_orientation() {
        assert_eq!(openai_size(Aspect::Square), "1024x1024");
        assert_eq!(openai_size(Aspect::Landscape5x4), "1536x1024");
        assert_eq!(openai_size(Aspect::Ultrawide21x9), "1536x1024");
        assert_eq!(openai_size(Aspect::Portrait4x5), "1024x1536");
        assert_eq!(openai_size(Aspect::Portrait9x16), "1024x1536");
        assert_eq!(
            openai_size_for_model("dall-e-3", Aspect::Landscape16x9),
            "1792x1024"
        );
        assert_eq!(
            openai_size_for_model("dall-e-2", Aspect::Portrait2x3),
            "1024x1024"
        );
        assert_eq!(
            openai_size_for_model("gpt-image-1", Aspect::Portrait2x3),
            "1024x1536"
        );
    }

    #[test]
    fn errors_are_classified() {
        let quota = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#;
        assert!(
            matches!(classify_json(429, quota), ProviderError::QuotaExceeded(m) if m.contains("quota"))
        );
        let billing = r#"{"error":{"message":"Billing hard limit has been reached","type":"invalid_request_error","code":"billing_hard_limit_reached"}}"#;
        assert!(matches!(
            classify_json(400, billing),
            ProviderError::QuotaExceeded(_)
        ));
        let limit = r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#;
        assert!(matches!(
            classify_json(429, limit),
            ProviderError::RateLimited { .. }
        ));
        let policy = r#"{"error":{"message":"Your request was rejected by the safety system.","type":"image_generation_user_error","code":"moderation_blocked"}}"#;
        assert!(
            matches!(classify_json(400, policy), ProviderError::Rejected(m) if m == "Your request was rejected by the safety system.")
        );
        assert!(matches!(
            classify_json(401, "{}"),
            ProviderError::Unauthorized
        ));
        assert!(matches!(
            classify_json(403, "nope"),
            ProviderError::Unauthorized
        ));
        assert!(
            matches!(classify_json(502, "<html>bad gateway</html>"), ProviderError::Unavailable(m) if m == "HTTP 502")
        );
        assert!(matches!(classify_json(404, ""), ProviderError::Rejected(m) if m == "HTTP 404"));
        let echo = format!(r#"{{"error":{{"message":"bad request for key {KEY}"}}}}"#);
        assert!(
            matches!(classify_json(400, &echo), ProviderError::Rejected(m) if !m.contains(KEY))
        );
        assert!(
            matches!(classify_json(400, r#"{"error":"plain text error"}"#), ProviderError::Rejected(m) if m == "plain text error")
        );
    }

    #[test]
    fn base_urls() {
        let root = |s: &str| api_root(&Url::parse(s).unwrap());
        assert_eq!(
            root("https://api.openai.com").as_deref(),
            Some("https://api.openai.com")
        );
        assert_eq!(
            root("https://example.com/openai/v1/").as_deref(),
            Some("https://example.com/openai")
        );
        assert_eq!(root("ftp://example.com"), None);
    }

    #[test]
    fn config_refuses_bad_keys_and_hides_the_key() {
        assert!(OpenAiProvider::new(OpenAiConfig::new("  ")).is_err());
        assert!(OpenAiProvider::new(OpenAiConfig::new("sk\nx")).is_err());
        let config = OpenAiConfig::new(KEY);
        assert!(!format!("{config:?}").contains(KEY));
        let provider = OpenAiProvider::new(config).unwrap();
        assert!(!format!("{provider:?}").contains(KEY));
        assert_eq!(
            provider.generations_url.as_str(),
            "https://api.openai.com/v1/images/generations"
        );
    }
}
