//! Passes over the finished scene: fog, rain streaks, falling snow and a painterly brush texture.

use crate::canvas::Canvas;
use crate::math::{coord, floor_i32, mix, scale, screen, smoothstep};
use crate::noise::Noise;
use crate::plan::{Plan, Scene};
use crate::rng::{Rng, hash_unit};

/// Applies the plan's weather and texture to the painted canvas.
pub(crate) fn apply(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let mut rng = rng.fork();
    if plan.fog && matches!(plan.scene, Scene::Sea | Scene::City) {
        fog(canvas, plan, noise);
    }
    if plan.rain && !plan.scene.is_abstract() {
        rain(canvas, plan, &mut rng);
    }
    if plan.snowfall && !plan.scene.is_abstract() {
        snowfall(canvas, plan, &mut rng);
    }
    if plan.painterly {
        brush(canvas, noise);
    }
}

fn fog(canvas: &mut Canvas, plan: &Plan, noise: &Noise) {
    let (_, h) = canvas.size();
    let s = canvas.s;
    let haze = plan.palette.haze;
    canvas.each(0, canvas.h, |x, y, p| {
        let yf = y as f32;
        let n = noise.n2(x as f32 / s * 1.5, yf / s * 4.0);
        let k = smoothstep(0.3 * h, 0.85 * h, yf) * 0.3 * (0.7 + 0.3 * n);
        *p = mix(*p, haze, k);
    });
}

/// Two layers of slanted rain streaks (fine and far, coarse and near) over a damp haze.
fn rain(canvas: &mut Canvas, plan: &Plan, rng: &mut Rng) {
    let (_, h) = canvas.size();
    let s = canvas.s;
    let pal = &plan.palette;
    let drop = mix(pal.sky_low, [1.0; 3], 0.55);
    let slant = rng.range(0.08, 0.2) * if rng.chance(0.5) { 1.0 } else { -1.0 };
    let px = (s / 1024.0).max(0.5);
    let layers = [
        (s * 0.009, h * 0.3, h * 0.045, 0.16, 0.7 * px, 0.55),
        (s * 0.02, h * 0.55, h * 0.09, 0.28, 1.2 * px, 0.35),
    ];
    let salt = rng.next_u32();
    canvas.each(0, canvas.h, |x, y, p| {
        *p = mix(*p, pal.haze, 0.1);
        let (xf, yf) = (x as f32 + 0.5, y as f32 + 0.5);
        for (li, (cw, period, len, alpha, thick, presence)) in layers.iter().enumerate() {
            let u = xf + yf * slant;
            let c = floor_i32(u / cw);
            let cu = c.cast_unsigned();
            let salt = salt ^ (coord(li) * 0x9e37);
            let centre = cw * (0.2 + 0.6 * hash_unit(cu, 1, salt));
            let dist = (u - c as f32 * cw - centre).abs();
            if dist > thick + 1.0 {
                continue;
            }
            let v = yf + hash_unit(cu, 2, salt) * period;
            let k = floor_i32(v / period);
            if hash_unit(cu, k.cast_unsigned(), salt ^ 3) > *presence {
                continue;
            }
            let fv = v - k as f32 * period;
            if fv < *len {
                let a = (1.0 - (dist - thick * 0.5).max(0.0) / (thick * 0.5 + 0.5)).clamp(0.0, 1.0);
                screen(p, drop, a * (fv / len) * alpha);
            }
        }
    });
}

/// Soft snowflakes of varied size and depth.
fn snowfall(canvas: &mut Canvas, plan: &Plan, rng: &mut Rng) {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let flake = mix(plan.palette.sky_low, [1.0; 3], 0.7);
    let count = crate::math::index(w * h / (s * s) * 700.0, 6000);
    for _ in 0..count {
        let z = rng.unit();
        let r = s / 1024.0 * (1.0 + 4.0 * z * z) + 0.4;
        let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
        let a = 0.35 + 0.5 * z;
        canvas.stamp(x, y, r * 1.6, |dx, dy, p| {
            let d = (dx * dx + dy * dy).sqrt();
            let k = 1.0 - smoothstep(r * 0.5, r * 1.5, d);
            *p = mix(*p, flake, k * a);
        });
    }
}

/// Directional brush strokes and a faint canvas weave.
fn brush(canvas: &mut Canvas, noise: &Noise) {
    let s = canvas.s;
    canvas.each(0, canvas.h, |x, y, p| {
        let u = x as f32 / s;
        let v = y as f32 / s;
        let dab = noise.n2(u * 45.0 + 3.7, v * 28.0 + 1.9);
        let weave = if (x + y) % 2 == 0 { 0.006 } else { -0.006 };
        *p = scale(*p, 1.0 + 0.045 * dab + weave);
    });
}
