//! The offline assistant's vocabulary: descriptive prompt terms by category, in English and
//! Chinese, and the subjects whose default terms fill categories the examples say nothing about.

/// A kind of descriptive term; the output lists categories in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Category {
    Style,
    Lighting,
    Composition,
    Lens,
    Palette,
    Detail,
}

impl Category {
    /// Every category, in output order.
    pub(super) const ALL: [Self; 6] = [
        Self::Style,
        Self::Lighting,
        Self::Composition,
        Self::Lens,
        Self::Palette,
        Self::Detail,
    ];
}

/// One descriptive term.
#[derive(Debug)]
pub(super) struct Term {
    pub category: Category,
    /// The English form added to English prompts; also its key.
    pub en: &'static str,
    /// The Chinese form added to Chinese prompts.
    pub zh: &'static str,
    /// Other spellings (lower case) that count as this term.
    pub aliases: &'static [&'static str],
}

const fn t(
    category: Category,
    en: &'static str,
    zh: &'static str,
    aliases: &'static [&'static str],
) -> Term {
    Term {
        category,
        en,
        zh,
        aliases,
    }
}

use Category::{Composition, Detail, Lens, Lighting, Palette, Style};

/// Every term; within a category, earlier terms win ties.
pub(super) const TERMS: &[Term] = &[
    t(
        Style,
        "cinematic",
        "电影感",
        &["film still", "电影质感", "电影风格"],
    ),
    t(
        Style,
        "photorealistic",
        "照片级写实",
        &[
            "photo-realistic",
            "hyperrealistic",
            "hyper-realistic",
            "超写实",
            "写实",
        ],
    ),
    t(Style, "watercolor", "水彩", &["watercolour"]),
    t(Style, "oil painting", "油画", &["oil on canvas"]),
    t(Style, "anime", "动漫风格", &["manga", "动漫", "二次元"]),
    t(
        Style,
        "studio ghibli style",
        "吉卜力风格",
        &["ghibli", "吉卜力"],
    ),
    t(
        Style,
        "digital art",
        "数字艺术",
        &["digital painting", "数字绘画"],
    ),
    t(Style, "concept art", "概念艺术", &["概念图"]),
    t(
        Style,
        "minimalist",
        "极简主义",
        &["minimalism", "minimal", "极简"],
    ),
    t(Style, "isometric", "等距视角", &["等轴测"]),
    t(
        Style,
        "3d render",
        "3D渲染",
        &[
            "3d rendering",
            "octane render",
            "blender",
            "c4d",
            "三维渲染",
        ],
    ),
    t(Style, "pixel art", "像素艺术", &["像素风"]),
    t(
        Style,
        "ink wash painting",
        "水墨画",
        &["chinese ink", "水墨", "国画"],
    ),
    t(
        Style,
        "pencil sketch",
        "铅笔素描",
        &["sketch", "素描", "线稿"],
    ),
    t(Style, "surreal", "超现实主义", &["surrealism", "超现实"]),
    t(Style, "cyberpunk", "赛博朋克", &[]),
    t(Style, "fantasy art", "奇幻艺术", &["奇幻风格"]),
    t(
        Style,
        "analog film photo",
        "复古胶片",
        &["film photography", "analog film", "kodak", "portra", "胶片"],
    ),
    t(Lighting, "golden hour", "黄金时刻", &["黄金时段", "夕阳光"]),
    t(
        Lighting,
        "soft light",
        "柔光",
        &["soft lighting", "diffused light", "柔和光线"],
    ),
    t(
        Lighting,
        "volumetric light",
        "体积光",
        &[
            "volumetric lighting",
            "god rays",
            "crepuscular rays",
            "丁达尔",
        ],
    ),
    t(
        Lighting,
        "rim light",
        "轮廓光",
        &["rim lighting", "backlit", "backlight", "逆光"],
    ),
    t(Lighting, "neon glow", "霓虹灯光", &["neon", "霓虹"]),
    t(
        Lighting,
        "dramatic lighting",
        "戏剧性光影",
        &["dramatic light", "chiaroscuro", "明暗对比"],
    ),
    t(
        Lighting,
        "studio lighting",
        "影棚灯光",
        &["studio light", "softbox", "棚拍"],
    ),
    t(
        Lighting,
        "natural light",
        "自然光",
        &["natural lighting", "daylight"],
    ),
    t(Lighting, "blue hour", "蓝调时刻", &[]),
    t(Lighting, "moonlight", "月光", &["moonlit"]),
    t(Lighting, "candlelight", "烛光", &["candlelit"]),
    t(
        Composition,
        "close-up",
        "特写",
        &["close up", "closeup", "近景"],
    ),
    t(
        Composition,
        "wide shot",
        "广角",
        &["wide angle", "wide-angle", "panoramic", "panorama", "全景"],
    ),
    t(Composition, "rule of thirds", "三分法构图", &["三分构图"]),
    t(
        Composition,
        "symmetrical",
        "对称构图",
        &["symmetry", "symmetric", "对称"],
    ),
    t(
        Composition,
        "bird's-eye view",
        "鸟瞰视角",
        &[
            "bird's eye view",
            "birds eye view",
            "aerial view",
            "top-down",
            "俯瞰",
            "鸟瞰",
            "航拍",
        ],
    ),
    t(
        Composition,
        "low angle",
        "低角度仰拍",
        &["low-angle", "仰拍", "仰视"],
    ),
    t(Composition, "full body", "全身像", &["full-body", "全身"]),
    t(
        Composition,
        "centered composition",
        "居中构图",
        &["centred composition", "centered", "centred", "居中"],
    ),
    t(Composition, "leading lines", "引导线构图", &["引导线"]),
    t(Composition, "negative space", "留白", &["copy space"]),
    t(Lens, "85mm", "85mm 镜头", &["85 mm"]),
    t(Lens, "35mm", "35mm 镜头", &["35 mm"]),
    t(Lens, "50mm", "50mm 镜头", &["50 mm"]),
    t(Lens, "24mm", "24mm 镜头", &["24 mm"]),
    t(
        Lens,
        "shallow depth of field",
        "浅景深",
        &["depth of field", "dof", "景深"],
    ),
    t(Lens, "bokeh", "散景", &["焦外虚化", "虚化"]),
    t(Lens, "macro", "微距", &["macro lens"]),
    t(Lens, "f/1.8", "f/1.8 光圈", &["f1.8", "f/1.4", "f/2.8"]),
    t(Lens, "telephoto", "长焦", &["telephoto lens"]),
    t(Lens, "tilt-shift", "移轴", &["tilt shift"]),
    t(Lens, "long exposure", "长曝光", &[]),
    t(
        Palette,
        "pastel palette",
        "马卡龙色调",
        &["pastel", "粉彩", "马卡龙"],
    ),
    t(
        Palette,
        "muted tones",
        "柔和色调",
        &["muted", "desaturated", "低饱和", "莫兰迪"],
    ),
    t(
        Palette,
        "vibrant colors",
        "色彩鲜艳",
        &[
            "vibrant",
            "vivid colors",
            "vivid colours",
            "colorful",
            "colourful",
            "鲜艳",
            "高饱和",
        ],
    ),
    t(Palette, "teal and orange", "青橙色调", &["青橙"]),
    t(
        Palette,
        "monochrome",
        "单色调",
        &["black and white", "b&w", "黑白", "单色"],
    ),
    t(
        Palette,
        "warm tones",
        "暖色调",
        &["warm colors", "warm colours", "warm palette", "暖色"],
    ),
    t(
        Palette,
        "cool tones",
        "冷色调",
        &["cool colors", "cool colours", "cool palette", "冷色"],
    ),
    t(Palette, "earth tones", "大地色系", &["earthy", "大地色"]),
    t(
        Detail,
        "highly detailed",
        "高细节",
        &[
            "hyper detailed",
            "hyperdetailed",
            "ultra detailed",
            "ultra-detailed",
            "细节丰富",
            "高度细节",
        ],
    ),
    t(
        Detail,
        "intricate details",
        "精致细节",
        &["intricate", "精致"],
    ),
    t(Detail, "8k", "8K 超高清", &["4k", "uhd", "超高清", "高清"]),
    t(Detail, "sharp focus", "清晰对焦", &["tack sharp", "锐利"]),
    t(Detail, "masterpiece", "杰作", &["best quality", "最佳质量"]),
    t(Detail, "award-winning", "获奖作品", &["award winning"]),
];

/// What a prompt is about, for default terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Subject {
    Portrait,
    Animal,
    Food,
    Product,
    Fantasy,
    Interior,
    City,
    Landscape,
    Other,
}

/// Subjects and the words (lower case) that name them; earlier subjects win ties.
pub(super) const SUBJECT_WORDS: &[(Subject, &[&str])] = &[
    (
        Subject::Portrait,
        &[
            "portrait", "woman", "man", "girl", "boy", "person", "face", "lady", "child", "people",
            "selfie", "人像", "肖像", "女孩", "男孩", "女人", "男人", "少女", "少年", "人物",
            "美女", "老人", "孩子", "自拍",
        ],
    ),
    (
        Subject::Animal,
        &[
            "cat", "dog", "fox", "bird", "horse", "wolf", "lion", "tiger", "owl", "rabbit", "deer",
            "animal", "puppy", "kitten", "猫", "狗", "狐狸", "鸟", "狼", "狮子", "老虎", "兔",
            "鹿", "动物",
        ],
    ),
    (
        Subject::Food,
        &[
            "food", "cake", "coffee", "dish", "dessert", "bread", "sushi", "fruit", "soup", "tea",
            "noodles", "pizza", "burger", "美食", "蛋糕", "咖啡", "甜点", "面包", "寿司", "水果",
            "汤", "茶", "面条", "披萨",
        ],
    ),
    (
        Subject::Product,
        &[
            "product",
            "bottle",
            "perfume",
            "watch",
            "sneaker",
            "shoe",
            "phone",
            "headphones",
            "cosmetics",
            "packaging",
            "产品",
            "香水",
            "手表",
            "瓶",
            "球鞋",
            "手机",
            "耳机",
            "包装",
        ],
    ),
    (
        Subject::Fantasy,
        &[
            "dragon",
            "castle",
            "wizard",
            "elf",
            "fairy",
            "magic",
            "knight",
            "spaceship",
            "robot",
            "alien",
            "unicorn",
            "龙",
            "城堡",
            "巫师",
            "精灵",
            "魔法",
            "骑士",
            "飞船",
            "机器人",
            "外星",
            "独角兽",
        ],
    ),
    (
        Subject::Interior,
        &[
            "interior",
            "room",
            "kitchen",
            "bedroom",
            "architecture",
            "building",
            "house",
            "cathedral",
            "library",
            "室内",
            "房间",
            "客厅",
            "卧室",
            "厨房",
            "建筑",
            "教堂",
            "图书馆",
        ],
    ),
    (
        Subject::City,
        &[
            "city",
            "street",
            "skyline",
            "town",
            "alley",
            "cityscape",
            "downtown",
            "城市",
            "街道",
            "街头",
            "都市",
            "小巷",
            "天际线",
        ],
    ),
    (
        Subject::Landscape,
        &[
            "landscape",
            "mountain",
            "lake",
            "sea",
            "ocean",
            "forest",
            "valley",
            "river",
            "beach",
            "desert",
            "field",
            "meadow",
            "waterfall",
            "sunset",
            "sunrise",
            "sky",
            "island",
            "风景",
            "山",
            "湖",
            "海",
            "森林",
            "山谷",
            "河",
            "海滩",
            "沙漠",
            "草原",
            "瀑布",
            "日落",
            "日出",
            "天空",
            "岛",
        ],
    ),
];

/// The default terms (English keys) of a subject, for categories without evidence.
pub(super) fn defaults(subject: Subject) -> &'static [&'static str] {
    match subject {
        Subject::Portrait => &[
            "soft light",
            "85mm",
            "shallow depth of field",
            "highly detailed",
        ],
        Subject::Animal => &[
            "natural light",
            "close-up",
            "shallow depth of field",
            "highly detailed",
        ],
        Subject::Food => &[
            "soft light",
            "close-up",
            "shallow depth of field",
            "highly detailed",
        ],
        Subject::Product => &["studio lighting", "centered composition", "sharp focus"],
        Subject::Fantasy => &[
            "concept art",
            "volumetric light",
            "wide shot",
            "intricate details",
        ],
        Subject::Interior => &["natural light", "symmetrical", "24mm", "highly detailed"],
        Subject::City => &["blue hour", "wide shot", "35mm", "highly detailed"],
        Subject::Landscape => &["golden hour", "wide shot", "highly detailed"],
        Subject::Other => &["soft light", "rule of thirds", "highly detailed"],
    }
}

/// The byte position of the first occurrence of `needle` (lower case) in `haystack` (lower
/// case). An ASCII-only needle must stand as its own word (a plural `s`/`es` allowed); other
/// needles match anywhere, as Chinese has no spaces.
pub(super) fn find_term(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    if !needle.is_ascii() {
        return haystack.find(needle);
    }
    let is_word = |c: char| c.is_alphanumeric();
    haystack.match_indices(needle).find_map(|(start, _)| {
        let before_ok = haystack[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !is_word(c));
        let rest = &haystack[start + needle.len()..];
        let rest = rest
            .strip_prefix("es")
            .filter(|r| r.chars().next().is_none_or(|c| !is_word(c)))
            .or_else(|| rest.strip_prefix('s'))
            .unwrap_or(rest);
        let after_ok = rest.chars().next().is_none_or(|c| !is_word(c));
        (before_ok && after_ok).then_some(start)
    })
}

/// Whether `text` (lower case) mentions `term` in any of its forms.
pub(super) fn mentions(text: &str, term: &Term) -> bool {
    [term.en, term.zh]
        .into_iter()
        .chain(term.aliases.iter().copied())
        .any(|form| find_term(text, &form.to_lowercase()).is_some())
}

/// What `prompt` (lower case) is about: the subject named earliest.
pub(super) fn subject_of(prompt: &str) -> Subject {
    SUBJECT_WORDS
        .iter()
        .filter_map(|(subject, words)| {
            words
                .iter()
                .filter_map(|w| find_term(prompt, w))
                .min()
                .map(|at| (at, *subject))
        })
        .min_by_key(|&(at, _)| at)
        .map_or(Subject::Other, |(_, subject)| subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_unique_and_defaults_exist() {
        for (i, a) in TERMS.iter().enumerate() {
            for b in &TERMS[i + 1..] {
                assert_ne!(a.en, b.en);
                assert_ne!(a.zh, b.zh);
            }
        }
        for (subject, _) in SUBJECT_WORDS {
            for key in defaults(*subject) {
                assert!(TERMS.iter().any(|t| t.en == *key), "{key}");
            }
        }
        assert!(Category::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_match_as_words() {
        assert_eq!(find_term("a swarm", "warm"), None);
        assert_eq!(find_term("two foxes", "fox"), Some(4));
        assert_eq!(find_term("mountains.", "mountain"), Some(0));
        assert_eq!(find_term("cathedral", "cat"), None);
        assert_eq!(find_term("一只猫", "猫"), Some(6));
        assert_eq!(subject_of("a portrait of a cat"), Subject::Portrait);
        assert_eq!(subject_of("a cat in a portrait frame"), Subject::Animal);
        assert_eq!(subject_of("雪山下的湖"), Subject::Landscape);
        assert_eq!(subject_of("abstract shapes"), Subject::Other);
    }
}
