//! Layered landscapes — mountains, rolling hills, misty forests, desert dunes — receding into the
//! haze, optionally above a still lake.

use super::sky_pass;
use crate::canvas::{Canvas, Ridge, composite, sky_limit};
use crate::math::{Rgb, index, lerp, mix, scale, smoothstep};
use crate::noise::Noise;
use crate::plan::{Plan, Scene};
use crate::rng::Rng;
use crate::terrain::{Grove, Relief, RidgeSpec, TreeKind, plant, ridgeline};
use crate::water::{WaterStyle, reflect};
use crate::words::Time;

/// How one layer is coloured.
#[derive(Debug, Clone, Copy)]
struct Look {
    ground: Rgb,
    trees: Rgb,
    /// Shadowed flank colour (dunes).
    shadow: Rgb,
    mist: f32,
    base: f32,
    amp: f32,
    snow_line: Option<f32>,
    dunes: bool,
}

/// Paints a landscape scene.
pub(crate) fn paint(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let pal = &plan.palette;
    let scene = plan.scene;
    let n = match scene {
        Scene::Desert => 3 + rng.below(3),
        Scene::Forest => 5 + rng.below(3),
        _ => 4 + rng.below(3),
    };
    let lake_line = plan.lake.then(|| h * rng.range(0.66, 0.76));
    let top_base = h * rng.range(0.44, 0.56);
    let bottom_base = lake_line.unwrap_or(h * rng.range(0.88, 0.97));
    let (amp_far, amp_near, f_far, f_near) = match scene {
        Scene::Mountains => (0.32, 0.08, 2.4, 1.0),
        Scene::Forest => (0.16, 0.08, 1.8, 1.1),
        Scene::Desert => (0.13, 0.11, 1.3, 0.7),
        _ => (0.14, 0.06, 1.3, 0.8),
    };
    let peaks_share = match scene {
        Scene::Mountains => 0.65,
        Scene::Forest if rng.chance(0.5) => 0.3,
        _ => 0.0,
    };
    let snowy_peaks = scene == Scene::Mountains && (plan.snow || rng.chance(0.45));
    let snow_col = match plan.time {
        Time::Day => mix(pal.sky_low, [1.0; 3], 0.65),
        Time::Dusk | Time::Dawn => mix(mix(pal.glow, pal.sky_low, 0.5), [1.0; 3], 0.35),
        Time::Night => mix(pal.sky_low, pal.sun, 0.35),
    };
    let (sand_lit, sand_dark) = match plan.time {
        Time::Night => (
            pal.tone(pal.hues[1], 0.3, 0.22),
            pal.tone(pal.hues[1], 0.35, 0.08),
        ),
        Time::Day => (
            pal.tone(pal.hues[0], 0.55, 0.62),
            pal.tone(pal.hues[1], 0.45, 0.32),
        ),
        Time::Dusk | Time::Dawn => (
            mix(pal.tone(pal.hues[0], 0.7, 0.5), pal.glow, 0.3),
            pal.tone(pal.hues[1], 0.45, 0.18),
        ),
    };
    let fog = if plan.fog { 0.8 } else { 0.5 };
    let mist_col = mix(pal.haze, pal.sky_low, 0.4);

    let mut ridges = Vec::with_capacity(n);
    let mut looks = Vec::with_capacity(n);
    for i in 0..n {
        let t = i as f32 / (n - 1).max(1) as f32;
        let shore = lake_line.is_some() && i == n - 1;
        let base = lerp(top_base, bottom_base, t * 0.85 + t * t * 0.15);
        let relief = match scene {
            Scene::Desert => Relief::Dunes,
            _ if shore => Relief::Rolling,
            _ if t < peaks_share => Relief::Peaks,
            _ => Relief::Rolling,
        };
        let amp = if shore {
            s * 0.02
        } else {
            s * lerp(amp_far, amp_near, t) * rng.range(0.8, 1.2)
        };
        let spec = RidgeSpec {
            relief,
            freq: lerp(f_far, f_near, t) * rng.range(0.85, 1.15),
            base,
            amp,
        };
        let ground = ridgeline(noise, canvas.w, s, spec, rng);
        let mut top = ground.clone();
        let grove = match scene {
            Scene::Forest => Some((TreeKind::Conifer, lerp(0.025, 0.14, t), 0.75)),
            Scene::Mountains if plan.trees && (t > 0.6 || shore) => {
                Some((TreeKind::Conifer, lerp(0.03, 0.1, t), 0.75))
            }
            Scene::Hills if plan.trees && t > 0.5 => {
                Some((TreeKind::Cypress, 0.06 + 0.05 * t, 0.35))
            }
            _ => None,
        };
        if let Some((kind, height, density)) = grove {
            let grove = Grove {
                kind,
                height: height * s * if shore { 0.6 } else { 1.0 },
                density,
            };
            plant(&mut top, &ground, grove, noise, s, rng);
        }
        let f = (i + 1) as f32 / n as f32;
        let depth_t = f * (0.7 + 0.3 * f);
        let land = mix(pal.haze, pal.land, depth_t);
        let (ground_col, trees_col, shadow) = if scene == Scene::Desert {
            (
                mix(pal.haze, sand_lit, depth_t.sqrt()),
                land,
                mix(pal.haze, sand_dark, depth_t.sqrt()),
            )
        } else if plan.snow && scene != Scene::Mountains {
            let snow = mix(pal.haze, snow_col, 0.35 + 0.45 * depth_t);
            (snow, mix(pal.haze, scale(pal.land, 0.8), depth_t), land)
        } else {
            (land, mix(pal.haze, scale(pal.land, 0.75), depth_t), land)
        };
        let near = i == n - 1 && lake_line.is_none();
        looks.push(Look {
            ground: ground_col,
            trees: trees_col,
            shadow,
            mist: if near { 0.15 } else { fog * (1.0 - 0.5 * t) },
            base,
            amp,
            snow_line: (snowy_peaks && relief == Relief::Peaks).then(|| rng.range(0.55, 0.72)),
            dunes: scene == Scene::Desert,
        });
        ridges.push(Ridge::new(top, ground));
    }

    let mut limit = sky_limit(canvas.w, canvas.h, &ridges);
    if let Some(l) = lake_line {
        limit.iter_mut().for_each(|v| *v = v.min(l));
    }
    let body = sky_pass(canvas, plan, top_base, &limit, noise, rng);
    let light_dir = body.map_or(1.0, |b| if b.x < w * 0.5 { 1.0 } else { -1.0 });
    let mist_depth = s * rng.range(0.06, 0.11);
    let snow_for_layers: Vec<Rgb> = looks
        .iter()
        .enumerate()
        .map(|(i, _)| mix(pal.haze, snow_col, 0.45 + 0.5 * (i + 1) as f32 / n as f32))
        .collect();

    let last_col = canvas.w - 1;
    composite(canvas, &ridges, |i, x, y| {
        let look = &looks[i];
        let ridge = &ridges[i];
        let yf = y as f32 + 0.5;
        let depth = yf - ridge.ground[x];
        let mut c = if depth < 0.0 { look.trees } else { look.ground };
        if look.dunes {
            // The light/shadow split runs diagonally down from each crest.
            let xs = index(x as f32 + depth.max(0.0) * 0.9 * light_dir, last_col);
            let a = ridge.ground[xs.saturating_sub(2)];
            let b = ridge.ground[(xs + 2).min(last_col)];
            let facing = (a - b) * 0.25 * light_dir;
            let soft = 0.04 + depth.max(0.0) / s;
            let lit = smoothstep(-soft, soft, facing);
            let lit = lerp(lit, 0.45, smoothstep(0.0, 0.3 * s, depth));
            c = mix(look.shadow, look.ground, lit);
        }
        if let Some(line) = look.snow_line {
            let e = (look.base - yf) / look.amp;
            let wobble = 0.12 * noise.n2(x as f32 / s * 14.0, yf / s * 14.0);
            let k = smoothstep(line - 0.03, line + 0.03, e + wobble);
            c = mix(c, snow_for_layers[i], k);
        }
        if look.mist > 0.0 {
            // Valley fog lies level: it thickens towards the layer's lowest ground.
            let fog = smoothstep(look.base - look.amp * 0.45, look.base + mist_depth, yf);
            c = mix(c, mist_col, look.mist * fog);
        }
        c
    });

    if let Some(line) = lake_line {
        let style = WaterStyle {
            stretch: 1.0,
            ripple: 0.004,
            tint: pal.water,
            tint_amount: 0.35,
            bright: 0.85,
            sparkle: pal.sky_low,
            sparkle_amount: 0.12,
            trough: 0.1,
            blur: 0.006,
        };
        reflect(canvas, line, style, noise);
    }
}
