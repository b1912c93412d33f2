//! Space: a deep starfield with coloured nebulae, often the Milky Way, sometimes a ringed planet,
//! over a low dark horizon.

use crate::canvas::{Canvas, Field, Ridge, composite, sky_limit};
use crate::math::{Rgb, hsl, mix, screen, smoothstep};
use crate::noise::Noise;
use crate::plan::Plan;
use crate::rng::Rng;
use crate::sky;
use crate::terrain::{Relief, RidgeSpec, ridgeline};

/// Paints a space scene.
pub(crate) fn paint(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (_, h) = canvas.size();
    let s = canvas.s;
    let pal = &plan.palette;
    let mut ridges = Vec::new();
    let mut horizon = h;
    if rng.chance(0.65) {
        let base = h * rng.range(0.86, 0.95);
        horizon = base - s * 0.04;
        for i in 0..2 {
            let spec = RidgeSpec {
                relief: if i == 0 {
                    Relief::Peaks
                } else {
                    Relief::Rolling
                },
                freq: rng.range(1.0, 2.0),
                base: base + i as f32 * s * 0.03,
                amp: s * rng.range(0.04, 0.1),
            };
            ridges.push(Ridge::terrain(ridgeline(noise, canvas.w, s, spec, rng)));
        }
    }
    let limit = sky_limit(canvas.w, canvas.h, &ridges);
    sky::gradient(canvas, plan, horizon);

    let (p, q) = (pal.hues[0], pal.hues[1]);
    let (ca, cb) = (hsl(p, 0.75, 0.5), hsl(q, 0.8, 0.5));
    let (ox, oy) = (rng.range(0.0, 100.0), rng.range(0.0, 100.0));
    let fscale = rng.range(1.2, 2.2);
    let nebula = Field::new(canvas.w, canvas.h, 4, |x, y| {
        let u = x / s * fscale + ox;
        let v = y / s * fscale + oy;
        let d = noise.fbm2(u, v, 5);
        let hue_mix = 0.5 + 0.5 * noise.fbm2(u * 0.7 + 30.0, v * 0.7, 3);
        let k = smoothstep(-0.1, 0.6, d) * 0.6;
        let c = mix(ca, cb, hue_mix);
        [c[0] * k, c[1] * k, c[2] * k]
    });
    canvas.each(0, canvas.h, |x, y, px| {
        if y as f32 <= limit[x] + 1.0 {
            screen(px, nebula.sample(x, y), 1.0);
        }
    });
    sky::stars(canvas, horizon, 1.6, rng);
    if rng.chance(0.5) {
        sky::milky_way(canvas, plan, &limit, noise, rng);
    }
    if plan.planet {
        planet(canvas, plan, noise, rng);
    }
    let rim = mix(pal.land, pal.sky_low, 0.4);
    composite(canvas, &ridges, |i, x, y| {
        let depth = y as f32 + 0.5 - ridges[i].ground[x];
        let base = if i == 0 {
            mix(pal.land, pal.sky_low, 0.15)
        } else {
            pal.land
        };
        mix(rim, base, smoothstep(0.0, s * 0.006, depth))
    });
}

/// A lit sphere with banded clouds, an atmosphere rim and sometimes rings.
fn planet(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let pal = &plan.palette;
    let r = s * rng.range(0.12, 0.3);
    let cx = w * rng.range(0.2, 0.8);
    let cy = h * rng.range(0.2, 0.5);
    let light = {
        let (lx, ly, lz) = (
            rng.range(-1.0, 1.0),
            rng.range(-0.8, 0.2),
            rng.range(0.2, 0.8),
        );
        let n = (lx * lx + ly * ly + lz * lz).sqrt();
        [lx / n, ly / n, lz / n]
    };
    let hue = pal.hues[rng.below(2)] + rng.range(-20.0, 20.0);
    let c1: Rgb = hsl(hue, 0.45, 0.55);
    let c2: Rgb = hsl(hue + 25.0, 0.35, 0.75);
    let atmosphere = hsl(hue - 15.0, 0.7, 0.65);
    let rings = rng.chance(0.55);
    let tilt = rng.range(-0.5, 0.5);
    let (ct, st) = (crate::math::cos(tilt), crate::math::sin(tilt));
    let flat = rng.range(0.18, 0.35);
    let ring_col = mix(c2, pal.sun, 0.3);
    let band_off = rng.range(0.0, 50.0);
    let reach = if rings { r * 2.4 } else { r * 1.35 };
    canvas.stamp(cx, cy, reach, |dx, dy, p| {
        let nx = dx / r;
        let ny = dy / r;
        let d2 = nx * nx + ny * ny;
        let d = d2.sqrt();
        // Ring plane coordinates: rotate by the tilt, squash vertically.
        let u = nx * ct + ny * st;
        let v = (-nx * st + ny * ct) / flat;
        let rr = (u * u + v * v).sqrt();
        let ring_a = if rings && (1.35..2.25).contains(&rr) {
            let n = 0.5 + 0.5 * noise.n1(rr * 22.0 + band_off);
            let edge = smoothstep(1.35, 1.45, rr) * (1.0 - smoothstep(2.1, 2.25, rr));
            edge * (0.25 + 0.6 * n)
        } else {
            0.0
        };
        let front = v > 0.0;
        if ring_a > 0.0 && !front {
            *p = mix(*p, ring_col, ring_a * 0.8);
        }
        // Atmosphere halo outside the disc.
        if d > 1.0 {
            let lit = (nx * light[0] + ny * light[1]).max(0.0) * 0.7 + 0.3;
            let k = (1.0 - smoothstep(1.0, 1.25, d)) * 0.5 * lit;
            screen(p, atmosphere, k);
        }
        let cov = ((1.0 - d) * r + 0.5).clamp(0.0, 1.0);
        if cov > 0.0 {
            let nz = (1.0 - d2.min(1.0)).sqrt();
            let lambert = (nx * light[0] + ny * light[1] + nz * light[2]).max(0.0);
            let band = noise.fbm1(ny * 5.0 + 0.3 * noise.n2(nx * 3.0, ny * 3.0) + band_off, 4);
            let surface = mix(c1, c2, 0.5 + 0.5 * band);
            let shade = 0.03 + 1.05 * lambert;
            let mut c = [surface[0] * shade, surface[1] * shade, surface[2] * shade];
            let rim = (1.0 - nz) * (1.0 - nz);
            screen(&mut c, atmosphere, rim * (0.2 + 0.8 * lambert));
            *p = mix(*p, c, cov);
        }
        if ring_a > 0.0 && front {
            *p = mix(*p, ring_col, ring_a * 0.85);
        }
    });
}
