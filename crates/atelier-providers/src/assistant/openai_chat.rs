//! The `openai` assistant: OpenAI's chat completions API and servers compatible with it.
//!
//! `POST {base}/v1/chat/completions` with `Authorization: Bearer` and JSON
//! `{model, messages}`:
//! - enhance: a system message (the enhance instructions, the answer language and up to five
//!   well-liked related prompts as inspiration) and the user's prompt as the user message;
//! - describe: a system message (the describe instructions and the answer language) and a user
//!   message with a text part and an `image_url` part carrying the image as a `data:` URI of the
//!   type read from its bytes.
//!
//! The answer's `choices[0].message.content` is trimmed and stripped of surrounding quotes; an
//! empty one is [`ProviderError::Malformed`], a refusal is [`ProviderError::Rejected`]. Retries
//! and error mapping are those of the images provider (429 with its wait, 5xx retried in place,
//! 401/403 unauthorized, other 4xx rejected with the provider's message, the key cut out).

use std::fmt;
use std::time::Duration;

use atelier_core::Secret;
use reqwest::Client;
use serde::Deserialize;
use serde_json::{Value, json};
use url::Url;

use super::{
    AssistantProvider, DescribeRequest, EnhanceRequest, MAX_ASSISTANT_CHARS, is_chinese,
    truncate_chars,
};
use crate::error::Reason;
use crate::http::{
    RetryPolicy, api_root, default_url, json_problem, read_limited, send_with_retries,
};
use crate::image_check::{data_uri, probe};
use crate::openai::classify;
use crate::{ConfigError, ProviderError};

/// The most examples sent as inspiration.
const MAX_EXAMPLES: usize = 5;
/// The longest example sent, in characters.
const MAX_EXAMPLE_CHARS: usize = 500;
/// The largest chat answer read.
const MAX_ANSWER_BYTES: u64 = 1024 * 1024;
/// The largest image sent to be described (before base64).
const MAX_IMAGE_BYTES: usize = 20 * 1024 * 1024;

/// How to reach an OpenAI-compatible chat completions API, and what to ask it.
#[derive(Clone)]
pub struct OpenAiAssistantConfig {
    /// The API key, sent as `Authorization: Bearer`. Never shown by `Debug`.
    pub api_key: String,
    /// The API's origin, `https://api.openai.com` by default; `/v1/chat/completions` is appended
    /// (a base ending in `/v1` is accepted too).
    pub base_url: Url,
    /// The chat model, `gpt-4o-mini` by default; it must accept images for `describe`.
    pub model: String,
    /// The system instructions for `enhance`.
    pub enhance_instructions: String,
    /// The system instructions for `describe`.
    pub describe_instructions: String,
    /// How long one HTTP request may take, body included.
    pub timeout: Duration,
    /// Retries after the first attempt for 429s, 5xxs and refused connections.
    pub max_retries: u32,
    /// The first wait when the provider names none; doubled on each retry, with jitter.
    pub initial_backoff: Duration,
    /// The longest wait slept in place; a provider asking for longer gets
    /// [`ProviderError::RateLimited`] with that wait back at once.
    pub max_retry_wait: Duration,
}

impl OpenAiAssistantConfig {
    /// The default origin of OpenAI's API.
    pub const DEFAULT_BASE_URL: &'static str = "https://api.openai.com";
    /// The default chat model.
    pub const DEFAULT_MODEL: &'static str = "gpt-4o-mini";
    /// The default instructions for `enhance`.
    pub const DEFAULT_ENHANCE_INSTRUCTIONS: &'static str = "You improve prompts for an AI image \
         generator. Rewrite the user's prompt into one rich, concrete image prompt: keep the \
         user's subject and intent first and unchanged, then add fitting details of setting, \
         style, lighting, composition, camera or medium, colour palette and level of detail. \
         Do not add text, logos or watermarks to the picture unless asked. Answer with the \
         prompt only, on one line, without quotes, labels or explanations.";
    /// The default instructions for `describe`.
    pub const DEFAULT_DESCRIBE_INSTRUCTIONS: &'static str = "You write prompts for an AI image \
         generator. Look at the image and write one rich image prompt that would make a \
         similar picture: the main subject first, then setting, style or medium, lighting, \
         composition, camera, colour palette and mood. Answer with the prompt only, on one \
         line, without quotes, labels or explanations.";

    /// Settings for OpenAI itself with `api_key`: `gpt-4o-mini`, the default instructions, a
    /// 60-second timeout, 3 retries from a 1-second backoff and in-place waits up to 30 s.
    #[must_use]
    pub fn new(api_key: impl Into<String>) -> Self {
        Self {
            api_key: api_key.into(),
            base_url: default_url(Self::DEFAULT_BASE_URL),
            model: Self::DEFAULT_MODEL.to_owned(),
            enhance_instructions: Self::DEFAULT_ENHANCE_INSTRUCTIONS.to_owned(),
            describe_instructions: Self::DEFAULT_DESCRIBE_INSTRUCTIONS.to_owned(),
            timeout: Duration::from_secs(60),
            max_retries: 3,
            initial_backoff: Duration::from_secs(1),
            max_retry_wait: Duration::from_secs(30),
        }
    }
}

impl fmt::Debug for OpenAiAssistantConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiAssistantConfig")
            .field("api_key", &"***")
            .field("base_url", &self.base_url.as_str())
            .field("model", &self.model)
            .field("enhance_instructions", &self.enhance_instructions.len())
            .field("describe_instructions", &self.describe_instructions.len())
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_retry_wait", &self.max_retry_wait)
            .finish()
    }
}

/// Enhances and describes through an OpenAI-compatible chat API; see the module comment.
#[derive(Debug, Clone)]
pub struct OpenAiAssistant {
    client: Client,
    url: Url,
    model: String,
    api_key: Secret<String>,
    reason: Reason,
    policy: RetryPolicy,
    enhance_instructions: String,
    describe_instructions: String,
}

impl OpenAiAssistant {
    /// An assistant for `config`.
    ///
    /// # Errors
    /// [`ConfigError`] when the base URL is not http(s), the key is empty or cannot be sent in a
    /// header, or the HTTP client cannot be built.
    pub fn new(config: OpenAiAssistantConfig) -> Result<Self, ConfigError> {
        const KIND: &str = "openai";
        let api_key = config.api_key.trim().to_owned();
        if api_key.is_empty() || api_key.chars().any(|c| c.is_control() || c == ' ') {
            return Err(ConfigError::ApiKey(KIND));
        }
        let root = api_root(&config.base_url).ok_or(ConfigError::BaseUrl(KIND))?;
        let url = Url::parse(&format!("{root}/v1/chat/completions"))
            .map_err(|_| ConfigError::BaseUrl(KIND))?;
        let client = Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("atelier/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConfigError::Client {
                provider: KIND,
                reason: e.to_string(),
            })?;
        let model = match config.model.trim() {
            "" => OpenAiAssistantConfig::DEFAULT_MODEL.to_owned(),
            model => model.to_owned(),
        };
        Ok(Self {
            client,
            url,
            model,
            reason: Reason::new(&api_key),
            api_key: Secret::new(api_key),
            policy: RetryPolicy {
                max_retries: config.max_retries,
                initial_backoff: config.initial_backoff,
                max_wait: config.max_retry_wait,
            },
            enhance_instructions: config.enhance_instructions,
            describe_instructions: config.describe_instructions,
        })
    }

    /// Sends `messages` and returns the cleaned answer text.
    async fn chat(&self, messages: Value) -> Result<String, ProviderError> {
        let body = json!({"model": self.model, "messages": messages});
        let build = || {
            Ok(self
                .client
                .post(self.url.clone())
                .bearer_auth(self.api_key.expose())
                .json(&body))
        };
        let classify = |status, body: &[u8]| classify(status, body, &self.reason);
        let response = send_with_retries("openai", self.policy, build, classify).await?;
        let body = read_limited(response, MAX_ANSWER_BYTES)
            .await
            .map_err(|e| {
                e.into_error(|| {
                    ProviderError::Malformed("the answer is larger than allowed".into())
                })
            })?;
        parse_answer(&body, &self.reason)
    }
}

/// The instruction naming the answer language.
fn language_hint(language: &str) -> &'static str {
    if is_chinese(language) {
        "Write the prompt in Simplified Chinese (简体中文)."
    } else {
        "Write the prompt in English."
    }
}

/// The system message for `enhance`.
fn enhance_system(instructions: &str, req: &EnhanceRequest) -> String {
    let mut system = format!(
        "{}\n\n{}",
        instructions.trim(),
        language_hint(&req.language)
    );
    let examples: Vec<&str> = req
        .examples
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
        .take(MAX_EXAMPLES)
        .collect();
    if !examples.is_empty() {
        system.push_str(
            "\n\nWell-liked prompts from this gallery on related subjects, for inspiration only \
             (borrow style, lighting and composition ideas; do not copy their subjects):",
        );
        for example in examples {
            system.push_str("\n- ");
            system.push_str(&truncate_chars(example, MAX_EXAMPLE_CHARS).replace('\n', " "));
        }
    }
    system
}

#[derive(Deserialize)]
struct ChatAnswer {
    #[serde(default)]
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Option<Message>,
}

#[derive(Deserialize)]
struct Message {
    #[serde(default)]
    content: Option<Value>,
    #[serde(default)]
    refusal: Option<String>,
}

/// The cleaned text of a chat answer (see the module comment).
fn parse_answer(body: &[u8], reason: &Reason) -> Result<String, ProviderError> {
    let answer: ChatAnswer = serde_json::from_slice(body)
        .map_err(|e| ProviderError::Malformed(json_problem("the chat answer", &e)))?;
    let message = answer
        .choices
        .into_iter()
        .next()
        .and_then(|c| c.message)
        .ok_or_else(|| ProviderError::Malformed("the chat answer has no message".into()))?;
    let content = match message.content {
        Some(Value::String(text)) => text,
        // Some compatible servers answer with content parts.
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    };
    let text = clean_answer(&content);
    if text.is_empty() {
        if let Some(refusal) = message.refusal.filter(|r| !r.trim().is_empty()) {
            return Err(ProviderError::Rejected(reason.clean(&refusal)));
        }
        return Err(ProviderError::Malformed(
            "the chat answer has no text".into(),
        ));
    }
    Ok(text)
}

/// `text` trimmed, without surrounding quotes, at most [`MAX_ASSISTANT_CHARS`] characters.
pub(crate) fn clean_answer(text: &str) -> String {
    const QUOTES: [(char, char); 6] = [
        ('"', '"'),
        ('\'', '\''),
        ('“', '”'),
        ('‘', '’'),
        ('「', '」'),
        ('`', '`'),
    ];
    let mut text = text.trim();
    loop {
        let stripped = QUOTES.iter().find_map(|&(open, close)| {
            text.strip_prefix(open)
                .and_then(|t| t.strip_suffix(close))
                .map(str::trim)
        });
        match stripped {
            Some(inner) => text = inner,
            None => break,
        }
    }
    truncate_chars(text, MAX_ASSISTANT_CHARS)
        .trim_end()
        .to_owned()
}

#[async_trait::async_trait]
impl AssistantProvider for OpenAiAssistant {
    fn kind(&self) -> &'static str {
        "openai"
    }

    fn model(&self) -> &str {
        &self.model
    }

    async fn enhance(&self, req: &EnhanceRequest) -> Result<String, ProviderError> {
        let prompt = req.prompt.trim();
        if prompt.is_empty() {
            return Err(ProviderError::Rejected("the prompt is empty".into()));
        }
        let messages = json!([
            {"role": "system", "content": enhance_system(&self.enhance_instructions, req)},
            {"role": "user", "content": prompt},
        ]);
        self.chat(messages).await
    }

    async fn describe(&self, req: &DescribeRequest) -> Result<String, ProviderError> {
        let info = probe(&req.image.bytes)
            .map_err(|e| ProviderError::Rejected(format!("the image to describe: {e}")))?;
        if req.image.bytes.len() > MAX_IMAGE_BYTES {
            return Err(ProviderError::Rejected(
                "the image to describe is larger than 20 MB".into(),
            ));
        }
        let system = format!(
            "{}\n\n{}",
            self.describe_instructions.trim(),
            language_hint(&req.language)
        );
        let messages = json!([
            {"role": "system", "content": system},
            {"role": "user", "content": [
                {"type": "text", "text": "Write the image prompt for this picture."},
                {"type": "image_url", "image_url": {"url": data_uri(info.content_type, &req.image.bytes)}},
            ]},
        ]);
        self.chat(messages).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_cleaned() {
        assert_eq!(clean_answer("  \"a red fox\"\n"), "a red fox");
        assert_eq!(clean_answer("“一只狐狸”"), "一只狐狸");
        assert_eq!(clean_answer("'it's fine'"), "it's fine");
        assert_eq!(
            clean_answer("don't strip 'inner' quotes"),
            "don't strip 'inner' quotes"
        );
        assert_eq!(clean_answer(&"x".repeat(5000)).len(), MAX_ASSISTANT_CHARS);
        assert_eq!(clean_answer(" \"\" "), "");
    }

    #[test]
    fn answers_are_parsed() {
        let reason = Reason::new("sk-key-123456");
        let ok = br#"{"choices":[{"message":{"role":"assistant","content":" \"a fox\" "}}]}"#;
        assert_eq!(parse_answer(ok, &reason).unwrap(), "a fox");
        let parts = br#"{"choices":[{"message":{"content":[{"type":"text","text":"a fox"}]}}]}"#;
        assert_eq!(parse_answer(parts, &reason).unwrap(), "a fox");
        let refused = br#"{"choices":[{"message":{"content":null,"refusal":"I can't help"}}]}"#;
        assert!(
            matches!(parse_answer(refused, &reason), Err(ProviderError::Rejected(m)) if m == "I can't help")
        );
        for bad in [
            &br#"{"choices":[]}"#[..],
            br#"{"choices":[{"message":{"content":"  "}}]}"#,
            b"<html>",
        ] {
            assert!(matches!(
                parse_answer(bad, &reason),
                Err(ProviderError::Malformed(_))
            ));
        }
    }

    #[test]
    fn the_enhance_system_message_carries_language_and_examples() {
        let req = EnhanceRequest {
            prompt: "a fox".into(),
            language: "zh-CN".into(),
            examples: (0..8).map(|i| format!("example {i}")).collect(),
        };
        let system = enhance_system("Be good.", &req);
        assert!(system.starts_with("Be good."));
        assert!(system.contains("简体中文"));
        assert!(system.contains("example 4") && !system.contains("example 5"));
        let req = EnhanceRequest {
            examples: Vec::new(),
            language: "en".into(),
            ..req
        };
        let system = enhance_system("Be good.", &req);
        assert!(system.contains("English") && !system.contains("inspiration"));
    }

    #[test]
    fn config_hides_the_key() {
        let config = OpenAiAssistantConfig::new("sk-abcdef123456");
        assert!(!format!("{config:?}").contains("sk-abcdef"));
        let assistant = OpenAiAssistant::new(config).unwrap();
        assert!(!format!("{assistant:?}").contains("sk-abcdef"));
        assert_eq!(
            assistant.url.as_str(),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(assistant.model(), "gpt-4o-mini");
        assert!(OpenAiAssistant::new(OpenAiAssistantConfig::new(" ")).is_err());
    }
}
