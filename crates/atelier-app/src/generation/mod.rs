//! Generation (G3, G6, C5, C6, C8, U1): a prompt, optional reference uploads, a model, an aspect,
//! a count and a seed go to the model's provider; the credits are held first and, when the job
//! ends, captured per delivered image and the rest released — exactly once, however often the job
//! runs. Images are stored encrypted with the owner's key (R1) and served only to the owner or
//! through a signed URL that expires. Deleting a record removes its prompt, its images, their
//! thumbnails and the uploads no other record of the user uses, from storage too.
//!
//! Here: the models and the image variants. `start` starts a generation, `job` runs it,
//! `records` reads and deletes the records, `images` serves their images.

mod images;
mod job;
mod providers;
mod records;
pub mod signing;
mod start;

pub use job::GenerationJob;
pub use providers::Providers;
pub use records::Generation;
pub use start::NewGeneration;

use crate::{App, AppError};
use atelier_core::settings::{ModelSettings, ProviderKind};

/// Longest prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 4000;
/// Thumbnail widths stored for each generated image.
pub const GENERATED_THUMB_WIDTHS: [u32; 2] = [320, 640];

/// A variant of a generated image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageVariant {
    /// As delivered.
    Original,
    /// A WebP thumbnail of this width.
    Thumb(u32),
}

impl ImageVariant {
    /// Parses `original`, `w320` or `w640`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        if s == "original" {
            return Some(Self::Original);
        }
        let w: u32 = s.strip_prefix('w')?.parse().ok()?;
        GENERATED_THUMB_WIDTHS
            .contains(&w)
            .then_some(Self::Thumb(w))
    }

    /// The storage and URL name.
    #[must_use]
    pub fn name(self) -> String {
        match self {
            Self::Original => "original".to_owned(),
            Self::Thumb(w) => format!("w{w}"),
        }
    }
}

impl App {
    /// The models users can choose, the default first.
    #[must_use]
    pub fn models(&self) -> Vec<ModelSettings> {
        self.settings().models()
    }

    pub(crate) fn model(&self, id: Option<&str>) -> Result<ModelSettings, AppError> {
        let models = self.models();
        match id.map(str::trim).filter(|s| !s.is_empty()) {
            Some(id) => models.into_iter().find(|m| m.id == id).ok_or_else(|| {
                AppError::invalid(
                    crate::Refusal::UnknownModel,
                    format!("There is no model `{id}` here."),
                )
            }),
            None => models.into_iter().next().ok_or_else(|| {
                AppError::invalid(
                    crate::Refusal::NoModels,
                    "This instance has no image model configured yet.",
                )
            }),
        }
    }

    /// The configured providers.
    #[must_use]
    pub fn providers(&self) -> &Providers {
        &self.inner.providers
    }

    /// The provider kind of a model, for the U4 notice.
    #[must_use]
    pub fn provider_name(kind: ProviderKind) -> &'static str {
        kind.display_name()
    }
}
