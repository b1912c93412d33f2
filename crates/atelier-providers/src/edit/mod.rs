//! The offline AI Edit of the `local` provider: real image operations chosen from the user's
//! instruction, in English or Chinese ("make it black and white, then crop to 16:9",
//! "水平翻转后变亮").
//!
//! [`parse_instruction`] finds the operations an instruction names, in the order written;
//! [`apply_instruction`] decodes the image (at most 40 megapixels), applies them and encodes a
//! PNG. An instruction naming no known operation is refused with a message listing what the
//! offline editor can do.
//!
//! This module holds the vocabulary ([`EditOp`]); `instruction` reads it from the user's words
//! and `operations` carries it out on the pixels.

mod instruction;
mod operations;

pub use instruction::parse_instruction;
pub use operations::apply_instruction;
pub(crate) use operations::luma;

use std::fmt;

/// What the offline editor can do, for the error an unknown instruction gets.
pub const OFFLINE_EDIT_HELP: &str = "the offline editor understood no edit in this instruction. \
     It can: make the image black and white, sepia (vintage), blurred, sharper, inverted, \
     brighter, darker, warmer or cooler; crop it to an aspect (\"crop to 16:9\", \"square \
     crop\"); rotate it (90, 180, 270 degrees, left or right); flip it horizontally or \
     vertically. Several edits can be combined, in the order written.";

/// One image operation of the offline editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EditOp {
    /// Black and white: every pixel's red, green and blue set to its luma.
    Grayscale,
    /// A brown-toned old-photo look.
    Sepia,
    /// A gaussian-like blur scaled to the image size.
    Blur,
    /// An unsharp mask.
    Sharpen,
    /// Colours inverted (a negative); alpha kept.
    Invert,
    /// Lighter: each channel moved a quarter of the way to white.
    Brighten,
    /// Darker: each channel lowered by a quarter.
    Darken,
    /// Warmer tones: more red, less blue.
    Warmer,
    /// Cooler tones: more blue, less red.
    Cooler,
    /// A centred crop to the aspect `ratio_w:ratio_h` (each 1 to 100).
    Crop {
        /// The width part of the aspect.
        ratio_w: u32,
        /// The height part of the aspect.
        ratio_h: u32,
    },
    /// A clockwise rotation by 90, 180 or 270 degrees.
    Rotate {
        /// 90, 180 or 270.
        degrees: u16,
    },
    /// Mirrored left to right.
    FlipHorizontal,
    /// Mirrored top to bottom.
    FlipVertical,
}

impl EditOp {
    /// A short English description: `black and white`, `crop to 16:9`, `rotate 90° clockwise`.
    #[must_use]
    pub fn describe(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for EditOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Grayscale => f.write_str("black and white"),
            Self::Sepia => f.write_str("sepia"),
            Self::Blur => f.write_str("blur"),
            Self::Sharpen => f.write_str("sharpen"),
            Self::Invert => f.write_str("invert colours"),
            Self::Brighten => f.write_str("brighten"),
            Self::Darken => f.write_str("darken"),
            Self::Warmer => f.write_str("warmer tones"),
            Self::Cooler => f.write_str("cooler tones"),
            Self::Crop { ratio_w, ratio_h } => write!(f, "crop to {ratio_w}:{ratio_h}"),
            Self::Rotate { degrees } => write!(f, "rotate {degrees}° clockwise"),
            Self::FlipHorizontal => f.write_str("flip horizontally"),
            Self::FlipVertical => f.write_str("flip vertically"),
        }
    }
}
