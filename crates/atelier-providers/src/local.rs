//! The `local` provider: pictures drawn offline by `atelier-render`, for demos, development and
//! instances without an AI provider. The UI labels it as a demo provider.
//!
//! Deterministic: the same prompt, seed and aspect give byte-identical PNGs on every run. Image
//! `i` of a request uses seed `seed + i` (wrapping); a request without a seed uses seed 0, so a
//! caller that wants variety picks a seed. The model name and reference images are ignored.
//!
//! An edit ([`GenerateRequest::edit`] with a reference) applies the image operations the prompt
//! names to `references[0]` (see [`crate::apply_instruction`]) and makes one PNG, whatever the
//! count; an edit without a reference draws as usual.

use atelier_render::{RenderRequest, render_png};
use bytes::Bytes;

use crate::{GenerateRequest, GeneratedImage, ImageProvider, ProviderError, apply_instruction};

/// The long edge of local images unless set otherwise.
pub const DEFAULT_LONG_EDGE: u32 = 1024;

/// Draws images offline; see the module comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalProvider {
    long_edge: u32,
}

impl Default for LocalProvider {
    fn default() -> Self {
        Self::new()
    }
}

impl LocalProvider {
    /// A provider drawing images whose long edge is [`DEFAULT_LONG_EDGE`] pixels.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            long_edge: DEFAULT_LONG_EDGE,
        }
    }

    /// A provider drawing images whose long edge is `long_edge` pixels (kept within what the
    /// renderer draws, 16 to 2048) — small sizes keep tests fast.
    #[must_use]
    pub const fn with_long_edge(long_edge: u32) -> Self {
        let long_edge = if long_edge < atelier_render::MIN_SIDE {
            atelier_render::MIN_SIDE
        } else if long_edge > atelier_render::MAX_SIDE {
            atelier_render::MAX_SIDE
        } else {
            long_edge
        };
        Self { long_edge }
    }

    /// The long edge of the images drawn, in pixels.
    #[must_use]
    pub const fn long_edge(&self) -> u32 {
        self.long_edge
    }

    /// Draws the images of `req` on the current thread (the trait method runs this on a
    /// blocking thread).
    ///
    /// # Errors
    /// [`ProviderError::Malformed`] should the renderer ever produce no image; for an edit,
    /// [`ProviderError::Rejected`] when the instruction names no operation the offline editor
    /// knows or the image cannot be read.
    pub fn render(&self, req: &GenerateRequest) -> Result<Vec<GeneratedImage>, ProviderError> {
        if req.capped_count() == 0 {
            return Ok(Vec::new());
        }
        if req.edit
            && let Some(source) = req.references.first()
        {
            let (png, _ops) = apply_instruction(&source.bytes, &req.prompt)?;
            return Ok(vec![GeneratedImage::from_bytes(Bytes::from(png))?]);
        }
        let (width, height) = req.aspect.dimensions(self.long_edge);
        let base_seed = req.seed.unwrap_or(0);
        (0..req.capped_count())
            .map(|i| {
                let png = render_png(&RenderRequest {
                    prompt: &req.prompt,
                    seed: base_seed.wrapping_add(u64::from(i)),
                    width,
                    height,
                });
                GeneratedImage::from_bytes(Bytes::from(png))
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl ImageProvider for LocalProvider {
    fn kind(&self) -> &'static str {
        "local"
    }

    fn is_demo(&self) -> bool {
        true
    }

    async fn generate(&self, req: &GenerateRequest) -> Result<Vec<GeneratedImage>, ProviderError> {
        if req.capped_count() == 0 {
            return Ok(Vec::new());
        }
        let provider = *self;
        let req = req.clone();
        tokio::task::spawn_blocking(move || provider.render(&req))
            .await
            .map_err(|_| ProviderError::Unavailable("the local renderer stopped".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use atelier_core::Aspect;

    #[test]
    fn sizes_follow_the_aspect_and_long_edge() {
        let provider = LocalProvider::with_long_edge(64);
        let mut req = GenerateRequest::new("any", "a quiet harbour", Aspect::Landscape16x9);
        req.count = 2;
        let images = provider.render(&req).unwrap();
        assert_eq!(images.len(), 2);
        assert_eq!((images[0].width, images[0].height), (64, 40));
        assert_eq!(images[0].content_type, "image/png");
        assert_ne!(images[0].bytes, images[1].bytes);
    }

    #[test]
    fn edits_change_the_reference_and_make_one_image() {
        let provider = LocalProvider::with_long_edge(64);
        let source = provider
            .render(&GenerateRequest::new("any", "a lake", Aspect::Square))
            .unwrap();
        let mut req = GenerateRequest::new("any", "crop to 16:9 and rotate 90", Aspect::Square);
        req.edit = true;
        req.count = 3;
        req.references.push(crate::ReferenceImage {
            bytes: source[0].bytes.clone(),
            content_type: "image/png".into(),
        });
        let images = provider.render(&req).unwrap();
        assert_eq!(images.len(), 1);
        assert_eq!((images[0].width, images[0].height), (36, 64));
        req.prompt = "write a poem".into();
        let err = provider.render(&req).unwrap_err();
        assert!(!err.is_retryable());
        // Without a reference, an edit draws as usual.
        req.references.clear();
        req.count = 1;
        assert_eq!(provider.render(&req).unwrap().len(), 1);
    }

    #[test]
    fn long_edge_is_kept_drawable() {
        assert_eq!(LocalProvider::with_long_edge(1).long_edge(), 16);
        assert_eq!(LocalProvider::with_long_edge(99_999).long_edge(), 2048);
        assert_eq!(LocalProvider::default().long_edge(), DEFAULT_LONG_EDGE);
    }
}
