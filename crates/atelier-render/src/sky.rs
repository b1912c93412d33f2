//! The sky: gradient, sun or moon with glow, clouds, stars, the Milky Way and auroras. Painters take
//! a per-column `limit` (the top of whatever stands in front) and skip the pixels it hides.

use crate::canvas::Canvas;
use crate::math::{add_scaled, exp, hsl, index, lerp, mix, scale, screen, smoothstep};
use crate::noise::Noise;
use crate::plan::Plan;
use crate::rng::Rng;
use crate::words::Time;

/// A sun or moon: centre and radius in pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Body {
    pub x: f32,
    pub y: f32,
    pub r: f32,
}

impl Body {
    /// Places the sun or moon for a scene whose horizon is at `horizon` pixels.
    pub(crate) fn place(canvas: &Canvas, plan: &Plan, horizon: f32, rng: &mut Rng) -> Self {
        let (w, _) = canvas.size();
        let s = canvas.s;
        let r = s * match plan.time {
            Time::Night => rng.range(0.035, 0.06),
            Time::Day => rng.range(0.035, 0.05),
            Time::Dusk | Time::Dawn => rng.range(0.05, 0.085),
        };
        let x = w * rng.range(0.22, 0.78);
        let y = match plan.time {
            Time::Dusk | Time::Dawn => horizon - r * rng.range(0.2, 2.2),
            Time::Day | Time::Night => horizon * rng.range(0.25, 0.55),
        };
        Self { x, y, r }
    }
}

/// Fills the canvas with the sky gradient; the horizon colour continues below `horizon`.
pub(crate) fn gradient(canvas: &mut Canvas, plan: &Plan, horizon: f32) {
    let pal = &plan.palette;
    let h = horizon.max(1.0);
    canvas.each(0, canvas.h, |_, y, p| {
        let t = (y as f32 / h).clamp(0.0, 1.0);
        *p = if t < 0.55 {
            mix(pal.sky_top, pal.sky_mid, smoothstep(0.0, 0.55, t))
        } else {
            mix(pal.sky_mid, pal.sky_low, smoothstep(0.55, 1.0, t))
        };
    });
}

/// Light around `body`: a tight halo, a wide glow and, low in the sky, a band along the horizon.
pub(crate) fn glow(canvas: &mut Canvas, plan: &Plan, body: Body, horizon: f32, limit: &[f32]) {
    let pal = &plan.palette;
    let s = canvas.s;
    let low = matches!(plan.time, Time::Dusk | Time::Dawn);
    let (tight, wide, band) = match plan.time {
        Time::Night => (0.5, 0.25, 0.0),
        Time::Day => (0.6, 0.35, 0.1),
        Time::Dusk | Time::Dawn => (0.85, 0.55, 0.45),
    };
    let r1 = body.r * 1.8;
    let r2 = body.r * 8.0;
    let (bx, by) = (0.6 * s, 0.07 * s);
    let bottom = index(horizon + 0.1 * s, canvas.h);
    canvas.each(0, bottom, |x, y, p| {
        if y as f32 > limit[x] + 1.0 {
            return;
        }
        let dx = x as f32 + 0.5 - body.x;
        let dy = y as f32 + 0.5 - body.y;
        let d2 = dx * dx + dy * dy;
        let a = 1.0 / (1.0 + d2 / (r1 * r1));
        let mut k = tight * a * a + wide / (1.0 + d2 / (r2 * r2));
        if low {
            let hy = y as f32 - horizon;
            k += band / (1.0 + (dx / bx) * (dx / bx) + (hy / by) * (hy / by));
        }
        screen(p, pal.glow, k);
    });
}

/// The sun or moon disc.
pub(crate) fn disc(canvas: &mut Canvas, plan: &Plan, body: Body, noise: &Noise, rng: &mut Rng) {
    let pal = &plan.palette;
    let night = plan.time == Time::Night;
    let crescent = night && rng.chance(0.45);
    let (ox, oy) = (
        body.r * rng.range(0.35, 0.6),
        -body.r * rng.range(0.1, 0.35),
    );
    let lower = mix(pal.sun, pal.glow, 0.45);
    let s = canvas.s;
    canvas.stamp(body.x, body.y, body.r + 2.0, |dx, dy, p| {
        let d = (dx * dx + dy * dy).sqrt();
        let cov = (body.r - d + 0.5).clamp(0.0, 1.0);
        if cov <= 0.0 {
            return;
        }
        let c = if night {
            let maria = noise.fbm2(dx / s * 30.0, dy / s * 30.0, 3);
            let c = scale(pal.sun, 1.0 - 0.12 * smoothstep(0.0, 0.5, maria));
            if crescent {
                // The unlit part hides the stars but keeps the sky's colour, faintly earthlit.
                let ex = dx + ox;
                let ey = dy + oy;
                let lit = ((ex * ex + ey * ey).sqrt() - body.r * 0.92 + 0.5).clamp(0.0, 1.0);
                mix(mix(*p, pal.sun, 0.05), c, lit)
            } else {
                c
            }
        } else {
            mix(pal.sun, lower, smoothstep(-0.2, 1.0, dy / body.r))
        };
        *p = mix(*p, c, cov);
    });
}

/// Soft, horizontally stretched clouds above `horizon`, lit from `body` when there is one.
pub(crate) fn clouds(
    canvas: &mut Canvas,
    plan: &Plan,
    body: Option<Body>,
    horizon: f32,
    limit: &[f32],
    noise: &Noise,
    rng: &mut Rng,
) {
    let pal = &plan.palette;
    let s = canvas.s;
    let overcast = plan.rain;
    let thr = if overcast { -0.25 } else { rng.range(0.0, 0.2) };
    let (fx, fy) = (rng.range(1.2, 2.2), rng.range(5.0, 8.0));
    let (ox, oy) = (rng.range(0.0, 100.0), rng.range(0.0, 100.0));
    let (lit, dark) = match plan.time {
        Time::Day => (
            mix(pal.sky_low, [1.0; 3], 0.7),
            mix(pal.sky_mid, pal.land, 0.25),
        ),
        Time::Night => (
            mix(pal.sky_low, pal.sun, 0.25),
            mix(pal.sky_top, pal.sky_mid, 0.6),
        ),
        Time::Dusk | Time::Dawn => (
            mix(pal.glow, pal.sun, 0.35),
            mix(pal.sky_mid, pal.sky_top, 0.55),
        ),
    };
    let dark = if overcast {
        scale(mix(dark, pal.haze, 0.3), 0.85)
    } else {
        dark
    };
    let band_top = if overcast {
        0.0
    } else {
        horizon * rng.range(0.05, 0.3)
    };
    canvas.each(0, index(horizon, canvas.h), |x, y, p| {
        if y as f32 > limit[x] + 1.0 {
            return;
        }
        let yf = y as f32;
        let fade = smoothstep(band_top, band_top + 0.15 * horizon, yf)
            * (1.0 - smoothstep(horizon * 0.7, horizon, yf));
        if fade <= 0.0 {
            return;
        }
        let u = x as f32 / s;
        let v = yf / s;
        let n = noise.fbm2(u * fx + ox, v * fy + oy, 5);
        let density = smoothstep(thr, thr + 0.45, n) * fade;
        if density <= 0.0 {
            return;
        }
        let near = body.map_or(0.3, |b| {
            let dx = (x as f32 - b.x) / s;
            let dy = (yf - b.y) / s;
            1.0 / (1.0 + (dx * dx + dy * dy) * 6.0)
        });
        let inner = smoothstep(thr + 0.1, thr + 0.8, n);
        let light = (0.25 + 0.8 * near - 0.35 * inner + 0.25 * (yf / horizon)).clamp(0.0, 1.0);
        let c = mix(dark, lit, light);
        *p = mix(*p, c, density * if overcast { 0.9 } else { 0.8 });
    });
}

/// Stars of varied size, brightness and tint; a few bright ones have a halo.
pub(crate) fn stars(canvas: &mut Canvas, horizon: f32, density: f32, rng: &mut Rng) {
    let s = canvas.s;
    let (w, _) = canvas.size();
    let area = w * horizon / (s * s);
    let count = index(area * 900.0 * density, 20_000);
    let px = s / 1024.0;
    for _ in 0..count {
        let x = rng.range(0.0, w);
        let y = rng.range(0.0, horizon);
        let u = rng.unit();
        let bright = (0.2 + 0.8 * u * u * u) * (0.4 + 0.6 * smoothstep(horizon, 0.0, y));
        let r = px * (0.6 + 1.3 * u * u * u * u) + 0.35;
        let tint = hsl(
            rng.range(190.0, 240.0) + if rng.chance(0.3) { 180.0 } else { 0.0 },
            0.5,
            0.85,
        );
        let halo = u > 0.97;
        let reach = if halo { r * 6.0 } else { r * 2.5 };
        canvas.stamp(x, y, reach, |dx, dy, p| {
            let d2 = (dx * dx + dy * dy) / (r * r);
            let mut k = bright * exp(-d2);
            if halo {
                k += 0.25 * bright / (1.0 + d2 * 0.5);
            }
            screen(p, tint, k);
        });
    }
}

/// A band of faint light and dust across the sky, with extra stars crowding it.
pub(crate) fn milky_way(
    canvas: &mut Canvas,
    plan: &Plan,
    limit: &[f32],
    noise: &Noise,
    rng: &mut Rng,
) {
    let pal = &plan.palette;
    let s = canvas.s;
    let (w, h) = canvas.size();
    let (x0, y0) = (w * rng.range(0.3, 0.7), h * rng.range(0.15, 0.4));
    let angle = rng.range(-1.1, 1.1) + std::f32::consts::FRAC_PI_2;
    let (ca, sa) = (crate::math::cos(angle), crate::math::sin(angle));
    let width = rng.range(0.08, 0.14);
    let core = hsl(pal.hues[0], 0.35, 0.85);
    let outer = hsl(pal.hues[1], 0.5, 0.55);
    canvas.each(0, canvas.h, |x, y, p| {
        if y as f32 > limit[x] + 1.0 {
            return;
        }
        let dx = (x as f32 - x0) / s;
        let dy = (y as f32 - y0) / s;
        let across = dx * sa - dy * ca;
        let along = dx * ca + dy * sa;
        let t = across / width;
        if t.abs() > 2.5 {
            return;
        }
        let band = exp(-t * t);
        let n = 0.5 + 0.5 * noise.fbm2(along * 3.0, across * 9.0, 4);
        let dust = smoothstep(0.15, 0.55, noise.fbm2(along * 6.0 + 40.0, across * 14.0, 4));
        let k = band * n * (1.0 - 0.75 * dust * band) * 0.55;
        screen(p, mix(outer, core, band), k);
    });
    let count = index(w * h / (s * s) * 900.0, 8000);
    for _ in 0..count {
        let along = rng.range(-1.5, 1.5);
        let across = (rng.unit() + rng.unit() - 1.0) * width * 1.2;
        let x = x0 + (along * ca + across * sa) * s;
        let y = y0 + (along * sa - across * ca) * s;
        let r = s / 1024.0 * rng.range(0.4, 1.0) + 0.3;
        let b = rng.range(0.2, 0.8);
        canvas.stamp(x, y, r * 2.5, |dx, dy, p| {
            screen(p, core, b * exp(-(dx * dx + dy * dy) / (r * r)));
        });
    }
}

/// Curtains of green-to-violet light hanging above `horizon`.
pub(crate) fn aurora(
    canvas: &mut Canvas,
    plan: &Plan,
    horizon: f32,
    limit: &[f32],
    noise: &Noise,
    rng: &mut Rng,
) {
    let s = canvas.s;
    let pal = &plan.palette;
    let green = hsl(rng.range(135.0, 160.0), 0.9, 0.55);
    let top_col = hsl(lerp(pal.hues[1], 290.0, 0.5), 0.75, 0.55);
    for curtain in 0..2 {
        let base_y = horizon * rng.range(0.45, 0.7) - curtain as f32 * horizon * 0.12;
        let amp = horizon * rng.range(0.12, 0.22);
        let tall = horizon * rng.range(0.3, 0.45);
        let strength = if curtain == 0 { 0.95 } else { 0.5 };
        let (f1, o1, o2) = (
            rng.range(0.9, 1.6),
            rng.range(0.0, 50.0),
            rng.range(0.0, 50.0),
        );
        let cols: Vec<(f32, f32)> = (0..canvas.w)
            .map(|x| {
                let u = x as f32 / s;
                let base = base_y + amp * noise.fbm1(u * f1 + o1, 3);
                let rays = 0.55 + 0.3 * noise.n1(u * 14.0 + o2) + 0.15 * noise.n1(u * 45.0 + o2);
                let fade = 0.5 + 0.5 * noise.n1(u * 0.9 + o2 + 9.0);
                (base, (rays * smoothstep(0.05, 0.6, fade)).max(0.0))
            })
            .collect();
        canvas.each(0, index(horizon, canvas.h), |x, y, p| {
            let yf = y as f32;
            if yf > limit[x] + 1.0 {
                return;
            }
            let (base, k) = cols[x];
            if k <= 0.0 {
                return;
            }
            let t = (base - yf) / tall;
            let i = if t < 0.0 {
                let e = t * tall / (0.012 * s);
                exp(-e * e)
            } else if t < 1.6 {
                exp(-t * 2.2) * (1.0 - 0.2 * t)
            } else {
                return;
            };
            let c = mix(green, top_col, smoothstep(0.15, 0.9, t));
            let mut glow = [0.0; 3];
            add_scaled(&mut glow, c, i * k * strength);
            screen(p, glow, 1.0);
        });
    }
}
