//! Aspect ratios of images, as users and providers name them (`"3:4"`).

use std::fmt;

/// An aspect ratio from the set Atelier offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aspect {
    /// 1:1
    Square,
    /// 4:5
    Portrait4x5,
    /// 3:4
    Portrait3x4,
    /// 2:3
    Portrait2x3,
    /// 9:16
    Portrait9x16,
    /// 5:4
    Landscape5x4,
    /// 4:3
    Landscape4x3,
    /// 3:2
    Landscape3x2,
    /// 16:9
    Landscape16x9,
    /// 21:9
    Ultrawide21x9,
}

impl Aspect {
    /// Every aspect, squarest first.
    pub const ALL: [Self; 10] = [
        Self::Square,
        Self::Portrait4x5,
        Self::Portrait3x4,
        Self::Portrait2x3,
        Self::Portrait9x16,
        Self::Landscape5x4,
        Self::Landscape4x3,
        Self::Landscape3x2,
        Self::Landscape16x9,
        Self::Ultrawide21x9,
    ];

    /// `(width, height)` parts of the ratio.
    #[must_use]
    pub const fn parts(self) -> (u32, u32) {
        match self {
            Self::Square => (1, 1),
            Self::Portrait4x5 => (4, 5),
            Self::Portrait3x4 => (3, 4),
            Self::Portrait2x3 => (2, 3),
            Self::Portrait9x16 => (9, 16),
            Self::Landscape5x4 => (5, 4),
            Self::Landscape4x3 => (4, 3),
            Self::Landscape3x2 => (3, 2),
            Self::Landscape16x9 => (16, 9),
            Self::Ultrawide21x9 => (21, 9),
        }
    }

    /// The name as written: `"3:4"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Square => "1:1",
            Self::Portrait4x5 => "4:5",
            Self::Portrait3x4 => "3:4",
            Self::Portrait2x3 => "2:3",
            Self::Portrait9x16 => "9:16",
            Self::Landscape5x4 => "5:4",
            Self::Landscape4x3 => "4:3",
            Self::Landscape3x2 => "3:2",
            Self::Landscape16x9 => "16:9",
            Self::Ultrawide21x9 => "21:9",
        }
    }

    /// Parses `"3:4"` (also `"3x4"` and `"3/4"`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let normalized = text.trim().replace(['x', 'X', '/', '：'], ":");
        Self::ALL.into_iter().find(|a| a.as_str() == normalized)
    }

    /// The nearest offered aspect to an image of `width` × `height`.
    #[must_use]
    pub fn nearest(width: u32, height: u32) -> Self {
        let ratio = f64::from(width.max(1)).ln() - f64::from(height.max(1)).ln();
        Self::ALL
            .into_iter()
            .min_by(|a, b| {
                let da = (a.log_ratio() - ratio).abs();
                let db = (b.log_ratio() - ratio).abs();
                da.total_cmp(&db)
            })
            .unwrap_or(Self::Square)
    }

    fn log_ratio(self) -> f64 {
        let (w, h) = self.parts();
        f64::from(w).ln() - f64::from(h).ln()
    }

    /// Pixel dimensions with the longer edge `long_edge`, both rounded to a multiple of 8.
    #[must_use]
    pub fn dimensions(self, long_edge: u32) -> (u32, u32) {
        let (w, h) = self.parts();
        let round8 = |v: u32| (v.div_ceil(8) * 8).max(8);
        if w >= h {
            (round8(long_edge), round8(long_edge * h / w))
        } else {
            (round8(long_edge * w / h), round8(long_edge))
        }
    }
}

impl fmt::Display for Aspect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Aspect::ALL {
            assert_eq!(Aspect::parse(a.as_str()), Some(a));
        }
        assert_eq!(Aspect::parse("16x9"), Some(Aspect::Landscape16x9));
        assert_eq!(Aspect::parse("7:3"), None);
    }

    #[test]
    fn nearest_aspect_of_real_sizes() {
        assert_eq!(Aspect::nearest(1024, 1024), Aspect::Square);
        assert_eq!(Aspect::nearest(1080, 1920), Aspect::Portrait9x16);
        assert_eq!(Aspect::nearest(1200, 896), Aspect::Landscape4x3);
        assert_eq!(Aspect::nearest(0, 0), Aspect::Square);
    }

    #[test]
    fn dimensions_keep_the_ratio() {
        assert_eq!(Aspect::Square.dimensions(1024), (1024, 1024));
        assert_eq!(Aspect::Portrait3x4.dimensions(1024), (768, 1024));
        assert_eq!(Aspect::Landscape16x9.dimensions(1280), (1280, 720));
    }
}
