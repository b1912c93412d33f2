//! The floating-point canvas the painters draw on, the silhouette compositor that all layered
//! scenes share, and the final pass (vignette, film grain, dithering) to 8-bit RGB.

use crate::math::{Rgb, coord, index, mix, smoothstep, to_byte};
use crate::rng::hash_unit;

/// A picture being painted, one `Rgb` per pixel, rows top to bottom.
#[derive(Debug, Clone)]
pub(crate) struct Canvas {
    pub w: usize,
    pub h: usize,
    /// The shorter side in pixels: the unit that sizes are given in, so a picture looks the same at
    /// any resolution.
    pub s: f32,
    pub px: Vec<Rgb>,
}

impl Canvas {
    /// A black canvas.
    pub(crate) fn new(w: usize, h: usize) -> Self {
        Self {
            w,
            h,
            s: w.min(h) as f32,
            px: vec![[0.0; 3]; w * h],
        }
    }

    /// Width and height as floats.
    pub(crate) fn size(&self) -> (f32, f32) {
        (self.w as f32, self.h as f32)
    }

    /// Calls `f(x, y, pixel)` for every pixel of rows `y0..y1`.
    pub(crate) fn each(&mut self, y0: usize, y1: usize, mut f: impl FnMut(usize, usize, &mut Rgb)) {
        let w = self.w;
        let y1 = y1.min(self.h);
        if y0 >= y1 {
            return;
        }
        for (dy, row) in self.px[y0 * w..y1 * w].chunks_exact_mut(w).enumerate() {
            let y = y0 + dy;
            for (x, p) in row.iter_mut().enumerate() {
                f(x, y, p);
            }
        }
    }

    /// Calls `f(x, y, pixel)` for the pixels of the box around (`cx`, `cy`) with half-size `r`.
    pub(crate) fn stamp(
        &mut self,
        cx: f32,
        cy: f32,
        r: f32,
        mut f: impl FnMut(f32, f32, &mut Rgb),
    ) {
        if cx + r < 0.0 || cy + r < 0.0 || cx - r > self.w as f32 || cy - r > self.h as f32 {
            return;
        }
        let x0 = index(cx - r, self.w);
        let x1 = index(cx + r + 1.0, self.w);
        let y0 = index(cy - r, self.h);
        let y1 = index(cy + r + 1.0, self.h);
        for y in y0..y1 {
            let row = &mut self.px[y * self.w..(y + 1) * self.w];
            for (x, p) in row.iter_mut().enumerate().take(x1).skip(x0) {
                f(x as f32 + 0.5 - cx, y as f32 + 0.5 - cy, p);
            }
        }
    }

    /// Converts to 8-bit RGB with a vignette of strength `vignette` and film grain of amplitude
    /// `grain`; the grain also dithers away banding in smooth gradients.
    pub(crate) fn finish(&self, vignette: f32, grain: f32, salt: u32) -> image::RgbImage {
        let (w, h) = self.size();
        let mut out = image::RgbImage::new(coord(self.w), coord(self.h));
        for (i, (dst, src)) in out.pixels_mut().zip(&self.px).enumerate() {
            let x = i % self.w;
            let y = i / self.w;
            let dx = (x as f32 + 0.5) / w * 2.0 - 1.0;
            let dy = (y as f32 + 0.5) / h * 2.0 - 1.0;
            let r2 = (dx * dx + dy * dy) * 0.5;
            let v = 1.0 - vignette * smoothstep(0.15, 1.0, r2);
            let (xu, yu) = (coord(x), coord(y));
            let n = hash_unit(xu, yu, salt) + hash_unit(xu, yu, salt ^ 0x5bd1) - 1.0;
            let g = n * grain;
            dst.0 = [
                to_byte(src[0] * v + g),
                to_byte(src[1] * v + g),
                to_byte(src[2] * v + g),
            ];
        }
        out
    }
}

/// A smooth colour field computed on a coarse grid and sampled with bilinear interpolation, for
/// effects (nebulae, soft gradients) too soft to need per-pixel noise.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    step: f32,
    cols: usize,
    rows: usize,
    data: Vec<Rgb>,
}

impl Field {
    /// Evaluates `f(x, y)` (pixel coordinates) every `step` pixels over a `w` × `h` picture.
    pub(crate) fn new(w: usize, h: usize, step: usize, f: impl Fn(f32, f32) -> Rgb) -> Self {
        let step = step.max(1);
        let cols = w / step + 2;
        let rows = h / step + 2;
        let mut data = Vec::with_capacity(cols * rows);
        for j in 0..rows {
            for i in 0..cols {
                data.push(f((i * step) as f32, (j * step) as f32));
            }
        }
        Self {
            step: step as f32,
            cols,
            rows,
            data,
        }
    }

    /// The field at pixel (`x`, `y`).
    pub(crate) fn sample(&self, x: usize, y: usize) -> Rgb {
        let fx = x as f32 / self.step;
        let fy = y as f32 / self.step;
        let i = index(fx, self.cols - 2);
        let j = index(fy, self.rows - 2);
        let tx = (fx - i as f32).clamp(0.0, 1.0);
        let ty = (fy - j as f32).clamp(0.0, 1.0);
        let at = |i: usize, j: usize| self.data[j * self.cols + i];
        let top = mix(at(i, j), at(i + 1, j), tx);
        let bottom = mix(at(i, j + 1), at(i + 1, j + 1), tx);
        mix(top, bottom, ty)
    }
}

/// One silhouette layer: per column, the top of the shape (which may include trees, buildings or a
/// lighthouse) and the terrain under it.
#[derive(Debug, Clone)]
pub(crate) struct Ridge {
    /// Top of the silhouette per column, in pixels from the top.
    pub top: Vec<f32>,
    /// Top of the terrain per column (`>= top`); mist is measured from here.
    pub ground: Vec<f32>,
    /// `1 / sqrt(1 + slope²)`, to turn vertical distance into distance from the edge.
    norm: Vec<f32>,
}

impl Ridge {
    /// A layer whose silhouette is `top` and terrain is `ground`.
    pub(crate) fn new(top: Vec<f32>, ground: Vec<f32>) -> Self {
        let n = top.len();
        // The gentler one-sided slope: a step (a cliff edge, a building side) stays crisp instead
        // of smearing a half-covered column down the picture.
        let norm = (0..n)
            .map(|x| {
                let here = top[x];
                let left = (here - top[x.saturating_sub(1)]).abs();
                let right = (top[(x + 1).min(n - 1)] - here).abs();
                let slope = left.min(right).min(8.0);
                1.0 / (1.0 + slope * slope).sqrt()
            })
            .collect();
        Self { top, ground, norm }
    }

    /// A layer with no trees or buildings.
    pub(crate) fn terrain(top: Vec<f32>) -> Self {
        let ground = top.clone();
        Self::new(top, ground)
    }

    /// How much of pixel (`x`, `y`) the layer covers, anti-aliased.
    fn coverage(&self, x: usize, y: usize) -> f32 {
        let d = (y as f32 + 0.5 - self.top[x]) * self.norm[x];
        (d + 0.5).clamp(0.0, 1.0)
    }

    /// The highest point of the layer.
    pub(crate) fn peak(&self) -> f32 {
        self.top.iter().copied().fold(f32::MAX, f32::min)
    }
}

/// The lowest silhouette top per column over `ridges`: above it, sky painters have work to do.
pub(crate) fn sky_limit(w: usize, h: usize, ridges: &[Ridge]) -> Vec<f32> {
    (0..w)
        .map(|x| ridges.iter().map(|r| r.top[x]).fold(h as f32, f32::min))
        .collect()
}

/// Paints `ridges` (far to near) over the canvas. `shade(layer, x, y)` gives a layer's colour at a
/// pixel; only the visible layers of each pixel are shaded.
pub(crate) fn composite(
    canvas: &mut Canvas,
    ridges: &[Ridge],
    shade: impl Fn(usize, usize, usize) -> Rgb,
) {
    let Some(first) = ridges.iter().map(Ridge::peak).reduce(f32::min) else {
        return;
    };
    let y0 = index(first - 1.0, canvas.h);
    canvas.each(y0, canvas.h, |x, y, p| {
        let mut start = 0;
        let mut colour = *p;
        for (i, r) in ridges.iter().enumerate().rev() {
            if r.coverage(x, y) >= 1.0 {
                colour = shade(i, x, y);
                start = i + 1;
                break;
            }
        }
        for (i, r) in ridges.iter().enumerate().skip(start) {
            let c = r.coverage(x, y);
            if c > 0.0 {
                colour = mix(colour, shade(i, x, y), c);
            }
        }
        *p = colour;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composite_covers_below_the_ridge_only() {
        let mut c = Canvas::new(8, 8);
        let ridge = Ridge::terrain(vec![4.0; 8]);
        composite(&mut c, &[ridge], |_, _, _| [1.0, 1.0, 1.0]);
        assert_eq!(c.px[3 * 8], [0.0; 3]);
        assert_eq!(c.px[4 * 8], [1.0; 3]);
        let img = c.finish(0.0, 0.0, 1);
        assert_eq!(img.get_pixel(0, 7).0, [255, 255, 255]);
    }
}
