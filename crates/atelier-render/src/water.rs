//! Water: a rippled mirror of what stands above the waterline, shared by lakes, the sea and the
//! wet streets of cities.

use crate::canvas::Canvas;
use crate::math::{Rgb, index, mix, scale, screen, smoothstep};
use crate::noise::Noise;

/// How a body of water looks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WaterStyle {
    /// Vertical squeeze of the mirror image: 1 mirrors faithfully, lower values stretch the
    /// reflection downwards (as the sun's path on the sea).
    pub stretch: f32,
    /// Sideways ripple displacement, in picture units.
    pub ripple: f32,
    /// The water's own colour.
    pub tint: Rgb,
    /// How much of the water's own colour shows, near the viewer.
    pub tint_amount: f32,
    /// Brightness of the reflection (below 1: water absorbs some light).
    pub bright: f32,
    /// Colour of wave highlights.
    pub sparkle: Rgb,
    /// Strength of wave highlights.
    pub sparkle_amount: f32,
    /// How much wave troughs darken the reflection.
    pub trough: f32,
    /// Vertical smear of the reflection near the viewer, in picture units.
    pub blur: f32,
}

/// Replaces everything below `line` with the reflection of what is above it.
pub(crate) fn reflect(canvas: &mut Canvas, line: f32, style: WaterStyle, noise: &Noise) {
    let w = canvas.w;
    let h = canvas.h;
    let s = canvas.s;
    let line_row = index(line, h);
    if line_row == 0 || line_row >= h {
        return;
    }
    let span = (h - line_row) as f32;
    let last = line_row - 1;
    let (above, below) = canvas.px.split_at_mut(line_row * w);
    for (dy, row) in below.chunks_exact_mut(w).enumerate() {
        let d = dy as f32 + 0.5;
        let z = d / span;
        let src = d * style.stretch;
        let smear = style.blur * s * (0.2 + z);
        let rows = [
            last - index(src, last),
            last - index(src + smear * 0.5, last),
            last - index(src + smear, last),
        ];
        let v = 2.2 / (z + 0.04);
        let amp = style.ripple * s * (0.15 + z);
        let fx = 1.2 / (z + 0.12);
        let tint_k = style.tint_amount * (0.25 + 0.75 * z);
        for (x, p) in row.iter_mut().enumerate() {
            let u = x as f32 / s;
            let n = 0.7 * noise.n2(u * fx, v) + 0.3 * noise.n2(u * fx * 2.3 + 7.1, v * 1.9 + 3.3);
            let sx = index(x as f32 + n * amp, w - 1);
            let mut c = [0.0; 3];
            for r in rows {
                let src = above[r * w + sx];
                c = [c[0] + src[0], c[1] + src[1], c[2] + src[2]];
            }
            let dark = 1.0 - style.trough * smoothstep(-0.15, -0.6, n);
            let mut c = mix(scale(c, style.bright * dark / 3.0), style.tint, tint_k);
            let crest = smoothstep(0.3, 0.75, n) * style.sparkle_amount;
            if crest > 0.0 {
                screen(&mut c, style.sparkle, crest);
            }
            *p = c;
        }
    }
}
