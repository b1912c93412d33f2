//! The AI assistant (G4): turns a short prompt into a rich one ([`AssistantProvider::enhance`])
//! and an image into a prompt that would make one like it ([`AssistantProvider::describe`]).
//!
//! - [`OpenAiAssistant`] (`openai`) asks an OpenAI-compatible chat completions API.
//! - [`LocalAssistant`] (`local`) works offline and deterministically: it keeps the prompt and
//!   adds vocabulary learnt from well-liked related prompts, and describes an image from its
//!   measured palette, light, contrast and composition.
//!
//! Privacy (C10): as for the image providers, no prompt, image or key is ever logged, and the
//! requests' `Debug` shows sizes only.

mod local;
mod openai_chat;

use std::fmt;

pub use local::LocalAssistant;
pub use openai_chat::{OpenAiAssistant, OpenAiAssistantConfig};

use crate::{ProviderError, ReferenceImage};

/// The longest text an assistant hands back, in characters.
pub const MAX_ASSISTANT_CHARS: usize = 4000;

/// A helper that writes image prompts.
#[async_trait::async_trait]
pub trait AssistantProvider: Send + Sync + fmt::Debug {
    /// "local" or "openai".
    fn kind(&self) -> &'static str;

    /// The model used, for call logs: `gpt-4o-mini`, or `local`.
    fn model(&self) -> &str;

    /// `req.prompt` rewritten into one richer image prompt, in `req.language`, at most
    /// [`MAX_ASSISTANT_CHARS`] characters.
    ///
    /// # Errors
    /// A [`ProviderError`] that says whether trying again later may help.
    async fn enhance(&self, req: &EnhanceRequest) -> Result<String, ProviderError>;

    /// A prompt that would make an image like `req.image`, in `req.language`, at most
    /// [`MAX_ASSISTANT_CHARS`] characters.
    ///
    /// # Errors
    /// A [`ProviderError`] that says whether trying again later may help.
    async fn describe(&self, req: &DescribeRequest) -> Result<String, ProviderError>;
}

/// A prompt to enhance.
///
/// `Debug` shows the lengths of the prompt and examples, never their words.
#[derive(Clone, PartialEq, Eq)]
pub struct EnhanceRequest {
    /// The user's prompt.
    pub prompt: String,
    /// The language to answer in: `en` or `zh-CN`.
    pub language: String,
    /// Well-liked related public gallery prompts, best first; may be empty.
    pub examples: Vec<String>,
}

impl fmt::Debug for EnhanceRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnhanceRequest")
            .field("prompt_chars", &self.prompt.chars().count())
            .field("language", &self.language)
            .field("examples", &self.examples.len())
            .finish()
    }
}

/// An image to describe as a prompt.
///
/// `Debug` shows the image's size, never its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct DescribeRequest {
    /// The image.
    pub image: ReferenceImage,
    /// The language to answer in: `en` or `zh-CN`.
    pub language: String,
}

impl fmt::Debug for DescribeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DescribeRequest")
            .field("image", &self.image)
            .field("language", &self.language)
            .finish()
    }
}

/// Whether `language` is a Chinese one (`zh`, `zh-CN`, `zh-Hans`, …).
pub(crate) fn is_chinese(language: &str) -> bool {
    let lower = language.trim().to_ascii_lowercase();
    lower == "zh" || lower.starts_with("zh-") || lower.starts_with("zh_")
}

/// `text` cut to at most `max` characters.
pub(crate) fn truncate_chars(text: &str, max: usize) -> &str {
    text.char_indices()
        .nth(max)
        .map_or(text, |(i, _)| &text[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    #[test]
    fn debug_hides_prompts_and_bytes() {
        let req = EnhanceRequest {
            prompt: "a secret garden".into(),
            language: "en".into(),
            examples: vec!["secret example".into()],
        };
        let shown = format!("{req:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let req = DescribeRequest {
            image: ReferenceImage {
                bytes: Bytes::from_static(b"secretbytes"),
                content_type: "image/png".into(),
            },
            language: "zh-CN".into(),
        };
        assert!(!format!("{req:?}").contains("secret"));
    }

    #[test]
    fn languages_and_truncation() {
        assert!(is_chinese("zh-CN"));
        assert!(is_chinese("ZH"));
        assert!(!is_chinese("en"));
        assert_eq!(truncate_chars("你好世界", 2), "你好");
        assert_eq!(truncate_chars("abc", 10), "abc");
    }
}
