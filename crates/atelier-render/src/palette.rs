//! Palettes: the handful of colours a picture is painted with, derived from two hues (the light and
//! the shadow), the time of day and a tone.

use crate::math::{Rgb, floorf, hsl, mix, mix_hue, mix_hue_sky};
use crate::words::{Time, Tone};

/// The colours of one picture.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Palette {
    /// The light hue and the shadow hue, in degrees.
    pub hues: [f32; 2],
    /// The tone every colour went through.
    pub tone: Option<Tone>,
    /// Top of the sky.
    pub sky_top: Rgb,
    /// Middle of the sky.
    pub sky_mid: Rgb,
    /// The sky just above the horizon.
    pub sky_low: Rgb,
    /// Sun or moon disc.
    pub sun: Rgb,
    /// Light around the sun or moon.
    pub glow: Rgb,
    /// Air between the viewer and distant things.
    pub haze: Rgb,
    /// The nearest land, usually a silhouette.
    pub land: Rgb,
    /// Deep water.
    pub water: Rgb,
    /// Accent in the light hue (lit windows, lights).
    pub accent: Rgb,
    /// Accent in the shadow hue.
    pub accent2: Rgb,
}

/// Makes a colour, passing it through the tone.
pub(crate) fn toned(tone: Option<Tone>, h: f32, s: f32, l: f32) -> Rgb {
    let (s, l) = match tone {
        None => (s, l),
        Some(Tone::Pastel) => (s * 0.55, 0.45 + l * 0.55),
        Some(Tone::Dark) => (s * 0.9, l * 0.62),
        Some(Tone::Light) => (s * 0.7, 0.32 + l * 0.68),
        Some(Tone::Neon) => ((s * 1.3).min(1.0), l),
    };
    hsl(h, s, l)
}

impl Palette {
    /// The palette for light hue `p`, shadow hue `q`, at `time`, in `tone`.
    pub(crate) fn new(p: f32, q: f32, time: Time, tone: Option<Tone>) -> Self {
        let c = |h: f32, s: f32, l: f32| toned(tone, h, s, l);
        // Between a blue, violet or pink upper sky and the glow, dusk passes through rose; from a
        // teal or green one it simply pales.
        let rose_path = (200.0..=360.0).contains(&wrap(q));
        let dusk_mid = if rose_path {
            c(mix_hue_sky(q, p, 0.5), 0.38, 0.44)
        } else {
            mix(c(p, 0.3, 0.6), c(q, 0.25, 0.5), 0.3)
        };
        let dawn_mid = if rose_path {
            c(mix_hue_sky(q, p, 0.6), 0.45, 0.62)
        } else {
            mix(c(p, 0.3, 0.72), c(q, 0.25, 0.6), 0.3)
        };
        let (sky_top, sky_mid, sky_low, sun, glow, land, water) = match time {
            Time::Dusk => (
                c(q, 0.45, 0.2),
                dusk_mid,
                c(p, 0.85, 0.66),
                c(p + 8.0, 0.9, 0.9),
                c(p, 0.95, 0.6),
                c(q, 0.4, 0.1),
                c(q, 0.45, 0.16),
            ),
            Time::Dawn => (
                c(q, 0.4, 0.42),
                dawn_mid,
                c(p, 0.7, 0.8),
                c(p, 0.6, 0.95),
                c(p, 0.85, 0.72),
                c(q, 0.3, 0.22),
                c(q, 0.35, 0.3),
            ),
            Time::Day => (
                c(p, 0.55, 0.5),
                c(p, 0.5, 0.68),
                c(p, 0.45, 0.86),
                c(50.0, 0.7, 0.97),
                c(45.0, 0.6, 0.85),
                c(q, 0.45, 0.2),
                c(mix_hue(p, q, 0.3), 0.5, 0.3),
            ),
            Time::Night => (
                c(p, 0.55, 0.04),
                c(p, 0.5, 0.1),
                c(q, 0.45, 0.22),
                c(p, 0.25, 0.9),
                c(p, 0.45, 0.45),
                c(q, 0.35, 0.04),
                c(p, 0.45, 0.07),
            ),
        };
        let haze = mix(sky_low, sky_mid, 0.45);
        let (acc_l, acc_s) = if matches!(tone, Some(Tone::Neon)) {
            (0.6, 1.0)
        } else {
            (0.62, 0.85)
        };
        Self {
            hues: [p, q],
            tone,
            sky_top,
            sky_mid,
            sky_low,
            sun,
            glow,
            haze,
            land,
            water,
            accent: c(p, acc_s, acc_l),
            accent2: c(q, acc_s, acc_l),
        }
    }

    /// Gives the land its own hue `h` (forests stay green under any sky).
    pub(crate) fn green_land(&mut self, time: Time, h: f32) {
        let (sat, light) = match time {
            Time::Day => (0.4, 0.22),
            Time::Dawn => (0.3, 0.2),
            Time::Dusk => (0.35, 0.12),
            Time::Night => (0.3, 0.05),
        };
        self.land = toned(self.tone, h, sat, light);
    }

    /// A colour in this palette's tone.
    pub(crate) fn tone(&self, h: f32, s: f32, l: f32) -> Rgb {
        toned(self.tone, h, s, l)
    }
}

/// A hue in `0..360`.
pub(crate) fn wrap(h: f32) -> f32 {
    h - floorf(h / 360.0) * 360.0
}

/// The English name of the colour nearest to hue `h`.
pub(crate) fn hue_name(h: f32) -> &'static str {
    const NAMES: [(f32, &str); 10] = [
        (0.0, "red"),
        (24.0, "orange"),
        (42.0, "gold"),
        (56.0, "yellow"),
        (120.0, "green"),
        (178.0, "teal"),
        (215.0, "blue"),
        (268.0, "purple"),
        (318.0, "pink"),
        (360.0, "red"),
    ];
    let h = h - floorf(h / 360.0) * 360.0;
    let mut best = "red";
    let mut best_d = f32::MAX;
    for (hue, name) in NAMES {
        let d = (hue - h).abs();
        if d < best_d {
            best_d = d;
            best = name;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hue_names() {
        assert_eq!(hue_name(2.0), "red");
        assert_eq!(hue_name(355.0), "red");
        assert_eq!(hue_name(-5.0), "red");
        assert_eq!(hue_name(180.0), "teal");
        assert_eq!(hue_name(222.0), "blue");
        assert_eq!(hue_name(45.0), "gold");
    }

    #[test]
    fn night_is_darker_than_day() {
        let day = Palette::new(210.0, 140.0, Time::Day, None);
        let night = Palette::new(210.0, 140.0, Time::Night, None);
        let sum = |c: Rgb| c.iter().sum::<f32>();
        assert!(sum(night.sky_top) < sum(day.sky_top));
        assert!(sum(night.land) < sum(day.land));
    }
}
