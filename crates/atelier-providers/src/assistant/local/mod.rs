//! The `local` assistant: offline, deterministic, no network.
//!
//! - `enhance` keeps the user's prompt first and adds descriptive terms (style, lighting,
//!   composition, lens, palette, detail) learnt from the well-liked related prompts the caller
//!   found, or defaults for the prompt's subject when they say nothing; in Chinese for `zh-CN`
//!   or a mostly Chinese prompt.
//! - `describe` measures the image (shape, dominant named colours, brightness, contrast,
//!   saturation, busyness, centre, light direction) and writes them as a prompt.

mod describe;
mod enhance;
mod lexicon;

use super::{AssistantProvider, DescribeRequest, EnhanceRequest, is_chinese};
use crate::ProviderError;

/// The offline assistant; see the module comment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LocalAssistant;

impl LocalAssistant {
    /// The offline assistant.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }

    /// [`AssistantProvider::enhance`] on the current thread.
    ///
    /// # Errors
    /// [`ProviderError::Rejected`] when the prompt is empty.
    pub fn enhance_now(&self, req: &EnhanceRequest) -> Result<String, ProviderError> {
        enhance::enhance(&req.prompt, &req.language, &req.examples)
    }

    /// [`AssistantProvider::describe`] on the current thread.
    ///
    /// # Errors
    /// [`ProviderError::Rejected`] when the image is not a PNG, JPEG or WebP image of at most 40
    /// megapixels that decodes.
    pub fn describe_now(&self, req: &DescribeRequest) -> Result<String, ProviderError> {
        describe::describe(&req.image.bytes, is_chinese(&req.language))
    }
}

#[async_trait::async_trait]
impl AssistantProvider for LocalAssistant {
    fn kind(&self) -> &'static str {
        "local"
    }

    fn model(&self) -> &str {
        "local"
    }

    async fn enhance(&self, req: &EnhanceRequest) -> Result<String, ProviderError> {
        let (assistant, req) = (*self, req.clone());
        tokio::task::spawn_blocking(move || assistant.enhance_now(&req))
            .await
            .map_err(|_| ProviderError::Unavailable("the local assistant stopped".into()))?
    }

    async fn describe(&self, req: &DescribeRequest) -> Result<String, ProviderError> {
        let (assistant, req) = (*self, req.clone());
        tokio::task::spawn_blocking(move || assistant.describe_now(&req))
            .await
            .map_err(|_| ProviderError::Unavailable("the local assistant stopped".into()))?
    }
}
