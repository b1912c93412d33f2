//! Atelier's AI image providers behind one trait (G3): [`ImageProvider`] turns a prompt (plus
//! optional reference images, a model, an aspect, a count and a seed) into images.
//!
//! - [`LocalProvider`] (`local`) draws offline with `atelier-render`: deterministic, fast, real
//!   pictures. It is the demo provider and the UI labels it so.
//! - [`OpenAiProvider`] (`openai`) speaks the OpenAI images API (`/v1/images/generations`, and
//!   `/v1/images/edits` when references are given or the request is an edit) and any server
//!   compatible with it.
//! - [`ReplicateProvider`] (`replicate`) creates a Replicate prediction (`Prefer: wait`), polls it
//!   and downloads its outputs at once.
//!
//! AI Edit ([`GenerateRequest::edit`]): the remote providers send the image to change to their
//! edit paths; the `local` provider applies real image operations chosen from the instruction
//! ([`apply_instruction`]).
//!
//! The AI assistant ([`AssistantProvider`]) enhances prompts and describes images as prompts:
//! [`OpenAiAssistant`] through an OpenAI-compatible chat completions API, [`LocalAssistant`]
//! offline and deterministically.
//!
//! Every image handed back has been checked to be a PNG, JPEG or WebP image, and its width and
//! height are read from its own header, never taken from the provider's word.
//!
//! Errors say what the caller should do next ([`ProviderError::is_retryable`]) and what the user
//! may read ([`ProviderError::user_message`]).
//!
//! Privacy (C10): nothing here logs a prompt, an image or a key. Logs carry the provider kind, HTTP
//! statuses, attempt numbers and waits only. Error texts never contain the API key: every reason
//! taken from a provider's answer has the key cut out before it is stored.

mod assistant;
mod edit;
mod error;
mod http;
mod image_check;
mod local;
mod openai;
mod replicate;

use std::fmt;

use atelier_core::Aspect;
use bytes::Bytes;

pub use assistant::{
    AssistantProvider, DescribeRequest, EnhanceRequest, LocalAssistant, MAX_ASSISTANT_CHARS,
    OpenAiAssistant, OpenAiAssistantConfig,
};
pub use edit::{EditOp, OFFLINE_EDIT_HELP, apply_instruction, parse_instruction};
pub use error::{ConfigError, ProviderError};
pub use image_check::{ALLOWED_CONTENT_TYPES, ImageInfo, ProbeError, probe};
pub use local::{DEFAULT_LONG_EDGE, LocalProvider};
pub use openai::{OpenAiConfig, OpenAiProvider, openai_size, openai_size_for_model};
pub use replicate::{ReplicateConfig, ReplicateProvider};

/// The most images one request asks a provider for; larger counts are lowered to it.
pub const MAX_IMAGES_PER_REQUEST: u32 = 10;

/// A source of generated images.
#[async_trait::async_trait]
pub trait ImageProvider: Send + Sync + fmt::Debug {
    /// "local", "openai" or "replicate".
    fn kind(&self) -> &'static str;

    /// Whether the images are demo pictures rather than AI generations; the UI labels such a
    /// provider as a demo. Only `local` is.
    fn is_demo(&self) -> bool {
        false
    }

    /// Makes `req.count` images (a provider may return fewer; the caller charges per delivered
    /// image). A count of 0 makes no call and returns no image; counts above
    /// [`MAX_IMAGES_PER_REQUEST`] are lowered to it.
    ///
    /// # Errors
    /// A [`ProviderError`] that says whether trying again later may help.
    async fn generate(&self, req: &GenerateRequest) -> Result<Vec<GeneratedImage>, ProviderError>;
}

/// What to generate.
///
/// `Debug` shows the prompt's length, never its words, and the references' sizes, never their
/// bytes: a request may reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct GenerateRequest {
    /// The provider's model name (`gpt-image-1`, `black-forest-labs/flux-schnell`, …); the local
    /// provider ignores it.
    pub model: String,
    /// What to draw, as the user wrote it.
    pub prompt: String,
    /// The shape of the images.
    pub aspect: Aspect,
    /// How many images to make.
    pub count: u32,
    /// Varies the result; providers without seeds ignore it.
    pub seed: Option<u64>,
    /// Images to start from or take after (edits); may be empty.
    pub references: Vec<ReferenceImage>,
    /// An AI Edit: `references[0]` is the image to change and `prompt` the instruction
    /// ("make it black and white"). Providers make one edited image for it.
    pub edit: bool,
}

impl GenerateRequest {
    /// A request for one image of `prompt` with no seed and no references.
    #[must_use]
    pub fn new(model: impl Into<String>, prompt: impl Into<String>, aspect: Aspect) -> Self {
        Self {
            model: model.into(),
            prompt: prompt.into(),
            aspect,
            count: 1,
            seed: None,
            references: Vec::new(),
            edit: false,
        }
    }

    /// The count a provider actually asks for: `count` lowered to [`MAX_IMAGES_PER_REQUEST`].
    #[must_use]
    pub fn capped_count(&self) -> u32 {
        self.count.min(MAX_IMAGES_PER_REQUEST)
    }
}

impl fmt::Debug for GenerateRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenerateRequest")
            .field("model", &self.model)
            .field("prompt_chars", &self.prompt.chars().count())
            .field("aspect", &self.aspect)
            .field("count", &self.count)
            .field("seed", &self.seed)
            .field("references", &self.references)
            .field("edit", &self.edit)
            .finish()
    }
}

/// An image the user supplied for the provider to work from.
#[derive(Clone, PartialEq, Eq)]
pub struct ReferenceImage {
    /// The encoded image.
    pub bytes: Bytes,
    /// `image/png`, `image/jpeg` or `image/webp`. Providers send the type read from the bytes
    /// themselves, so a wrong label does no harm.
    pub content_type: String,
}

impl fmt::Debug for ReferenceImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReferenceImage")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// An image a provider made, checked to be a real image.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedImage {
    /// The encoded image.
    pub bytes: Bytes,
    /// `image/png`, `image/jpeg` or `image/webp`, read from the bytes.
    pub content_type: String,
    /// Width in pixels, read from the image header.
    pub width: u32,
    /// Height in pixels, read from the image header.
    pub height: u32,
}

impl GeneratedImage {
    /// Checks `bytes` and reads their type and size.
    ///
    /// # Errors
    /// [`ProviderError::Malformed`] when the bytes are not a PNG, JPEG or WebP image.
    pub fn from_bytes(bytes: Bytes) -> Result<Self, ProviderError> {
        let info = probe(&bytes).map_err(|e| ProviderError::Malformed(e.to_string()))?;
        Ok(Self {
            bytes,
            content_type: info.content_type.to_owned(),
            width: info.width,
            height: info.height,
        })
    }
}

impl fmt::Debug for GeneratedImage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedImage")
            .field("bytes", &self.bytes.len())
            .field("content_type", &self.content_type)
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_prompt_and_bytes() {
        let mut req = GenerateRequest::new("m", "a secret garden", Aspect::Square);
        req.references.push(ReferenceImage {
            bytes: Bytes::from_static(b"\x89PNGsecretbytes"),
            content_type: "image/png".into(),
        });
        let shown = format!("{req:?}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("prompt_chars: 15"), "{shown}");
    }

    #[test]
    fn counts_are_capped() {
        let mut req = GenerateRequest::new("m", "p", Aspect::Square);
        req.count = 50;
        assert_eq!(req.capped_count(), MAX_IMAGES_PER_REQUEST);
    }
}
