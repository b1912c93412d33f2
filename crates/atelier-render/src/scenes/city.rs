//! City skylines: three rows of buildings with lit windows, antennas and spires, neon signs when
//! the prompt is neon, all mirrored in a river or a wet street.

use super::sky_pass;
use crate::canvas::{Canvas, Ridge, composite, sky_limit};
use crate::math::{Rgb, coord, exp, floorf, hsl, index, lerp, mix, scale, screen, smoothstep};
use crate::noise::Noise;
use crate::plan::Plan;
use crate::rng::{Rng, hash_unit};
use crate::water::{WaterStyle, reflect};
use crate::words::{Time, Tone};

/// One building of a row.
#[derive(Debug, Clone, Copy)]
struct Building {
    x0: f32,
    x1: f32,
    top: f32,
    /// Share of windows that are lit.
    lit: f32,
    window: Rgb,
    id: u32,
}

/// A row of buildings: their silhouette and, per column, which building stands there.
#[derive(Debug)]
struct Row {
    buildings: Vec<Building>,
    owner: Vec<Option<usize>>,
    wall: Rgb,
    cell: (f32, f32),
}

/// The sizes of one row of buildings.
#[derive(Debug, Clone, Copy)]
struct RowSpec {
    /// Width range, in picture units.
    width: (f32, f32),
    /// Height range, as shares of the ground line's height.
    height: (f32, f32),
    /// Typical share of lit windows.
    lit: f32,
    /// Window cell width, in picture units.
    cell: f32,
}

/// The rows, far to near.
const ROWS: [RowSpec; 3] = [
    RowSpec {
        width: (0.03, 0.07),
        height: (0.2, 0.6),
        lit: 0.2,
        cell: 0.006,
    },
    RowSpec {
        width: (0.05, 0.1),
        height: (0.12, 0.42),
        lit: 0.3,
        cell: 0.009,
    },
    RowSpec {
        width: (0.07, 0.15),
        height: (0.06, 0.26),
        lit: 0.4,
        cell: 0.013,
    },
];

fn build_row(canvas: &Canvas, plan: &Plan, ground: f32, row: usize, rng: &mut Rng) -> (Ridge, Row) {
    let (w, h) = canvas.size();
    let s = canvas.s;
    let pal = &plan.palette;
    let RowSpec {
        width: (wmin, wmax),
        height: (hmin, hmax),
        lit,
        cell,
    } = ROWS[row.min(2)];
    let mut top = vec![h * 2.0; canvas.w];
    let mut owner = vec![None; canvas.w];
    let mut buildings = Vec::new();
    let neon = pal.tone == Some(Tone::Neon);
    let warm = hsl(rng.range(35.0, 48.0), 0.85, 0.72);
    let mut x = -rng.range(0.0, wmax * s);
    while x < w {
        let bw = s * rng.range(wmin, wmax);
        let mut bh = ground * rng.range(hmin, hmax);
        if rng.chance(0.1) {
            bh *= 1.5;
        }
        let btop = ground - bh;
        let window = if neon && rng.chance(0.5) {
            if rng.chance(0.5) {
                pal.accent
            } else {
                pal.accent2
            }
        } else {
            warm
        };
        let b = Building {
            x0: x,
            x1: x + bw,
            top: btop,
            lit: lit * rng.range(0.4, 1.6),
            window,
            id: rng.next_u32(),
        };
        let idx = buildings.len();
        buildings.push(b);
        let style = rng.below(6);
        let inset = bw * rng.range(0.15, 0.3);
        let extra = h * rng.range(0.02, 0.07);
        let mast = (s / 512.0).max(1.0);
        let c0 = index(x, canvas.w);
        let c1 = index(x + bw, canvas.w);
        for (cx, (t, o)) in top
            .iter_mut()
            .zip(owner.iter_mut())
            .enumerate()
            .take(c1)
            .skip(c0)
        {
            let xf = cx as f32 + 0.5;
            let from_mid = (xf - (x + bw * 0.5)).abs();
            let mut y = btop;
            match style {
                1 if xf > x + inset && xf < x + bw - inset => y -= extra,
                2 if from_mid < mast => y -= extra * 1.6,
                3 => {
                    let k = 1.0 - from_mid / (bw * 0.3);
                    if k > 0.0 {
                        y -= extra * 1.8 * k;
                    }
                }
                _ => {}
            }
            if y < *t {
                *t = y;
                *o = Some(idx);
            }
        }
        x += bw
            + if rng.chance(0.3) {
                s * rng.range(0.0, 0.012)
            } else {
                0.0
            };
    }
    let shade = [0.3, 0.62, 1.0][row.min(2)];
    let wall = mix(pal.haze, pal.land, shade);
    let ridge = Ridge::terrain(top);
    let cell_w = s * cell;
    (
        ridge,
        Row {
            buildings,
            owner,
            wall,
            cell: (cell_w, cell_w * 1.4),
        },
    )
}

/// Paints a city skyline.
pub(crate) fn paint(canvas: &mut Canvas, plan: &Plan, noise: &Noise, rng: &mut Rng) {
    let (_, h) = canvas.size();
    let pal = &plan.palette;
    let ground = h * rng.range(0.68, 0.78);
    let (ridges, rows): (Vec<Ridge>, Vec<Row>) = (0..3)
        .map(|i| build_row(canvas, plan, ground, i, rng))
        .unzip();
    let limit = sky_limit(canvas.w, canvas.h, &ridges);
    sky_pass(canvas, plan, ground, &limit, noise, rng);
    // The city's own light, hanging in the air above the skyline.
    let neon = pal.tone == Some(Tone::Neon);
    let city_glow = if neon { pal.accent } else { pal.glow };
    let strength = if plan.time == Time::Day {
        0.0
    } else if neon {
        0.45
    } else {
        0.3
    };
    canvas.each(0, index(ground, canvas.h), |x, y, p| {
        if y as f32 > limit[x] + 1.0 {
            return;
        }
        let d = (ground - y as f32) / (0.3 * h);
        screen(p, city_glow, strength * exp(-d * 2.5));
    });

    let day = plan.time == Time::Day;
    let lit_scale = match plan.time {
        Time::Night => 1.0,
        Time::Dusk | Time::Dawn => 0.6,
        Time::Day => 0.0,
    };
    let glass = mix(pal.sky_mid, [1.0; 3], 0.25);
    let mist_col = mix(pal.haze, pal.glow, 0.3);
    composite(canvas, &ridges, |i, x, y| {
        let row = &rows[i];
        let Some(b) = row.owner[x].and_then(|o| row.buildings.get(o)) else {
            return row.wall;
        };
        let (xf, yf) = (x as f32 + 0.5, y as f32 + 0.5);
        let mut c = row.wall;
        let (cw, ch) = row.cell;
        let lx = xf - b.x0 - cw * 0.5;
        let ly = yf - b.top - ch * 0.8;
        if lx > 0.0 && ly > 0.0 && xf < b.x1 - cw * 0.5 && yf < ground - ch {
            let (gx, gy) = (floorf(lx / cw), floorf(ly / ch));
            let (fx, fy) = (lx / cw - gx, ly / ch - gy);
            if (0.22..0.78).contains(&fx) && (0.28..0.72).contains(&fy) {
                let cell_id = coord(index(gx, 4095)) * 4096 + coord(index(gy, 4095));
                let r = hash_unit(b.id, cell_id, 7);
                if day {
                    c = mix(c, glass, 0.25 + 0.2 * r);
                } else if r < b.lit * lit_scale {
                    let bright = 0.55 + 0.45 * hash_unit(b.id, cell_id, 11);
                    c = mix(c, b.window, bright);
                } else {
                    c = scale(c, 0.85);
                }
            }
        }
        let m = smoothstep(ground - h * 0.15, ground, yf) * [0.55, 0.4, 0.2][i.min(2)];
        mix(c, mist_col, m)
    });

    if plan.time != Time::Day
        && (pal.tone == Some(Tone::Neon) || rng.chance(0.4))
        && let Some(near) = rows.last()
    {
        signs(canvas, plan, near, ground, rng);
    }
    let style = WaterStyle {
        stretch: 0.9,
        ripple: 0.02,
        tint: pal.water,
        tint_amount: 0.4,
        bright: 0.8,
        sparkle: pal.sky_low,
        sparkle_amount: 0.1,
        trough: 0.35,
        blur: 0.05,
    };
    reflect(canvas, ground, style, noise);
}

/// Glowing neon signs hung on the nearest buildings.
fn signs(canvas: &mut Canvas, plan: &Plan, row: &Row, ground: f32, rng: &mut Rng) {
    let pal = &plan.palette;
    let s = canvas.s;
    for b in &row.buildings {
        if !rng.chance(0.35) || b.top > ground - s * 0.08 {
            continue;
        }
        let col = if rng.chance(0.5) {
            pal.accent
        } else {
            pal.accent2
        };
        let col = mix(col, [1.0; 3], 0.15);
        let half_w = s * rng.range(0.005, 0.009);
        let height = (ground - b.top) * rng.range(0.25, 0.5);
        let cx = lerp(b.x0, b.x1, if rng.chance(0.5) { 0.2 } else { 0.8 });
        let cy = b.top + s * 0.02 + height * 0.5;
        let half_h = height * 0.5;
        let glow_r = s * 0.02;
        canvas.stamp(cx, cy, half_h + glow_r * 4.0, |dx, dy, p| {
            let ox = (dx.abs() - half_w).max(0.0);
            let oy = (dy.abs() - half_h).max(0.0);
            let d = (ox * ox + oy * oy).sqrt();
            if d <= 0.0 {
                *p = mix(col, [1.0; 3], 0.35);
            } else {
                let a = 1.0 / (1.0 + (d / glow_r) * (d / glow_r));
                screen(p, col, 0.7 * a * a + 0.15 * a);
            }
        });
    }
}
