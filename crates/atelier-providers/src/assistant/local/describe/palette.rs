//! The palette: every pixel named after one of a fixed list of colours (by hue, lightness and
//! saturation), and the two or three names that cover most of the image.

/// A named colour: English and Chinese, and whether "muted" may qualify it.
struct Named {
    en: &'static str,
    zh: &'static str,
    can_be_muted: bool,
}

const fn c(en: &'static str, zh: &'static str, can_be_muted: bool) -> Named {
    Named {
        en,
        zh,
        can_be_muted,
    }
}

/// The colours a palette is named with (see [`colour_name`]).
const COLOURS: [Named; 26] = [
    c("black", "黑色", false),
    c("charcoal", "炭灰色", false),
    c("grey", "灰色", false),
    c("silver", "银灰色", false),
    c("off-white", "米白色", false),
    c("white", "纯白色", false),
    c("deep red", "深红色", true),
    c("crimson", "绯红色", true),
    c("pink", "粉色", false),
    c("brown", "棕色", false),
    c("warm orange", "暖橙色", true),
    c("sand beige", "沙米色", false),
    c("olive", "橄榄绿", false),
    c("golden yellow", "金黄色", true),
    c("forest green", "森林绿", true),
    c("fresh green", "嫩绿色", true),
    c("teal", "青绿色", true),
    c("navy", "藏青色", false),
    c("deep blue", "深蓝色", true),
    c("sky blue", "天蓝色", true),
    c("steel blue", "钢蓝色", false),
    c("pale blue", "淡蓝色", false),
    c("purple", "紫色", true),
    c("lavender", "薰衣草紫", false),
    c("magenta", "洋红色", true),
    c("plum", "深紫红色", false),
];

/// A palette entry: an index in [`COLOURS`] and whether it is mostly muted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Swatch {
    colour: usize,
    muted: bool,
}

impl Swatch {
    pub(super) fn name(self, chinese: bool) -> String {
        let named = &COLOURS[self.colour];
        match (chinese, self.muted && named.can_be_muted) {
            (false, false) => named.en.to_owned(),
            (false, true) => format!("muted {}", named.en),
            (true, false) => named.zh.to_owned(),
            (true, true) => format!("灰调{}", named.zh),
        }
    }
}

/// The two or three dominant colours: each pixel counted under its name; names with at least
/// 8 % of the pixels, most first (at least one), muted when most of their pixels are.
pub(super) fn palette(pixels: &[[u8; 3]]) -> Vec<Swatch> {
    let mut counts = [0usize; COLOURS.len()];
    let mut muted = [0usize; COLOURS.len()];
    for &p in pixels {
        let (colour, is_muted) = colour_name(p);
        counts[colour] += 1;
        muted[colour] += usize::from(is_muted);
    }
    let mut order: Vec<usize> = (0..COLOURS.len()).collect();
    // Most pixels first; the table's order breaks ties (the sort is stable).
    order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
    let total = pixels.len().max(1);
    let mut chosen: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| counts[i] * 100 >= total * 8)
        .take(3)
        .collect();
    if chosen.is_empty() {
        chosen.extend(order.first());
    }
    chosen
        .into_iter()
        .map(|colour| Swatch {
            colour,
            muted: muted[colour] * 2 > counts[colour],
        })
        .collect()
}

/// The name (index in [`COLOURS`]) of a colour, from its hue, lightness and saturation, and
/// whether it is muted (low saturation).
fn colour_name([r, g, b]: [u8; 3]) -> (usize, bool) {
    let (r, g, b) = (f64::from(r), f64::from(g), f64::from(b));
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let chroma = max - min;
    let l = f64::midpoint(max, min);
    let saturation = chroma / (255.0 - (2.0 * l - 255.0).abs()).max(1.0);
    let index = |name: &str| COLOURS.iter().position(|c| c.en == name).unwrap_or(2);
    if chroma < 16.0 || saturation < 0.1 {
        let name = match l {
            l if l < 40.0 => "black",
            l if l < 95.0 => "charcoal",
            l if l < 170.0 => "grey",
            l if l < 225.0 => "silver",
            l if l < 250.0 => "off-white",
            _ => "white",
        };
        return (index(name), false);
    }
    let muted = saturation < 0.3;
    let hue = if (max - r).abs() < f64::EPSILON {
        60.0 * ((g - b) / chroma).rem_euclid(6.0)
    } else if (max - g).abs() < f64::EPSILON {
        60.0 * ((b - r) / chroma + 2.0)
    } else {
        60.0 * ((r - g) / chroma + 4.0)
    };
    let name = match hue {
        h if !(15.0..345.0).contains(&h) => match l {
            l if l < 95.0 => "deep red",
            l if l > 185.0 => "pink",
            _ => "crimson",
        },
        h if h < 42.0 => match l {
            l if l < 110.0 => "brown",
            l if l > 175.0 || muted => "sand beige",
            _ => "warm orange",
        },
        h if h < 68.0 => match l {
            l if l < 100.0 => "olive",
            _ if muted => "sand beige",
            _ => "golden yellow",
        },
        h if h < 160.0 => match l {
            l if l < 95.0 => "forest green",
            _ => "fresh green",
        },
        h if h < 200.0 => "teal",
        h if h < 255.0 => match l {
            l if l < 60.0 => "navy",
            l if l < 190.0 && muted => "steel blue",
            l if l < 125.0 => "deep blue",
            l if l < 190.0 => "sky blue",
            _ => "pale blue",
        },
        h if h < 290.0 => match l {
            l if l > 175.0 => "lavender",
            _ => "purple",
        },
        _ => match l {
            l if l > 175.0 => "pink",
            l if l < 80.0 => "plum",
            _ => "magenta",
        },
    };
    (index(name), muted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_named_by_hue_and_lightness() {
        let name = |rgb: [u8; 3]| {
            let (colour, muted) = colour_name(rgb);
            Swatch { colour, muted }.name(false)
        };
        assert_eq!(name([10, 10, 12]), "black");
        assert_eq!(name([128, 128, 130]), "grey");
        assert_eq!(name([240, 236, 226]), "off-white");
        assert_eq!(name([15, 25, 60]), "navy");
        assert_eq!(name([25, 50, 135]), "deep blue");
        assert_eq!(name([125, 185, 235]), "sky blue");
        assert_eq!(name([235, 130, 45]), "warm orange");
        assert_eq!(name([215, 195, 155]), "sand beige");
        assert_eq!(name([35, 95, 45]), "forest green");
        assert_eq!(name([200, 30, 40]), "crimson");
        assert_eq!(name([130, 70, 170]), "purple");
        assert_eq!(name([125, 105, 135]), "muted purple");
        assert_eq!(name([20, 125, 125]), "teal");
        let (colour, muted) = colour_name([125, 105, 135]);
        assert_eq!(Swatch { colour, muted }.name(true), "灰调紫色");
    }
}
