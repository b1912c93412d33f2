//! Seascapes: an open horizon, the sun's path on the water, distant islands, and sometimes a
//! lighthouse on a cliff sweeping its beams over the sea.

use super::sky_pass;
use crate::canvas::{Canvas, Ridge, composite, sky_limit};
use crate::math::{Rgb, cos, exp, index, mix, screen, sin, smoothstep};
use crate::noise::Noise;
use crate::plan::Plan;
use crate::rng::Rng;
use crate::water::{WaterStyle, reflect};
use crate::words::Time;

/// Where the lighthouse stands and how tall it is.
#[derive(Debug, Clone, Copy)]
struct Tower {
    x: f32,
    foot: f32,
    height: f32,
    half: f32,
}

impl Tower {
    /// The tower's silhouette top at column `x`, if the tower covers it.
    fn top(&self, x: f32) -> Option<f32> {
        let dx = (x - self.x).abs();
        let hh = self.height;
        let lantern_base = self.foot - hh * 0.82;
        let roof = lantern_base - hh * 0.12;
        if dx <= self.half * 0.45 {
            // Roof cone over the lantern room.
            let k = dx / (self.half * 0.45);
            Some(roof - hh * 0.08 * (1.0 - k))
        } else if dx <= self.half * 0.6 {
            Some(roof)
        } else if dx <= self.half * 0.95 {
            Some(lantern_base)
        } else if dx <= self.half * (1.0 + 0.35) {
            // The tapering shaft: wider at the foot.
            let k = (dx - self.half * 0.95) / (self.half * 0.4);
            Some(lantern_base + (self.foot - lantern_base) * k)
        } else {
            None
        }
    }

    /// Centre of the lantern.
    fn lamp(&self) -> (f32, f32) {
        (self.x, self.foot - self.height * 0.88)
    }
}

fn islands(canvas: &Canvas, horizon: f32, noise: &Noise, rng: &mut Rng) -> Ridge {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let mut top = vec![h * 2.0; canvas.w];
    for _ in 0..1 + rng.below(2) {
        let cx = rng.range(0.0, w);
        let hw = w * rng.range(0.08, 0.25);
        let height = s * rng.range(0.012, 0.04);
        let off = rng.range(0.0, 100.0);
        for (x, t) in top.iter_mut().enumerate() {
            let d = (x as f32 - cx) / hw;
            let bump = 1.0 - d * d;
            if bump > 0.0 {
                let v =
                    height * bump.sqrt() * (0.75 + 0.25 * noise.fbm1(x as f32 / s * 12.0 + off, 3));
                *t = t.min(horizon - v);
            }
        }
    }
    Ridge::terrain(top)
}

fn cliff(canvas: &Canvas, horizon: f32, noise: &Noise, rng: &mut Rng) -> (Ridge, Tower) {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let left = rng.chance(0.5);
    let plateau = horizon - h * rng.range(0.06, 0.11);
    let edge = w * rng.range(0.16, 0.26);
    let run = w * rng.range(0.12, 0.22);
    let off = rng.range(0.0, 100.0);
    let ground: Vec<f32> = (0..canvas.w)
        .map(|x| {
            let from_side = if left { x as f32 } else { w - x as f32 };
            let rough = noise.fbm1(x as f32 / s * 9.0 + off, 4) * s * 0.012;
            if from_side <= edge {
                plateau + rough + (from_side / edge) * s * 0.015
            } else {
                let e = (from_side - edge) / run;
                plateau + rough * 2.0 + e * e * (h - plateau) * 1.1 + e * s * 0.02
            }
        })
        .collect();
    let tower_x = if left {
        edge - s * 0.07
    } else {
        w - edge + s * 0.07
    };
    let tower = Tower {
        x: tower_x,
        foot: ground[index(tower_x, canvas.w - 1)] + s * 0.004,
        height: h * rng.range(0.15, 0.21),
        half: s * rng.range(0.018, 0.024),
    };
    let top = ground
        .iter()
        .enumerate()
        .map(|(x, g)| tower.top(x as f32 + 0.5).map_or(*g, |t| t.min(*g)))
        .collect();
    (Ridge::new(top, ground), tower)
}

/// Paints a seascape.
pub(crate) fn paint(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (_, h) = canvas.size();
    let pal = &plan.palette;
    let horizon = h * if plan.lighthouse {
        rng.range(0.6, 0.68)
    } else {
        rng.range(0.5, 0.64)
    };
    let isles = rng
        .chance(0.5)
        .then(|| islands(canvas, horizon, noise, rng));
    let headland = plan.lighthouse.then(|| cliff(canvas, horizon, noise, rng));
    let mut ridges: Vec<Ridge> = isles.iter().cloned().collect();
    ridges.extend(headland.iter().map(|(r, _)| r.clone()));
    let mut limit = sky_limit(canvas.w, canvas.h, &ridges);
    limit.iter_mut().for_each(|v| *v = v.min(horizon));
    let body = sky_pass(canvas, plan, horizon, &limit, noise, rng);

    if let Some(isle) = &isles {
        let c = mix(pal.haze, pal.land, 0.35);
        composite(canvas, std::slice::from_ref(isle), |_, _, _| c);
    }
    let sparkle = if body.is_some() {
        pal.glow
    } else {
        pal.sky_low
    };
    let style = WaterStyle {
        stretch: 0.55,
        ripple: 0.035,
        tint: pal.water,
        tint_amount: 0.55,
        bright: 0.92,
        sparkle,
        sparkle_amount: if plan.time == Time::Night { 0.12 } else { 0.3 },
        trough: 0.3,
        blur: 0.02,
    };
    reflect(canvas, horizon, style, noise);
    let band = h * 0.012;
    let y0 = index(horizon - band * 3.0, canvas.h);
    canvas.each(y0, index(horizon + band * 3.0, canvas.h), |_, y, p| {
        let d = (y as f32 - horizon) / band;
        *p = mix(*p, pal.sky_low, 0.3 * exp(-d * d));
    });

    if let Some((ridge, tower)) = headland {
        paint_headland(canvas, plan, &ridge, tower, rng);
    }
}

fn paint_headland(canvas: &mut Canvas, plan: &Plan, ridge: &Ridge, tower: Tower, rng: &mut Rng) {
    let pal = &plan.palette;
    let s = canvas.s;
    let day = plan.time == Time::Day;
    let rock = mix(pal.land, pal.haze, 0.12);
    let rim = mix(pal.land, pal.glow, 0.35);
    let stripe = pal.tone(2.0, 0.7, 0.45);
    let white = mix([0.95, 0.94, 0.9], pal.sky_low, 0.15);
    let band_h = tower.height / 6.0;
    composite(canvas, std::slice::from_ref(ridge), |_, x, y| {
        let yf = y as f32 + 0.5;
        let depth = yf - ridge.ground[x];
        if depth < 0.0 {
            if day {
                let band = index((tower.foot - yf) / band_h, 8);
                if band % 2 == 1 { stripe } else { white }
            } else {
                mix(pal.land, pal.haze, 0.2)
            }
        } else {
            mix(rim, rock, smoothstep(0.0, 0.012 * s, depth))
        }
    });
    let (lx, ly) = tower.lamp();
    let light: Rgb = mix(pal.sun, [1.0, 0.95, 0.8], 0.6);
    if day {
        return;
    }
    let toward_sea = if tower.x < canvas.w as f32 * 0.5 {
        1.0
    } else {
        -1.0
    };
    let beams = [
        (rng.range(0.05, 0.3), 0.55),
        (std::f32::consts::PI - rng.range(0.05, 0.3), 0.3),
    ];
    for (angle, strength) in beams {
        let a: f32 = angle;
        let (ca, sa) = (cos(a) * toward_sea, sin(a) * 0.35);
        let norm = (ca * ca + sa * sa).sqrt();
        let (ca, sa) = (ca / norm, sa / norm);
        let bottom = index(ly + s * 0.4, canvas.h);
        canvas.each(0, bottom, |x, y, p| {
            let dx = x as f32 + 0.5 - lx;
            let dy = y as f32 + 0.5 - ly;
            let along = dx * ca + dy * sa;
            if along <= 0.0 {
                return;
            }
            let perp = (dy * ca - dx * sa).abs();
            let width = s * 0.004 + along * 0.12;
            let q = perp / width;
            let k = strength * exp(-q * q) / (1.0 + along / (0.7 * s));
            screen(p, light, k);
        });
    }
    let r0 = s * 0.008;
    canvas.stamp(lx, ly, s * 0.15, |dx, dy, p| {
        let d2 = (dx * dx + dy * dy) / (r0 * r0);
        let a = 1.0 / (1.0 + d2);
        let k = a * a * 1.2 + 0.25 / (1.0 + d2 / 40.0);
        screen(p, light, k);
    });
}
