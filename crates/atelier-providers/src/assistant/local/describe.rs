//! Offline image description: a prompt built from measured properties of the image — its shape,
//! dominant named colours, brightness, contrast, saturation, how busy it is, whether it has a
//! clear centre and where the light comes from.
//!
//! The image is decoded with limits (at most 40 megapixels) and shrunk to at most 128 pixels a
//! side for analysis.

use image::{RgbImage, imageops};

use crate::ProviderError;
use crate::edit::luma;
use crate::image_check::decode_limited;

/// The long side of the image analysed.
const ANALYSIS_SIDE: u32 = 128;

/// A named colour: English and Chinese, and whether "muted" may qualify it.
struct Named {
    en: &'static str,
    zh: &'static str,
    can_be_muted: bool,
}

const fn c(en: &'static str, zh: &'static str, can_be_muted: bool) -> Named {
    Named {
        en,
        zh,
        can_be_muted,
    }
}

/// The colours a palette is named with (see [`colour_name`]).
const COLOURS: [Named; 26] = [
    c("black", "黑色", false),
    c("charcoal", "炭灰色", false),
    c("grey", "灰色", false),
    c("silver", "银灰色", false),
    c("off-white", "米白色", false),
    c("white", "纯白色", false),
    c("deep red", "深红色", true),
    c("crimson", "绯红色", true),
    c("pink", "粉色", false),
    c("brown", "棕色", false),
    c("warm orange", "暖橙色", true),
    c("sand beige", "沙米色", false),
    c("olive", "橄榄绿", false),
    c("golden yellow", "金黄色", true),
    c("forest green", "森林绿", true),
    c("fresh green", "嫩绿色", true),
    c("teal", "青绿色", true),
    c("navy", "藏青色", false),
    c("deep blue", "深蓝色", true),
    c("sky blue", "天蓝色", true),
    c("steel blue", "钢蓝色", false),
    c("pale blue", "淡蓝色", false),
    c("purple", "紫色", true),
    c("lavender", "薰衣草紫", false),
    c("magenta", "洋红色", true),
    c("plum", "深紫红色", false),
];

/// A palette entry: an index in [`COLOURS`] and whether it is mostly muted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Swatch {
    colour: usize,
    muted: bool,
}

impl Swatch {
    fn name(self, chinese: bool) -> String {
        let named = &COLOURS[self.colour];
        match (chinese, self.muted && named.can_be_muted) {
            (false, false) => named.en.to_owned(),
            (false, true) => format!("muted {}", named.en),
            (true, false) => named.zh.to_owned(),
            (true, true) => format!("灰调{}", named.zh),
        }
    }
}

/// Common aspect ratios, named as `W:H`.
const RATIOS: [(u32, u32); 13] = [
    (1, 1),
    (5, 4),
    (4, 3),
    (3, 2),
    (16, 9),
    (2, 1),
    (21, 9),
    (4, 5),
    (3, 4),
    (2, 3),
    (9, 16),
    (1, 2),
    (9, 21),
];

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

/// A non-negative, finite float (already rounded) as a `u32`, saturating.
fn to_u32(v: f64) -> u32 {
    if v.is_nan() || v <= 0.0 {
        0
    } else if v >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        // In range after the checks above.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = v as u32;
        n
    }
}

/// `n` as a float, for statistics over at most 128×128 pixels.
fn float(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

fn analyse(image: &RgbImage, width: u32, height: u32) -> Analysis {
    let (w, h) = image.dimensions();
    let pixels: Vec<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    let n = float(pixels.len().max(1));
    let lumas: Vec<f64> = pixels
        .iter()
        .map(|&[r, g, b]| f64::from(luma(r, g, b)))
        .collect();
    let mean = lumas.iter().sum::<f64>() / n;
    let std = (lumas.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / n).sqrt();

    let mut chroma_sum = 0.0;
    let mut sat_sum = 0.0;
    let mut colourful = 0usize;
    for &[r, g, b] in &pixels {
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        let chroma = max - min;
        chroma_sum += f64::from(chroma);
        if max > 0 {
            sat_sum += f64::from(chroma) / f64::from(max);
        }
        if chroma > 24 {
            colourful += 1;
        }
    }
    let mean_chroma = chroma_sum / n;
    let mean_sat = sat_sum / n;
    let saturation = if mean_chroma < 6.0 && float(colourful) / n < 0.02 {
        Saturation::BlackAndWhite
    } else if mean_sat < 0.25 {
        Saturation::Muted
    } else if mean_sat > 0.55 {
        Saturation::Vivid
    } else {
        Saturation::Natural
    };

    let brightness = match mean {
        m if m < 50.0 => Brightness::Dark,
        m if m < 95.0 => Brightness::Dim,
        m if m < 165.0 => Brightness::Balanced,
        m if m < 205.0 => Brightness::Bright,
        _ => Brightness::HighKey,
    };
    let contrast = match std {
        s if s < 20.0 => Contrast::Low,
        s if s < 50.0 => Contrast::Soft,
        _ => Contrast::Strong,
    };

    // Edges: where the luma jumps to the right or below; centre versus the rest.
    let at = |x: u32, y: u32| lumas[(y * w + x) as usize];
    let (mut edges, mut centre_edges, mut centre_px) = (0usize, 0usize, 0usize);
    let in_centre = |x: u32, y: u32| x >= w / 3 && x < w - w / 3 && y >= h / 3 && y < h - h / 3;
    for y in 0..h {
        for x in 0..w {
            let here = at(x, y);
            let dx = if x + 1 < w {
                (at(x + 1, y) - here).abs()
            } else {
                0.0
            };
            let dy = if y + 1 < h {
                (at(x, y + 1) - here).abs()
            } else {
                0.0
            };
            let edge = dx + dy > 24.0;
            edges += usize::from(edge);
            if in_centre(x, y) {
                centre_px += 1;
                centre_edges += usize::from(edge);
            }
        }
    }
    let edge_frac = float(edges) / n;
    let busyness = if edge_frac < 0.03 {
        Busyness::Minimal
    } else if edge_frac > 0.2 {
        Busyness::Busy
    } else {
        Busyness::Balanced
    };
    let outer_px = pixels.len().saturating_sub(centre_px);
    let centre_rate = float(centre_edges) / float(centre_px.max(1));
    let outer_rate = float(edges - centre_edges) / float(outer_px.max(1));
    let region_mean = |inside: &dyn Fn(u32, u32) -> bool| {
        let (mut sum, mut count) = (0.0, 0usize);
        for y in 0..h {
            for x in 0..w {
                if inside(x, y) {
                    sum += at(x, y);
                    count += 1;
                }
            }
        }
        (count > 0).then(|| sum / float(count))
    };
    let centre_mean = region_mean(&in_centre);
    let outer_mean = region_mean(&|x, y| !in_centre(x, y));
    let centre_stands_out =
        matches!((centre_mean, outer_mean), (Some(c), Some(o)) if (c - o).abs() > 40.0);
    let centre = centre_px > 0
        && outer_px > 0
        && ((centre_rate > 0.02 && centre_rate >= 1.8 * outer_rate) || centre_stands_out);

    let third_w = (w / 3).max(1);
    let third_h = (h / 3).max(1);
    let top = region_mean(&|_, y| y < third_h);
    let bottom = region_mean(&|_, y| y >= h - third_h);
    let left = region_mean(&|x, _| x < third_w);
    let right = region_mean(&|x, _| x >= w - third_w);
    let mut light = None;
    let mut strongest = 30.0;
    for (a, b, towards_a, towards_b) in [
        (top, bottom, Light::Above, Light::Below),
        (left, right, Light::Left, Light::Right),
    ] {
        if let (Some(a), Some(b)) = (a, b)
            && h > 2
            && w > 2
            && (a - b).abs() > strongest
        {
            strongest = (a - b).abs();
            light = Some(if a > b { towards_a } else { towards_b });
        }
    }

    Analysis {
        shape: match width.cmp(&height) {
            std::cmp::Ordering::Equal => Shape::Square,
            std::cmp::Ordering::Greater => Shape::Landscape,
            std::cmp::Ordering::Less => Shape::Portrait,
        },
        ratio: ratio_of(width, height),
        palette: palette(&pixels),
        brightness,
        contrast,
        saturation,
        busyness,
        centre,
        light,
    }
}

/// The common ratio within 2 % of `width:height`.
fn ratio_of(width: u32, height: u32) -> Option<(u32, u32)> {
    let actual = f64::from(width) / f64::from(height.max(1));
    RATIOS.into_iter().find(|&(a, b)| {
        let r = f64::from(a) / f64::from(b);
        ((actual - r) / r).abs() < 0.02
    })
}

/// The two or three dominant colours: each pixel counted under its name; names with at least
/// 8 % of the pixels, most first (at least one), muted when most of their pixels are.
fn palette(pixels: &[[u8; 3]]) -> Vec<Swatch> {
    let mut counts = [0usize; COLOURS.len()];
    let mut muted = [0usize; COLOURS.len()];
    for &p in pixels {
        let (colour, is_muted) = colour_name(p);
        counts[colour] += 1;
        muted[colour] += usize::from(is_muted);
    }
    let mut order: Vec<usize> = (0..COLOURS.len()).collect();
    // Most pixels first; the table's order breaks ties (the sort is stable).
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    let total = pixels.len().max(1);
    let mut chosen: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| counts[i] * 100 >= total * 8)
        .take(3)
        .collect();
    if chosen.is_empty() {
        chosen.extend(order.first());
    }
    chosen
        .into_iter()
        .map(|colour| Swatch {
            colour,
            muted: muted[colour] * 2 > counts[colour],
        })
        .collect()
}

/// The name (index in [`COLOURS`]) of a colour, from its hue, lightness and saturation, and
/// whether it is muted (low saturation).
fn colour_name([r, g, b]: [u8; 3]) -> (usize, bool) {
    let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let chroma = max - min;
    let l = f64::midpoint(max, min);
    let saturation = chroma / (255.0 - (2.0 * l - 255.0).abs()).max(1.0);
    let index = |name: &str| COLOURS.iter().position(|c| c.en == name).unwrap_or(2);
    if chroma < 16.0 || saturation < 0.1 {
        let name = match l {
            l if l < 40.0 => "black",
            l if l < 95.0 => "charcoal",
            l if l < 170.0 => "grey",
            l if l < 225.0 => "silver",
            l if l < 250.0 => "off-white",
            _ => "white",
        };
        return (index(name), false);
    }
    let muted = saturation < 0.3;
    let hue = if (max - r).abs() < f64::EPSILON {
        60.0 * ((g - b) / chroma).rem_euclid(6.0)
    } else if (max - g).abs() < f64::EPSILON {
        60.0 * ((b - r) / chroma + 2.0)
    } else {
        60.0 * ((r - g) / chroma + 4.0)
    };
    let name = match hue {
        h if !(15.0..345.0).contains(&h) => match l {
            l if l < 95.0 => "deep red",
            l if l > 185.0 => "pink",
            _ => "crimson",
        },
        h if h < 42.0 => match l {
            l if l < 110.0 => "brown",
            l if l > 175.0 || muted => "sand beige",
            _ => "warm orange",
        },
        h if h < 68.0 => match l {
            l if l < 100.0 => "olive",
            _ if muted => "sand beige",
            _ => "golden yellow",
        },
        h if h < 160.0 => match l {
            l if l < 95.0 => "forest green",
            _ => "fresh green",
        },
        h if h < 200.0 => "teal",
        h if h < 255.0 => match l {
            l if l < 60.0 => "navy",
            l if l < 190.0 && muted => "steel blue",
            l if l < 125.0 => "deep blue",
            l if l < 190.0 => "sky blue",
            _ => "pale blue",
        },
        h if h < 290.0 => match l {
            l if l > 175.0 => "lavender",
            _ => "purple",
        },
        _ => match l {
            l if l > 175.0 => "pink",
            l if l < 80.0 => "plum",
            _ => "magenta",
        },
    };
    (index(name), muted)
}

/// `items` joined as "a", "a and b", "a, b and c" (or with the Chinese forms).
fn list(items: &[String], chinese: bool) -> String {
    let (comma, and) = if chinese {
        ("、", "和")
    } else {
        (", ", " and ")
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}{and}{last}", rest.join(comma)),
    }
}

fn render_en(a: &Analysis) -> String {
    let mut adjectives: Vec<&str> = Vec::new();
    match a.busyness {
        Busyness::Minimal => adjectives.push("minimal"),
        Busyness::Busy => adjectives.push("busy, detailed"),
        Busyness::Balanced => {}
    }
    match a.brightness {
        Brightness::Dark => adjectives.push("dark"),
        Brightness::Dim => adjectives.push("dim"),
        Brightness::Bright => adjectives.push("bright"),
        Brightness::HighKey => adjectives.push("high-key"),
        Brightness::Balanced => {}
    }
    let shape = match a.shape {
        Shape::Square => "square image",
        Shape::Landscape => "landscape-format image",
        Shape::Portrait => "portrait-format image",
    };
    let mut out = String::from("A ");
    if !adjectives.is_empty() {
        out.push_str(&adjectives.join(", "));
        out.push(' ');
    }
    out.push_str(shape);
    if let Some((w, h)) = a.ratio {
        out.push_str(&format!(" ({w}:{h})"));
    }
    let colours: Vec<String> = a.palette.iter().map(|s| s.name(false)).collect();
    out.push_str(" dominated by ");
    out.push_str(&list(&colours, false));
    out.push_str(match a.contrast {
        Contrast::Low => ", low contrast",
        Contrast::Soft => ", soft contrast",
        Contrast::Strong => ", strong contrast",
    });
    out.push_str(match a.saturation {
        Saturation::BlackAndWhite => ", black and white",
        Saturation::Muted => ", muted colours",
        Saturation::Natural => ", natural colours",
        Saturation::Vivid => ", vivid colours",
    });
    if a.centre {
        out.push_str(", with a clear centre of interest");
    }
    if let Some(light) = a.light {
        out.push_str(match light {
            Light::Above => ", lit from above",
            Light::Below => ", lit from below",
            Light::Left => ", light falling from the left",
            Light::Right => ", light falling from the right",
        });
    }
    out
}

fn render_zh(a: &Analysis) -> String {
    let mut adjectives: Vec<&str> = Vec::new();
    match a.busyness {
        Busyness::Minimal => adjectives.push("简约"),
        Busyness::Busy => adjectives.push("繁复细致"),
        Busyness::Balanced => {}
    }
    match a.brightness {
        Brightness::Dark => adjectives.push("暗调"),
        Brightness::Dim => adjectives.push("昏暗"),
        Brightness::Bright => adjectives.push("明亮"),
        Brightness::HighKey => adjectives.push("高调明亮"),
        Brightness::Balanced => {}
    }
    let shape = match a.shape {
        Shape::Square => "方形图像",
        Shape::Landscape => "横幅图像",
        Shape::Portrait => "竖幅图像",
    };
    let mut out = String::from("一张");
    if !adjectives.is_empty() {
        out.push_str(&adjectives.join("、"));
        out.push('的');
    }
    out.push_str(shape);
    if let Some((w, h)) = a.ratio {
        out.push_str(&format!("（{w}:{h}）"));
    }
    let colours: Vec<String> = a.palette.iter().map(|s| s.name(true)).collect();
    out.push_str("，以");
    out.push_str(&list(&colours, true));
    out.push_str("为主");
    out.push_str(match a.contrast {
        Contrast::Low => "，对比度低",
        Contrast::Soft => "，对比柔和",
        Contrast::Strong => "，对比强烈",
    });
    out.push_str(match a.saturation {
        Saturation::BlackAndWhite => "，黑白",
        Saturation::Muted => "，色彩低饱和",
        Saturation::Natural => "，色彩自然",
        Saturation::Vivid => "，色彩鲜艳",
    });
    if a.centre {
        out.push_str("，中心主体突出");
    }
    if let Some(light) = a.light {
        out.push_str(match light {
            Light::Above => "，光线来自上方",
            Light::Below => "，光线来自下方",
            Light::Left => "，光线来自左侧",
            Light::Right => "，光线来自右侧",
        });
    }
    out
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
    fn colours_are_named_by_hue_and_lightness() {
        let name = |rgb: [u8; 3]| {
            let (colour, muted) = colour_name(rgb);
            Swatch { colour, muted }.name(false)
        };
        assert_eq!(name([10, 10, 12]), "black");
        assert_eq!(name([128, 128, 130]), "grey");
        assert_eq!(name([240, 236, 226]), "off-white");
        assert_eq!(name([15, 25, 60]), "navy");
        assert_eq!(name([25, 50, 135]), "deep blue");
        assert_eq!(name([125, 185, 235]), "sky blue");
        assert_eq!(name([235, 130, 45]), "warm orange");
        assert_eq!(name([215, 195, 155]), "sand beige");
        assert_eq!(name([35, 95, 45]), "forest green");
        assert_eq!(name([200, 30, 40]), "crimson");
        assert_eq!(name([130, 70, 170]), "purple");
        assert_eq!(name([125, 105, 135]), "muted purple");
        assert_eq!(name([20, 125, 125]), "teal");
        let (colour, muted) = colour_name([125, 105, 135]);
        assert_eq!(Swatch { colour, muted }.name(true), "灰调紫色");
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
