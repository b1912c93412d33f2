//! Abstract pictures: layered paper-cut waves, flowing colour and bokeh.

use crate::canvas::{Canvas, Field, Ridge, composite};
use crate::math::{Rgb, exp, hsl, lerp, mix, mix_hue_sky, scale, screen, sin, smoothstep};
use crate::noise::Noise;
use crate::plan::Plan;
use crate::rng::Rng;
use crate::words::Tone;

/// Five colours from the palette's two hues, lightest first.
pub(super) fn swatches(plan: &Plan, rng: &mut Rng) -> [Rgb; 5] {
    let pal = &plan.palette;
    let [p, q] = pal.hues;
    let mid = mix_hue_sky(p, q, 0.5);
    let sat = if pal.tone == Some(Tone::Neon) {
        0.9
    } else {
        0.55
    };
    let warm = p + rng.range(-15.0, 15.0);
    [
        pal.tone(warm, sat * 0.6, 0.86),
        pal.tone(p, sat, 0.66),
        pal.tone(mid, sat * 0.8, 0.55),
        pal.tone(q, sat, 0.45),
        pal.tone(q, sat * 0.9, 0.28),
    ]
}

/// Paper-cut waves: overlapping layers with soft shadows, light at the top, deep at the bottom.
pub(crate) fn waves(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (_, h) = canvas.size();
    let s = canvas.s;
    let pal = &plan.palette;
    let [p, q] = pal.hues;
    let n = 6 + rng.below(4);
    let sat = if pal.tone == Some(Tone::Neon) {
        0.95
    } else {
        0.6
    };
    let reverse = rng.chance(0.3);
    let stops = [
        pal.tone(p, sat * 0.5, 0.86),
        pal.tone(p, sat, 0.64),
        pal.tone(mix_hue_sky(p, q, 0.5), sat * 0.8, 0.48),
        pal.tone(q, sat, 0.36),
        pal.tone(q, sat * 0.9, 0.18),
    ];
    let colours: Vec<Rgb> = (0..=n)
        .map(|k| {
            let t = k as f32 / n as f32;
            ramp(&stops, if reverse { 1.0 - t } else { t })
        })
        .collect();
    sky_fill(canvas, colours[0], mix(colours[0], [1.0; 3], 0.3));
    let mut ridges = Vec::with_capacity(n);
    for k in 0..n {
        let base = h * (0.14 + 0.84 * (k as f32 + 0.6) / n as f32);
        let amp = s * rng.range(0.025, 0.07);
        let freq = rng.range(2.0, 5.5);
        let phase = rng.range(0.0, 6.3);
        let off = rng.range(0.0, 100.0);
        let top = (0..canvas.w)
            .map(|x| {
                let u = x as f32 / s;
                base + amp * sin(u * freq + phase) + s * 0.02 * noise.fbm1(u * 1.5 + off, 3)
            })
            .collect();
        ridges.push(Ridge::terrain(top));
    }
    let shadow_len = s * rng.range(0.02, 0.04);
    composite(canvas, &ridges, |i, x, y| {
        let yf = y as f32 + 0.5;
        let mut c = colours[i + 1];
        let own = yf - ridges[i].top[x];
        c = mix(c, scale(c, 0.92), smoothstep(0.0, s * 0.25, own));
        if let Some(next) = ridges.get(i + 1) {
            let d = next.top[x] - yf;
            if d > 0.0 {
                c = scale(c, 1.0 - 0.35 * exp(-d / shadow_len));
            }
        }
        if own < s * 0.004 {
            c = mix(
                c,
                [1.0; 3],
                0.12 * (1.0 - own / (s * 0.004)).clamp(0.0, 1.0),
            );
        }
        c
    });
}

/// The colour at `t` (0..=1) along evenly spaced `stops`.
fn ramp(stops: &[Rgb], t: f32) -> Rgb {
    let n = stops.len().saturating_sub(1);
    let x = t.clamp(0.0, 1.0) * n as f32;
    let i = crate::math::index(x, n.saturating_sub(1));
    match (stops.get(i), stops.get(i + 1)) {
        (Some(a), Some(b)) => mix(*a, *b, x - i as f32),
        (Some(a), None) => *a,
        _ => [0.5; 3],
    }
}

pub(super) fn sky_fill(canvas: &mut Canvas, top: Rgb, bottom: Rgb) {
    let h = canvas.h as f32;
    canvas.each(0, canvas.h, |_, y, p| *p = mix(top, bottom, y as f32 / h));
}

/// Flowing colour: a palette ramp over domain-warped noise, like marbled ink.
pub(crate) fn blobs(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let s = canvas.s;
    let sw = swatches(plan, rng);
    let stops = if rng.chance(0.5) {
        [sw[0], sw[1], sw[2], sw[3], sw[4]]
    } else {
        [sw[4], sw[3], sw[1], sw[2], sw[0]]
    };
    let o: [f32; 8] = std::array::from_fn(|_| rng.range(0.0, 60.0));
    let scale_f = rng.range(0.6, 1.0);
    let warp = rng.range(1.2, 2.0);
    let accent = mix(sw[1], [1.0; 3], 0.3);
    let field = Field::new(canvas.w, canvas.h, 3, |x, y| {
        let (u, v) = (x / s * scale_f, y / s * scale_f);
        let qx = noise.fbm2(u + o[0], v + o[1], 3);
        let qy = noise.fbm2(u + o[2], v + o[3], 3);
        let rx = noise.fbm2(u + warp * qx + o[4], v + warp * qy + o[5], 3);
        let ry = noise.fbm2(u + warp * qx + o[6], v + warp * qy + o[7], 3);
        let f = noise.fbm2(u + warp * rx, v + warp * ry, 3);
        let t = smoothstep(-0.55, 0.55, f);
        let c = ramp(&stops, t);
        let sheen = smoothstep(0.25, 0.6, (qx * qx + qy * qy).sqrt()) * 0.35;
        mix(c, accent, sheen * smoothstep(0.0, 0.5, rx))
    });
    canvas.each(0, canvas.h, |x, y, p| *p = field.sample(x, y));
}

/// Out-of-focus lights over a dark gradient.
pub(crate) fn bokeh(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let pal = &plan.palette;
    let [p, q] = pal.hues;
    // The night behind the lights stays dark whatever the tone, or the lights would not glow.
    let a = hsl(p, 0.5, 0.1);
    let b = hsl(q, 0.45, 0.2);
    let (ox, oy) = (rng.range(0.0, 50.0), rng.range(0.0, 50.0));
    let field = Field::new(canvas.w, canvas.h, 8, |x, y| {
        let t = ((x / w + y / h) * 0.5).clamp(0.0, 1.0);
        let n = noise.fbm2(x / s * 1.2 + ox, y / s * 1.2 + oy, 3);
        scale(mix(a, b, t), 0.85 + 0.35 * n)
    });
    canvas.each(0, canvas.h, |x, y, px| *px = field.sample(x, y));
    let count = 45 + rng.below(45);
    // The lights gather along a line through the middle of the picture.
    let (lx, ly) = (rng.range(0.3, 0.7) * w, rng.range(0.3, 0.7) * h);
    let (dxl, dyl) = (rng.range(-0.5, 0.5), rng.range(-0.5, 0.5));
    for _ in 0..count {
        let z = rng.unit();
        let r = s * (0.012 + 0.09 * z * z);
        let t = rng.range(-0.8, 0.8);
        let spread = s * 0.25;
        let cx = lx + dxl * t * w + rng.range(-1.0, 1.0) * spread;
        let cy = ly + dyl * t * h + rng.range(-1.0, 1.0) * spread;
        let hue = if rng.chance(0.5) { p } else { q } + rng.range(-20.0, 20.0);
        let col = pal.tone(hue, 1.0, rng.range(0.55, 0.72));
        let soft = r * lerp(0.06, 0.5, z);
        let alpha = lerp(0.55, 0.18, z) * rng.range(0.6, 1.0);
        canvas.stamp(cx, cy, r + soft, |dx, dy, px| {
            let d = (dx * dx + dy * dy).sqrt();
            let body = 1.0 - smoothstep(r - soft, r, d);
            if body <= 0.0 {
                return;
            }
            let ring = smoothstep(r * 0.7, r - soft * 0.5, d) * 0.5;
            screen(px, col, alpha * body * (0.6 + ring));
        });
    }
}
