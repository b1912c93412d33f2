//! Silhouette shapes: ridgelines from fractal noise and conifer or broadleaf trees standing on them.

use crate::math::{index, lerp};
use crate::noise::Noise;
use crate::rng::Rng;

/// The character of a ridgeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Relief {
    /// Sharp crests and peaks.
    Peaks,
    /// Soft rolling hills.
    Rolling,
    /// Dunes: smooth flanks, sharp crests.
    Dunes,
}

/// The shape of one ridgeline.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RidgeSpec {
    pub relief: Relief,
    /// Features per picture unit (the shorter side).
    pub freq: f32,
    /// Where the lowest points lie, in pixels from the top.
    pub base: f32,
    /// Height of the highest points above `base`, in pixels.
    pub amp: f32,
}

/// A ridgeline of `w` columns: per column, the top of the terrain in pixels from the top.
pub(crate) fn ridgeline(
    noise: &Noise,
    w: usize,
    s: f32,
    spec: RidgeSpec,
    rng: &mut Rng,
) -> Vec<f32> {
    let RidgeSpec {
        relief,
        freq,
        base,
        amp,
    } = spec;
    let off = rng.range(0.0, 200.0);
    let off2 = rng.range(0.0, 200.0);
    (0..w)
        .map(|x| {
            let u = x as f32 / s * freq;
            let v = match relief {
                Relief::Peaks => {
                    let r = noise.ridged1(u + off, 5);
                    let envelope = 0.55 + 0.45 * noise.fbm1(u * 0.3 + off2, 2);
                    (r * envelope * 1.25).min(1.0)
                }
                Relief::Rolling => 0.5 + 0.5 * noise.fbm1(u + off, 4),
                Relief::Dunes => {
                    let d = 1.0 - noise.fbm1(u + off, 2).abs();
                    0.15 + 0.85 * d * d * (0.7 + 0.3 * noise.n1(u * 0.4 + off2))
                }
            };
            base - amp * v
        })
        .collect()
}

/// Silhouette height (0..1) of a conifer at horizontal offset `u` (0 = trunk, 1 = widest), built
/// from `tiers` stacked triangles.
fn conifer(u: f32, tiers: u32) -> f32 {
    let k = tiers as f32;
    let step = 0.9 / (k + 0.9);
    let tier_h = step * 2.4;
    let mut best: f32 = if u < 0.07 { 0.05 } else { -1.0 };
    for j in 0..tiers {
        let wj = (j as f32 + 1.0) / k;
        if u <= wj {
            let apex = 1.0 - j as f32 * step;
            best = best.max(apex - u / wj * tier_h);
        }
    }
    best
}

/// Silhouette height (0..1) of a slender cypress at offset `u`.
fn cypress(u: f32) -> f32 {
    if u >= 1.0 { -1.0 } else { (1.0 - u * u).sqrt() }
}

/// The kind of tree to plant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TreeKind {
    Conifer,
    Cypress,
}

/// A row of trees.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grove {
    pub kind: TreeKind,
    /// Typical tree height in pixels.
    pub height: f32,
    /// `0..=1`: lower values leave clearings.
    pub density: f32,
}

/// Plants `grove` along `ground`, raising `top` where the trees stand.
pub(crate) fn plant(
    top: &mut [f32],
    ground: &[f32],
    grove: Grove,
    noise: &Noise,
    s: f32,
    rng: &mut Rng,
) {
    let Grove {
        kind,
        height,
        density,
    } = grove;
    let w = top.len();
    if w == 0 || height < 1.0 {
        return;
    }
    let spacing = match kind {
        TreeKind::Conifer => height * 0.32,
        TreeKind::Cypress => height * 0.3,
    }
    .max(1.5);
    let clearing_off = rng.range(0.0, 100.0);
    let mut cx = -spacing;
    while cx < w as f32 + spacing {
        cx += spacing * rng.range(0.45, 1.4);
        let ht = height * rng.range(0.55, 1.35);
        let dense = 0.5 + 0.5 * noise.n1(cx / s * 3.0 + clearing_off);
        if dense < 1.0 - density {
            continue;
        }
        let (half, tiers) = match kind {
            TreeKind::Conifer => (
                ht * rng.range(0.2, 0.28),
                4 + crate::math::coord(rng.below(4)),
            ),
            TreeKind::Cypress => (ht * rng.range(0.12, 0.18), 0),
        };
        let foot = ground[index(cx, w - 1)] + ht * 0.06;
        let x0 = index(cx - half - 1.0, w);
        let x1 = index(cx + half + 2.0, w);
        for (x, t) in top.iter_mut().enumerate().take(x1).skip(x0) {
            let u = ((x as f32 + 0.5 - cx) / half).abs();
            let p = match kind {
                TreeKind::Conifer => conifer(u, tiers),
                TreeKind::Cypress => cypress(u),
            };
            if p > 0.0 {
                *t = t.min(lerp(foot, foot - ht, p));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conifer_is_tallest_at_the_trunk() {
        assert!((conifer(0.0, 5) - 1.0).abs() < 1e-6);
        assert!(conifer(0.5, 5) < conifer(0.1, 5));
        assert!(conifer(1.01, 5) < 0.0);
    }

    #[test]
    fn trees_only_raise_the_silhouette() {
        let mut rng = Rng::new(1);
        let noise = Noise::new(&mut rng);
        let ground = vec![50.0; 200];
        let mut top = ground.clone();
        let grove = Grove {
            kind: TreeKind::Conifer,
            height: 30.0,
            density: 1.0,
        };
        plant(&mut top, &ground, grove, &noise, 200.0, &mut rng);
        assert!(top.iter().all(|t| *t <= 50.0 && *t >= 50.0 - 40.0));
        assert!(top.iter().any(|t| *t < 40.0));
    }
}
