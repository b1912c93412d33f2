//! What a card shows before its image arrives: the image's dominant colour (stored once per
//! image, painted as the card's background) and a tiny WebP of that colour, which a sized image
//! URL answers while the real size cannot be made yet — never the original.

use super::ImageError;
use ::image::{DynamicImage, GenericImageView as _};

/// Width of a placeholder: enough to keep the aspect, a few hundred bytes at most.
pub const PLACEHOLDER_WIDTH: u32 = 16;

/// A colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    /// The neutral grey of an image whose colour is not known yet.
    pub const NEUTRAL: Self = Self([0x8a, 0x86, 0x80]);

    /// `#rrggbb`, as CSS reads it.
    pub fn hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// Parses `#rrggbb` (as [`Rgb::hex`] writes it); anything else is `None`.
    pub fn parse_hex(text: &str) -> Option<Self> {
        let digits = text.strip_prefix('#')?;
        if digits.len() != 6 || !digits.is_ascii() {
            return None;
        }
        let channel = |i: usize| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok();
        Some(Self([channel(0)?, channel(2)?, channel(4)?]))
    }
}

/// The dominant colour of an image: the mean of a grid of at most 64 × 64 sampled pixels, each
/// weighted by its opacity (a transparent border does not turn the colour black). A fully
/// transparent image answers [`Rgb::NEUTRAL`].
pub fn dominant_color(img: &DynamicImage) -> Rgb {
    const GRID: u32 = 64;
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return Rgb::NEUTRAL;
    }
    let (step_x, step_y) = (w.div_ceil(GRID).max(1), h.div_ceil(GRID).max(1));
    let mut sums = [0_u64; 3];
    let mut weight = 0_u64;
    for y in (step_y / 2..h).step_by(step_y as usize) {
        for x in (step_x / 2..w).step_by(step_x as usize) {
            let [r, g, b, a] = img.get_pixel(x, y).0;
            let a = u64::from(a);
            sums[0] += u64::from(r) * a;
            sums[1] += u64::from(g) * a;
            sums[2] += u64::from(b) * a;
            weight += a;
        }
    }
    if weight == 0 {
        return Rgb::NEUTRAL;
    }
    let mean = |sum: u64| u8::try_from((sum + weight / 2) / weight).unwrap_or(u8::MAX);
    Rgb([mean(sums[0]), mean(sums[1]), mean(sums[2])])
}

/// A [`PLACEHOLDER_WIDTH`]-pixel-wide lossy WebP filled with `color`, with the aspect of a
/// `width` × `height` image (at least one pixel tall, at most as tall as WebP allows).
pub fn placeholder_webp(color: Rgb, width: u32, height: u32) -> Result<Vec<u8>, ImageError> {
    let pw = PLACEHOLDER_WIDTH;
    let ph = if width == 0 || height == 0 {
        pw
    } else {
        let scaled = (u64::from(height) * u64::from(pw) + u64::from(width) / 2) / u64::from(width);
        u32::try_from(scaled.clamp(1, 1024)).unwrap_or(pw)
    };
    let pixels: Vec<u8> = color
        .0
        .iter()
        .copied()
        .cycle()
        .take((pw * ph * 3) as usize)
        .collect();
    Ok(webp::Encoder::from_rgb(&pixels, pw, ph)
        .encode_simple(false, 50.0)
        .map_err(|e| ImageError::Encode(format!("webp: {e:?}")))?
        .to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::image::{Rgba, RgbaImage};

    #[test]
    fn the_colour_of_a_flat_image_is_its_colour() {
        let img =
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(300, 200, Rgba([200, 40, 10, 255])));
        assert_eq!(dominant_color(&img), Rgb([200, 40, 10]));
        assert_eq!(dominant_color(&img).hex(), "#c8280a");
    }

    #[test]
    fn transparent_pixels_do_not_darken_the_colour() {
        let mut img = RgbaImage::from_pixel(100, 100, Rgba([0, 0, 0, 0]));
        for x in 0..50 {
            for y in 0..100 {
                img.put_pixel(x, y, Rgba([10, 100, 250, 255]));
            }
        }
        assert_eq!(
            dominant_color(&DynamicImage::ImageRgba8(img)),
            Rgb([10, 100, 250])
        );
        let clear = DynamicImage::ImageRgba8(RgbaImage::from_pixel(4, 4, Rgba([0, 0, 0, 0])));
        assert_eq!(dominant_color(&clear), Rgb::NEUTRAL);
    }

    #[test]
    fn hex_round_trips_and_rejects_anything_else() {
        let c = Rgb([1, 171, 255]);
        assert_eq!(Rgb::parse_hex(&c.hex()), Some(c));
        for bad in ["", "#", "01abff", "#01abf", "#01abfff", "#0g0000", "#ééé"] {
            assert_eq!(Rgb::parse_hex(bad), None, "{bad}");
        }
    }

    #[test]
    fn placeholders_are_tiny_webp_with_the_aspect() {
        let bytes = placeholder_webp(Rgb([30, 60, 90]), 576, 1024).unwrap();
        assert_eq!(&bytes[..4], b"RIFF");
        assert_eq!(&bytes[8..12], b"WEBP");
        assert!(bytes.len() < 1024, "{} bytes", bytes.len());
        let img = ::image::load_from_memory(&bytes).unwrap();
        assert_eq!(img.dimensions(), (16, 28));
        assert!(placeholder_webp(Rgb::NEUTRAL, 0, 0).is_ok());
        assert!(placeholder_webp(Rgb::NEUTRAL, 1, 100_000).is_ok());
    }
}
