//! The image operations: decoding within limits, each [`EditOp`] applied to the pixels in turn,
//! and the result written as a PNG.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbaImage, imageops};

use super::instruction::parse_instruction;
use super::{EditOp, OFFLINE_EDIT_HELP};
use crate::ProviderError;
use crate::image_check::decode_limited;

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
