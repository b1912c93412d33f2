//! Reading an instruction: the keywords of each operation in English and Chinese, found in the
//! order written (longer keywords first), with the degrees of a rotation and the aspect of a crop
//! read from the words around them.

use super::EditOp;

/// What a keyword names; rotations and crops read their details next to the keyword.
#[derive(Debug, Clone, Copy)]
enum Keyword {
    Op(EditOp),
    Rotate,
    Crop,
}

/// Keywords (lower case) and what they name. Longer keywords win over shorter ones they contain.
const KEYWORDS: &[(&str, Keyword)] = &[
    ("black and white", Keyword::Op(EditOp::Grayscale)),
    ("black & white", Keyword::Op(EditOp::Grayscale)),
    ("black-and-white", Keyword::Op(EditOp::Grayscale)),
    ("b&w", Keyword::Op(EditOp::Grayscale)),
    ("grayscale", Keyword::Op(EditOp::Grayscale)),
    ("greyscale", Keyword::Op(EditOp::Grayscale)),
    ("gray scale", Keyword::Op(EditOp::Grayscale)),
    ("grey scale", Keyword::Op(EditOp::Grayscale)),
    ("monochrome", Keyword::Op(EditOp::Grayscale)),
    ("desaturate", Keyword::Op(EditOp::Grayscale)),
    ("黑白", Keyword::Op(EditOp::Grayscale)),
    ("灰度", Keyword::Op(EditOp::Grayscale)),
    ("sepia", Keyword::Op(EditOp::Sepia)),
    ("vintage", Keyword::Op(EditOp::Sepia)),
    ("retro", Keyword::Op(EditOp::Sepia)),
    ("old photo", Keyword::Op(EditOp::Sepia)),
    ("复古", Keyword::Op(EditOp::Sepia)),
    ("怀旧", Keyword::Op(EditOp::Sepia)),
    ("老照片", Keyword::Op(EditOp::Sepia)),
    ("棕褐", Keyword::Op(EditOp::Sepia)),
    ("blur", Keyword::Op(EditOp::Blur)),
    ("soften", Keyword::Op(EditOp::Blur)),
    ("defocus", Keyword::Op(EditOp::Blur)),
    ("模糊", Keyword::Op(EditOp::Blur)),
    ("柔化", Keyword::Op(EditOp::Blur)),
    ("sharpen", Keyword::Op(EditOp::Sharpen)),
    ("sharper", Keyword::Op(EditOp::Sharpen)),
    ("crisper", Keyword::Op(EditOp::Sharpen)),
    ("锐化", Keyword::Op(EditOp::Sharpen)),
    ("invert", Keyword::Op(EditOp::Invert)),
    ("negative", Keyword::Op(EditOp::Invert)),
    ("反色", Keyword::Op(EditOp::Invert)),
    ("反相", Keyword::Op(EditOp::Invert)),
    ("负片", Keyword::Op(EditOp::Invert)),
    ("brighter", Keyword::Op(EditOp::Brighten)),
    ("brighten", Keyword::Op(EditOp::Brighten)),
    ("lighten", Keyword::Op(EditOp::Brighten)),
    ("lighter", Keyword::Op(EditOp::Brighten)),
    ("变亮", Keyword::Op(EditOp::Brighten)),
    ("提亮", Keyword::Op(EditOp::Brighten)),
    ("调亮", Keyword::Op(EditOp::Brighten)),
    ("更亮", Keyword::Op(EditOp::Brighten)),
    ("亮一点", Keyword::Op(EditOp::Brighten)),
    ("darker", Keyword::Op(EditOp::Darken)),
    ("darken", Keyword::Op(EditOp::Darken)),
    ("变暗", Keyword::Op(EditOp::Darken)),
    ("调暗", Keyword::Op(EditOp::Darken)),
    ("更暗", Keyword::Op(EditOp::Darken)),
    ("暗一点", Keyword::Op(EditOp::Darken)),
    ("warmer", Keyword::Op(EditOp::Warmer)),
    ("warm", Keyword::Op(EditOp::Warmer)),
    ("暖色", Keyword::Op(EditOp::Warmer)),
    ("暖调", Keyword::Op(EditOp::Warmer)),
    ("更暖", Keyword::Op(EditOp::Warmer)),
    ("cooler", Keyword::Op(EditOp::Cooler)),
    ("colder", Keyword::Op(EditOp::Cooler)),
    ("cool", Keyword::Op(EditOp::Cooler)),
    ("冷色", Keyword::Op(EditOp::Cooler)),
    ("冷调", Keyword::Op(EditOp::Cooler)),
    ("更冷", Keyword::Op(EditOp::Cooler)),
    ("flip horizontally", Keyword::Op(EditOp::FlipHorizontal)),
    ("flip horizontal", Keyword::Op(EditOp::FlipHorizontal)),
    ("horizontal flip", Keyword::Op(EditOp::FlipHorizontal)),
    ("mirror", Keyword::Op(EditOp::FlipHorizontal)),
    ("水平翻转", Keyword::Op(EditOp::FlipHorizontal)),
    ("左右翻转", Keyword::Op(EditOp::FlipHorizontal)),
    ("镜像", Keyword::Op(EditOp::FlipHorizontal)),
    ("flip vertically", Keyword::Op(EditOp::FlipVertical)),
    ("flip vertical", Keyword::Op(EditOp::FlipVertical)),
    ("vertical flip", Keyword::Op(EditOp::FlipVertical)),
    ("垂直翻转", Keyword::Op(EditOp::FlipVertical)),
    ("上下翻转", Keyword::Op(EditOp::FlipVertical)),
    ("flip", Keyword::Op(EditOp::FlipHorizontal)),
    ("翻转", Keyword::Op(EditOp::FlipHorizontal)),
    ("rotate", Keyword::Rotate),
    ("旋转", Keyword::Rotate),
    ("crop", Keyword::Crop),
    ("裁剪", Keyword::Crop),
    ("裁切", Keyword::Crop),
    ("剪裁", Keyword::Crop),
    ("裁成", Keyword::Crop),
    ("裁为", Keyword::Crop),
];

/// The operations `instruction` names, in the order written. Empty when it names none.
#[must_use]
pub fn parse_instruction(instruction: &str) -> Vec<EditOp> {
    let lower = instruction.to_lowercase();
    let mut order: Vec<usize> = (0..KEYWORDS.len()).collect();
    // Longest first, so "flip vertically" claims its words before "flip" does.
    order.sort_by_key(|&i| std::cmp::Reverse(KEYWORDS[i].0.len()));
    let mut found: Vec<(usize, usize, Keyword)> = Vec::new();
    for i in order {
        let (word, keyword) = KEYWORDS[i];
        for (start, _) in lower.match_indices(word) {
            let end = start + word.len();
            let ascii = word.is_ascii();
            let boundary = !ascii
                || lower[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_alphanumeric());
            let overlaps = found.iter().any(|&(s, e, _)| start < e && s < end);
            if boundary && !overlaps {
                found.push((start, end, keyword));
            }
        }
    }
    found.sort_by_key(|&(start, _, _)| start);
    found
        .into_iter()
        .filter_map(|(start, end, keyword)| match keyword {
            Keyword::Op(op) => Some(op),
            Keyword::Rotate => Some(rotation(before(&lower, start), after(&lower, end))),
            Keyword::Crop => crop_ratio(before(&lower, start), after(&lower, end)),
        })
        .collect()
}

/// Up to 8 characters before byte `start`.
fn before(text: &str, start: usize) -> &str {
    let head = &text[..start];
    let from = head.char_indices().rev().nth(7).map_or(0, |(i, _)| i);
    &head[from..]
}

/// The words after byte `end` up to the next clause break, at most 24 characters.
fn after(text: &str, end: usize) -> &str {
    let tail = &text[end..];
    let mut stop = tail.len();
    for (count, (i, c)) in tail.char_indices().enumerate() {
        if count >= 24 || matches!(c, ',' | '，' | ';' | '；' | '。' | '、' | '!' | '！') {
            stop = i;
            break;
        }
    }
    let window = &tail[..stop];
    [" and ", " then ", "然后", "再"]
        .iter()
        .filter_map(|sep| window.find(sep))
        .min()
        .map_or(window, |at| &window[..at])
}

/// The rotation a "rotate" keyword names, from the words around it: a number of degrees (90 by
/// default) and a direction (clockwise unless left / counter-clockwise).
fn rotation(before: &str, after: &str) -> EditOp {
    let counter = ["left", "counter", "anti", "逆时针", "向左"]
        .iter()
        .any(|w| after.contains(w) || before.contains(w))
        || after.trim_start().starts_with("-90");
    let degrees = first_number(after).map_or(90, |n| match n {
        180 => 180,
        270 => 270,
        _ => 90,
    });
    let degrees = match (degrees, counter) {
        (90, true) => 270,
        (270, true) => 90,
        (d, _) => d,
    };
    EditOp::Rotate { degrees }
}

/// The first run of ASCII digits in `text`, when it fits a `u32`.
fn first_number(text: &str) -> Option<u32> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let rest = &text[start..];
    let len = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..len].parse().ok()
}

/// The aspect a "crop" keyword names: `16:9`, `3x4`, `4/5`, `1比1` after it, or "square" /
/// "正方形" near it.
fn crop_ratio(before: &str, after: &str) -> Option<EditOp> {
    let square = |t: &str| ["square", "正方形", "方形"].iter().any(|w| t.contains(w));
    if let Some((w, h)) = ratio_in(after) {
        return Some(EditOp::Crop {
            ratio_w: w,
            ratio_h: h,
        });
    }
    (square(after) || square(before)).then_some(EditOp::Crop {
        ratio_w: 1,
        ratio_h: 1,
    })
}

/// The first `W<sep>H` in `text` with both parts 1 to 100.
fn ratio_in(text: &str) -> Option<(u32, u32)> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let (w, next) = digits(&chars, i);
        let mut j = next;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j < chars.len() && matches!(chars[j], ':' | '：' | 'x' | '×' | '/' | '比') {
            j += 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() {
                let (h, _) = digits(&chars, j);
                if let (Some(w), Some(h)) = (w, h)
                    && (1..=100).contains(&w)
                    && (1..=100).contains(&h)
                {
                    return Some((w, h));
                }
            }
        }
        i = next;
    }
    None
}

/// The number starting at `chars[at]` and the index after it.
fn digits(chars: &[char], at: usize) -> (Option<u32>, usize) {
    let mut end = at;
    while end < chars.len() && chars[end].is_ascii_digit() {
        end += 1;
    }
    let text: String = chars[at..end].iter().collect();
    (text.parse().ok(), end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_english_instructions_in_order() {
        assert_eq!(
            parse_instruction("Make it black and white, then crop to 16:9"),
            vec![
                EditOp::Grayscale,
                EditOp::Crop {
                    ratio_w: 16,
                    ratio_h: 9
                }
            ]
        );
        assert_eq!(
            parse_instruction("square crop and flip vertically, a bit brighter"),
            vec![
                EditOp::Crop {
                    ratio_w: 1,
                    ratio_h: 1
                },
                EditOp::FlipVertical,
                EditOp::Brighten
            ]
        );
        assert_eq!(
            parse_instruction("rotate left"),
            vec![EditOp::Rotate { degrees: 270 }]
        );
        assert_eq!(
            parse_instruction("rotate 180 degrees"),
            vec![EditOp::Rotate { degrees: 180 }]
        );
        assert_eq!(
            parse_instruction("Rotate right, mirror it and make it warmer"),
            vec![
                EditOp::Rotate { degrees: 90 },
                EditOp::FlipHorizontal,
                EditOp::Warmer
            ]
        );
        assert_eq!(
            parse_instruction("vintage look, slightly blurred, invert, darker, cooler, sharpen"),
            vec![
                EditOp::Sepia,
                EditOp::Blur,
                EditOp::Invert,
                EditOp::Darken,
                EditOp::Cooler,
                EditOp::Sharpen
            ]
        );
        assert_eq!(
            parse_instruction("crop 3:4"),
            vec![EditOp::Crop {
                ratio_w: 3,
                ratio_h: 4
            }]
        );
        // "swarm" is not "warm"; "crop" without an aspect is not an operation.
        assert!(parse_instruction("a swarm of bees").is_empty());
        assert!(parse_instruction("crop it nicely").is_empty());
    }

    #[test]
    fn parses_chinese_instructions() {
        assert_eq!(
            parse_instruction("变成黑白，然后裁剪为 1:1"),
            vec![
                EditOp::Grayscale,
                EditOp::Crop {
                    ratio_w: 1,
                    ratio_h: 1
                }
            ]
        );
        assert_eq!(
            parse_instruction("复古风格，水平翻转，再提亮"),
            vec![EditOp::Sepia, EditOp::FlipHorizontal, EditOp::Brighten]
        );
        assert_eq!(
            parse_instruction("向左旋转90度并垂直翻转"),
            vec![EditOp::Rotate { degrees: 270 }, EditOp::FlipVertical]
        );
        assert_eq!(
            parse_instruction("模糊一点，锐化，反色，变暗，暖色，冷色，怀旧"),
            vec![
                EditOp::Blur,
                EditOp::Sharpen,
                EditOp::Invert,
                EditOp::Darken,
                EditOp::Warmer,
                EditOp::Cooler,
                EditOp::Sepia
            ]
        );
        assert_eq!(
            parse_instruction("旋转 180 度"),
            vec![EditOp::Rotate { degrees: 180 }]
        );
    }
}
