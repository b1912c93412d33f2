//! Gradient (Perlin-style) noise in one and two dimensions, with fractal sums. Cheap enough to call
//! per pixel: a permutation table and a gradient table, seeded from the picture's generator.

use crate::math::{floor_i32, lerp};
use crate::rng::Rng;

/// A seeded noise source.
#[derive(Debug, Clone)]
pub(crate) struct Noise {
    perm: [u8; 512],
    grad1: [f32; 256],
    grad2: [[f32; 2]; 256],
}

fn fade(t: f32) -> f32 {
    t * t * t * (t * (t * 6.0 - 15.0) + 10.0)
}

fn low_byte(i: i32) -> usize {
    usize::from(i.to_le_bytes()[0])
}

impl Noise {
    /// A noise source drawn from `rng`.
    pub(crate) fn new(rng: &mut Rng) -> Self {
        let mut table: [u8; 256] = std::array::from_fn(|i| u8::try_from(i).unwrap_or(0));
        for i in (1..256).rev() {
            table.swap(i, rng.below(i + 1));
        }
        let perm = std::array::from_fn(|i| table[i % 256]);
        let grad1 = std::array::from_fn(|_| rng.range(-1.0, 1.0));
        let grad2 = std::array::from_fn(|_| {
            let a = rng.range(0.0, std::f32::consts::TAU);
            [crate::math::cos(a), crate::math::sin(a)]
        });
        Self { perm, grad1, grad2 }
    }

    fn hash(&self, i: i32) -> usize {
        usize::from(self.perm[low_byte(i)])
    }

    fn hash2(&self, i: i32, j: i32) -> usize {
        usize::from(self.perm[self.hash(i) + low_byte(j)])
    }

    /// 1-D gradient noise, roughly in `-1..1`.
    pub(crate) fn n1(&self, x: f32) -> f32 {
        let i = floor_i32(x);
        let f = x - i as f32;
        let g0 = self.grad1[self.hash(i)];
        let g1 = self.grad1[self.hash(i.wrapping_add(1))];
        2.0 * lerp(g0 * f, g1 * (f - 1.0), fade(f))
    }

    /// 2-D gradient noise, roughly in `-1..1`.
    pub(crate) fn n2(&self, x: f32, y: f32) -> f32 {
        let i = floor_i32(x);
        let j = floor_i32(y);
        let fx = x - i as f32;
        let fy = y - j as f32;
        let i1 = i.wrapping_add(1);
        let j1 = j.wrapping_add(1);
        let dot = |gi: usize, dx: f32, dy: f32| {
            let g = self.grad2[gi];
            g[0] * dx + g[1] * dy
        };
        let v00 = dot(self.hash2(i, j), fx, fy);
        let v10 = dot(self.hash2(i1, j), fx - 1.0, fy);
        let v01 = dot(self.hash2(i, j1), fx, fy - 1.0);
        let v11 = dot(self.hash2(i1, j1), fx - 1.0, fy - 1.0);
        let u = fade(fx);
        let v = fade(fy);
        1.4 * lerp(lerp(v00, v10, u), lerp(v01, v11, u), v)
    }

    /// Fractal sum of [`Noise::n1`], normalised to roughly `-1..1`.
    pub(crate) fn fbm1(&self, x: f32, octaves: u32) -> f32 {
        let (mut sum, mut amp, mut norm, mut f) = (0.0, 1.0, 0.0, 1.0);
        for o in 0..octaves {
            sum += amp * self.n1(x * f + o as f32 * 17.31);
            norm += amp;
            amp *= 0.5;
            f *= 2.03;
        }
        sum / norm
    }

    /// Ridged fractal noise in `0..1`: sharp crests, as mountain ranges have.
    pub(crate) fn ridged1(&self, x: f32, octaves: u32) -> f32 {
        let (mut sum, mut amp, mut norm, mut f) = (0.0, 1.0, 0.0, 1.0);
        for o in 0..octaves {
            let r = 1.0 - self.n1(x * f + o as f32 * 31.7).abs();
            sum += amp * r * r;
            norm += amp;
            amp *= 0.5;
            f *= 2.1;
        }
        sum / norm
    }

    /// Fractal sum of [`Noise::n2`], normalised to roughly `-1..1`. Each octave is rotated so the
    /// lattice does not show.
    pub(crate) fn fbm2(&self, x: f32, y: f32, octaves: u32) -> f32 {
        let (mut sum, mut amp, mut norm) = (0.0, 1.0, 0.0);
        let (mut x, mut y) = (x, y);
        for _ in 0..octaves {
            sum += amp * self.n2(x, y);
            norm += amp;
            amp *= 0.5;
            // Rotate by ~37° and scale by 2.
            let nx = 1.6 * x - 1.2 * y + 5.2;
            let ny = 1.2 * x + 1.6 * y + 1.3;
            x = nx;
            y = ny;
        }
        sum / norm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_bounded_continuous_and_varied() {
        let n = Noise::new(&mut Rng::new(3));
        let (mut lo, mut hi) = (f32::MAX, f32::MIN);
        for i in -500..500 {
            let x = i as f32 * 0.037;
            let v = n.n2(x, x * 0.7 + 3.0);
            lo = lo.min(v);
            hi = hi.max(v);
            assert!((-1.5..=1.5).contains(&v));
            assert!((n.n1(x) - n.n1(x + 1e-3)).abs() < 0.02);
            assert!((0.0..=1.0).contains(&n.ridged1(x, 4)));
        }
        assert!(hi - lo > 0.8, "{lo}..{hi}");
    }
}
