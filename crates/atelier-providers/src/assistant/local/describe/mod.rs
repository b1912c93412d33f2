//! Offline image description: a prompt built from measured properties of the image — its shape,
//! dominant named colours, brightness, contrast, saturation, how busy it is, whether it has a
//! clear centre and where the light comes from.
//!
//! The image is decoded with limits (at most 40 megapixels) and shrunk to at most 128 pixels a
//! side for analysis.
//!
//! Measuring (`measure`, with the colour names of `palette`) yields an [`Analysis`]; wording
//! (`wording`) turns it into an English or Chinese prompt.

mod measure;
mod palette;
mod wording;

use image::imageops;

use crate::ProviderError;
use crate::image_check::decode_limited;
use measure::{analyse, to_u32};
use palette::Swatch;
use wording::{render_en, render_zh};

/// The long side of the image analysed.
const ANALYSIS_SIDE: u32 = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Square,
    Landscape,
    Portrait,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Brightness {
    Dark,
    Dim,
    Balanced,
    Bright,
    HighKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contrast {
    Low,
    Soft,
    Strong,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Saturation {
    BlackAndWhite,
    Muted,
    Natural,
    Vivid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Busyness {
    Minimal,
    Balanced,
    Busy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Light {
    Above,
    Below,
    Left,
    Right,
}

/// What was measured.
#[derive(Debug)]
struct Analysis {
    shape: Shape,
    ratio: Option<(u32, u32)>,
    palette: Vec<Swatch>,
    brightness: Brightness,
    contrast: Contrast,
    saturation: Saturation,
    busyness: Busyness,
    centre: bool,
    light: Option<Light>,
}

/// A prompt describing the image `bytes`, in Chinese when `chinese`.
///
/// # Errors
/// [`ProviderError::Rejected`] when the bytes are not a PNG, JPEG or WebP image of at most 40
/// megapixels that decodes.
pub(super) fn describe(bytes: &[u8], chinese: bool) -> Result<String, ProviderError> {
    let image = decode_limited(bytes, "the image to describe")?;
    let (width, height) = (image.width(), image.height());
    let small = if width.max(height) > ANALYSIS_SIDE {
        let scale = f64::from(ANALYSIS_SIDE) / f64::from(width.max(height));
        let side = |v: u32| to_u32((f64::from(v) * scale).round()).max(1);
        imageops::thumbnail(&image.to_rgb8(), side(width), side(height))
    } else {
        image.to_rgb8()
    };
    drop(image);
    let analysis = analyse(&small, width, height);
    Ok(if chinese {
        render_zh(&analysis)
    } else {
        render_en(&analysis)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageFormat, Rgb, RgbImage};
    use std::io::Cursor;

    fn png(image: &RgbImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    /// A fixed pseudo-random sequence (xorshift), so tests are deterministic.
    fn noise(width: u32, height: u32, low: u8, grey: bool) -> RgbImage {
        let mut state: u32 = 0x9e37_79b9;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            low + u8::try_from(state % u32::from(256 - u16::from(low))).unwrap()
        };
        RgbImage::from_fn(width, height, |_, _| {
            if grey {
                let v = next();
                Rgb([v, v, v])
            } else {
                Rgb([next(), next(), next()])
            }
        })
    }

    #[test]
    fn a_solid_dark_image() {
        let image = RgbImage::from_pixel(300, 300, Rgb([20, 22, 45]));
        let text = describe(&png(&image), false).unwrap();
        assert!(
            text.starts_with("A minimal, dark square image (1:1) dominated by navy"),
            "{text}"
        );
        assert!(text.contains("low contrast"), "{text}");
        assert!(!text.contains("centre"), "{text}");
    }

    #[test]
    fn a_bright_noisy_image() {
        let text = describe(&png(&noise(200, 150, 150, false)), false).unwrap();
        assert!(text.contains("busy"), "{text}");
        assert!(
            text.contains("bright") || text.contains("high-key"),
            "{text}"
        );
        assert!(text.contains("(4:3)"), "{text}");
        assert!(!text.contains("black and white"), "{text}");
    }

    #[test]
    fn a_wide_blue_to_white_gradient() {
        // Deep blue on the left third, off-white on the right third, a ramp between.
        let image = RgbImage::from_fn(320, 180, |x, _| {
            let t = ((f64::from(x) - 106.0) / 106.0).clamp(0.0, 1.0);
            let mix = |a: u8, b: u8| {
                u8::try_from(to_u32(
                    (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round(),
                ))
                .unwrap()
            };
            Rgb([mix(25, 240), mix(50, 236), mix(135, 226)])
        });
        let text = describe(&png(&image), false).unwrap();
        assert!(text.contains("landscape-format image (16:9)"), "{text}");
        assert!(text.contains("minimal"), "{text}");
        assert!(text.contains("deep blue"), "{text}");
        assert!(text.contains("off-white"), "{text}");
        assert!(text.contains("from the right"), "{text}");
        let zh = describe(&png(&image), true).unwrap();
        assert!(zh.starts_with("一张简约"), "{zh}");
        assert!(
            zh.contains("横幅图像（16:9）") && zh.contains("深蓝色"),
            "{zh}"
        );
    }

    #[test]
    fn a_grey_image_is_black_and_white() {
        let text = describe(&png(&noise(90, 160, 0, true)), false).unwrap();
        assert!(text.contains("black and white"), "{text}");
        assert!(text.contains("portrait-format image (9:16)"), "{text}");
        let zh = describe(&png(&noise(90, 160, 0, true)), true).unwrap();
        assert!(zh.contains("黑白") && zh.contains("竖幅"), "{zh}");
    }

    #[test]
    fn a_centred_subject_is_noticed() {
        let image = RgbImage::from_fn(150, 150, |x, y| {
            if (50..100).contains(&x) && (50..100).contains(&y) {
                Rgb([235, 130, 45])
            } else {
                Rgb([15, 25, 60])
            }
        });
        let text = describe(&png(&image), false).unwrap();
        assert!(text.contains("clear centre of interest"), "{text}");
        assert!(
            text.contains("navy") && text.contains("warm orange"),
            "{text}"
        );
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        assert!(matches!(
            describe(b"definitely not an image", false),
            Err(ProviderError::Rejected(_))
        ));
        let mut cut = png(&RgbImage::from_pixel(64, 64, Rgb([1, 2, 3])));
        cut.truncate(50);
        assert!(describe(&cut, false).is_err());
    }
}
