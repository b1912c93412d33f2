//! Atelier's offline image generator. It draws real, pleasant pictures — layered landscapes, seas,
//! skylines, starry skies and abstract compositions — from a prompt, a seed and a size, with no
//! network and no model. The demo gallery, `atelier import --render-missing` and the offline `local`
//! generation provider use it.
//!
//! The prompt steers the picture: colour words (English and Chinese: "blue"/"蓝", "gold"/"金", …)
//! choose the palette; scene words ("ocean"/"海", "city"/"城市", "forest"/"森林", "space"/"宇宙",
//! "portrait"/"人像", "abstract"/"抽象", …), times of day ("sunset"/"日落", "night"/"夜") and
//! weather ("rain"/"雨", "snow"/"雪", "fog"/"雾") choose what is drawn. The whole prompt and the seed
//! are hashed (FNV-1a, SplitMix64) into every other choice.
//!
//! Determinism: the same prompt, seed, width and height give byte-identical pixels on every run and
//! machine. The renderer uses no platform maths functions (see `math`), no threads and no
//! randomness other than its own generator.

mod canvas;
mod describe;
mod math;
mod noise;
mod palette;
mod plan;
mod rng;
mod scenes;
mod sky;
mod terrain;
mod water;
mod weather;
mod words;

use plan::{Plan, Scene};

/// The smallest width or height drawn; smaller requests are raised to it.
pub const MIN_SIDE: u32 = 16;
/// The largest width or height drawn; larger requests are lowered to it.
pub const MAX_SIDE: u32 = 2048;

/// What to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenderRequest<'a> {
    /// The prompt, in any language; English and Chinese keywords steer the picture.
    pub prompt: &'a str,
    /// Varies the picture for the same prompt.
    pub seed: u64,
    /// Width in pixels (clamped to `MIN_SIDE..=MAX_SIDE`).
    pub width: u32,
    /// Height in pixels (clamped to `MIN_SIDE..=MAX_SIDE`).
    pub height: u32,
}

impl RenderRequest<'_> {
    /// The width and height that will actually be drawn.
    pub fn size(&self) -> (u32, u32) {
        (
            self.width.clamp(MIN_SIDE, MAX_SIDE),
            self.height.clamp(MIN_SIDE, MAX_SIDE),
        )
    }
}

/// Draws the picture. Width/height are clamped to 16..=2048.
pub fn render(req: &RenderRequest<'_>) -> image::RgbImage {
    let (w, h) = req.size();
    let plan = Plan::new(req.prompt, req.seed);
    let canvas = scenes::paint(&plan, to_usize(w), to_usize(h));
    let (vignette, grain) = match plan.scene {
        Scene::Studio => (0.5, 0.03),
        Scene::Shapes => (0.06, 0.035),
        Scene::Waves | Scene::Blobs => (0.12, 0.03),
        Scene::Space | Scene::Bokeh => (0.3, 0.025),
        _ => (0.28, 0.028),
    };
    canvas.finish(vignette, grain, math::high32(plan.seed))
}

/// Draws and encodes as PNG.
///
/// Encoding into memory cannot fail for the sizes drawn; should the encoder ever report an error,
/// the result is empty rather than a panic.
pub fn render_png(req: &RenderRequest<'_>) -> Vec<u8> {
    let img = render(req);
    let mut out = Vec::with_capacity(img.as_raw().len() / 2);
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    match img.write_with_encoder(encoder) {
        Ok(()) => out,
        Err(_) => Vec::new(),
    }
}

/// A short English description of what was drawn (scene and palette), e.g. "a misty mountain
/// landscape at dusk in teal and gold" — useful for alt text.
pub fn describe(req: &RenderRequest<'_>) -> String {
    describe::sentence(&Plan::new(req.prompt, req.seed))
}

fn to_usize(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests;
