//! A portrait studio: a hand-painted, mottled backdrop lit from behind, a few faint out-of-focus
//! lights, and a head-and-shoulders silhouette with a rim of light — a backlit portrait.

use crate::canvas::{Canvas, Field};
use crate::math::{Rgb, hsl, mix, mix_hue, scale, screen, smoothstep};
use crate::noise::Noise;
use crate::plan::Plan;
use crate::rng::Rng;

/// Paints a studio backdrop.
pub(crate) fn paint(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let pal = &plan.palette;
    let [p, q] = pal.hues;
    let centre = pal.tone(p, 0.3, 0.58);
    let edge = pal.tone(mix_hue(p, q, 0.3), 0.35, 0.1);
    let patch = pal.tone(q, 0.3, 0.42);
    let fx = w * (0.5 + rng.range(-0.08, 0.08));
    let head_y = h * rng.range(0.36, 0.44);
    let (kx, ky) = (
        fx + rng.range(-0.1, 0.1) * s,
        head_y - rng.range(0.0, 0.1) * s,
    );
    let reach = s * rng.range(0.55, 0.8);
    let (ox, oy) = (rng.range(0.0, 50.0), rng.range(0.0, 50.0));
    let field = Field::new(canvas.w, canvas.h, 4, |x, y| {
        let dx = (x - kx) / reach;
        let dy = (y - ky) / reach;
        let d2 = dx * dx + dy * dy;
        let light = 1.0 / (1.0 + d2 * 1.6);
        let u = x / s;
        let v = y / s;
        let mottle = noise.fbm2(u * 2.5 + ox, v * 2.5 + oy, 5);
        let patches = smoothstep(0.0, 0.6, noise.fbm2(u * 1.2 + 20.0, v * 1.2, 3));
        let base = mix(edge, centre, light);
        let base = mix(base, mix(patch, base, 0.4), patches * 0.5);
        scale(base, 0.88 + 0.3 * mottle)
    });
    canvas.each(0, canvas.h, |x, y, px| *px = field.sample(x, y));

    // A soft shaft of light from one upper corner.
    let from_left = rng.chance(0.5);
    let warm = hsl(p + 10.0, 0.4, 0.8);
    canvas.each(0, canvas.h, |x, y, px| {
        let xf = if from_left { x as f32 } else { w - x as f32 };
        let along = (xf / w + y as f32 / h) * 0.7;
        let across = (xf / w - y as f32 / h * 0.6 - 0.15).abs();
        let k = (1.0 - smoothstep(0.0, 0.25, across)) * (1.0 - smoothstep(0.2, 1.1, along)) * 0.12;
        screen(px, warm, k);
    });

    for _ in 0..6 + rng.below(8) {
        let r = s * rng.range(0.03, 0.09);
        let (cx, cy) = (rng.range(0.0, 1.0) * w, rng.range(0.0, 1.0) * h);
        let col = pal.tone(if rng.chance(0.5) { p } else { q }, 0.5, 0.7);
        let a = rng.range(0.06, 0.16);
        canvas.stamp(cx, cy, r * 1.2, |dx, dy, px| {
            let d = (dx * dx + dy * dy).sqrt();
            let k = 1.0 - smoothstep(r * 0.7, r, d);
            screen(px, col, k * a);
        });
    }
    let figure_col = scale(edge, 0.55);
    let rim_col = hsl(p + 10.0, 0.45, 0.85);
    let side = if from_left { -1.0 } else { 1.0 };
    figure(canvas, (fx, head_y), figure_col, rim_col, side, rng);
}

/// Polynomial smooth minimum: joins shapes with a fillet of size `k`.
fn smin(a: f32, b: f32, k: f32) -> f32 {
    let h = (0.5 + 0.5 * (b - a) / k).clamp(0.0, 1.0);
    b + (a - b) * h - k * h * (1.0 - h)
}

/// A head-and-shoulders bust, described by its half-width at each height.
#[derive(Debug, Clone, Copy)]
struct Bust {
    head_y: f32,
    head_rx: f32,
    head_ry: f32,
    neck_w: f32,
    neck_base: f32,
    shoulder_w: f32,
    shoulder_drop: f32,
}

impl Bust {
    /// Half-width of the silhouette at height `y` (0 where there is none).
    fn half_width(&self, y: f32) -> f32 {
        let hy = (y - self.head_y) / self.head_ry;
        let head = if hy.abs() < 1.0 {
            self.head_rx * (1.0 - hy * hy).sqrt()
        } else {
            0.0
        };
        let neck = if y > self.head_y + self.head_ry * 0.6 {
            self.neck_w
        } else {
            0.0
        };
        let t = (y - self.neck_base) / self.shoulder_drop;
        let body = if t <= 0.0 {
            0.0
        } else if t < 1.0 {
            // Sloping down from the neck, rounding into the upper arm.
            let u = 1.0 - t;
            self.neck_w + (self.shoulder_w - self.neck_w) * (1.0 - u * u)
        } else {
            self.shoulder_w + (y - self.neck_base - self.shoulder_drop) * 0.08
        };
        let k = self.head_rx * 0.25;
        smax(smax(head, neck, k), body, k)
    }

    /// Signed distance in pixels (negative inside) and the outward normal.
    fn distance(&self, dx: f32, y: f32) -> (f32, [f32; 2]) {
        let w = self.half_width(y);
        let slope = ((self.half_width(y + 1.0) - self.half_width(y - 1.0)) * 0.5).clamp(-6.0, 6.0);
        let norm = (1.0 + slope * slope).sqrt();
        let side = if dx < 0.0 { -1.0 } else { 1.0 };
        ((dx.abs() - w) / norm, [side / norm, -slope / norm])
    }
}

/// Smooth maximum of two widths with a fillet of size `k`, where both shapes are present.
fn smax(a: f32, b: f32, k: f32) -> f32 {
    if a <= 0.0 || b <= 0.0 {
        a.max(b)
    } else {
        -smin(-a, -b, k)
    }
}

fn figure(canvas: &mut Canvas, at: (f32, f32), col: Rgb, rim: Rgb, side: f32, rng: &mut Rng) {
    let s = canvas.s;
    let (_, h) = canvas.size();
    let head_rx = s * rng.range(0.062, 0.072);
    let head_ry = head_rx * rng.range(1.22, 1.32);
    let bust = Bust {
        head_y: at.1,
        head_rx,
        head_ry,
        neck_w: head_rx * rng.range(0.52, 0.6),
        neck_base: at.1 + head_ry * rng.range(1.22, 1.32),
        shoulder_w: head_rx * rng.range(2.4, 2.8),
        shoulder_drop: head_rx * rng.range(1.3, 1.6),
    };
    let (lx, ly) = (side * 0.8, -0.6);
    let rim_w = s * 0.01;
    let top = at.1 - head_ry - 2.0;
    let reach = h;
    canvas.stamp(at.0, at.1 + reach * 0.5, reach, |dx, dy, p| {
        let y = at.1 + reach * 0.5 + dy;
        if y < top || dx.abs() > bust.shoulder_w * 1.5 + (y - at.1).max(0.0) * 0.1 + 4.0 {
            return;
        }
        let (d, n) = bust.distance(dx, y);
        let cov = (0.5 - d).clamp(0.0, 1.0);
        if cov <= 0.0 {
            return;
        }
        let mut c = col;
        if d > -rim_w * 2.0 {
            let lit = (n[0] * lx + n[1] * ly).max(0.0);
            let k = (1.0 - smoothstep(0.0, rim_w, -d)) * lit;
            c = mix(c, rim, k * 0.85);
        }
        *p = mix(*p, c, cov);
    });
}
