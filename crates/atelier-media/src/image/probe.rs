//! Reading format and dimensions from the first bytes of a file, without decoding any pixels, so
//! that an oversized file or a decompression bomb (a small file declaring 60000×60000 pixels) is
//! refused in microseconds and with no allocation.

use super::{ImageError, ImageFormat, ImageInfo, ImageLimits};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Reads format and dimensions from the header only (no full decode), enforcing both limits, so a
/// decompression bomb (e.g. a tiny PNG declaring 60000×60000) is refused in milliseconds with little
/// memory.
pub fn probe(bytes: &[u8], limits: &ImageLimits) -> Result<ImageInfo, ImageError> {
    if bytes.len() > limits.max_bytes {
        return Err(ImageError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let format = sniff(bytes).ok_or(ImageError::Unsupported)?;
    let (width, height) = match format {
        ImageFormat::Png => png_size(bytes),
        ImageFormat::Jpeg => jpeg_size(bytes),
        ImageFormat::Webp => webp_size(bytes),
        ImageFormat::Gif => gif_size(bytes),
    }?;
    if width == 0 || height == 0 {
        return Err(malformed(format, "zero width or height"));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(ImageError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    Ok(ImageInfo {
        format,
        width,
        height,
    })
}

/// The format named by the magic bytes, if any.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(PNG_MAGIC) {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some(ImageFormat::Webp)
    } else {
        None
    }
}

fn malformed(format: ImageFormat, what: &str) -> ImageError {
    ImageError::Malformed(format!("{}: {what}", format.extension()))
}

fn truncated(format: ImageFormat) -> ImageError {
    malformed(format, "header is truncated")
}

/// `N` bytes at `at`, if the input is long enough.
fn take<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

fn png_size(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let f = ImageFormat::Png;
    let length = take::<4>(bytes, 8).ok_or_else(|| truncated(f))?;
    let kind = take::<4>(bytes, 12).ok_or_else(|| truncated(f))?;
    if u32::from_be_bytes(length) != 13 || &kind != b"IHDR" {
        return Err(malformed(f, "the first chunk is not IHDR"));
    }
    let w = take::<4>(bytes, 16).ok_or_else(|| truncated(f))?;
    let h = take::<4>(bytes, 20).ok_or_else(|| truncated(f))?;
    Ok((u32::from_be_bytes(w), u32::from_be_bytes(h)))
}

fn gif_size(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let w = take::<2>(bytes, 6).ok_or_else(|| truncated(ImageFormat::Gif))?;
    let h = take::<2>(bytes, 8).ok_or_else(|| truncated(ImageFormat::Gif))?;
    Ok((
        u32::from(u16::from_le_bytes(w)),
        u32::from(u16::from_le_bytes(h)),
    ))
}

fn webp_size(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let f = ImageFormat::Webp;
    let chunk = take::<4>(bytes, 12).ok_or_else(|| truncated(f))?;
    match &chunk {
        b"VP8 " => {
            // Lossy: a 3-byte frame tag, the start code 9D 01 2A, then 14-bit sizes.
            let start = take::<3>(bytes, 23).ok_or_else(|| truncated(f))?;
            if start != [0x9D, 0x01, 0x2A] {
                return Err(malformed(f, "bad VP8 start code"));
            }
            let w = take::<2>(bytes, 26).ok_or_else(|| truncated(f))?;
            let h = take::<2>(bytes, 28).ok_or_else(|| truncated(f))?;
            Ok((
                u32::from(u16::from_le_bytes(w) & 0x3FFF),
                u32::from(u16::from_le_bytes(h) & 0x3FFF),
            ))
        }
        b"VP8L" => {
            // Lossless: signature 0x2F, then width-1 and height-1 in 14 bits each.
            let [sig] = take::<1>(bytes, 20).ok_or_else(|| truncated(f))?;
            if sig != 0x2F {
                return Err(malformed(f, "bad VP8L signature"));
            }
            let bits = u32::from_le_bytes(take::<4>(bytes, 21).ok_or_else(|| truncated(f))?);
            Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => {
            // Extended: canvas width-1 and height-1 in 24 bits each.
            let w = take::<3>(bytes, 24).ok_or_else(|| truncated(f))?;
            let h = take::<3>(bytes, 27).ok_or_else(|| truncated(f))?;
            let u24 = |b: [u8; 3]| u32::from_le_bytes([b[0], b[1], b[2], 0]) + 1;
            Ok((u24(w), u24(h)))
        }
        _ => Err(malformed(f, "unknown first chunk")),
    }
}

fn is_frame_marker(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// Walks the JPEG marker segments to the first one for which `wanted` holds and returns its marker
/// and the offset of its length field. Reaching the image data or the end first is an error.
fn jpeg_find(bytes: &[u8], wanted: impl Fn(u8) -> bool) -> Result<(u8, usize), ImageError> {
    let f = ImageFormat::Jpeg;
    let mut at = 2;
    loop {
        let [ff] = take::<1>(bytes, at).ok_or_else(|| truncated(f))?;
        if ff != 0xFF {
            return Err(malformed(f, "expected a marker"));
        }
        // Markers may be padded with any number of 0xFF fill bytes.
        let mut marker = 0xFF;
        while marker == 0xFF {
            at += 1;
            let [m] = take::<1>(bytes, at).ok_or_else(|| truncated(f))?;
            marker = m;
        }
        at += 1;
        if wanted(marker) {
            return Ok((marker, at));
        }
        match marker {
            // Standalone markers: TEM, RST0-7.
            0x01 | 0xD0..=0xD7 => continue,
            0xD8..=0xDA => {
                return Err(malformed(f, "no frame header before the image data"));
            }
            _ => {}
        }
        let length = usize::from(u16::from_be_bytes(
            take::<2>(bytes, at).ok_or_else(|| truncated(f))?,
        ));
        if length < 2 {
            return Err(malformed(f, "bad segment length"));
        }
        at += length;
    }
}

fn jpeg_size(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let f = ImageFormat::Jpeg;
    let (_, at) = jpeg_find(bytes, is_frame_marker)?;
    // Length, precision, then height and width.
    let h = take::<2>(bytes, at + 3).ok_or_else(|| truncated(f))?;
    let w = take::<2>(bytes, at + 5).ok_or_else(|| truncated(f))?;
    Ok((
        u32::from(u16::from_be_bytes(w)),
        u32::from(u16::from_be_bytes(h)),
    ))
}

/// Checks that a JPEG's image data runs to an end-of-image marker. Lenient decoders fill a
/// truncated JPEG with grey instead of failing; Atelier refuses it.
pub(super) fn check_jpeg_complete(bytes: &[u8]) -> Result<(), ImageError> {
    // The frame header comes first; then walk on to the first start-of-scan. Walking the segments
    // (rather than searching for FF DA) skips the EXIF thumbnail, which is a JPEG of its own.
    jpeg_find(bytes, is_frame_marker)?;
    let (_, scan) = jpeg_find(bytes, |m| m == 0xDA)
        .map_err(|_| malformed(ImageFormat::Jpeg, "no image data"))?;
    let ends = bytes
        .get(scan..)
        .is_some_and(|data| data.windows(2).any(|w| w == [0xFF, 0xD9]));
    if ends {
        Ok(())
    } else {
        Err(malformed(ImageFormat::Jpeg, "the image data is truncated"))
    }
}
