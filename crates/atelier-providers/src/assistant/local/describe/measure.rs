//! Measuring: shape and common ratio, brightness, contrast, saturation, busyness (edges), a
//! centre that stands out and where the light comes from, over the shrunk image's pixels.

use image::RgbImage;

use super::palette::palette;
use super::{Analysis, Brightness, Busyness, Contrast, Light, Saturation, Shape};
use crate::edit::luma;

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

/// A non-negative, finite float (already rounded) as a `u32`, saturating.
pub(super) fn to_u32(v: f64) -> u32 {
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

pub(super) fn analyse(image: &RgbImage, width: u32, height: u32) -> Analysis {
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
