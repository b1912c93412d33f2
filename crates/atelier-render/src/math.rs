//! Small numeric helpers that give the same bits on every machine.
//!
//! `f32::sin`, `f32::exp` and `f32::powf` call the platform's maths library, whose last bit may
//! differ between glibc, musl and macOS. The renderer promises byte-identical pictures everywhere, so
//! it only uses IEEE-exact operations (`+ - * /`, `sqrt`, comparisons) and the polynomial
//! approximations below, which are built from them.

/// An RGB colour with channels in `0.0..=1.0` (sRGB-encoded).
pub(crate) type Rgb = [f32; 3];

const TAU: f32 = std::f32::consts::TAU;
const PI: f32 = std::f32::consts::PI;

/// `floor(x)` as an integer, saturating far outside the `i32` range.
#[allow(
    clippy::cast_possible_truncation,
    reason = "callers pass coordinates far inside the i32 range; `as` saturates otherwise"
)]
pub(crate) fn floor_i32(x: f32) -> i32 {
    let i = x as i32;
    if (i as f32) > x { i - 1 } else { i }
}

/// `floor(x)` as an `f32` (exact; avoids a libm call on baseline x86-64).
pub(crate) fn floorf(x: f32) -> f32 {
    floor_i32(x) as f32
}

/// `x` rounded down and clamped into `0..=max` as an index.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "clamped into 0..=max before the cast"
)]
pub(crate) fn index(x: f32, max: usize) -> usize {
    if x.is_nan() || x <= 0.0 {
        0
    } else {
        (x as usize).min(max)
    }
}

/// A channel value in `0.0..=1.0` as a byte, rounded.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "clamped into 0..=255 before the cast"
)]
pub(crate) fn to_byte(v: f32) -> u8 {
    (v * 255.0 + 0.5).clamp(0.0, 255.0) as u8
}

/// The high 32 bits of a 64-bit value.
#[allow(
    clippy::cast_possible_truncation,
    reason = "the shift leaves exactly 32 significant bits"
)]
pub(crate) fn high32(x: u64) -> u32 {
    (x >> 32) as u32
}

/// A pixel coordinate as `u32` (coordinates are below 2048).
#[allow(
    clippy::cast_possible_truncation,
    reason = "canvas coordinates are at most 2048"
)]
pub(crate) fn coord(i: usize) -> u32 {
    i as u32
}

/// Linear interpolation between `a` and `b`.
pub(crate) fn lerp(a: f32, b: f32, t: f32) -> f32 {
    a + (b - a) * t
}

/// Hermite smoothstep of `x` between `e0` and `e1`.
pub(crate) fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Sine, accurate to about 1e-6 over any argument the renderer uses.
pub(crate) fn sin(x: f32) -> f32 {
    // Reduce to [-π, π], then to [-π/2, π/2] by sin(π - r) = sin(r).
    let k = floorf(x / TAU + 0.5);
    let mut r = x - k * TAU;
    if r > PI / 2.0 {
        r = PI - r;
    } else if r < -PI / 2.0 {
        r = -PI - r;
    }
    let r2 = r * r;
    r * (1.0
        + r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0 + r2 * (1.0 / 362_880.0)))))
}

/// Cosine, via [`sin`].
pub(crate) fn cos(x: f32) -> f32 {
    sin(x + PI / 2.0)
}

/// `e^x`, relative error below 1e-6; returns 0 far below zero.
pub(crate) fn exp(x: f32) -> f32 {
    if x < -87.0 {
        return 0.0;
    }
    let x = x.min(88.0);
    let n = floor_i32(x * std::f32::consts::LOG2_E + 0.5);
    let r = x - n as f32 * std::f32::consts::LN_2;
    let p = 1.0
        + r * (1.0
            + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r / 720.0)))));
    // n is within -126..=127 here, so the exponent field stays valid.
    let bits = u32::try_from(n + 127).unwrap_or(0) << 23;
    p * f32::from_bits(bits)
}

/// Mixes two colours.
pub(crate) fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    [
        lerp(a[0], b[0], t),
        lerp(a[1], b[1], t),
        lerp(a[2], b[2], t),
    ]
}

/// Multiplies a colour by a factor.
pub(crate) fn scale(c: Rgb, k: f32) -> Rgb {
    [c[0] * k, c[1] * k, c[2] * k]
}

/// Adds `c * k` to `acc`.
pub(crate) fn add_scaled(acc: &mut Rgb, c: Rgb, k: f32) {
    acc[0] += c[0] * k;
    acc[1] += c[1] * k;
    acc[2] += c[2] * k;
}

/// Screen blend (`1 - (1-a)(1-b·k)`), which brightens without clipping harshly.
pub(crate) fn screen(acc: &mut Rgb, c: Rgb, k: f32) {
    for (a, b) in acc.iter_mut().zip(c) {
        let b = (b * k).clamp(0.0, 1.0);
        *a = 1.0 - (1.0 - *a) * (1.0 - b);
    }
}

/// A colour from hue (degrees), saturation and lightness (both `0..=1`).
pub(crate) fn hsl(h: f32, s: f32, l: f32) -> Rgb {
    let h = h - floorf(h / 360.0) * 360.0;
    let s = s.clamp(0.0, 1.0);
    let l = l.clamp(0.0, 1.0);
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - ((hp - 2.0 * floorf(hp / 2.0)) - 1.0).abs());
    let (r, g, b) = match floor_i32(hp) {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    [r + m, g + m, b + m]
}

/// Shortest-way interpolation between two hues in degrees.
pub(crate) fn mix_hue(a: f32, b: f32, t: f32) -> f32 {
    let mut d = b - a;
    if d > 180.0 {
        d -= 360.0;
    } else if d < -180.0 {
        d += 360.0;
    }
    a + d * t
}

/// Interpolates between two hues the way a sky does: through magenta and violet rather than
/// through green, unless one of the hues is itself green.
pub(crate) fn mix_hue_sky(a: f32, b: f32, t: f32) -> f32 {
    let green = |h: f32| {
        let h = h - floorf(h / 360.0) * 360.0;
        (75.0..165.0).contains(&h)
    };
    if green(a) || green(b) {
        return mix_hue(a, b, t);
    }
    let up = (b - a) - floorf((b - a) / 360.0) * 360.0;
    let down = up - 360.0;
    let via_up = (1..8).any(|k| green(a + up * k as f32 / 8.0));
    let d = if via_up { down } else { up };
    a + d * t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sin_and_exp_are_accurate() {
        for i in -2000..2000 {
            let x = i as f32 * 0.01;
            assert!((sin(x) - x.sin()).abs() < 2e-5, "sin({x})");
            assert!((cos(x) - x.cos()).abs() < 2e-5, "cos({x})");
            let e = exp(x);
            assert!((e - x.exp()).abs() <= x.exp() * 2e-6, "exp({x}) = {e}");
        }
        assert_eq!(exp(-200.0), 0.0);
    }

    #[test]
    fn sky_hues_avoid_green() {
        let h = mix_hue_sky(204.0, 33.0, 0.5);
        let h = h - floorf(h / 360.0) * 360.0;
        assert!(!(75.0..165.0).contains(&h), "{h}");
        assert!((mix_hue_sky(20.0, 40.0, 0.5) - 30.0).abs() < 1e-4);
        assert!((mix_hue_sky(120.0, 200.0, 0.5) - 160.0).abs() < 1e-4);
    }

    #[test]
    fn floor_matches_std() {
        for v in [-2.5f32, -2.0, -0.1, 0.0, 0.1, 1.0, 1.9, 1e6] {
            assert_eq!(floorf(v), v.floor());
        }
    }

    #[test]
    fn hsl_primaries() {
        let close = |a: Rgb, b: Rgb| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5);
        assert!(close(hsl(0.0, 1.0, 0.5), [1.0, 0.0, 0.0]));
        assert!(close(hsl(120.0, 1.0, 0.5), [0.0, 1.0, 0.0]));
        assert!(close(hsl(240.0, 1.0, 0.5), [0.0, 0.0, 1.0]));
        assert!(close(hsl(-120.0, 1.0, 0.5), [0.0, 0.0, 1.0]));
        assert!(close(hsl(0.0, 0.0, 1.0), [1.0, 1.0, 1.0]));
    }
}
