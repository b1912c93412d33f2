//! The offline AI Edit of the `local` provider: real image operations chosen from the user's
//! instruction, in English or Chinese ("make it black and white, then crop to 16:9",
//! "水平翻转后变亮").
//!
//! [`parse_instruction`] finds the operations an instruction names, in the order written;
//! [`apply_instruction`] decodes the image (at most 40 megapixels), applies them and encodes a
//! PNG. An instruction naming no known operation is refused with a message listing what the
//! offline editor can do.

use std::fmt;
use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbaImage, imageops};

use crate::ProviderError;
use crate::image_check::decode_limited;

/// What the offline editor can do, for the error an unknown instruction gets.
pub const OFFLINE_EDIT_HELP: &str = "the offline editor understood no edit in this instruction. \
     It can: make the image black and white, sepia (vintage), blurred, sharper, inverted, \
     brighter, darker, warmer or cooler; crop it to an aspect (\"crop to 16:9\", \"square \
     crop\"); rotate it (90, 180, 270 degrees, left or right); flip it horizontally or \
     vertically. Several edits can be combined, in the order written.";

/// One image operation of the offline editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EditOp {
    /// Black and white: every pixel's red, green and blue set to its luma.
    Grayscale,
    /// A brown-toned old-photo look.
    Sepia,
    /// A gaussian-like blur scaled to the image size.
    Blur,
    /// An unsharp mask.
    Sharpen,
    /// Colours inverted (a negative); alpha kept.
    Invert,
    /// Lighter: each channel moved a quarter of the way to white.
    Brighten,
    /// Darker: each channel lowered by a quarter.
    Darken,
    /// Warmer tones: more red, less blue.
    Warmer,
    /// Cooler tones: more blue, less red.
    Cooler,
    /// A centred crop to the aspect `ratio_w:ratio_h` (each 1 to 100).
    Crop {
        /// The width part of the aspect.
        ratio_w: u32,
        /// The height part of the aspect.
        ratio_h: u32,
    },
    /// A clockwise rotation by 90, 180 or 270 degrees.
    Rotate {
        /// 90, 180 or 270.
        degrees: u16,
    },
    /// Mirrored left to right.
    FlipHorizontal,
    /// Mirrored top to bottom.
    FlipVertical,
}

impl EditOp {
    /// A short English description: `black and white`, `crop to 16:9`, `rotate 90° clockwise`.
    #[must_use]
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for EditOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Grayscale => f.write_str("black and white"),
            Self::Sepia => f.write_str("sepia"),
            Self::Blur => f.write_str("blur"),
            Self::Sharpen => f.write_str("sharpen"),
            Self::Invert => f.write_str("invert colours"),
            Self::Brighten => f.write_str("brighten"),
            Self::Darken => f.write_str("darken"),
            Self::Warmer => f.write_str("warmer tones"),
            Self::Cooler => f.write_str("cooler tones"),
            Self::Crop { ratio_w, ratio_h } => write!(f, "crop to {ratio_w}:{ratio_h}"),
            Self::Rotate { degrees } => write!(f, "rotate {degrees}° clockwise"),
            Self::FlipHorizontal => f.write_str("flip horizontally"),
            Self::FlipVertical => f.write_str("flip vertically"),
        }
    }
}

/// What a keyword names; rotations and crops read their details next to the keyword.
#[derive(Debug, Clone, Copy)]
enum Keyword {
    Op(EditOp),
    Rotate,
    Crop,
}

/// Keywords (lower case) and what they name. Longer keywords win over shorter ones they contain.
const KEYWORDS: &[(&str, Keyword)] = &[
    ("black and white", Keyword::Op(EditOp::Grayscale)),
    ("black & white", Keyword::Op(EditOp::Grayscale)),
    ("black-and-white", Keyword::Op(EditOp::Grayscale)),
    ("b&w", Keyword::Op(EditOp::Grayscale)),
    ("grayscale", Keyword::Op(EditOp::Grayscale)),
    ("greyscale", Keyword::Op(EditOp::Grayscale)),
    ("gray scale", Keyword::Op(EditOp::Grayscale)),
    ("grey scale", Keyword::Op(EditOp::Grayscale)),
    ("monochrome", Keyword::Op(EditOp::Grayscale)),
    ("desaturate", Keyword::Op(EditOp::Grayscale)),
    ("黑白", Keyword::Op(EditOp::Grayscale)),
    ("灰度", Keyword::Op(EditOp::Grayscale)),
    ("sepia", Keyword::Op(EditOp::Sepia)),
    ("vintage", Keyword::Op(EditOp::Sepia)),
    ("retro", Keyword::Op(EditOp::Sepia)),
    ("old photo", Keyword::Op(EditOp::Sepia)),
    ("复古", Keyword::Op(EditOp::Sepia)),
    ("怀旧", Keyword::Op(EditOp::Sepia)),
    ("老照片", Keyword::Op(EditOp::Sepia)),
    ("棕褐", Keyword::Op(EditOp::Sepia)),
    ("blur", Keyword::Op(EditOp::Blur)),
    ("soften", Keyword::Op(EditOp::Blur)),
    ("defocus", Keyword::Op(EditOp::Blur)),
    ("模糊", Keyword::Op(EditOp::Blur)),
    ("柔化", Keyword::Op(EditOp::Blur)),
    ("sharpen", Keyword::Op(EditOp::Sharpen)),
    ("sharper", Keyword::Op(EditOp::Sharpen)),
    ("crisper", Keyword::Op(EditOp::Sharpen)),
    ("锐化", Keyword::Op(EditOp::Sharpen)),
    ("invert", Keyword::Op(EditOp::Invert)),
    ("negative", Keyword::Op(EditOp::Invert)),
    ("反色", Keyword::Op(EditOp::Invert)),
    ("反相", Keyword::Op(EditOp::Invert)),
    ("负片", Keyword::Op(EditOp::Invert)),
    ("brighter", Keyword::Op(EditOp::Brighten)),
    ("brighten", Keyword::Op(EditOp::Brighten)),
    ("lighten", Keyword::Op(EditOp::Brighten)),
    ("lighter", Keyword::Op(EditOp::Brighten)),
    ("变亮", Keyword::Op(EditOp::Brighten)),
    ("提亮", Keyword::Op(EditOp::Brighten)),
    ("调亮", Keyword::Op(EditOp::Brighten)),
    ("更亮", Keyword::Op(EditOp::Brighten)),
    ("亮一点", Keyword::Op(EditOp::Brighten)),
    ("darker", Keyword::Op(EditOp::Darken)),
    ("darken", Keyword::Op(EditOp::Darken)),
    ("变暗", Keyword::Op(EditOp::Darken)),
    ("调暗", Keyword::Op(EditOp::Darken)),
    ("更暗", Keyword::Op(EditOp::Darken)),
    ("暗一点", Keyword::Op(EditOp::Darken)),
    ("warmer", Keyword::Op(EditOp::Warmer)),
    ("warm", Keyword::Op(EditOp::Warmer)),
    ("暖色", Keyword::Op(EditOp::Warmer)),
    ("暖调", Keyword::Op(EditOp::Warmer)),
    ("更暖", Keyword::Op(EditOp::Warmer)),
    ("cooler", Keyword::Op(EditOp::Cooler)),
    ("colder", Keyword::Op(EditOp::Cooler)),
    ("cool", Keyword::Op(EditOp::Cooler)),
    ("冷色", Keyword::Op(EditOp::Cooler)),
    ("冷调", Keyword::Op(EditOp::Cooler)),
    ("更冷", Keyword::Op(EditOp::Cooler)),
    ("flip horizontally", Keyword::Op(EditOp::FlipHorizontal)),
    ("flip horizontal", Keyword::Op(EditOp::FlipHorizontal)),
    ("horizontal flip", Keyword::Op(EditOp::FlipHorizontal)),
    ("mirror", Keyword::Op(EditOp::FlipHorizontal)),
    ("水平翻转", Keyword::Op(EditOp::FlipHorizontal)),
    ("左右翻转", Keyword::Op(EditOp::FlipHorizontal)),
    ("镜像", Keyword::Op(EditOp::FlipHorizontal)),
    ("flip vertically", Keyword::Op(EditOp::FlipVertical)),
    ("flip vertical", Keyword::Op(EditOp::FlipVertical)),
    ("vertical flip", Keyword::Op(EditOp::FlipVertical)),
    ("垂直翻转", Keyword::Op(EditOp::FlipVertical)),
    ("上下翻转", Keyword::Op(EditOp::FlipVertical)),
    ("flip", Keyword::Op(EditOp::FlipHorizontal)),
    ("翻转", Keyword::Op(EditOp::FlipHorizontal)),
    ("rotate", Keyword::Rotate),
    ("旋转", Keyword::Rotate),
    ("crop", Keyword::Crop),
    ("裁剪", Keyword::Crop),
    ("裁切", Keyword::Crop),
    ("剪裁", Keyword::Crop),
    ("裁成", Keyword::Crop),
    ("裁为", Keyword::Crop),
];

/// The operations `instruction` names, in the order written. Empty when it names none.
#[must_use]
pub fn parse_instruction(instruction: &str) -> Vec<EditOp> {
    let lower = instruction.to_lowercase();
    let mut order: Vec<usize> = (0..KEYWORDS.len()).collect();
    // Longest first, so "flip vertically" claims its words before "flip" does.
    order.sort_by_key(|&i| std::cmp::Reverse(KEYWORDS[i].0.len()));
    let mut found: Vec<(usize, usize, Keyword)> = Vec::new();
    for i in order {
        let (word, keyword) = KEYWORDS[i];
        for (start, _) in lower.match_indices(word) {
            let end = start + word.len();
            let ascii = word.is_ascii();
            let boundary = !ascii
                || lower[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
            let overlaps = found.iter().any(|&(s, e, _)| start < e && s < end);
            if boundary && !overlaps {
                found.push((start, end, keyword));
            }
        }
    }
    found.sort_by_key(|&(start, _, _)| start);
    found
        .into_iter()
        .filter_map(|(start, end, keyword)| match keyword {
            Keyword::Op(op) => Some(op),
            Keyword::Rotate => Some(rotation(before(&lower, start), after(&lower, end))),
            Keyword::Crop => crop_ratio(before(&lower, start), after(&lower, end)),
        })
        .collect()
}

/// Up to 8 characters before byte `start`.
fn before(text: &str, start: usize) -> &str {
    let head = &text[..start];
    let from = head.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
    &head[from..]
}

/// The words after byte `end` up to the next clause break, at most 24 characters.
fn after(text: &str, end: usize) -> &str {
    let tail = &text[end..];
    let mut stop = tail.len();
    for (count, (i, c)) in tail.char_indices().enumerate() {
        if count >= 24 || matches!(c, ',' | '，' | ';' | '；' | '。' | '、' | '!' | '！') {
            stop = i;
            break;
        }
    }
    let window = &tail[..stop];
    [" and ", " then ", "然后", "再"]
        .iter()
        .filter_map(|sep| window.find(sep))
        .min()
        .map_or(window, |at| &window[..at])
}

/// The rotation a "rotate" keyword names, from the words around it: a number of degrees (90 by
/// default) and a direction (clockwise unless left / counter-clockwise).
fn rotation(before: &str, after: &str) -> EditOp {
    let counter = ["left", "counter", "anti", "逆时针", "向左"]
        .iter()
        .any(|w| after.contains(w) || before.contains(w))
        || after.trim_start().starts_with("-90");
    let degrees = first_number(after).map_or(90, |n| match n {
        180 => 180,
        270 => 270,
        _ => 90,
    });
    let degrees = match (degrees, counter) {
        (90, true) => 270,
        (270, true) => 90,
        (d, _) => d,
    };
    EditOp::Rotate { degrees }
}

/// The first run of ASCII digits in `text`, when it fits a `u32`.
fn first_number(text: &str) -> Option<u32> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let len = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..len].parse().ok()
}

/// The aspect a "crop" keyword names: `16:9`, `3x4`, `4/5`, `1比1` after it, or "square" /
/// "正方形" near it.
fn crop_ratio(before: &str, after: &str) -> Option<EditOp> {
    let square = |t: &str| ["square", "正方形", "方形"].iter().any(|w| t.contains(w));
    if let Some((w, h)) = ratio_in(after) {
        return Some(EditOp::Crop {
            ratio_w: w,
            ratio_h: h,
        });
    }
    (square(after) || square(before)).then_some(EditOp::Crop {
        ratio_w: 1,
        ratio_h: 1,
    })
}

/// The first `W<sep>H` in `text` with both parts 1 to 100.
fn ratio_in(text: &str) -> Option<(u32, u32)> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let (w, next) = digits(&chars, i);
        let mut j = next;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j < chars.len() && matches!(chars[j], ':' | '：' | 'x' | '×' | '/' | '比') {
            j += 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() {
                let (h, _) = digits(&chars, j);
                if let (Some(w), Some(h)) = (w, h)
                    && (1..=100).contains(&w)
                    && (1..=100).contains(&h)
                {
                    return Some((w, h));
                }
            }
        }
        i = next;
    }
    None
}

/// The number starting at `chars[at]` and the index after it.
fn digits(chars: &[char], at: usize) -> (Option<u32>, usize) {
    let mut end = at;
    while end < chars.len() && chars[end].is_ascii_digit() {
        end += 1;
    }
    let text: String = chars[at..end].iter().collect();
    (text.parse().ok(), end)
}

/// Applies the operations `instruction` names to the image `bytes` and returns a PNG with the
/// operations applied, in order.
///
/// # Errors
/// [`ProviderError::Rejected`] when the instruction names no operation (the message lists what
/// the offline editor can do), or the image is not a PNG, JPEG or WebP image of at most 40
/// megapixels that decodes; [`ProviderError::Unavailable`] should encoding the PNG fail.
pub fn apply_instruction(
    bytes: &[u8],
    instruction: &str,
) -> Result<(Vec<u8>, Vec<EditOp>), ProviderError> {
    let ops = parse_instruction(instruction);
    if ops.is_empty() {
        return Err(ProviderError::Rejected(OFFLINE_EDIT_HELP.to_owned()));
    }
    let decoded = decode_limited(bytes, "the image to edit")?;
    let has_alpha = decoded.color().has_alpha();
    let mut image = decoded.to_rgba8();
    drop(decoded);
    for op in &ops {
        image = apply_op(image, *op);
    }
    let out = if has_alpha {
        DynamicImage::ImageRgba8(image)
    } else {
        DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(image).to_rgb8())
    };
    let mut png = Cursor::new(Vec::new());
    out.write_to(&mut png, ImageFormat::Png).map_err(|_| {
        ProviderError::Unavailable("the offline editor could not write the image".into())
    })?;
    Ok((png.into_inner(), ops))
}

/// `image` with `op` applied.
#[must_use]
pub(crate) fn apply_op(image: RgbaImage, op: EditOp) -> RgbaImage {
    match op {
        EditOp::Grayscale => map_rgb(image, |[r, g, b]| {
            let l = luma(r, g, b);
            [l, l, l]
        }),
        EditOp::Sepia => map_rgb(image, |[r, g, b]| {
            let (r, g, b) = (f32::from(r), f32::from(g), f32::from(b));
            [
                channel(0.393 * r + 0.769 * g + 0.189 * b),
                channel(0.349 * r + 0.686 * g + 0.168 * b),
                channel(0.272 * r + 0.534 * g + 0.131 * b),
            ]
        }),
        EditOp::Blur => {
            let long = image.width().max(image.height());
            #[allow(clippy::cast_precision_loss)]
            let sigma = (long as f32 / 300.0).clamp(1.5, 12.0);
            imageops::fast_blur(&image, sigma)
        }
        EditOp::Sharpen => imageops::unsharpen(&image, 1.5, 2),
        EditOp::Invert => map_rgb(image, |[r, g, b]| [255 - r, 255 - g, 255 - b]),
        EditOp::Brighten => map_rgb(image, |c| c.map(|v| v + (255 - v) / 4)),
        EditOp::Darken => map_rgb(image, |c| c.map(|v| v - v / 4)),
        EditOp::Warmer => map_rgb(image, |[r, g, b]| {
            [
                r.saturating_add(20),
                g.saturating_add(6),
                b.saturating_sub(20),
            ]
        }),
        EditOp::Cooler => map_rgb(image, |[r, g, b]| {
            [
                r.saturating_sub(20),
                g.saturating_add(4),
                b.saturating_add(20),
            ]
        }),
        EditOp::Crop { ratio_w, ratio_h } => {
            let (w, h) = crop_size(image.width(), image.height(), ratio_w, ratio_h);
            let x = (image.width() - w) / 2;
            let y = (image.height() - h) / 2;
            imageops::crop_imm(&image, x, y, w, h).to_image()
        }
        EditOp::Rotate { degrees: 180 } => imageops::rotate180(&image),
        EditOp::Rotate { degrees: 270 } => imageops::rotate270(&image),
        EditOp::Rotate { .. } => imageops::rotate90(&image),
        EditOp::FlipHorizontal => imageops::flip_horizontal(&image),
        EditOp::FlipVertical => imageops::flip_vertical(&image),
    }
}

/// The largest `ratio_w:ratio_h` size within `width` × `height` (at least 1×1).
fn crop_size(width: u32, height: u32, ratio_w: u32, ratio_h: u32) -> (u32, u32) {
    let (rw, rh) = (u64::from(ratio_w.max(1)), u64::from(ratio_h.max(1)));
    let (w, h) = (u64::from(width), u64::from(height));
    let (cw, ch) = if w * rh > h * rw {
        // Too wide: keep the height.
        ((h * rw + rh / 2) / rh, h)
    } else {
        (w, (w * rh + rw / 2) / rw)
    };
    let fit = |v: u64, max: u32| u32::try_from(v).unwrap_or(max).clamp(1, max.max(1));
    (fit(cw, width), fit(ch, height))
}

/// Rec. 601 luma of a colour.
pub(crate) fn luma(r: u8, g: u8, b: u8) -> u8 {
    let l = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b) + 500) / 1000;
    u8::try_from(l).unwrap_or(u8::MAX)
}

/// A float rounded and clamped into a channel value.
fn channel(v: f32) -> u8 {
    let v = v.round().clamp(0.0, 255.0);
    // In 0..=255 after the clamp.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let c = v as u8;
    c
}

/// Applies `f` to the colour of every pixel, keeping alpha.
fn map_rgb(mut image: RgbaImage, f: impl Fn([u8; 3]) -> [u8; 3]) -> RgbaImage {
    for pixel in image.pixels_mut() {
        let [r, g, b, a] = pixel.0;
        let [r, g, b] = f([r, g, b]);
        pixel.0 = [r, g, b, a];
    }
    image
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    fn solid(width: u32, height: u32, colour: [u8; 4]) -> RgbaImage {
        RgbaImage::from_pixel(width, height, Rgba(colour))
    }

    fn png_of(image: &RgbaImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn decode(bytes: &[u8]) -> RgbaImage {
        image::load_from_memory(bytes).unwrap().to_rgba8()
    }

    #[test]
    fn parses_english_instructions_in_order() {
        assert_eq!(
            parse_instruction("Make it black and white, then crop to 16:9"),
            vec![
                EditOp::Grayscale,
                EditOp::Crop {
                    ratio_w: 16,
                    ratio_h: 9
                }
            ]
        );
        assert_eq!(
            parse_instruction("square crop and flip vertically, a bit brighter"),
            vec![
                EditOp::Crop {
                    ratio_w: 1,
                    ratio_h: 1
                },
                EditOp::FlipVertical,
                EditOp::Brighten
            ]
        );
        assert_eq!(
            parse_instruction("rotate left"),
            vec![EditOp::Rotate { degrees: 270 }]
        );
        assert_eq!(
            parse_instruction("rotate 180 degrees"),
            vec![EditOp::Rotate { degrees: 180 }]
        );
        assert_eq!(
            parse_instruction("Rotate right, mirror it and make it warmer"),
            vec![
                EditOp::Rotate { degrees: 90 },
                EditOp::FlipHorizontal,
                EditOp::Warmer
            ]
        );
        assert_eq!(
            parse_instruction("vintage look, slightly blurred, invert, darker, cooler, sharpen"),
            vec![
                EditOp::Sepia,
                EditOp::Blur,
                EditOp::Invert,
                EditOp::Darken,
                EditOp::Cooler,
                EditOp::Sharpen
            ]
        );
        assert_eq!(
            parse_instruction("crop 3:4"),
            vec![EditOp::Crop {
                ratio_w: 3,
                ratio_h: 4
            }]
        );
        // "swarm" is not "warm"; "crop" without an aspect is not an operation.
        assert!(parse_instruction("a swarm of bees").is_empty());
        assert!(parse_instruction("crop it nicely").is_empty());
    }

    #[test]
    fn parses_chinese_instructions() {
        assert_eq!(
            parse_instruction("变成黑白，然后裁剪为 1:1"),
            vec![
                EditOp::Grayscale,
                EditOp::Crop {
                    ratio_w: 1,
                    ratio_h: 1
                }
            ]
        );
        assert_eq!(
            parse_instruction("复古风格，水平翻转，再提亮"),
            vec![EditOp::Sepia, EditOp::FlipHorizontal, EditOp::Brighten]
        );
        assert_eq!(
            parse_instruction("向左旋转90度并垂直翻转"),
            vec![EditOp::Rotate { degrees: 270 }, EditOp::FlipVertical]
        );
        assert_eq!(
            parse_instruction("模糊一点，锐化，反色，变暗，暖色，冷色，怀旧"),
            vec![
                EditOp::Blur,
                EditOp::Sharpen,
                EditOp::Invert,
                EditOp::Darken,
                EditOp::Warmer,
                EditOp::Cooler,
                EditOp::Sepia
            ]
        );
        assert_eq!(
            parse_instruction("旋转 180 度"),
            vec![EditOp::Rotate { degrees: 180 }]
        );
    }

    #[test]
    fn grayscale_makes_channels_equal() {
        let mut image = solid(4, 4, [200, 40, 90, 255]);
        image.put_pixel(1, 1, Rgba([10, 250, 3, 128]));
        let out = apply_op(image, EditOp::Grayscale);
        for p in out.pixels() {
            assert_eq!(p.0[0], p.0[1]);
            assert_eq!(p.0[1], p.0[2]);
        }
        assert_eq!(out.get_pixel(1, 1).0[3], 128, "alpha kept");
    }

    #[test]
    fn sepia_is_brownish() {
        let out = apply_op(solid(2, 2, [128, 128, 128, 255]), EditOp::Sepia);
        let [r, g, b, _] = out.get_pixel(0, 0).0;
        assert!(r > g && g > b, "{r} {g} {b}");
    }

    #[test]
    fn invert_of_white_is_black() {
        let out = apply_op(solid(3, 3, [255, 255, 255, 255]), EditOp::Invert);
        assert_eq!(out.get_pixel(2, 2).0, [0, 0, 0, 255]);
    }

    #[test]
    fn brighten_darken_warmer_cooler() {
        let grey = solid(2, 2, [100, 100, 100, 255]);
        let lighter = apply_op(grey.clone(), EditOp::Brighten).get_pixel(0, 0).0;
        let darker = apply_op(grey.clone(), EditOp::Darken).get_pixel(0, 0).0;
        assert!(lighter[0] > 100 && darker[0] < 100);
        let warm = apply_op(grey.clone(), EditOp::Warmer).get_pixel(0, 0).0;
        assert!(warm[0] > warm[2]);
        let cool = apply_op(grey, EditOp::Cooler).get_pixel(0, 0).0;
        assert!(cool[2] > cool[0]);
    }

    #[test]
    fn blur_smooths_and_sharpen_strengthens_an_edge() {
        let mut image = solid(32, 32, [0, 0, 0, 255]);
        for y in 0..32 {
            for x in 16..32 {
                image.put_pixel(x, y, Rgba([255, 255, 255, 255]));
            }
        }
        let blurred = apply_op(image.clone(), EditOp::Blur);
        let edge = blurred.get_pixel(15, 16).0[0];
        assert!(edge > 0 && edge < 255, "{edge}");
        let soft = blurred.clone();
        let sharp = apply_op(blurred, EditOp::Sharpen);
        let step = |img: &RgbaImage| {
            i32::from(img.get_pixel(17, 16).0[0]) - i32::from(img.get_pixel(14, 16).0[0])
        };
        assert!(step(&sharp) > step(&soft));
    }

    #[test]
    fn crop_to_16_9_of_a_square() {
        let out = apply_op(
            solid(100, 100, [1, 2, 3, 255]),
            EditOp::Crop {
                ratio_w: 16,
                ratio_h: 9,
            },
        );
        assert_eq!(out.dimensions(), (100, 56));
        let out = apply_op(
            solid(160, 90, [1, 2, 3, 255]),
            EditOp::Crop {
                ratio_w: 1,
                ratio_h: 1,
            },
        );
        assert_eq!(out.dimensions(), (90, 90));
        assert_eq!(crop_size(1, 1, 100, 1), (1, 1));
    }

    #[test]
    fn rotate_swaps_sides_and_flips_move_pixels() {
        let mut image = solid(6, 4, [0, 0, 0, 255]);
        image.put_pixel(0, 0, Rgba([255, 0, 0, 255]));
        let rotated = apply_op(image.clone(), EditOp::Rotate { degrees: 90 });
        assert_eq!(rotated.dimensions(), (4, 6));
        // Clockwise: the top-left corner goes to the top-right.
        assert_eq!(rotated.get_pixel(3, 0).0, [255, 0, 0, 255]);
        let left = apply_op(image.clone(), EditOp::Rotate { degrees: 270 });
        assert_eq!(left.get_pixel(0, 5).0, [255, 0, 0, 255]);
        let half = apply_op(image.clone(), EditOp::Rotate { degrees: 180 });
        assert_eq!(half.get_pixel(5, 3).0, [255, 0, 0, 255]);
        let h = apply_op(image.clone(), EditOp::FlipHorizontal);
        assert_eq!(h.get_pixel(5, 0).0, [255, 0, 0, 255]);
        let v = apply_op(image, EditOp::FlipVertical);
        assert_eq!(v.get_pixel(0, 3).0, [255, 0, 0, 255]);
    }

    #[test]
    fn apply_instruction_round_trips_a_png() {
        let input = png_of(&solid(100, 100, [255, 255, 255, 255]));
        let (png, ops) = apply_instruction(&input, "invert, then crop to 16:9").unwrap();
        assert_eq!(
            ops,
            vec![
                EditOp::Invert,
                EditOp::Crop {
                    ratio_w: 16,
                    ratio_h: 9
                }
            ]
        );
        let out = decode(&png);
        assert_eq!(out.dimensions(), (100, 56));
        assert_eq!(out.get_pixel(50, 20).0, [0, 0, 0, 255]);
        assert_eq!(ops[1].describe(), "crop to 16:9");
    }

    #[test]
    fn unknown_instructions_and_bad_images_are_refused() {
        let input = png_of(&solid(8, 8, [1, 1, 1, 255]));
        let err = apply_instruction(&input, "add a dragon in the sky").unwrap_err();
        assert!(!err.is_retryable());
        assert!(err.user_message().contains("black and white"), "{err}");
        let err = apply_instruction(b"not an image", "blur").unwrap_err();
        assert!(matches!(err, ProviderError::Rejected(_)), "{err:?}");
        let mut truncated = input;
        truncated.truncate(40);
        assert!(apply_instruction(&truncated, "blur").is_err());
    }
}
