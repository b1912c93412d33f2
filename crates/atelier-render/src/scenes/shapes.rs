//! Minimalist shapes in flat colours on a paper tone, in the manner of mid-century and boho prints:
//! a sun, a motif (an arch of bands, a range of rounded peaks, or balanced pebbles), a rolling ground
//! and a few dots.

use super::abstract_art::{sky_fill, swatches};
use crate::canvas::Canvas;
use crate::math::{Rgb, index, mix, sin};
use crate::noise::Noise;
use crate::plan::Plan;
use crate::rng::Rng;

/// Fills the shape whose signed distance (pixels, negative inside) is `dist`, within `r` of
/// (`cx`, `cy`), anti-aliased.
fn fill(canvas: &mut Canvas, centre: (f32, f32), r: f32, col: Rgb, dist: impl Fn(f32, f32) -> f32) {
    canvas.stamp(centre.0, centre.1, r + 2.0, |dx, dy, p| {
        let k = (0.5 - dist(dx, dy)).clamp(0.0, 1.0);
        if k > 0.0 {
            *p = mix(*p, col, k);
        }
    });
}

fn circle(r: f32) -> impl Fn(f32, f32) -> f32 {
    move |dx, dy| (dx * dx + dy * dy).sqrt() - r
}

/// Paints a minimalist composition.
pub(crate) fn paint(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let sw = swatches(plan, rng);
    let pal = &plan.palette;
    let paper = pal.tone(pal.hues[0] + 10.0, 0.35, 0.9);
    let paper2 = pal.tone(pal.hues[0] + 10.0, 0.3, 0.85);
    sky_fill(canvas, paper, paper2);
    let order: [usize; 5] = if rng.chance(0.5) {
        [1, 2, 3, 4, 0]
    } else {
        [3, 1, 4, 2, 0]
    };
    let ground = h * rng.range(0.72, 0.82);

    let sun_r = s * rng.range(0.08, 0.15);
    let sun_at = (rng.range(0.2, 0.8) * w, rng.range(0.15, 0.4) * h);
    fill(canvas, sun_at, sun_r, sw[order[0]], circle(sun_r));

    let mx = rng.range(0.3, 0.7) * w;
    match rng.below(3) {
        0 => arch(canvas, (mx, ground), &sw, order, rng),
        1 => peaks(canvas, ground, &sw, order, rng),
        _ => pebbles(canvas, (mx, ground), &sw, order, rng),
    }

    // Rolling ground in two bands.
    let gfreq = rng.range(1.5, 3.5);
    let gamp = s * rng.range(0.01, 0.04);
    let gphase = rng.range(0.0, 6.3);
    let (ground_col, ground2) = (sw[order[3]], sw[order[4]]);
    let off = rng.range(0.0, 50.0);
    let second = ground + h * rng.range(0.07, 0.12);
    canvas.each(
        index(ground - gamp * 2.0 - 2.0, canvas.h),
        canvas.h,
        |x, y, p| {
            let u = x as f32 / s;
            let yf = y as f32 + 0.5;
            let g1 = ground + gamp * sin(u * gfreq + gphase) + s * 0.01 * noise.n1(u * 2.0 + off);
            let g2 = second + gamp * sin(u * gfreq * 1.3 + gphase + 2.0);
            *p = mix(*p, ground_col, (yf - g1 + 0.5).clamp(0.0, 1.0));
            *p = mix(*p, ground2, (yf - g2 + 0.5).clamp(0.0, 1.0));
        },
    );

    let dot = sw[order[2]];
    for _ in 0..rng.below(6) {
        let at = (rng.range(0.1, 0.9) * w, rng.range(0.08, 0.6) * h);
        let r = s * rng.range(0.006, 0.014);
        fill(canvas, at, r, dot, circle(r));
    }
}

/// Concentric bands of a rainbow arch standing on the ground.
fn arch(canvas: &mut Canvas, foot: (f32, f32), sw: &[Rgb; 5], order: [usize; 5], rng: &mut Rng) {
    let s = canvas.s;
    let bands = 3 + rng.below(3);
    let outer = s * rng.range(0.22, 0.34);
    let thick = outer / (bands as f32 + 0.6);
    for b in 0..bands {
        let r = outer - b as f32 * thick;
        let col = sw[order[(b + 1) % 5]];
        fill(canvas, foot, r, col, move |dx, dy| {
            let d = (dx * dx + dy * dy).sqrt() - r;
            d.max(dy)
        });
    }
    let hole = outer - bands as f32 * thick;
    let paper = mix(sw[0], [1.0; 3], 0.4);
    fill(canvas, foot, hole, paper, move |dx, dy| {
        ((dx * dx + dy * dy).sqrt() - hole).max(dy)
    });
}

/// Two or three overlapping peaks with rounded tips.
fn peaks(canvas: &mut Canvas, ground: f32, sw: &[Rgb; 5], order: [usize; 5], rng: &mut Rng) {
    let (w, _) = canvas.size();
    let s = canvas.s;
    let n = 2 + rng.below(2);
    for i in 0..n {
        let px = w * rng.range(0.2, 0.8);
        let height = s * rng.range(0.22, 0.42) * (1.0 - 0.2 * i as f32);
        let slope = rng.range(0.8, 1.4);
        let round = s * 0.025;
        let col = sw[order[(i + 1) % 5]];
        let extra = s * 0.05;
        let norm = (1.0 + slope * slope).sqrt();
        let reach = (height / slope).max(height * 0.5 + extra);
        fill(
            canvas,
            (px, ground - height * 0.5),
            reach,
            col,
            move |dx, dy| {
                // Local height below the apex; the flanks rise with `slope`, softened at the tip.
                let ay = dy + height * 0.5;
                let rise = ((dx * dx + round * round).sqrt() - round) * slope;
                ((rise - ay) / norm).max(ay - height - extra)
            },
        );
    }
}

/// A stack of balanced pebbles.
fn pebbles(canvas: &mut Canvas, foot: (f32, f32), sw: &[Rgb; 5], order: [usize; 5], rng: &mut Rng) {
    let s = canvas.s;
    let mut y = foot.1;
    let n = 3 + rng.below(2);
    for i in 0..n {
        let rx = s * rng.range(0.07, 0.12) * (1.0 - 0.15 * i as f32);
        let ry = rx * rng.range(0.45, 0.6);
        let cx = foot.0 + s * rng.range(-0.015, 0.015);
        let cy = y - ry * 0.95;
        let col = sw[order[(i + 1) % 5]];
        fill(canvas, (cx, cy), rx, col, move |dx, dy| {
            let e = ((dx / rx) * (dx / rx) + (dy / ry) * (dy / ry)).sqrt();
            (e - 1.0) * ry
        });
        y = cy - ry * 0.9;
    }
}
